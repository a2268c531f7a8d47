/**
 * Exact t-SNE (van der Maaten & Hinton 2008) for the paper's 2-D map of the embedding space (Fig. 2b): Gaussian
 * input affinities calibrated to a perplexity by bisection, a Student-t (one degree of freedom) output kernel,
 * and gradient descent on KL(P‖Q) with the schedule of van der Maaten (2014) and scikit-learn: early exaggeration
 * 12 for 250 iterations at momentum 0.5, then momentum 0.8; per-coordinate gains (+0.2 / ×0.8, floor 0.01);
 * learning rate max(n / 12 / 4, 50); PCA start scaled to a standard deviation of 1e-4. O(n²) per iteration, meant
 * for a seeded sample of a few thousand rows.
 */
import { EigenvalueDecomposition } from 'ml-matrix';
import { GetseiError, createRng } from '../util/index.ts';
import { TsneGradient } from './tsne-kernel.ts';
import { checkInteger, checkPositive, checkRows, type Rows } from './validate.ts';

export interface TsneOptions {
  /** effective number of neighbours; default 30 */
  perplexity?: number;
  /** gradient steps; default 1000 */
  iterations?: number;
  /** steps with exaggerated P; default 250 */
  exaggerationIterations?: number;
  /** default 12 */
  exaggeration?: number;
  /** default max(n / exaggeration / 4, 50) (scikit-learn's 'auto') */
  learningRate?: number;
  /** 'pca' (default) or 'random' (N(0, 1e-4²)) */
  init?: 'pca' | 'random';
  /** default 0 */
  seed?: number;
}

const MACHINE_EPSILON = Number.EPSILON;

/** Squared Euclidean distances between all rows, [n × n]. */
function squaredDistances(X: Rows, n: number, d: number): Float64Array {
  const D = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let s = 0;
      for (let a = 0; a < d; a++) {
        const u = X[i * d + a] - X[j * d + a];
        s += u * u;
      }
      D[i * n + j] = s;
      D[j * n + i] = s;
    }
  }
  return D;
}

/**
 * Conditional affinities p_{j|i} ∝ exp(−β_i ‖x_i − x_j‖²) with β_i found by bisection so that the entropy of row i
 * is ln(perplexity) (to 1e-5, at most 100 steps, as scikit-learn), then the joint P = (P + Pᵀ) / Σ. Returns the
 * symmetric joint [n × n] and the row entropies reached.
 */
export function jointProbabilities(X: Rows, n: number, d: number, perplexity: number): { P: Float64Array; entropies: Float64Array } {
  const D = squaredDistances(X, n, d);
  const P = new Float64Array(n * n);
  const entropies = new Float64Array(n);
  const target = Math.log(perplexity);
  for (let i = 0; i < n; i++) {
    // shift by the smallest distance: the normalised row is unchanged and exp() cannot underflow everywhere
    let dmin = Infinity;
    for (let j = 0; j < n; j++) if (j !== i && D[i * n + j] < dmin) dmin = D[i * n + j];
    let beta = 1, lo = -Infinity, hi = Infinity;
    let H = 0, rowSum = 1;
    for (let step = 0; step < 100; step++) {
      let sum = 0, sumDP = 0;
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        const dj = D[i * n + j] - dmin;
        const p = Math.exp(-dj * beta);
        P[i * n + j] = p;
        sum += p;
        sumDP += dj * p;
      }
      H = Math.log(sum) + (beta * sumDP) / sum;
      rowSum = sum;
      const diff = H - target;
      if (Math.abs(diff) <= 1e-5) break;
      if (diff > 0) {
        lo = beta;
        beta = hi === Infinity ? beta * 2 : (beta + hi) / 2;
      } else {
        hi = beta;
        beta = lo === -Infinity ? beta / 2 : (beta + lo) / 2;
      }
    }
    // the row of the last step, normalised once (dividing at every step gave the same last row)
    for (let j = 0; j < n; j++) if (j !== i) P[i * n + j] /= rowSum;
    entropies[i] = H;
  }
  let total = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const s = P[i * n + j] + P[j * n + i];
      P[i * n + j] = s;
      P[j * n + i] = s;
      total += 2 * s;
    }
  }
  for (let t = 0; t < n * n; t++) P[t] = Math.max(P[t] / total, MACHINE_EPSILON);
  for (let i = 0; i < n; i++) P[i * n + i] = 0;
  return { P, entropies };
}

