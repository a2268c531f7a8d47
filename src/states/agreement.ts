/**
 * Agreement between two labelings of the same samples (issue 7's stability diagnostics): the contingency table,
 * the adjusted Rand index (Hubert & Arabie 1985), optimal one-to-one matching of states (Hungarian algorithm on
 * the contingency table) with per-state Jaccard overlap, and Kendall's τ-b between two rankings.
 */
import { GetseiError } from '../util/index.ts';

export type Labels = ArrayLike<number>;

export interface ContingencyTable {
  /** number of labels in a (max label + 1) */
  readonly rows: number;
  /** number of labels in b */
  readonly cols: number;
  /** counts[i·cols + j] = #samples with a = i and b = j */
  readonly counts: Float64Array;
  /** samples counted (pairs where both labels are ≥ 0) */
  readonly total: number;
}

function labelCount(x: Labels, name: string): number {
  let max = -1;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (!Number.isInteger(v)) throw new GetseiError(`${name}: label ${i} is ${v}, not an integer`);
    if (v > max) max = v;
  }
  return max + 1;
}

/**
 * Cross-tabulate two labelings. Negative labels mean "undefined" (RUN/states.npy uses −1) and the sample is left
 * out. Label counts are max label + 1 unless given.
 */
export function contingencyTable(a: Labels, b: Labels, sizes: { rows?: number; cols?: number } = {}): ContingencyTable {
  if (a.length !== b.length) throw new GetseiError(`the two labelings have different lengths (${a.length} and ${b.length})`);
  const rows = Math.max(sizes.rows ?? 0, labelCount(a, 'first labeling'));
  const cols = Math.max(sizes.cols ?? 0, labelCount(b, 'second labeling'));
  const counts = new Float64Array(rows * cols);
  let total = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] < 0 || b[i] < 0) continue;
    counts[a[i] * cols + b[i]]++;
    total++;
  }
  return { rows, cols, counts, total };
}

const pairs = (x: number): number => (x * (x - 1)) / 2;

/**
 * Adjusted Rand index: 1 for identical partitions (up to renaming), ≈ 0 for independent ones, negative below
 * chance. As scikit-learn, two partitions that both put everything in one cluster (or both make every sample its
 * own cluster) count as identical (1). Samples with a negative label in either labeling are left out.
 */
export function adjustedRandIndex(a: Labels, b: Labels): number {
  const t = contingencyTable(a, b);
  if (t.total === 0) throw new GetseiError('the adjusted Rand index needs at least one sample labelled in both labelings');
  let sumCells = 0;
  const rowSums = new Float64Array(t.rows), colSums = new Float64Array(t.cols);
  for (let i = 0; i < t.rows; i++) {
    for (let j = 0; j < t.cols; j++) {
      const c = t.counts[i * t.cols + j];
      sumCells += pairs(c);
      rowSums[i] += c;
      colSums[j] += c;
    }
  }
  let sumRows = 0, sumCols = 0;
  for (const r of rowSums) sumRows += pairs(r);
  for (const c of colSums) sumCols += pairs(c);
  const totalPairs = pairs(t.total);
  // identical trivial partitions: no disagreeing pair at all
  if (sumRows === sumCells && sumCols === sumCells) return 1;
  const expected = (sumRows * sumCols) / totalPairs;
  const max = (sumRows + sumCols) / 2;
  return (sumCells - expected) / (max - expected);
}

export interface Assignment {
  /** rowToCol[i] = the column matched to row i, or −1 when there are more rows than columns */
  readonly rowToCol: Int32Array;
  /** Σ cost of the matched pairs */
  readonly cost: number;
}

/**
 * Minimum-cost one-to-one assignment (Hungarian algorithm with potentials, shortest augmenting paths, O(n²m)) for
 * a rows × cols cost matrix (row-major). Rectangular matrices are fine: min(rows, cols) pairs are matched.
 */
export function hungarianMatch(cost: ArrayLike<number>, rows: number, cols: number): Assignment {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0 || cost.length !== rows * cols) {
    throw new GetseiError(`hungarianMatch: the cost matrix has ${cost.length} entries, not ${rows} × ${cols}`);
  }
  for (let i = 0; i < cost.length; i++) {
    if (!Number.isFinite(cost[i])) throw new GetseiError(`hungarianMatch: cost entry ${i} is ${cost[i]}`);
  }
  // the algorithm below needs n ≤ m: transpose when there are more rows than columns
  const transpose = rows > cols;
  const n = transpose ? cols : rows, m = transpose ? rows : cols;
  const c = (i: number, j: number): number => (transpose ? cost[j * cols + i] : cost[i * cols + j]);
  const u = new Float64Array(n + 1), v = new Float64Array(m + 1);
  const p = new Int32Array(m + 1); // p[j] = row (1-based) matched to column j, 0 = none
  const way = new Int32Array(m + 1);
  const minv = new Float64Array(m + 1);
  const used = new Uint8Array(m + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    minv.fill(Infinity);
    used.fill(0);
    do {
      used[j0] = 1;
      const i0 = p[j0];
      let delta = Infinity, j1 = 0;
      for (let j = 1; j <= m; j++) {
        if (used[j]) continue;
        const cur = c(i0 - 1, j - 1) - u[i0] - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (let j = 0; j <= m; j++) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else {
          minv[j] -= delta;
        }
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0 !== 0);
  }
  const rowToCol = new Int32Array(rows).fill(-1);
  let total = 0;
  for (let j = 1; j <= m; j++) {
    if (p[j] === 0) continue;
    const i = p[j] - 1, col = j - 1;
    if (transpose) rowToCol[col] = i;
    else rowToCol[i] = col;
  }
  for (let i = 0; i < rows; i++) if (rowToCol[i] >= 0) total += cost[i * cols + rowToCol[i]];
  return { rowToCol, cost: total };
}

