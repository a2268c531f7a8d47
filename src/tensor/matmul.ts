import type { Vec } from './types.ts';
import { wasmGemm } from './wasm-gemm.ts';

const f32 = (x: Vec): x is Float32Array => x instanceof Float32Array;

/**
 * C[n×m] = A[n×k] · B[m×k]ᵀ (or C += … when `accumulate`), all row-major.
 *
 * Float32 operands go to the WebAssembly SIMD kernel (wasm-gemm.ts). The plain-JS kernel below serves float64 (the
 * gradient tests) and machines without WebAssembly SIMD: both operands are read along contiguous rows of length k,
 * and a 4×4 tile of C lives in 16 local variables across the k loop (register tiling, ~5× a naive triple loop over
 * Float32Array, STACK.md); rows/columns beyond a multiple of 4 fall back to 1×4 / 4×1 / 1×1 loops. Either way the
 * summation order over k is fixed, so results are bitwise reproducible.
 */
export function matmulABt(a: Vec, b: Vec, c: Vec, n: number, k: number, m: number, accumulate = false): void {
  if (f32(a) && f32(b) && f32(c) && wasmGemm(a, false, b, true, c, n, k, m, accumulate)) return;
  const n4 = n - (n % 4);
  const m4 = m - (m % 4);
  for (let i = 0; i < n4; i += 4) {
    const a0 = i * k, a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
    const c0 = i * m, c1 = c0 + m, c2 = c1 + m, c3 = c2 + m;
    for (let j = 0; j < m4; j += 4) {
      const b0 = j * k, b1 = b0 + k, b2 = b1 + k, b3 = b2 + k;
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0;
      let s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      let s20 = 0, s21 = 0, s22 = 0, s23 = 0;
      let s30 = 0, s31 = 0, s32 = 0, s33 = 0;
      for (let p = 0; p < k; p++) {
        const x0 = a[a0 + p], x1 = a[a1 + p], x2 = a[a2 + p], x3 = a[a3 + p];
        const y0 = b[b0 + p], y1 = b[b1 + p], y2 = b[b2 + p], y3 = b[b3 + p];
        s00 += x0 * y0; s01 += x0 * y1; s02 += x0 * y2; s03 += x0 * y3;
        s10 += x1 * y0; s11 += x1 * y1; s12 += x1 * y2; s13 += x1 * y3;
        s20 += x2 * y0; s21 += x2 * y1; s22 += x2 * y2; s23 += x2 * y3;
        s30 += x3 * y0; s31 += x3 * y1; s32 += x3 * y2; s33 += x3 * y3;
      }
      if (accumulate) {
        c[c0 + j] += s00; c[c0 + j + 1] += s01; c[c0 + j + 2] += s02; c[c0 + j + 3] += s03;
        c[c1 + j] += s10; c[c1 + j + 1] += s11; c[c1 + j + 2] += s12; c[c1 + j + 3] += s13;
        c[c2 + j] += s20; c[c2 + j + 1] += s21; c[c2 + j + 2] += s22; c[c2 + j + 3] += s23;
        c[c3 + j] += s30; c[c3 + j + 1] += s31; c[c3 + j + 2] += s32; c[c3 + j + 3] += s33;
      } else {
        c[c0 + j] = s00; c[c0 + j + 1] = s01; c[c0 + j + 2] = s02; c[c0 + j + 3] = s03;
        c[c1 + j] = s10; c[c1 + j + 1] = s11; c[c1 + j + 2] = s12; c[c1 + j + 3] = s13;
        c[c2 + j] = s20; c[c2 + j + 1] = s21; c[c2 + j + 2] = s22; c[c2 + j + 3] = s23;
        c[c3 + j] = s30; c[c3 + j + 1] = s31; c[c3 + j + 2] = s32; c[c3 + j + 3] = s33;
      }
    }
    for (let j = m4; j < m; j++) {
      const b0 = j * k;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let p = 0; p < k; p++) {
        const y = b[b0 + p];
        s0 += a[a0 + p] * y; s1 += a[a1 + p] * y; s2 += a[a2 + p] * y; s3 += a[a3 + p] * y;
      }
      if (accumulate) {
        c[c0 + j] += s0; c[c1 + j] += s1; c[c2 + j] += s2; c[c3 + j] += s3;
      } else {
        c[c0 + j] = s0; c[c1 + j] = s1; c[c2 + j] = s2; c[c3 + j] = s3;
      }
    }
  }
  for (let i = n4; i < n; i++) {
    const a0 = i * k;
    const c0 = i * m;
    for (let j = 0; j < m; j++) {
      const b0 = j * k;
      let s = 0;
      for (let p = 0; p < k; p++) s += a[a0 + p] * b[b0 + p];
      if (accumulate) c[c0 + j] += s;
      else c[c0 + j] = s;
    }
  }
}

/** out[cols×rows] = aᵀ for a row-major a[rows×cols]. */
export function transpose(a: Vec, out: Vec, rows: number, cols: number): void {
  for (let i = 0; i < rows; i++) {
    const r = i * cols;
    for (let j = 0; j < cols; j++) out[j * rows + i] = a[r + j];
  }
}

/**
 * C[n×m] = A[n×k] · B[k×m]: the SIMD kernel for float32, else the tiled A·Bᵀ kernel on a transposed copy of B in
 * `scratch` (≥ k·m elements; transposing is O(k·m), small next to the O(n·k·m) product).
 */
export function matmulAB(
  a: Vec, b: Vec, c: Vec, n: number, k: number, m: number, scratch: Vec, accumulate = false,
): void {
  if (f32(a) && f32(b) && f32(c) && wasmGemm(a, false, b, false, c, n, k, m, accumulate)) return;
  transpose(b, scratch, k, m);
  matmulABt(a, scratch, c, n, k, m, accumulate);
}

/**
 * C[n×m] = A[k×n]ᵀ · B[k×m] (weight gradients: the reduction runs over the k rows of a batch). The SIMD kernel for
 * float32; else both operands are transposed into `scratchA` (≥ k·n) and `scratchB` (≥ k·m) so that the long
 * reduction runs along contiguous memory.
 */
export function matmulAtB(
  a: Vec, b: Vec, c: Vec, k: number, n: number, m: number, scratchA: Vec, scratchB: Vec, accumulate = false,
): void {
  if (f32(a) && f32(b) && f32(c) && wasmGemm(a, true, b, false, c, n, k, m, accumulate)) return;
  transpose(a, scratchA, k, n);
  transpose(b, scratchB, k, m);
  matmulABt(scratchA, scratchB, c, n, k, m, accumulate);
}
