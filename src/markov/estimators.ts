import { Matrix, solve as mlSolve } from 'ml-matrix';
import { orderOf } from '../linalg/index.ts';
import { GetseiError } from '../util/errors.ts';

export type Estimator = 'edmd' | 'reversible';

export interface EstimatorDiagnostics {
  readonly estimator: Estimator;
  /** fixed-point + Newton iterations of the reversible estimator (0 for edmd) */
  readonly iterations: number;
  /** max_j |(πK)_j − π_j| of the returned matrix */
  readonly stationaryError: number;
  /** reversible only: max_i |S_i(π) − π_i| / π_i, the residual of the likelihood's fixed-point equations */
  readonly fixedPointResidual: number | null;
  /** max_ij |π_i K_ij − π_j K_ji| (0 for a reversible estimate, up to rounding) */
  readonly detailedBalanceError: number;
}

export interface TransitionEstimate {
  readonly transitionMatrix: Float64Array;
  /** the estimator's own π (reversible), or null (edmd: computed afterwards from K) */
  readonly stationary: Float64Array | null;
  readonly iterations: number;
  readonly fixedPointResidual: number | null;
}

function rowSums(c: Float64Array, n: number): Float64Array {
  const s = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let v = 0;
    for (let j = 0; j < n; j++) v += c[i * n + j];
    s[i] = v;
  }
  return s;
}

/**
 * EDMD with the one-hot dictionary (eqs. 6–8): K = (GₙᵀGₙ)⁻¹GₙᵀGₙ₊τ. For indicator functions GₙᵀGₙ is the
 * diagonal of state visits and GₙᵀGₙ₊τ the count matrix, so K is the row-normalised count matrix — the
 * non-reversible maximum-likelihood transition matrix.
 */
export function edmdTransitionMatrix(counts: Float64Array): TransitionEstimate {
  const n = orderOf(counts);
  const s = rowSums(counts, n);
  const k = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    if (!(s[i] > 0)) throw new GetseiError(`state index ${i} of the count matrix has no outgoing transitions, so its row of K is undefined`);
    for (let j = 0; j < n; j++) k[i * n + j] = counts[i * n + j] / s[i];
  }
  return { transitionMatrix: k, stationary: null, iterations: 0, fixedPointResidual: null };
}

export interface ReversibleOptions {
  /** stop when the relative fixed-point residual is below this (default 1e-14; the issue requires < 1e-12) */
  tolerance?: number;
  /** plain fixed-point iterations before switching to Newton's method (default 200) */
  fixedPointIterations?: number;
}

/**
 * Maximum-likelihood transition matrix under detailed balance (Bowman et al. 2009; Prinz et al. 2011): maximise
 * Σ c_ij ln K_ij over K_ij = X_ij / x_i with X symmetric, x_i = Σ_j X_ij. The optimum satisfies
 * X_ij = (c_ij + c_ji) / (c_i/π_i + c_j/π_j) with π = x, i.e. π is a fixed point of
 * S_i(π) = Σ_j (c_ij + c_ji) π_i π_j / (c_i π_j + c_j π_i). The plain fixed-point iteration converges linearly
 * (slowly for metastable chains), so after a few hundred steps it is finished with Newton's method on S(π) = π,
 * Σπ = 1 (least-squares Newton step, damped to keep π > 0), which reaches rounding level in a few steps.
 * Requires a strongly connected count matrix.
 */
