/**
 * Silhouette coefficients (Rousseeuw 1987) with Euclidean distances, as scikit-learn's silhouette_samples /
 * silhouette_score: s = (b − a) / max(a, b), a = mean distance to the other members of the own state, b = the
 * smallest mean distance to the members of another state; s = 0 for a state of one member. The score of a large
 * set is computed on a seeded sample of rows, like silhouette_score(sample_size=…) (the paper's Supplementary
 * Note 1 uses scikit-learn). Exact O(m²·d) over the m sampled rows, on a WebAssembly SIMD kernel.
 */
import { GetseiError, createRng, sampleIndices } from '../util/index.ts';
import type { Labels } from './agreement.ts';
import { Arena, mixtureKernels, padTo4 } from './simd.ts';
import { checkInteger, checkRows, type Rows } from './validate.ts';

export interface SilhouetteOptions {
  /** rows to sample (all labelled rows when absent or larger) */
  sampleSize?: number;
  /** seed of the sample draw; default 0 */
  seed?: number;
  /** number of states (default: max label + 1); states beyond the labels present get a null mean */
  states?: number;
}

export interface SilhouetteResult {
  /** mean silhouette over the sampled rows */
  readonly overall: number;
  /** mean silhouette of the sampled rows of each state; null when no sampled row has that state */
  readonly perState: ReadonlyArray<number | null>;
  /** sampled rows of each state */
  readonly sampledPerState: Int32Array;
  /** the rows used (ascending) */
  readonly rows: Int32Array;
  /** silhouette of each row in `rows` */
  readonly values: Float64Array;
}

/**
 * Silhouette of the given rows (labels ≥ 0) among themselves. Returns one value per entry of `rows`.
 * The rows are ordered by state so that each state's columns are contiguous; the SIMD kernel gives the distances
 * of 4 rows to all rows at a time (the full matrix: twice the symmetric work, but no scattered accumulation),
 * and each row's per-state sums are sums over contiguous ranges.
 */
function silhouetteOf(X: Rows, d: number, labels: Labels, rows: Int32Array, states: number): Float64Array {
  const m = rows.length;
  const dp = padTo4(d);
  const mp = Math.ceil(m / 4) * 4;
  const order = Int32Array.from({ length: m }, (_, t) => t).sort((p, q) => labels[rows[p]] - labels[rows[q]] || p - q);
  const lab = Int32Array.from(order, (t) => labels[rows[t]]);
  const start = new Int32Array(states + 1);
  for (const l of lab) start[l + 1]++;
  for (let c = 0; c < states; c++) start[c + 1] += start[c];
  const arena = new Arena();
  const yAt = arena.reserve(mp * dp * 8), ytAt = arena.reserve(d * mp * 8), normAt = arena.reserve(mp * 8), outAt = arena.reserve(4 * mp * 8);
  const memory = arena.memory();
  const kern = mixtureKernels(d, memory);
  const f64 = new Float64Array(memory.buffer);
  // centred rows (centring keeps ‖x‖² + ‖y‖² − 2x·y accurate), in state order, padded with zero rows to mp
  const mean = new Float64Array(d);
  for (let t = 0; t < m; t++) for (let a = 0; a < d; a++) mean[a] += X[rows[t] * d + a] / m;
  const Y = f64.subarray(yAt / 8, yAt / 8 + mp * dp), Yt = f64.subarray(ytAt / 8, ytAt / 8 + d * mp);
  const norm = f64.subarray(normAt / 8, normAt / 8 + mp);
  for (let t = 0; t < m; t++) {
    const src = rows[order[t]] * d;
    let s = 0;
    for (let a = 0; a < d; a++) {
      const v = X[src + a] - mean[a];
      Y[t * dp + a] = v;
      Yt[a * mp + t] = v;
      s += v * v;
    }
    norm[t] = s;
  }
  const out = f64.subarray(outAt / 8, outAt / 8 + 4 * mp);
  const count = new Float64Array(states);
  for (let c = 0; c < states; c++) count[c] = start[c + 1] - start[c];
  const sorted = new Float64Array(m);
  for (let i = 0; i < m; i += 4) {
    kern.distances4(yAt + i * dp * 8, normAt + i * 8, ytAt, mp * 8, normAt, mp * 8, outAt, mp * 8);
    for (let r = 0; r < 4 && i + r < m; r++) {
      const row = out.subarray(r * mp, r * mp + m);
      const own = lab[i + r];
      if (count[own] <= 1) continue; // a singleton state: s = 0 by convention
      let a = 0;
      let b = Infinity;
      for (let c = 0; c < states; c++) {
        if (count[c] === 0) continue;
        let sum = 0;
        for (let j = start[c]; j < start[c + 1]; j++) sum += row[j];
        if (c === own) a = sum / (count[c] - 1);
        else if (sum / count[c] < b) b = sum / count[c];
      }
      const den = Math.max(a, b);
      sorted[i + r] = den > 0 ? (b - a) / den : 0;
    }
  }
  const values = new Float64Array(m);
  order.forEach((t, u) => {
    values[t] = sorted[u];
  });
  return values;
}

