import {
  determinant, identity, inverse, LinalgError, linearCombination, matmul, normOne, orderOf, scale, solve,
  type SquareMatrix,
} from './dense.ts';
import { eigenvalues, type Eigenvalues } from './eigen.ts';

/** Relative size below which an imaginary part counts as rounding noise of a real eigenvalue. */
const REAL_TOL = 1e-12;

/**
 * Why a real matrix has no real principal logarithm, or null when it has one. The principal logarithm exists
 * (and is real for a real matrix) exactly when no eigenvalue lies on the closed negative real axis (−∞, 0].
 */
export function principalLogarithmObstruction(eig: Eigenvalues): string | null {
  for (let i = 0; i < eig.re.length; i++) {
    const re = eig.re[i];
    const im = eig.im[i];
    const isReal = Math.abs(im) <= REAL_TOL * Math.max(1, Math.abs(re));
    if (isReal && re <= REAL_TOL) {
      return re > -REAL_TOL
        ? `eigenvalue ${fmt(re)} is zero (the matrix is singular), so it has no logarithm`
        : `eigenvalue ${fmt(re)} is real and negative, so the matrix has no real principal logarithm`;
    }
  }
  return null;
}

function fmt(x: number): string {
  return Number(x.toPrecision(6)).toString();
}

/**
 * Principal square root by the scaled product form of the Denman–Beavers iteration (Higham, "Functions of
 * Matrices", 2008, eq. 6.29). It runs in real arithmetic, so a real matrix with complex eigenvalue pairs gets its
 * real principal root. Requires no eigenvalue on (−∞, 0].
 */
export function sqrtm(a: SquareMatrix): SquareMatrix {
  const n = orderOf(a);
  const I = identity(n);
  let m: SquareMatrix = a.slice();
  let y: SquareMatrix = a.slice();
  let scaling = true;
  for (let iter = 0; iter < 100; iter++) {
    const mInv = inverse(m, 'matrix square root (Denman–Beavers)');
    let mu = 1;
    if (scaling) {
      const det = Math.abs(determinant(m));
      if (det > 0 && Number.isFinite(det)) mu = det ** (-1 / (2 * n));
    }
    const mu2 = mu * mu;
    const yNext = scale(matmul(y, linearCombination(1, I, 1 / mu2, mInv)), mu / 2);
    const mNext = new Float64Array(n * n);
    for (let i = 0; i < mNext.length; i++) mNext[i] = 0.5 * I[i] + 0.25 * (mu2 * m[i] + mInv[i] / mu2);
    const dist = normOne(linearCombination(1, mNext, -1, I));
    const step = normOne(linearCombination(1, yNext, -1, y));
    y = yNext;
    m = mNext;
    if (dist < 1e-2) scaling = false;
    if (dist <= 4 * n * Number.EPSILON || step <= 4 * n * Number.EPSILON * normOne(y)) return y;
  }
  throw new LinalgError('matrix square root: the Denman–Beavers iteration did not converge');
}

/** Gauss–Legendre nodes and weights on [0, 1] (Newton's method on the Legendre polynomial). */
export function gaussLegendre(m: number): { nodes: Float64Array; weights: Float64Array } {
  const nodes = new Float64Array(m);
  const weights = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let x = Math.cos((Math.PI * (i + 0.75)) / (m + 0.5));
    let dp = 0;
    for (let it = 0; it < 100; it++) {
      let p0 = 1;
      let p1 = x;
      for (let k = 2; k <= m; k++) {
        const p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
        p0 = p1;
        p1 = p2;
      }
      dp = (m * (x * p1 - p0)) / (x * x - 1);
      const dx = p1 / dp;
      x -= dx;
      if (Math.abs(dx) < 1e-16) break;
    }
    nodes[i] = (x + 1) / 2;
    weights[i] = 1 / ((1 - x * x) * dp * dp);
  }
  return { nodes, weights };
}

const PADE_NODES = gaussLegendre(8);
/** ‖X‖₁ bound under which the [8/8] Padé approximant of log(I + X) is accurate to double precision (θ₈ = 0.34). */
const LOG_PADE_BOUND = 0.25;

/**
 * Principal matrix logarithm by inverse scaling and squaring (Kenney & Laub 1989; Higham 2001): take square roots
 * until ‖A^(1/2^s) − I‖₁ ≤ 0.25, evaluate the [8/8] Padé approximant of log(I + X) in its partial-fraction form
 * (8-point Gauss–Legendre quadrature of ∫₀¹ X (I + tX)⁻¹ dt), and multiply by 2^s. All in real arithmetic, so a
 * real matrix with complex eigenvalue pairs gets its real principal logarithm. This is eq. 4's ln K.
 * Throws LinalgError when an eigenvalue lies on (−∞, 0] (no real principal logarithm exists).
 */
export function logm(a: SquareMatrix): SquareMatrix {
  const n = orderOf(a);
  if (n === 0) return new Float64Array(0);
  for (const x of a) if (!Number.isFinite(x)) throw new RangeError('logm: the matrix has non-finite entries');
  const obstruction = principalLogarithmObstruction(eigenvalues(a));
  if (obstruction !== null) throw new LinalgError(`logm: ${obstruction}`);
  const I = identity(n);
  let x: SquareMatrix = a.slice();
  let s = 0;
  while (normOne(linearCombination(1, x, -1, I)) > LOG_PADE_BOUND) {
    if (s >= 60) throw new LinalgError('logm: too many square roots were needed (the matrix is too ill-conditioned)');
    x = sqrtm(x);
    s++;
  }
  const d = linearCombination(1, x, -1, I);
  const out = new Float64Array(n * n);
  const { nodes, weights } = PADE_NODES;
  for (let j = 0; j < nodes.length; j++) {
    const term = solve(linearCombination(1, I, nodes[j], d), d, 'logm Padé term');
    for (let i = 0; i < out.length; i++) out[i] += weights[j] * term[i];
  }
  return s > 0 ? scale(out, 2 ** s) : out;
}