/**
 * The gradient 4 Σ_j (p_ij − q_ij)(1 + ‖y_i − y_j‖²)⁻¹ (y_i − y_j) of KL(P‖Q) for a 2-D layout Y into `grad`, for
 * P scaled by `exaggeration`; returns KL(P‖Q) when `withValue` (it costs two logarithms per pair), else NaN.
 * Plain TypeScript: the reference for the SIMD kernel of the optimisation loop (tsne-kernel.ts), and the final KL.
 * One pass over the pairs: Σ p w (y_i − y_j) and Σ w² (y_i − y_j) are accumulated with the unnormalised kernel
 * w = (1 + ‖·‖²)⁻¹ and combined once Z = Σ w is known.
 */
export function klGradient(
  P: Float64Array, Y: Float64Array, n: number, exaggeration: number, grad: Float64Array, withValue: boolean,
): number {
  const A = grad; // Σ_j p_ij w_ij (y_i − y_j)
  const B = new Float64Array(2 * n); // Σ_j w_ij² (y_i − y_j)
  A.fill(0);
  let Z = 0, pLogW = 0, pSum = 0, pLogP = 0;
  for (let i = 0; i < n; i++) {
    const yi0 = Y[2 * i], yi1 = Y[2 * i + 1];
    let a0 = 0, a1 = 0, b0 = 0, b1 = 0;
    const row = i * n;
    for (let j = i + 1; j < n; j++) {
      const u0 = yi0 - Y[2 * j], u1 = yi1 - Y[2 * j + 1];
      const w = 1 / (1 + u0 * u0 + u1 * u1);
      const p = P[row + j] * exaggeration;
      const pw = p * w, ww = w * w;
      a0 += pw * u0; a1 += pw * u1;
      b0 += ww * u0; b1 += ww * u1;
      A[2 * j] -= pw * u0; A[2 * j + 1] -= pw * u1;
      B[2 * j] -= ww * u0; B[2 * j + 1] -= ww * u1;
      Z += 2 * w;
      if (withValue) {
        pLogW += 2 * p * Math.log(w);
        pSum += 2 * p;
        pLogP += 2 * p * Math.log(p);
      }
    }
    A[2 * i] += a0; A[2 * i + 1] += a1;
    B[2 * i] += b0; B[2 * i + 1] += b1;
  }
  for (let t = 0; t < 2 * n; t++) grad[t] = 4 * (A[t] - B[t] / Z);
  // KL = Σ p log p − Σ p log(w / Z)
  return withValue ? pLogP - pLogW + pSum * Math.log(Z) : Number.NaN;
}

