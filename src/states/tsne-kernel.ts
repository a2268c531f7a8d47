/**
 * The t-SNE gradient pass as a WebAssembly SIMD (f64x2) kernel, generated for one padded size N (so the six
 * per-point arrays sit at constant offsets from one pointer). For a row i it walks j = i+1, i+2, … two at a time:
 * w = 1 / (1 + ‖y_i − y_j‖²), accumulates Σ p w (y_i − y_j), Σ w² (y_i − y_j) and Σ w for i, and subtracts the
 * same terms from the j-side accumulators (the pair sums are antisymmetric). About 3× the plain TypeScript loop.
 */
import { F64, I32, V128, assembleModule, compileModule, instantiate, loopUntil, op, type Bytes } from '../util/wasm.ts';
import { Arena } from './simd.ts';

interface TsneKernelExports {
  /** pairs (i, j) for j from q (pointer into Y0 at j) to qEnd (exclusive), P row pointer pp; sums to res[0..4] */
  pairs(q: number, qEnd: number, pp: number, yi0: number, yi1: number, exaggeration: number, res: number): void;
}

function kernel(N: number): Uint8Array {
  const S = N * 8; // Y0 at 0, Y1 at S, A0 at 2S, A1 at 3S, B0 at 4S, B1 at 5S (relative to the Y0 pointer)
  const { get, set, tee, v128Load, v128Store } = op;
  // params q 0, qEnd 1, pp 2, yi0 3, yi1 4, ex 5, res 6; locals (v128) vy0 7, vy1 8, one 9, vex 10, u0 11, u1 12,
  // w 13, pw 14, t 15, a0 16, a1 17, b0 18, b1 19, z 20
  const VY0 = 7, VY1 = 8, ONE = 9, VEX = 10, U0 = 11, U1 = 12, W = 13, PW = 14, T = 15, A0 = 16, A1 = 17, B0 = 18, B1 = 19, Z = 20;
  const body: Bytes = [
    ...get(3), ...op.f64x2Splat, ...set(VY0), ...get(4), ...op.f64x2Splat, ...set(VY1),
    ...op.f64Const(1), ...op.f64x2Splat, ...set(ONE), ...get(5), ...op.f64x2Splat, ...set(VEX),
  ];
  for (const acc of [A0, A1, B0, B1, Z]) body.push(...op.v128Zero, ...set(acc));
  const inner: Bytes = [
    ...get(VY0), ...get(0), ...v128Load(0), ...op.f64x2Sub, ...set(U0),
    ...get(VY1), ...get(0), ...v128Load(S), ...op.f64x2Sub, ...set(U1),
    ...get(ONE), ...get(ONE), ...get(U0), ...get(U0), ...op.f64x2Mul, ...op.f64x2Add, ...get(U1), ...get(U1), ...op.f64x2Mul, ...op.f64x2Add,
    ...op.f64x2Div, ...tee(W), ...get(Z), ...op.f64x2Add, ...set(Z),
    ...get(2), ...v128Load(0), ...get(VEX), ...op.f64x2Mul, ...get(W), ...op.f64x2Mul, ...set(PW),
    ...get(2), ...op.i32(16), ...op.i32Add, ...set(2),
  ];
  // attractive (p·w) and repulsive (w²) terms, each into the i-side sum and subtracted at j
  const terms: Array<[number, number, number, number]> = [[PW, U0, A0, 2 * S], [PW, U1, A1, 3 * S], [W, U0, B0, 4 * S], [W, U1, B1, 5 * S]];
  for (const [f, u, acc, at] of terms) {
    inner.push(...get(f));
    if (f === W) inner.push(...get(W), ...op.f64x2Mul); // w²
    inner.push(...get(u), ...op.f64x2Mul, ...tee(T), ...get(acc), ...op.f64x2Add, ...set(acc));
    inner.push(...get(0), ...get(0), ...v128Load(at), ...get(T), ...op.f64x2Sub, ...v128Store(at));
  }
  body.push(...loopUntil(0, 1, 16, inner));
  [A0, A1, B0, B1, Z].forEach((acc, r) => {
    body.push(...get(6), ...get(acc), ...op.f64x2ExtractLane(0), ...get(acc), ...op.f64x2ExtractLane(1), ...op.f64Add, ...op.f64Store(8 * r));
  });
  return assembleModule([{
    name: 'pairs', params: [I32, I32, I32, F64, F64, F64, I32], locals: new Array<number>(14).fill(V128), body,
  }]);
}

