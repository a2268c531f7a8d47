/**
 * Silhouette coefficients (Rousseeuw 1987) with Euclidean distances, as scikit-learn's silhouette_samples /
 * silhouette_score: s = (b − a) / max(a, b), a = mean distance to the other members of the own state, b = the
 * smallest mean distance to the members of another state; s = 0 for a state of one member. The score of a large
 * set is computed on a seeded sample of rows, like silhouette_score(sample_size=…) (the paper's Supplementary
 * Note 1 uses scikit-learn). Exact O(m²·d) over the m sampled rows, in 4 × 4 register tiles.
 */
import { GetseiError, createRng, sampleIndices } from '../util/index.ts';
import type { Labels } from './agreement.ts';
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
 */
function silhouetteOf(X: Rows, d: number, labels: Labels, rows: Int32Array, states: number): Float64Array {
  const m = rows.length;
  // centred float64 copy (centring keeps ‖x‖² + ‖y‖² − 2x·y accurate), squared norms, labels of the subset
  const Y = new Float64Array(m * d);
  const mean = new Float64Array(d);
  for (let t = 0; t < m; t++) for (let a = 0; a < d; a++) mean[a] += X[rows[t] * d + a] / m;
  for (let t = 0; t < m; t++) for (let a = 0; a < d; a++) Y[t * d + a] = X[rows[t] * d + a] - mean[a];
  const norm = new Float64Array(m);
  for (let t = 0; t < m; t++) {
    let s = 0;
    for (let a = 0; a < d; a++) s += Y[t * d + a] * Y[t * d + a];
    norm[t] = s;
  }
  const lab = new Int32Array(m);
  const count = new Float64Array(states);
  for (let t = 0; t < m; t++) {
    lab[t] = labels[rows[t]];
    count[lab[t]]++;
  }
  // sums[t·states + c] = Σ distance from row t to the rows of state c
  const sums = new Float64Array(m * states);
  const dist = (dot: number, i: number, j: number): number => {
    const s = norm[i] + norm[j] - 2 * dot;
    return s > 0 ? Math.sqrt(s) : 0;
  };
  const add = (i: number, j: number, dot: number): void => {
    const v = dist(dot, i, j);
    sums[i * states + lab[j]] += v;
    sums[j * states + lab[i]] += v;
  };
  const m4 = m - (m % 4);
  for (let i = 0; i < m4; i += 4) {
    const i0 = i * d, i1 = i0 + d, i2 = i1 + d, i3 = i2 + d;
    for (let j = i; j < m4; j += 4) {
      const j0 = j * d, j1 = j0 + d, j2 = j1 + d, j3 = j2 + d;
      let a00 = 0, a01 = 0, a02 = 0, a03 = 0, a10 = 0, a11 = 0, a12 = 0, a13 = 0;
      let a20 = 0, a21 = 0, a22 = 0, a23 = 0, a30 = 0, a31 = 0, a32 = 0, a33 = 0;
      for (let a = 0; a < d; a++) {
        const u0 = Y[i0 + a], u1 = Y[i1 + a], u2 = Y[i2 + a], u3 = Y[i3 + a];
        const v0 = Y[j0 + a], v1 = Y[j1 + a], v2 = Y[j2 + a], v3 = Y[j3 + a];
        a00 += u0 * v0; a01 += u0 * v1; a02 += u0 * v2; a03 += u0 * v3;
        a10 += u1 * v0; a11 += u1 * v1; a12 += u1 * v2; a13 += u1 * v3;
        a20 += u2 * v0; a21 += u2 * v1; a22 += u2 * v2; a23 += u2 * v3;
        a30 += u3 * v0; a31 += u3 * v1; a32 += u3 * v2; a33 += u3 * v3;
      }
      if (j === i) {
        // diagonal tile: each unordered pair once
        add(i, i + 1, a01); add(i, i + 2, a02); add(i, i + 3, a03);
        add(i + 1, i + 2, a12); add(i + 1, i + 3, a13); add(i + 2, i + 3, a23);
      } else {
        add(i, j, a00); add(i, j + 1, a01); add(i, j + 2, a02); add(i, j + 3, a03);
        add(i + 1, j, a10); add(i + 1, j + 1, a11); add(i + 1, j + 2, a12); add(i + 1, j + 3, a13);
        add(i + 2, j, a20); add(i + 2, j + 1, a21); add(i + 2, j + 2, a22); add(i + 2, j + 3, a23);
        add(i + 3, j, a30); add(i + 3, j + 1, a31); add(i + 3, j + 2, a32); add(i + 3, j + 3, a33);
      }
    }
  }
  // the last m mod 4 rows against everything before them and among themselves
  for (let j = m4; j < m; j++) {
    for (let i = 0; i < j; i++) {
      let s = 0;
      for (let a = 0; a < d; a++) s += Y[i * d + a] * Y[j * d + a];
      add(i, j, s);
    }
  }
  const values = new Float64Array(m);
  for (let t = 0; t < m; t++) {
    const own = lab[t];
    if (count[own] <= 1) continue; // a singleton state: s = 0 by convention
    const a = sums[t * states + own] / (count[own] - 1);
    let b = Infinity;
    for (let c = 0; c < states; c++) {
      if (c === own || count[c] === 0) continue;
      const mc = sums[t * states + c] / count[c];
      if (mc < b) b = mc;
    }
    const den = Math.max(a, b);
    values[t] = den > 0 ? (b - a) / den : 0;
  }
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
