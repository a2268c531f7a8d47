import type { Vec } from './types.ts';
import { wasmBiasElu, wasmEluBackward } from './wasm-gemm.ts';

/** y[i, :] += bias for each of n rows of width m (in place). */
export function addBias(y: Vec, bias: Vec, n: number, m: number): void {
  for (let i = 0; i < n; i++) {
    const r = i * m;
    for (let j = 0; j < m; j++) y[r + j] += bias[j];
  }
}

/** dBias += column sums of dy[n×m]. Rows are added in order, so the result is reproducible. */
export function addBiasBackward(dy: Vec, dBias: Vec, n: number, m: number): void {
  for (let i = 0; i < n; i++) {
    const r = i * m;
    for (let j = 0; j < m; j++) dBias[j] += dy[r + j];
  }
}

/** ELU (α = 1) of the first `len` entries: x for x > 0, eˣ − 1 otherwise. `out` may alias `x`. */
export function elu(x: Vec, out: Vec, len: number): void {
  for (let i = 0; i < len; i++) {
    const v = x[i];
    out[i] = v > 0 ? v : Math.exp(v) - 1;
  }
}

/**
 * y = ELU(y + bias) in place, row by row (n rows of width m): the bias and activation of every GAT layer. Float32 runs
 * on the branch-free WebAssembly SIMD kernel (wasm-gemm.ts), float64 on addBias + elu.
 */
export function addBiasElu(y: Vec, bias: Vec, n: number, m: number): void {
  if (y instanceof Float32Array && bias instanceof Float32Array && wasmBiasElu(y, bias, n, m)) return;
  addBias(y, bias, n, m);
  elu(y, y, n * m);
}

/**
 * dx = dy · ELU′, written from the forward output y (ELU′ = 1 for y > 0, y + 1 = eˣ otherwise), so the
 * pre-activation need not be kept. `dx` may alias `dy`. Float32 runs branch-free on the SIMD kernel (the branch of
 * the plain loop mispredicts on half of the activations).
 */
export function eluBackward(y: Vec, dy: Vec, dx: Vec, len: number): void {
  if (y instanceof Float32Array && dy instanceof Float32Array && dx instanceof Float32Array && wasmEluBackward(y, dy, dx, len)) {
    return;
  }
  for (let i = 0; i < len; i++) {
    const v = y[i];
    dx[i] = v > 0 ? dy[i] : dy[i] * (v + 1);
  }
}

/** LeakyReLU: x for x > 0, slope·x otherwise. `out` may alias `x`. */
export function leakyRelu(x: Vec, out: Vec, len: number, slope: number): void {
  for (let i = 0; i < len; i++) {
    const v = x[i];
    out[i] = v > 0 ? v : slope * v;
  }
}

/** dx = dy · LeakyReLU′, from the forward output y (same sign as the input for slope > 0). `dx` may alias `dy`. */
export function leakyReluBackward(y: Vec, dy: Vec, dx: Vec, len: number, slope: number): void {
  for (let i = 0; i < len; i++) dx[i] = y[i] > 0 ? dy[i] : slope * dy[i];
}

/** out[n×c] = mean over the h heads of x[n×h×c] (the last GAT layer's head averaging, PyG `concat=False`). */
export function headMean(x: Vec, out: Vec, n: number, h: number, c: number): void {
  const inv = 1 / h;
  for (let i = 0; i < n; i++) {
    const xi = i * h * c, oi = i * c;
    for (let q = 0; q < c; q++) {
      let s = 0;
      for (let k = 0; k < h; k++) s += x[xi + k * c + q];
      out[oi + q] = s * inv;
    }
  }
}

/** dx[n×h×c] = dy[n×c] / h broadcast over heads (overwrites dx). */
export function headMeanBackward(dy: Vec, dx: Vec, n: number, h: number, c: number): void {
  const inv = 1 / h;
  for (let i = 0; i < n; i++) {
    const xi = i * h * c, oi = i * c;
    for (let k = 0; k < h; k++) for (let q = 0; q < c; q++) dx[xi + k * c + q] = dy[oi + q] * inv;
  }
}
