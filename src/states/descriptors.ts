/**
 * What each state is, in the terms a chemist reads (the paper's Fig. 2c and Supplementary Fig. 1): its population
 * and the mean and spread of per-Li-per-frame descriptors over its members (coordination numbers by element, Li
 * density, mean neighbour distance, angle statistics, position along z …), and the samples closest to each
 * mixture component's centre as representative environments. Generic over the descriptor columns: the caller
 * passes Float32Array columns aligned with the labels.
 */
import { GetseiError } from '../util/index.ts';
import type { Labels } from './agreement.ts';
import { streamSquaredMahalanobis, type GaussianMixtureModel } from './gmm.ts';
import { checkInteger, type Rows } from './validate.ts';

export interface ColumnSummary {
  /** mean over the state's members with a finite value; null when none has one */
  readonly mean: number | null;
  /** population standard deviation (ddof = 0) over the same members; null when none */
  readonly std: number | null;
  /** members with a finite value (an angle statistic is undefined for a Li with fewer than two neighbours) */
  readonly count: number;
}

export interface StateDescriptor {
  readonly state: number;
  /** labelled samples (Li × frame) in the state */
  readonly count: number;
  /** count / all labelled samples */
  readonly population: number;
  readonly columns: Readonly<Record<string, ColumnSummary>>;
}

/**
 * Population and per-column mean / std of each state. Labels < 0 (undefined) are left out; non-finite column
 * values are left out of that column's summary (and counted in `count`). Welford's update keeps the variance
 * accurate over millions of samples.
 */
export function describeStates(
  labels: Labels, columns: Readonly<Record<string, Float32Array | Float64Array>>, options: { states?: number } = {},
): StateDescriptor[] {
  const n = labels.length;
  let states = options.states ?? 0;
  for (let i = 0; i < n; i++) {
    const v = labels[i];
    if (!Number.isInteger(v)) throw new GetseiError(`state label ${i} is ${v}, not an integer`);
    if (v + 1 > states) states = v + 1;
  }
  for (const [name, col] of Object.entries(columns)) {
    if (col.length !== n) {
      throw new GetseiError(`descriptor column '${name}' has ${col.length} values but there are ${n} state labels; pass columns aligned with the labels`);
    }
  }
  const count = new Float64Array(states);
  let labelled = 0;
  for (let i = 0; i < n; i++) {
    if (labels[i] < 0) continue;
    count[labels[i]]++;
    labelled++;
  }
  const summaries: Array<Record<string, ColumnSummary>> = Array.from({ length: states }, () => ({}));
  const cnt = new Float64Array(states), mean = new Float64Array(states), m2 = new Float64Array(states);
  for (const [name, col] of Object.entries(columns)) {
    cnt.fill(0);
    mean.fill(0);
    m2.fill(0);
    for (let i = 0; i < n; i++) {
      const s = labels[i];
      const x = col[i];
      if (s < 0 || !Number.isFinite(x)) continue;
      const c = ++cnt[s];
      const delta = x - mean[s];
      mean[s] += delta / c;
      m2[s] += delta * (x - mean[s]);
    }
    for (let s = 0; s < states; s++) {
      summaries[s][name] = cnt[s] > 0
        ? { mean: mean[s], std: Math.sqrt(m2[s] / cnt[s]), count: cnt[s] }
        : { mean: null, std: null, count: 0 };
    }
  }
  return summaries.map((columnsOfState, s) => ({
    state: s,
    count: count[s],
    population: labelled > 0 ? count[s] / labelled : 0,
    columns: columnsOfState,
  }));
}

/**
 * Number density within a sphere: count / (4/3 π r³), in Å⁻³ for r in Å. With the count of Li within 4.0 Å of a
 * centre Li (the centre itself not counted) this is the "Li density" of the paper's Fig. 3d.
 */
export function numberDensity(counts: ArrayLike<number>, radiusAngstrom: number): Float32Array {
  if (!(radiusAngstrom > 0) || !Number.isFinite(radiusAngstrom)) {
    throw new GetseiError(`the density radius must be a positive number of Å (got ${radiusAngstrom})`);
  }
  const volume = (4 / 3) * Math.PI * radiusAngstrom ** 3;
  return Float32Array.from(counts, (c) => c / volume);
}

export interface RepresentativeOptions {
  /** samples per state; default 5 (Supplementary Fig. 1) */
  k?: number;
  /** 'mahalanobis' (default: the component's own covariance) or 'euclidean' (embedding units) */
  metric?: 'mahalanobis' | 'euclidean';
}

/**
 * For each state s, the rows labelled s that are closest to component s's mean (ascending distance, ties by
 * row), at most k of them. Only rows carrying the state are candidates, so a representative always belongs to the
 * state it illustrates. One streaming pass, no per-row allocation.
 */
export function representatives(
  X: Rows, n: number, labels: Labels, model: GaussianMixtureModel, options: RepresentativeOptions = {},
): Int32Array[] {
  const k = options.k ?? 5;
  checkInteger('the number of representatives', k, 1);
  const metric = options.metric ?? 'mahalanobis';
  if (metric !== 'mahalanobis' && metric !== 'euclidean') {
    throw new GetseiError(`the representative metric must be 'mahalanobis' or 'euclidean' (got '${metric}')`);
  }
  const { components: K, dimension: d } = model;
  if (labels.length < n) throw new GetseiError(`expected ${n} state labels but got ${labels.length}`);
  if (X.length < n * d) throw new GetseiError(`expected ${n} rows × ${d} columns but got ${X.length} values`);
  const bestDist = new Float64Array(K * k).fill(Infinity);
  const bestRow = new Int32Array(K * k).fill(-1);
  for (let r = 0; r < n; r++) {
    if (labels[r] >= K) throw new GetseiError(`row ${r} has state ${labels[r]} but the model has ${K} states`);
  }
  const offer = (s: number, row: number, dist: number): void => {
    const o = s * k;
    if (!(dist < bestDist[o + k - 1])) return; // equal distance: the earlier row stays (rows arrive in order)
    let t = k - 1;
    while (t > 0 && dist < bestDist[o + t - 1]) {
      bestDist[o + t] = bestDist[o + t - 1];
      bestRow[o + t] = bestRow[o + t - 1];
      t--;
    }
    bestDist[o + t] = dist;
    bestRow[o + t] = row;
  };
  if (metric === 'mahalanobis') {
    streamSquaredMahalanobis(model, X, (r0, r1, out) => {
      for (let r = r0; r < r1; r++) if (labels[r] >= 0) offer(labels[r], r, out[(r - r0) * K + labels[r]]);
    }, n);
  } else {
    for (let r = 0; r < n; r++) {
      const s = labels[r];
      if (s < 0) continue;
      let dist = 0;
      for (let a = 0; a < d; a++) {
        const u = X[r * d + a] - model.means[s * d + a];
        dist += u * u;
      }
      offer(s, r, dist);
    }
  }
  return Array.from({ length: K }, (_, s) => {
    const rows = bestRow.subarray(s * k, (s + 1) * k);
    return Int32Array.from(rows.filter((r) => r >= 0));
  });
}