export interface StateMatch {
  /** aToB[s] = the state of b matched to state s of a, or −1 when b has fewer states */
  readonly aToB: Int32Array;
  /** Jaccard overlap |A_s ∩ B_aToB[s]| / |A_s ∪ B_aToB[s]| per state of a (0 when unmatched or both empty) */
  readonly jaccard: Float64Array;
  /** mean of `jaccard` over the states of a */
  readonly meanJaccard: number;
  /** samples on which the matched labelings agree, as a fraction of the samples labelled in both */
  readonly agreement: number;
}

/**
 * Match the states of labeling b to those of labeling a one-to-one so that the number of samples on which they
 * agree is largest (Hungarian algorithm on the contingency table), and give each state's Jaccard overlap with its
 * partner. Negative labels are left out.
 */
export function matchStates(a: Labels, b: Labels, sizes: { statesA?: number; statesB?: number } = {}): StateMatch {
  const t = contingencyTable(a, b, { rows: sizes.statesA, cols: sizes.statesB });
  if (t.total === 0) throw new GetseiError('matchStates needs at least one sample labelled in both labelings');
  const negated = t.counts.map((x) => -x);
  const { rowToCol } = hungarianMatch(negated, t.rows, t.cols);
  const rowSums = new Float64Array(t.rows), colSums = new Float64Array(t.cols);
  for (let i = 0; i < t.rows; i++) {
    for (let j = 0; j < t.cols; j++) {
      rowSums[i] += t.counts[i * t.cols + j];
      colSums[j] += t.counts[i * t.cols + j];
    }
  }
  const jaccard = new Float64Array(t.rows);
  let agree = 0, sum = 0;
  for (let i = 0; i < t.rows; i++) {
    const j = rowToCol[i];
    if (j >= 0) {
      const inter = t.counts[i * t.cols + j];
      const union = rowSums[i] + colSums[j] - inter;
      jaccard[i] = union > 0 ? inter / union : 0;
      agree += inter;
    }
    sum += jaccard[i];
  }
  return { aToB: rowToCol, jaccard, meanJaccard: t.rows > 0 ? sum / t.rows : 0, agreement: agree / t.total };
}

/**
 * Kendall's τ-b between two paired score lists (ties allowed in both), by Knight's O(n log n) algorithm. Returns
 * null when τ is undefined (fewer than two samples, or one list entirely tied).
 */
export function kendallTau(x: ArrayLike<number>, y: ArrayLike<number>): number | null {
  const n = x.length;
  if (y.length !== n) throw new GetseiError(`kendallTau: the two lists have different lengths (${n} and ${y.length})`);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(x[i]) || !Number.isFinite(y[i])) throw new GetseiError(`kendallTau: entry ${i} is not a finite number`);
  }
  if (n < 2) return null;
  // order by x, then y
  const idx = Int32Array.from({ length: n }, (_, i) => i).sort((i, j) => x[i] - x[j] || y[i] - y[j]);
  const tiedPairs = (sorted: Int32Array, eq: (i: number, j: number) => boolean): number => {
    let t = 0, run = 1;
    for (let i = 1; i <= n; i++) {
      if (i < n && eq(sorted[i - 1], sorted[i])) run++;
      else {
        t += pairs(run);
        run = 1;
      }
    }
    return t;
  };
  const tx = tiedPairs(idx, (i, j) => x[i] === x[j]);
  const txy = tiedPairs(idx, (i, j) => x[i] === x[j] && y[i] === y[j]);
  // count discordant pairs as the inversions of y in this order (merge sort); ties in y are not inversions
  let swaps = 0;
  let src = Int32Array.from(idx), dst = new Int32Array(n);
  for (let width = 1; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n), hi = Math.min(lo + 2 * width, n);
      let i = lo, j = mid, k = lo;
      while (i < mid && j < hi) {
        if (y[src[i]] <= y[src[j]]) dst[k++] = src[i++];
        else {
          dst[k++] = src[j++];
          swaps += mid - i;
        }
      }
      while (i < mid) dst[k++] = src[i++];
      while (j < hi) dst[k++] = src[j++];
    }
    [src, dst] = [dst, src];
  }
  const ty = tiedPairs(src, (i, j) => y[i] === y[j]);
  const n0 = pairs(n);
  const denom = Math.sqrt((n0 - tx) * (n0 - ty));
  if (denom === 0) return null;
  // concordant − discordant = n0 − tx − ty + txy − 2·discordant
  return (n0 - tx - ty + txy - 2 * swaps) / denom;
}
