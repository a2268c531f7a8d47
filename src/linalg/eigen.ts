import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
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
