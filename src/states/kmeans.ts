/**
 * k-means++ seeding (Arthur & Vassilvitskii 2007, in the greedy form scikit-learn uses: several candidates per step,
 * keep the one that lowers the potential most) and Lloyd refinement. Written here rather than taken from ml-kmeans
 * because ml-kmeans needs number[][] rows and its own random source; this works on typed arrays with getsei's
 * seeded Rng, so a seed fixes the result (docs/states.md).
 */
import { createRng, type Rng } from '../util/index.ts';
import { checkInteger, checkPositive, checkRows, type Rows } from './validate.ts';

export interface KMeansPlusPlusOptions {
  seed?: number;
  /** candidates tried per new centre; default 2 + ⌊ln k⌋ as in scikit-learn */
  localTrials?: number;
}

export interface KMeansPlusPlusResult {
  /** [k × d] */
  readonly centers: Float64Array;
  /** the row of X each centre was taken from */
  readonly indices: Int32Array;
}

export interface KMeansOptions {
  clusters: number;
  seed?: number;
  /** Lloyd iterations at most; default 300 */
  maxIter?: number;
  /** stop when the centres move less than tol × (mean per-column variance of X), squared; default 1e-4 */
  tol?: number;
}

export interface KMeansResult {
  /** [k × d] */
  readonly centers: Float64Array;
  /** nearest centre of each row */
  readonly labels: Int32Array;
  /** Σ squared distance to the nearest centre */
  readonly inertia: number;
  readonly iterations: number;
  readonly converged: boolean;
}

function squaredDistance(X: Rows, row: number, C: Float64Array, c: number, d: number): number {
  let s = 0;
  const xo = row * d, co = c * d;
  for (let a = 0; a < d; a++) {
    const t = X[xo + a] - C[co + a];
    s += t * t;
  }
  return s;
}

/** k-means++ with a caller-owned random stream (used by the mixture's restarts). */
export function kMeansPlusPlusWith(X: Rows, n: number, d: number, k: number, rng: Rng, localTrials?: number): KMeansPlusPlusResult {
  const trials = localTrials ?? 2 + Math.floor(Math.log(k));
  const centers = new Float64Array(k * d);
  const indices = new Int32Array(k);
  const closest = new Float64Array(n);
  const candidate = new Float64Array(n);
  const best = new Float64Array(n);
  const take = (c: number, row: number): void => {
    indices[c] = row;
    for (let a = 0; a < d; a++) centers[c * d + a] = X[row * d + a];
  };
  take(0, rng.int(n));
  let potential = 0;
  for (let i = 0; i < n; i++) {
    closest[i] = squaredDistance(X, i, centers, 0, d);
    potential += closest[i];
  }
  for (let c = 1; c < k; c++) {
    let bestPotential = Infinity;
    let bestRow = -1;
    for (let t = 0; t < trials; t++) {
      // draw a row with probability ∝ its squared distance to the nearest centre (uniformly if all are zero)
      let row: number;
      if (potential > 0) {
        const target = rng.next() * potential;
        let cum = 0;
        row = n - 1;
        for (let i = 0; i < n; i++) {
          cum += closest[i];
          if (cum > target) {
            row = i;
            break;
          }
        }
      } else {
        row = rng.int(n);
      }
      let pot = 0;
      const xo = row * d;
      for (let i = 0; i < n; i++) {
        let s = 0;
        const io = i * d;
        for (let a = 0; a < d; a++) {
          const u = X[io + a] - X[xo + a];
          s += u * u;
        }
        const m = s < closest[i] ? s : closest[i];
        candidate[i] = m;
        pot += m;
      }
      if (pot < bestPotential) {
        bestPotential = pot;
        bestRow = row;
        best.set(candidate);
      }
    }
    take(c, bestRow);
    closest.set(best);
    potential = bestPotential;
  }
  return { centers, indices };
}