function pcaStart(X: Rows, n: number, d: number): Float64Array {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let a = 0; a < d; a++) mean[a] += X[i * d + a] / n;
  const C = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < d; a++) {
      const u = X[i * d + a] - mean[a];
      for (let b = a; b < d; b++) C[a][b] += u * (X[i * d + b] - mean[b]);
    }
  }
  for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) C[a][b] = C[b][a];
  const evd = new EigenvalueDecomposition(C, { assumeSymmetric: true });
  const order = evd.realEigenvalues.map((v, t) => [v, t]).sort((p, q) => q[0] - p[0]).map((p) => p[1]);
  const V = evd.eigenvectorMatrix;
  const Y = new Float64Array(2 * n);
  for (let c = 0; c < 2; c++) {
    const col = order[Math.min(c, d - 1)];
    // fix the sign: the largest loading is positive (eigenvectors are defined up to sign)
    let big = 0;
    for (let a = 0; a < d; a++) if (Math.abs(V.get(a, col)) > Math.abs(V.get(big, col))) big = a;
    const sign = V.get(big, col) < 0 ? -1 : 1;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let a = 0; a < d; a++) s += (X[i * d + a] - mean[a]) * V.get(a, col);
      Y[2 * i + c] = d === 1 && c === 1 ? 0 : sign * s;
    }
  }
  let m0 = 0, v0 = 0;
  for (let i = 0; i < n; i++) m0 += Y[2 * i] / n;
  for (let i = 0; i < n; i++) v0 += (Y[2 * i] - m0) ** 2 / n;
  const scale = v0 > 0 ? 1e-4 / Math.sqrt(v0) : 0;
  for (let t = 0; t < 2 * n; t++) Y[t] *= scale;
  return Y;
}

export interface TsneResult {
  /** [n × 2] row-major */
  readonly coordinates: Float32Array;
  /** KL(P‖Q) of the final layout (the usual t-SNE diagnostic: lower is a more faithful map) */
  readonly klDivergence: number;
}

/** A 2-D t-SNE layout of the n rows of X, [n × 2] row-major. Same input and seed → same layout. */
export function tsne(X: Rows, n: number, d: number, options: TsneOptions = {}): Float32Array {
  return tsneWithDiagnostics(X, n, d, options).coordinates;
}

/** t-SNE layout with its final KL divergence. */
export function tsneWithDiagnostics(X: Rows, n: number, d: number, options: TsneOptions = {}): TsneResult {
  checkRows(X, n, d, 't-SNE input');
  const perplexity = options.perplexity ?? 30;
  checkPositive('perplexity', perplexity);
  if (n < 2 || perplexity >= n) {
    throw new GetseiError(`t-SNE needs more rows than the perplexity (${perplexity}); got ${n} rows: lower the perplexity or sample more rows`);
  }
  const iterations = options.iterations ?? 1000;
  checkInteger('t-SNE iterations', iterations, 1);
  const exIter = options.exaggerationIterations ?? 250;
  checkInteger('t-SNE exaggeration iterations', exIter, 0);
  const exaggeration = options.exaggeration ?? 12;
  checkPositive('t-SNE exaggeration', exaggeration);
  const learningRate = options.learningRate ?? Math.max(n / exaggeration / 4, 50);
  checkPositive('t-SNE learning rate', learningRate);
  const init = options.init ?? 'pca';
  if (init !== 'pca' && init !== 'random') throw new GetseiError(`t-SNE init must be 'pca' or 'random' (got '${init}')`);

  const { P } = jointProbabilities(X, n, d, perplexity);
  let Y: Float64Array;
  if (init === 'pca') Y = pcaStart(X, n, d);
  else {
    const rng = createRng(options.seed ?? 0);
    Y = Float64Array.from({ length: 2 * n }, () => 1e-4 * rng.normal());
  }
  const grad = new Float64Array(2 * n);
  const update = new Float64Array(2 * n);
  const gains = new Float64Array(2 * n).fill(1);
  const engine = new TsneGradient(P, n);
  for (let it = 0; it < iterations; it++) {
    const early = it < exIter;
    const momentum = early ? 0.5 : 0.8;
    engine.gradient(Y, early ? exaggeration : 1, grad);
    for (let t = 0; t < 2 * n; t++) {
      gains[t] = update[t] * grad[t] < 0 ? gains[t] + 0.2 : gains[t] * 0.8;
      if (gains[t] < 0.01) gains[t] = 0.01;
      update[t] = momentum * update[t] - learningRate * gains[t] * grad[t];
      Y[t] += update[t];
    }
  }
  const klDivergence = klGradient(P, Y, n, 1, grad, true);
  return { coordinates: Float32Array.from(Y), klDivergence };
}
