/**
 * Arc cosines in degrees, two at a time (a WebAssembly f64x2 kernel), each within ACOS_APPROX_ERROR_DEGREES of
 * `Math.acos(c) * 180 / Math.PI`. The angle statistics take ~70 arc cosines an atom; Math.acos is a call into the
 * runtime that cost about a quarter of the featurizer's compute (930 → 680 ms for the example's 700 frames without
 * it). The statistics stay those of Math.acos: FeatureRows takes a value from these angles only when its error bound,
 * widened by this one, rounds to a single float32, and computes min, max and median from Math.acos of the few
 * candidates. The same polynomial in plain TypeScript was no faster than Math.acos (its region and sign branches
 * mispredict on neighbour cosines; as 0/1 factors it saved ≈ 4 %); as f64x2 lanes with bit selects, see BENCHMARKS.md.
 *
 * Reduction: for |c| ≤ ½, acos|c| = π/2 − asin|c|; above, acos|c| = 2·asin √((1 − |c|)/2); acos(−c) = π − acos c.
 * Both asin arguments z lie in [0, ½]: asin z = z + z·t·P(t), t = z², with P the degree-9 Chebyshev fit of
 * (asin(√t)/√t − 1)/t on [0, ¼] (mpmath.chebyfit, 40 digits; fit error 5.8e-14, so ≤ 1.5e-14 rad in the angle).
 * The bound is 100 times the largest deviation from Math.acos measured over 2·10⁷ cosines (8.5e-13°; the test
 * samples it again).
 */
import {
  I32, V128, assembleModule, compileModule, instantiate, loopUntil, op, type WasmMemory,
} from '../util/wasm.ts';

export const ACOS_APPROX_ERROR_DEGREES = 1e-10;

/** P's coefficients, constant term first */
const P = [
  0.1666666666666218, 0.07500000003584559, 0.04464285243793872, 0.030382182776212484, 0.02236606593888501,
  0.017441495685492855, 0.01318791613675373, 0.015675662527070935, -0.0029397929067241963, 0.0279070314326661,
];

const { get, set } = op;
const c2 = op.f64x2Const;

/**
 * acos(in, inEnd, out): for each pair of float64 cosines from `in` (byte offsets; inEnd − in a multiple of 16), the
 * angles in degrees at out. Locals: 3 = pointer, 4 c, 5 |c|, 6 big-mask, 7 t, 8 z, 9 t², 10 t⁴, 11 asin, 12 angle.
 */
function kernelBytes(): Uint8Array {
  const [ptr, c, y, big, t, z, t2, t4, asin, angle] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  /** a + b·t on the stack, for P's coefficients a, b */
  const pair = (a: number, b: number): number[] => [...c2(a), ...c2(b), ...get(t), ...op.f64x2Mul, ...op.f64x2Add];
  const body = [
    ...get(ptr), ...op.v128Load(0, 4), ...set(c),
    ...get(c), ...op.f64x2Abs, ...set(y),
    ...get(y), ...c2(0.5), ...op.f64x2Gt, ...set(big),
    // t = big ? (1 − y)/2 : y²;  z = big ? √t : y
    ...c2(0.5), ...c2(0.5), ...get(y), ...op.f64x2Mul, ...op.f64x2Sub,
    ...get(y), ...get(y), ...op.f64x2Mul,
    ...get(big), ...op.v128Bitselect, ...set(t),
    ...get(t), ...op.f64x2Sqrt, ...get(y), ...get(big), ...op.v128Bitselect, ...set(z),
    ...get(t), ...get(t), ...op.f64x2Mul, ...set(t2),
    ...get(t2), ...get(t2), ...op.f64x2Mul, ...set(t4),
    // P(t) by Estrin's scheme: (P0 + P1 t) + t²(P2 + P3 t) + t⁴((P4 + P5 t) + t²(P6 + P7 t)) + t⁸(P8 + P9 t)
    ...pair(P[0], P[1]),
    ...pair(P[2], P[3]), ...get(t2), ...op.f64x2Mul, ...op.f64x2Add,
    ...pair(P[4], P[5]), ...pair(P[6], P[7]), ...get(t2), ...op.f64x2Mul, ...op.f64x2Add, ...get(t4), ...op.f64x2Mul, ...op.f64x2Add,
    ...pair(P[8], P[9]), ...get(t4), ...get(t4), ...op.f64x2Mul, ...op.f64x2Mul, ...op.f64x2Add,
    // asin z = z + z·t·P(t)
    ...get(z), ...get(t), ...op.f64x2Mul, ...op.f64x2Mul, ...get(z), ...op.f64x2Add, ...set(asin),
    // acos|c| = big ? 2 asin : π/2 − asin;  acos c = c < 0 ? π − acos|c| : acos|c|
    ...get(asin), ...get(asin), ...op.f64x2Add, ...c2(Math.PI / 2), ...get(asin), ...op.f64x2Sub, ...get(big), ...op.v128Bitselect, ...set(angle),
    ...get(2),
    ...c2(Math.PI), ...get(angle), ...op.f64x2Sub, ...get(angle), ...get(c), ...op.v128Zero, ...op.f64x2Lt, ...op.v128Bitselect,
    ...c2(180 / Math.PI), ...op.f64x2Mul,
    ...op.v128Store(0, 4),
    ...get(2), ...op.i32(16), ...op.i32Add, ...set(2),
  ];
  return assembleModule([{
    name: 'acos', params: [I32, I32, I32], locals: [I32, V128, V128, V128, V128, V128, V128, V128, V128, V128],
    body: [...get(0), ...set(ptr), ...loopUntil(ptr, 1, 16, body)],
  }], 'own');
}

/**
 * The kernel of one thread with its input and output arrays (views of its memory, valid until the next `reserve`).
 * One per thread, shared by every frame's FeatureRows.
 */
export class AcosKernel {
  cosines = new Float64Array(0);
  angles = new Float64Array(0);
  private readonly memory: WasmMemory;
  private readonly acos: (input: number, inputEnd: number, out: number) => void;
  private capacity = 0;

  constructor() {
    const exports = instantiate(compileModule(kernelBytes()));
    this.memory = exports.memory as WasmMemory;
    this.acos = exports.acos as AcosKernel['acos'];
    this.reserve(512);
  }

  /** Room for n cosines (plus the odd one's partner lane); the arrays are new views when it grows. */
  reserve(n: number): void {
    if (n + 1 <= this.capacity) return;
    const capacity = 4 * Math.ceil((n + 1) / 2); // even, and twice what is asked: few regrowths
    const bytes = 16 * capacity;
    const pages = Math.ceil((bytes - this.memory.buffer.byteLength) / 65536);
    if (pages > 0) this.memory.grow(pages);
    this.capacity = capacity;
    this.cosines = new Float64Array(this.memory.buffer, 0, capacity);
    this.angles = new Float64Array(this.memory.buffer, 8 * capacity, capacity);
  }

  /** angles[0…n) = acos(cosines[0…n)) in degrees, each within ACOS_APPROX_ERROR_DEGREES of Math.acos's. */
  run(n: number): void {
    this.acos(0, 16 * Math.ceil(n / 2), 8 * this.capacity);
  }
}

let shared: AcosKernel | undefined;

/** This thread's kernel (compiled on first use). */
export function acosKernel(): AcosKernel {
  shared ??= new AcosKernel();
  return shared;
}
