import { LuDecomposition, Matrix } from 'ml-matrix';
import { GetseiError } from '../util/errors.ts';

/**
 * Square matrices are plain row-major Float64Array of length n²: the Markov and TPT numerics work on small dense
 * matrices (a handful to a few dozen states), where a typed array is the fastest and simplest representation.
 * Solves, inverses and eigenvalues go through ml-matrix (thin wrappers below).
 */
export type SquareMatrix = Float64Array;

/** A numerical failure of a matrix function (singular system, no principal logarithm, no convergence). */
export class LinalgError extends GetseiError {
  constructor(message: string) {
    super(message);
    this.name = 'LinalgError';
  }
}

/** The order n of a square matrix stored as n² numbers. */
export function orderOf(a: ArrayLike<number>): number {
  const n = Math.round(Math.sqrt(a.length));
  if (n * n !== a.length) throw new RangeError(`a square matrix needs n² entries, got ${a.length}`);
  return n;
}

export function identity(n: number): SquareMatrix {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) out[i * n + i] = 1;
  return out;
}

export function fromRows(rows: ArrayLike<ArrayLike<number>>): SquareMatrix {
  const n = rows.length;
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const r = rows[i];
    if (r.length !== n) throw new RangeError(`row ${i} has ${r.length} entries, expected ${n}`);
    for (let j = 0; j < n; j++) out[i * n + j] = r[j];
  }
  return out;
}

/** Rows as plain arrays (for JSON). */
export function toRows(a: ArrayLike<number>, n = orderOf(a)): number[][] {
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) {
    const r = new Array<number>(n);
    for (let j = 0; j < n; j++) r[j] = a[i * n + j];
    rows.push(r);
  }
  return rows;
}

export function matmul(a: SquareMatrix, b: SquareMatrix): SquareMatrix {
  const n = orderOf(a);
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      const aik = a[i * n + k];
      if (aik === 0) continue;
      for (let j = 0; j < n; j++) out[i * n + j] += aik * b[k * n + j];
    }
  }
  return out;
}

/** Aᵏ by repeated squaring (k ≥ 0). */
export function matpow(a: SquareMatrix, k: number): SquareMatrix {
  let result = identity(orderOf(a));
  let base = a;
  let e = k;
  while (e > 0) {
    if (e & 1) result = matmul(result, base);
    e >>= 1;
    if (e > 0) base = matmul(base, base);
  }
  return result;
}

export function transpose(a: SquareMatrix): SquareMatrix {
  const n = orderOf(a);
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[j * n + i] = a[i * n + j];
  return out;
}

/** αA + βB */
export function linearCombination(alpha: number, a: SquareMatrix, beta: number, b: SquareMatrix): SquareMatrix {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = alpha * a[i] + beta * b[i];
  return out;
}

export function scale(a: SquareMatrix, s: number): SquareMatrix {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] * s;
  return out;
}

/** Maximum absolute column sum. */
export function normOne(a: SquareMatrix): number {
  const n = orderOf(a);
  let best = 0;
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += Math.abs(a[i * n + j]);
    if (s > best) best = s;
  }
  return best;
}

/** Largest absolute entry of A − B (the error measure reported for ‖expm(Rτ) − K‖). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (d > m || Number.isNaN(d)) m = d;
  }
  return m;
}

function toMl(a: SquareMatrix, n: number): Matrix {
  return Matrix.from1DArray(n, n, a);
}

function lu(a: SquareMatrix, what: string): { dec: LuDecomposition; n: number } {
  const n = orderOf(a);
  const dec = new LuDecomposition(toMl(a, n));
  if (dec.isSingular()) throw new LinalgError(`${what}: the matrix is singular`);
  return { dec, n };
}

/** Solve A X = B for a square right-hand side B (n × n), or a vector b (length n). */
export function solve(a: SquareMatrix, b: Float64Array, what = 'linear solve'): Float64Array {
  const { dec, n } = lu(a, what);
  const cols = b.length / n;
  if (!Number.isInteger(cols)) throw new RangeError(`right-hand side of length ${b.length} does not fit order ${n}`);
  const x = dec.solve(Matrix.from1DArray(n, cols, b));
  const out = Float64Array.from(x.to1DArray());
  for (let i = 0; i < out.length; i++) {
    if (!Number.isFinite(out[i])) throw new LinalgError(`${what}: the matrix is numerically singular`);
  }
  return out;
}

export function inverse(a: SquareMatrix, what = 'matrix inverse'): SquareMatrix {
  return solve(a, identity(orderOf(a)), what);
}

export function determinant(a: SquareMatrix): number {
  const n = orderOf(a);
  return new LuDecomposition(toMl(a, n)).determinant;
}