function checkLabels(labels: Labels, n: number): number {
  if (labels.length < n) throw new GetseiError(`expected ${n} labels but got ${labels.length}`);
  let max = -1;
  for (let i = 0; i < n; i++) {
    const v = labels[i];
    if (!Number.isInteger(v)) throw new GetseiError(`label ${i} is ${v}, not an integer`);
    if (v > max) max = v;
  }
  return max + 1;
}

/** The silhouette of every row (rows with a negative label get NaN-free 0 and are left out of the others' means). */
export function silhouetteSamples(X: Rows, n: number, d: number, labels: Labels): Float64Array {
  const r = silhouette(X, n, d, labels);
  const out = new Float64Array(n);
  r.rows.forEach((row, t) => {
    out[row] = r.values[t];
  });
  return out;
}

/**
 * Silhouette of a labelling, overall and per state, on a seeded sample of the labelled rows. Throws a GetseiError
 * when fewer than 2 states are present in the sample or every sampled row is its own state (undefined, as in
 * scikit-learn).
 */
export function silhouette(X: Rows, n: number, d: number, labels: Labels, options: SilhouetteOptions = {}): SilhouetteResult {
  checkRows(X, n, d, 'silhouette input');
  const present = checkLabels(labels, n);
  const states = Math.max(options.states ?? 0, present);
  if (options.sampleSize !== undefined) checkInteger('the silhouette sample size', options.sampleSize, 2);
  const labelled: number[] = [];
  for (let i = 0; i < n; i++) if (labels[i] >= 0) labelled.push(i);
  let rows = Int32Array.from(labelled);
  if (options.sampleSize !== undefined && options.sampleSize < rows.length) {
    const pick = sampleIndices(createRng(options.seed ?? 0), rows.length, options.sampleSize);
    rows = pick.map((t) => rows[t]);
  }
  const distinct = new Set<number>();
  for (const r of rows) distinct.add(labels[r]);
  if (distinct.size < 2 || distinct.size > rows.length - 1) {
    throw new GetseiError(
      `the silhouette is undefined for ${distinct.size} state(s) among ${rows.length} sampled rows: it needs at least ` +
        '2 states and fewer states than rows',
    );
  }
  const values = silhouetteOf(X, d, labels, rows, states);
  const sum = new Float64Array(states);
  const sampledPerState = new Int32Array(states);
  let total = 0;
  rows.forEach((r, t) => {
    sum[labels[r]] += values[t];
    sampledPerState[labels[r]]++;
    total += values[t];
  });
  return {
    overall: total / rows.length,
    perState: Array.from(sum, (s, c) => (sampledPerState[c] > 0 ? s / sampledPerState[c] : null)),
    sampledPerState,
    rows,
    values,
  };
}

/** Mean silhouette (scikit-learn's silhouette_score), on a seeded sample of `sampleSize` rows when given. */
export function silhouetteScore(X: Rows, n: number, d: number, labels: Labels, options: SilhouetteOptions = {}): number {
  return silhouette(X, n, d, labels, options).overall;
}