export function reversibleTransitionMatrix(counts: Float64Array, options: ReversibleOptions = {}): TransitionEstimate {
  const n = orderOf(counts);
  const tol = options.tolerance ?? 1e-14;
  const c = rowSums(counts, n);
  for (let i = 0; i < n; i++) {
    if (!(c[i] > 0)) throw new GetseiError(`state index ${i} of the count matrix has no outgoing transitions; the reversible estimator needs a connected count matrix`);
  }
  const sym = new Float64Array(n * n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) sym[i * n + j] = counts[i * n + j] + counts[j * n + i];
    total += c[i];
  }
  // start: the symmetrised-count estimate of π
  let pi = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let v = 0;
    for (let j = 0; j < n; j++) v += sym[i * n + j];
    pi[i] = v / (2 * total);
  }
  const S = (p: Float64Array): Float64Array => {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let v = 0;
      for (let j = 0; j < n; j++) {
        const s = sym[i * n + j];
        if (s === 0) continue;
        v += (s * p[i] * p[j]) / (c[i] * p[j] + c[j] * p[i]);
      }
      out[i] = v;
    }
    return out;
  };
  const residual = (p: Float64Array, sp: Float64Array): number => {
    let r = 0;
    for (let i = 0; i < n; i++) r = Math.max(r, Math.abs(sp[i] - p[i]) / p[i]);
    return r;
  };
  let iterations = 0;
  let sp = S(pi);
  let res = residual(pi, sp);
  const fpMax = options.fixedPointIterations ?? 200;
  while (res > tol && iterations < fpMax) {
    let z = 0;
    for (const v of sp) z += v;
    pi = sp.map((v) => v / z);
    sp = S(pi);
    res = residual(pi, sp);
    iterations++;
  }
  for (let newton = 0; res > tol && newton < 50; newton++) {
    // Jacobian of F(π) = S(π) − π, with the normalisation Σπ = 1 as an extra equation (F is homogeneous of
    // degree 1, so J alone is singular along π)
    const a = new Matrix(n + 1, n);
    const rhs = new Matrix(n + 1, 1);
    for (let i = 0; i < n; i++) {
      let diag = 0;
      for (let j = 0; j < n; j++) {
        const s = sym[i * n + j];
        if (s === 0) continue;
        if (j === i) {
          diag += s / (2 * c[i]);
          continue;
        }
        const d = c[i] * pi[j] + c[j] * pi[i];
        diag += (s * c[i] * pi[j] * pi[j]) / (d * d);
        a.set(i, j, (s * c[j] * pi[i] * pi[i]) / (d * d));
      }
      a.set(i, i, diag - 1);
      rhs.set(i, 0, -(sp[i] - pi[i]));
    }
    let sum = 0;
    for (let j = 0; j < n; j++) {
      a.set(n, j, 1);
      sum += pi[j];
    }
    rhs.set(n, 0, 1 - sum);
    const delta = mlSolve(a, rhs).to1DArray();
    let step = 1;
    let accepted = false;
    for (let tries = 0; tries < 40; tries++) {
      const trial = pi.map((p, i) => p + step * delta[i]);
      if (trial.every((p) => p > 0 && Number.isFinite(p))) {
        const st = S(trial);
        const r = residual(trial, st);
        if (r < res || r <= tol) {
          pi = trial;
          sp = st;
          res = r;
          accepted = true;
          break;
        }
      }
      step /= 2;
    }
    iterations++;
    if (!accepted) break;
  }
  if (!(res <= Math.max(tol, 1e-12))) {
    throw new GetseiError(`the reversible estimator did not converge (fixed-point residual ${res.toExponential(2)}); check that the count matrix is connected`);
  }
  let z = 0;
  for (const p of pi) z += p;
  pi = pi.map((p) => p / z);
  // K_ij = X_ij / Σ_j X_ij with X_ij = (c_ij + c_ji) / (c_i/π_i + c_j/π_j): detailed balance by construction
  const k = new Float64Array(n * n);
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let rs = 0;
    for (let j = 0; j < n; j++) {
      const s = sym[i * n + j];
      const v = s === 0 ? 0 : s / (c[i] / pi[i] + c[j] / pi[j]);
      k[i * n + j] = v;
      rs += v;
    }
    x[i] = rs;
    for (let j = 0; j < n; j++) k[i * n + j] /= rs;
  }
  let xs = 0;
  for (const v of x) xs += v;
  return { transitionMatrix: k, stationary: x.map((v) => v / xs), iterations, fixedPointResidual: res };
}

/** max_j |(πK)_j − π_j| */
export function stationaryError(k: Float64Array, pi: Float64Array): number {
  const n = pi.length;
  let err = 0;
  for (let j = 0; j < n; j++) {
    let v = 0;
    for (let i = 0; i < n; i++) v += pi[i] * k[i * n + j];
    err = Math.max(err, Math.abs(v - pi[j]));
  }
  return err;
}

/** max_ij |π_i K_ij − π_j K_ji| */
export function detailedBalanceError(k: Float64Array, pi: Float64Array): number {
  const n = pi.length;
  let err = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) err = Math.max(err, Math.abs(pi[i] * k[i * n + j] - pi[j] * k[j * n + i]));
  }
  return err;
}
