import { EigenvalueDecomposition, inverse as mlInverse, Matrix } from 'ml-matrix';
import { orderOf, type SquareMatrix } from './dense.ts';

/** Eigenvalues of a real matrix, complex in conjugate pairs: re[i] + i·im[i]. */
export interface Eigenvalues {
  readonly re: Float64Array;
  readonly im: Float64Array;
}

/**
 * Eigenvalues of a real (generally non-symmetric) matrix, sorted by decreasing modulus; among equal moduli, by
 * decreasing real part, then positive imaginary part first (so conjugate pairs stay adjacent).
 */
export function eigenvalues(a: SquareMatrix): Eigenvalues {
  const n = orderOf(a);
  if (n === 0) return { re: new Float64Array(0), im: new Float64Array(0) };
  const evd = new EigenvalueDecomposition(Matrix.from1DArray(n, n, a));
  const re = evd.realEigenvalues;
  const im = evd.imaginaryEigenvalues;
  const order = Array.from({ length: n }, (_, i) => i);
  const mod = (i: number): number => Math.hypot(re[i], im[i]);
  const tol = 1e-12;
  order.sort((i, j) => {
    const d = mod(j) - mod(i);
    if (Math.abs(d) > tol * Math.max(1, mod(i))) return d;
    if (Math.abs(re[j] - re[i]) > tol) return re[j] - re[i];
    return im[j] - im[i];
  });
  return { re: Float64Array.from(order, (i) => re[i]), im: Float64Array.from(order, (i) => im[i]) };
}

/** |λ| for each eigenvalue. */
export function moduli(eig: Eigenvalues): Float64Array {
  return Float64Array.from(eig.re, (r, i) => Math.hypot(r, eig.im[i]));
}

/**
 * A with every real eigenvalue λ ≤ 0 replaced by max(|λ|, floor), through the real eigen-decomposition
 * A = V D V⁻¹ (complex pairs stay as 2 × 2 blocks of D, untouched). Used to give a matrix without a real principal
 * logarithm the nearest one that has it. Returns null when V is too ill-conditioned to invert.
 */
export function regulariseEigenvalues(a: SquareMatrix, floor = 1e-6): { matrix: Float64Array; changed: number } | null {
  const n = orderOf(a);
  const evd = new EigenvalueDecomposition(Matrix.from1DArray(n, n, a));
  const d = evd.diagonalMatrix;
  const re = evd.realEigenvalues;
  const im = evd.imaginaryEigenvalues;
  let changed = 0;
  for (let i = 0; i < n; i++) {
    if (Math.abs(im[i]) <= 1e-12 * Math.max(1, Math.abs(re[i])) && re[i] <= 1e-12) {
      d.set(i, i, Math.max(Math.abs(re[i]), floor));
      changed++;
    }
  }
  const v = evd.eigenvectorMatrix;
  let vInv: Matrix;
  try {
    vInv = mlInverse(v);
  } catch {
    return null;
  }
  const out = Float64Array.from(v.mmul(d).mmul(vInv).to1DArray());
  return out.every(Number.isFinite) ? { matrix: out, changed } : null;
}