/** k-means++ seeding: k rows of X chosen as initial centres. */
export function kMeansPlusPlus(X: Rows, n: number, d: number, k: number, options: KMeansPlusPlusOptions = {}): KMeansPlusPlusResult {
  checkRows(X, n, d, 'k-means++ input');
  checkInteger('the number of clusters', k, 1, n);
  if (options.localTrials !== undefined) checkInteger('localTrials', options.localTrials, 1);
  return kMeansPlusPlusWith(X, n, d, k, createRng(options.seed ?? 0), options.localTrials);
}

/** Label every row with its nearest centre (ties: lowest index); returns the inertia. */
function assignNearest(X: Rows, n: number, d: number, C: Float64Array, k: number, labels: Int32Array, dist: Float64Array): number {
  let inertia = 0;
  for (let i = 0; i < n; i++) {
    let bestC = 0;
    let bestD = squaredDistance(X, i, C, 0, d);
    for (let c = 1; c < k; c++) {
      const s = squaredDistance(X, i, C, c, d);
      if (s < bestD) {
        bestD = s;
        bestC = c;
      }
    }
    labels[i] = bestC;
    dist[i] = bestD;
    inertia += bestD;
  }
  return inertia;
}

/**
 * Lloyd refinement from the given centres until no label changes or the centres move (squared, summed) by at most
 * tol × the mean per-column variance of X — scikit-learn's criterion.
 */
export function lloyd(X: Rows, n: number, d: number, k: number, init: Float64Array, maxIter: number, tol: number): KMeansResult {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let a = 0; a < d; a++) mean[a] += X[i * d + a];
  for (let a = 0; a < d; a++) mean[a] /= n;
  let variance = 0;
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < d; a++) {
      const u = X[i * d + a] - mean[a];
      variance += u * u;
    }
  }
  const tolAbs = (tol * variance) / (n * d);

  let centers = Float64Array.from(init);
  let next = new Float64Array(k * d);
  const labels = new Int32Array(n).fill(-1);
  const prev = new Int32Array(n);
  const dist = new Float64Array(n);
  const counts = new Int32Array(k);
  const taken = new Uint8Array(n);
  let inertia = 0;
  let iterations = 0;
  let converged = false;
  while (iterations < maxIter) {
    prev.set(labels);
    inertia = assignNearest(X, n, d, centers, k, labels, dist);
    iterations++;
    let same = true;
    for (let i = 0; i < n; i++) if (labels[i] !== prev[i]) { same = false; break; }
    if (same) {
      converged = true;
      break;
    }
    next.fill(0);
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const c = labels[i];
      counts[c]++;
      for (let a = 0; a < d; a++) next[c * d + a] += X[i * d + a];
    }
    taken.fill(0);
    for (let c = 0; c < k; c++) {
      if (counts[c] > 0) {
        for (let a = 0; a < d; a++) next[c * d + a] /= counts[c];
        continue;
      }
      // an empty cluster moves to the row farthest from its centre (as scikit-learn does), each row used once
      let far = -1;
      for (let i = 0; i < n; i++) if (!taken[i] && (far < 0 || dist[i] > dist[far])) far = i;
      taken[far] = 1;
      for (let a = 0; a < d; a++) next[c * d + a] = X[far * d + a];
    }
    let shift = 0;
    for (let j = 0; j < k * d; j++) {
      const u = next[j] - centers[j];
      shift += u * u;
    }
    [centers, next] = [next, centers];
    if (shift <= tolAbs) {
      inertia = assignNearest(X, n, d, centers, k, labels, dist);
      converged = true;
      break;
    }
  }
  return { centers, labels, inertia, iterations, converged };
}

/** k-means (Lloyd) from a k-means++ start. */
export function kMeans(X: Rows, n: number, d: number, options: KMeansOptions): KMeansResult {
  checkRows(X, n, d, 'k-means input');
  checkInteger('the number of clusters', options.clusters, 1, n);
  const maxIter = options.maxIter ?? 300;
  checkInteger('maxIter', maxIter, 1);
  const tol = options.tol ?? 1e-4;
  checkPositive('tol', tol, true);
  const rng = createRng(options.seed ?? 0);
  const { centers } = kMeansPlusPlusWith(X, n, d, options.clusters, rng);
  return lloyd(X, n, d, options.clusters, centers, maxIter, tol);
}