/**
 * Gradient engine for a fixed P ([n × n], symmetric, zero diagonal): `gradient(Y, exaggeration, grad)` writes
 * 4 Σ_j (αp_ij − q_ij) w_ij (y_i − y_j) for the 2-D layout Y ([n × 2]).
 */
export class TsneGradient {
  private readonly N: number;
  private readonly f64: Float64Array;
  private readonly vAt: number;
  private readonly pAt: number;
  private readonly resAt: number;
  private readonly exports: TsneKernelExports;
  constructor(private readonly P: Float64Array, private readonly n: number) {
    this.N = n + (n % 2);
    const arena = new Arena();
    this.vAt = arena.reserve(6 * this.N * 8);
    this.pAt = arena.reserve(n * n * 8 + 16);
    this.resAt = arena.reserve(5 * 8);
    const memory = arena.memory();
    this.exports = instantiate(compileModule(kernel(this.N)), memory) as unknown as TsneKernelExports;
    this.f64 = new Float64Array(memory.buffer);
    this.f64.set(P, this.pAt / 8);
  }

  gradient(Y: Float64Array, exaggeration: number, grad: Float64Array): void {
    const { n, N, f64, P } = this;
    const v = this.vAt / 8;
    for (let i = 0; i < n; i++) {
      f64[v + i] = Y[2 * i];
      f64[v + N + i] = Y[2 * i + 1];
    }
    f64.fill(0, v + 2 * N, v + 6 * N);
    const res = f64.subarray(this.resAt / 8, this.resAt / 8 + 5);
    let Z = 0;
    for (let i = 0; i < n; i++) {
      const yi0 = Y[2 * i], yi1 = Y[2 * i + 1];
      const count = n - i - 1;
      const even = count - (count % 2);
      this.exports.pairs(this.vAt + (i + 1) * 8, this.vAt + (i + 1 + even) * 8, this.pAt + (i * n + i + 1) * 8, yi0, yi1, exaggeration, this.resAt);
      let a0 = res[0], a1 = res[1], b0 = res[2], b1 = res[3], z = res[4];
      if (even < count) {
        // the last pair of an odd count, in plain arithmetic
        const j = n - 1;
        const u0 = yi0 - Y[2 * j], u1 = yi1 - Y[2 * j + 1];
        const w = 1 / (1 + u0 * u0 + u1 * u1);
        const pw = P[i * n + j] * exaggeration * w, ww = w * w;
        a0 += pw * u0; a1 += pw * u1; b0 += ww * u0; b1 += ww * u1; z += w;
        f64[v + 2 * N + j] -= pw * u0; f64[v + 3 * N + j] -= pw * u1;
        f64[v + 4 * N + j] -= ww * u0; f64[v + 5 * N + j] -= ww * u1;
      }
      f64[v + 2 * N + i] += a0; f64[v + 3 * N + i] += a1;
      f64[v + 4 * N + i] += b0; f64[v + 5 * N + i] += b1;
      Z += 2 * z;
    }
    for (let i = 0; i < n; i++) {
      grad[2 * i] = 4 * (f64[v + 2 * N + i] - f64[v + 4 * N + i] / Z);
      grad[2 * i + 1] = 4 * (f64[v + 3 * N + i] - f64[v + 5 * N + i] / Z);
    }
  }
}
