/**
 * Float32 kernels in WebAssembly SIMD, emitted as bytes at run time with the shared assembler of util/wasm.ts.
 *
 * `gemm` — a matrix product
 * C[n×m] = A[n×k] · B[k×m] with a 4-row × 8-column register tile (eight f32x4 accumulators), the A values of a tile
 * row broadcast with f32x4.splat and B read as two vectors per row. ARCHITECTURE.md §5: the plain-JS 4×4 tile is
 * the fallback and the float64 path; this kernel is the next lever once the matmul dominates a training step.
 *
 * Each output element is a float32 sum over k in ascending order of float32 products (IEEE, no fused multiply-add),
 * so results are bitwise reproducible across runs, threads and x86/ARM machines, and a row's result does not depend
 * on its position in the matrix (padding rows and columns are zeros that never mix into real ones).
 *
 * `eluBackward` — dy · ELU′ without branches.
 *
 * `aggregate` — the attention-weighted sum of neighbour features per destination, four channels per vector.
 *
 * `exp` — eˣ in place on the same range reduction (the segment softmax); `biasElu` — bias add and ELU in place, four lanes at a time and branch-free: eˣ by range reduction x = n·ln2 + r (|r| ≤ ln2/2, ln2
 * split in two parts), a degree-6 Taylor polynomial for eʳ and 2ⁿ built in the exponent bits; the positive lanes are
 * selected with a bitmask. Error of eˣ − 1 within 2e-7 absolute and 1e-6 relative (tested against Math.expm1). A
 * plain loop over Math.exp costs more than the product itself on this workload: half of the branches mispredict.
 */

import {
  I32, V128, assembleModule, op, tryCompileModule, instantiate, type Bytes, type FunctionSpec, type WasmMemory,
} from '../util/wasm.ts';

// locals: parameters 0–5, then i32 scratch, then v128 accumulators
const A = 0, B = 1, C = 2, N = 3, K = 4, M = 5;
const I = 6, J = 7, P = 8, RA0 = 9, RA1 = 10, RA2 = 11, RA3 = 12, PB = 13, PC = 14, KB = 15, MB = 16;
const ACC = 17; // ACC … ACC + 7
const B0 = 25, B1 = 26, X = 27;

const { get, set, tee, block, loop, end, br, brIf, v128Zero, f32x4Const, i32x4Const } = op;
const i32c = op.i32, add = op.i32Add, mul = op.i32Mul, shl = op.i32Shl, geS = op.i32GeS, ltS = op.i32LtS;
const f32Load = op.f32Load(0);
// every vector here starts at a multiple of 16 bytes
const v128Load = (offset: number): Bytes => op.v128Load(offset, 4);
const v128Store = (offset: number): Bytes => op.v128Store(offset, 4);
const { f32x4Splat, f32x4Add, f32x4Mul, f32x4Sub, f32x4Max, f32x4Min, f32x4Gt, f32x4Nearest } = op;
const { i32x4TruncSatF32x4S: i32x4TruncSat, i32x4Add, i32x4Shl, v128Bitselect: bitselect } = op;
/** n locals of type t */
const locals = (n: number, t: number): number[] => new Array<number>(n).fill(t);

function gemmFunction(): FunctionSpec {
  const code: number[] = [];
  const emit = (...parts: number[][]): void => {
    for (const p of parts) code.push(...p);
  };
  emit(get(K), i32c(2), shl, set(KB), get(M), i32c(2), shl, set(MB));
  emit(i32c(0), set(I), block, loop); // rows, 4 at a time
  emit(get(I), get(N), geS, brIf(1));
  emit(get(A), get(I), get(KB), mul, add, set(RA0));
  emit(get(RA0), get(KB), add, set(RA1), get(RA1), get(KB), add, set(RA2), get(RA2), get(KB), add, set(RA3));
  emit(i32c(0), set(J), block, loop); // columns, 8 at a time
  emit(get(J), get(M), geS, brIf(1));
  for (let q = 0; q < 8; q++) emit(v128Zero, set(ACC + q));
  emit(get(B), get(J), i32c(2), shl, add, set(PB));
  emit(i32c(0), set(P), block, loop); // reduction, p in bytes along a row of A
  emit(get(P), get(KB), geS, brIf(1));
  emit(get(PB), v128Load(0), set(B0), get(PB), v128Load(16), set(B1));
  [RA0, RA1, RA2, RA3].forEach((ra, r) => {
    emit(get(ra), get(P), add, f32Load, f32x4Splat, set(X));
    emit(get(ACC + 2 * r), get(X), get(B0), f32x4Mul, f32x4Add, set(ACC + 2 * r));
    emit(get(ACC + 2 * r + 1), get(X), get(B1), f32x4Mul, f32x4Add, set(ACC + 2 * r + 1));
  });
  emit(get(PB), get(MB), add, set(PB), get(P), i32c(4), add, set(P), br(0), end, end);
  emit(get(C), get(I), get(MB), mul, add, get(J), i32c(2), shl, add, set(PC));
  for (let r = 0; r < 4; r++) {
    emit(get(PC), get(ACC + 2 * r), v128Store(0), get(PC), get(ACC + 2 * r + 1), v128Store(16));
    if (r < 3) emit(get(PC), get(MB), add, set(PC));
  }
  emit(get(J), i32c(8), add, set(J), br(0), end, end);
  emit(get(I), i32c(4), add, set(I), br(0), end, end);
  return { name: 'gemm', params: locals(6, I32), locals: [...locals(11, I32), ...locals(11, V128)], body: code };
}

/**
 * Emit q = eʳ − 1 and s = 2ⁿ for t = n·ln2 + r held in local `t` (|r| ≤ ln2/2; ln2 split in two parts so that r is
 * exact to float32), so that eᵗ = s·q + s and eᵗ − 1 = s·q + (s − 1) keep full relative accuracy. t must lie in
 * [−87, 88] for 2ⁿ to be a normal float32.
 */
function emitExpParts(emit: (...parts: number[][]) => void, t: number, nv: number, r: number, q: number, s: number): void {
  emit(get(t), f32x4Const(Math.LOG2E), f32x4Mul, f32x4Nearest, set(nv));
  emit(get(t), get(nv), f32x4Const(0.693359375), f32x4Mul, f32x4Sub);
  emit(get(nv), f32x4Const(-2.12194440e-4), f32x4Mul, f32x4Sub, set(r));
  // q = r(1 + r/2 + r²/6 + … + r⁵/720), a degree-6 Taylor polynomial without its leading 1
  emit(f32x4Const(1 / 720));
  for (const c of [1 / 120, 1 / 24, 1 / 6, 1 / 2, 1]) emit(get(r), f32x4Mul, f32x4Const(c), f32x4Add);
  emit(get(r), f32x4Mul, set(q));
  emit(get(nv), i32x4TruncSat, i32x4Const(127), i32x4Add, i32c(23), i32x4Shl, set(s)); // 2ⁿ as float32 bits
}

/**
 * A function `name(ptr, bytes, …)` of `nParams` i32 parameters over `bytes` bytes (a multiple of 16) from byte
 * offset `ptr`, one f32x4 per iteration.
 */
function vectorLoop(
  name: string, nParams: number, extraI32: number, nV128: number, prologue: number[][], step: number[][],
): FunctionSpec {
  const PTR = 0, END = 1;
  const code: number[] = [];
  for (const p of [get(PTR), get(END), add, set(END), ...prologue, block, loop]) code.push(...p);
  for (const p of [get(PTR), get(END), ltS, op.i32Eqz, brIf(1), ...step]) code.push(...p); // exit when !(ptr < end)
  for (const p of [get(PTR), i32c(16), add, set(PTR), br(0), end, end]) code.push(...p);
  return { name, params: locals(nParams, I32), locals: [...locals(extraI32, I32), ...locals(nV128, V128)], body: code };
}

/**
 * biasElu(ptr, bytes, bias, rowBytes): x ← ELU(x + b) in place, where b cycles through the `rowBytes` bytes (a
 * multiple of 16) of bias at byte offset `bias`.
 */
function biasEluFunction(): FunctionSpec {
  const PTR = 0, BIAS = 2, ROW = 3, QB = 4, QEND = 5, XV = 6, T = 7, NV = 8, R = 9, Q = 10, S = 11;
  const step: number[][] = [];
  const emit = (...parts: number[][]): void => void step.push(...parts);
  emit(get(PTR), v128Load(0), get(QB), v128Load(0), f32x4Add, set(XV));
  // t = min(max(x, −87), 0): 2ⁿ stays a normal float32; positive lanes are discarded below
  emit(get(XV), f32x4Const(-87), f32x4Max, f32x4Const(0), f32x4Min, set(T));
  emitExpParts(emit, T, NV, R, Q, S);
  emit(get(S), get(Q), f32x4Mul, get(S), f32x4Const(1), f32x4Sub, f32x4Add, set(Q)); // eᵗ − 1
  emit(get(PTR), get(XV), get(Q), get(XV), f32x4Const(0), f32x4Gt, bitselect, v128Store(0));
  // next bias vector, back to the row's first at the end of a row
  emit(get(BIAS), get(QB), i32c(16), add, tee(QB), get(QB), get(QEND), geS, op.select, set(QB));
  return vectorLoop('biasElu', 4, 2, 6, [get(BIAS), set(QB), get(BIAS), get(ROW), add, set(QEND)], step);
}

/** exp(ptr, bytes): x ← eˣ in place, for x clamped to [−87, 88] (below −87 the result is ~1e-38, not 0). */
function expFunction(): FunctionSpec {
  const PTR = 0, T = 2, NV = 3, R = 4, Q = 5, S = 6;
  const step: number[][] = [];
  const emit = (...parts: number[][]): void => void step.push(...parts);
  emit(get(PTR), v128Load(0), f32x4Const(-87), f32x4Max, f32x4Const(88), f32x4Min, set(T));
  emitExpParts(emit, T, NV, R, Q, S);
  emit(get(PTR), get(S), get(Q), f32x4Mul, get(S), f32x4Add, v128Store(0));
  return vectorLoop('exp', 2, 0, 5, [], step);
}

/** eluBackward(y, bytes, dy): dy ← dy · (y > 0 ? 1 : y + 1) in place, `dy` at a fixed distance from `y`. */
function eluBackwardFunction(): FunctionSpec {
  const PTR = 0, DY = 2, YV = 3;
  const step: number[][] = [];
  const emit = (...parts: number[][]): void => void step.push(...parts);
  emit(get(PTR), v128Load(0), set(YV));
  emit(get(PTR), get(DY), add, get(PTR), get(DY), add, v128Load(0));
  emit(f32x4Const(1), get(YV), f32x4Const(1), f32x4Add, get(YV), f32x4Const(0), f32x4Gt, bitselect, f32x4Mul);
  emit(v128Store(0));
  // DY becomes the distance from y to dy, so one pointer walks both
  return vectorLoop('eluBackward', 3, 0, 1, [get(DY), get(PTR), op.i32Sub, set(DY)], step);
}

/**
 * aggregate(alpha, src, seg, wh, out, nNodes, heads, ch): out[i,h,:] = Σ_{e ∈ [seg[i], seg[i+1])} α[e,h]·wh[src[e],h,:]
 * (byte offsets; ch a multiple of 4), four channels per f32x4 accumulator, edges summed in order.
 */
function aggregateFunction(): FunctionSpec {
  const AL = 0, SR = 1, SG = 2, WH = 3, OUT = 4, NN = 5, HH = 6, CH = 7;
  const I = 8, H = 9, CV = 10, E = 11, E0 = 12, E1 = 13, HC4 = 14, C4 = 15, OB = 16, ACCV = 17;
  const code: number[] = [];
  const emit = (...parts: number[][]): void => {
    for (const p of parts) code.push(...p);
  };
  emit(get(CH), i32c(2), shl, set(C4), get(C4), get(HH), mul, set(HC4));
  emit(i32c(0), set(I), block, loop, get(I), get(NN), geS, brIf(1));
  emit(get(SG), get(I), i32c(2), shl, add, op.i32Load(0), set(E0));
  emit(get(SG), get(I), i32c(2), shl, add, op.i32Load(4), set(E1));
  emit(i32c(0), set(H), block, loop, get(H), get(HH), geS, brIf(1));
  emit(get(OUT), get(I), get(HC4), mul, add, get(H), get(C4), mul, add, set(OB));
  emit(i32c(0), set(CV), block, loop, get(CV), get(C4), geS, brIf(1));
  emit(v128Zero, set(ACCV), get(E0), set(E), block, loop, get(E), get(E1), geS, brIf(1));
  // α[e,h] broadcast × wh[src[e], h, cv : cv + 4]
  emit(get(ACCV), get(AL), get(E), get(HH), mul, get(H), add, i32c(2), shl, add, f32Load, f32x4Splat);
  emit(get(WH), get(SR), get(E), i32c(2), shl, add, op.i32Load(0), get(HC4), mul, add, get(H), get(C4), mul, add);
  emit(get(CV), add, v128Load(0), f32x4Mul, f32x4Add, set(ACCV));
  emit(get(E), i32c(1), add, set(E), br(0), end, end);
  emit(get(OB), get(CV), add, get(ACCV), v128Store(0));
  emit(get(CV), i32c(16), add, set(CV), br(0), end, end);
  emit(get(H), i32c(1), add, set(H), br(0), end, end);
  emit(get(I), i32c(1), add, set(I), br(0), end, end);
  return { name: 'aggregate', params: locals(8, I32), locals: [...locals(9, I32), V128], body: code };
}

function moduleBytes(): Uint8Array {
  return assembleModule(
    [gemmFunction(), biasEluFunction(), expFunction(), aggregateFunction(), eluBackwardFunction()], 'own',
  );
}

interface Kernel {
  readonly memory: WasmMemory;
  readonly gemm: (a: number, b: number, c: number, n: number, k: number, m: number) => void;
  readonly biasElu: (ptr: number, bytes: number, bias: number, rowBytes: number) => void;
  readonly exp: (ptr: number, bytes: number) => void;
  readonly aggregate: (al: number, sr: number, sg: number, wh: number, out: number, n: number, h: number, c: number) => void;
  readonly eluBackward: (y: number, bytes: number, dy: number) => void;
  view: Float32Array;
  ints: Int32Array;
}

let kernel: Kernel | null | undefined;

/** The kernel of this thread, or null where WebAssembly SIMD is unavailable (then callers use plain JS). */
function getKernel(): Kernel | null {
  if (kernel !== undefined) return kernel;
  const module = tryCompileModule(moduleBytes());
  if (module === null) return (kernel = null);
  const exports = instantiate(module);
  const memory = exports.memory as WasmMemory;
  kernel = {
    memory, gemm: exports.gemm as Kernel['gemm'], biasElu: exports.biasElu as Kernel['biasElu'],
    exp: exports.exp as Kernel['exp'],
    aggregate: exports.aggregate as Kernel['aggregate'],
    eluBackward: exports.eluBackward as Kernel['eluBackward'],
    view: new Float32Array(memory.buffer),
    ints: new Int32Array(memory.buffer),
  };
  return kernel;
}

export function wasmGemmAvailable(): boolean {
  return getKernel() !== null;
}

/**
 * C[n×m] (+)= op(A)·op(B) in float32 through the SIMD kernel, where op(A) is A[n×k] or, when `transA`, the
 * transpose of A[k×n]; op(B) is B[k×m] or, when `transB`, the transpose of B[m×k]. Operands are copied into the
 * kernel's memory (transposed and zero-padded to multiples of 4 rows and 8 columns on the way), so callers need
 * no scratch. Returns false (and does nothing) when WebAssembly SIMD is unavailable.
 */
export function wasmGemm(
  a: Float32Array, transA: boolean, b: Float32Array, transB: boolean, c: Float32Array,
  n: number, k: number, m: number, accumulate: boolean,
): boolean {
  const kn = getKernel();
  if (!kn) return false;
  const n4 = (n + 3) & ~3, m8 = (m + 7) & ~7;
  const offA = 0, offB = n4 * k, offC = offB + k * m8;
  const v = reserve(kn, (offC + n4 * m8) * 4);
  if (!transA) v.set(a.subarray(0, n * k), offA);
  else for (let p = 0; p < k; p++) for (let i = 0; i < n; i++) v[offA + i * k + p] = a[p * n + i];
  v.fill(0, offA + n * k, offB);
  if (transB) {
    for (let j = 0; j < m; j++) for (let p = 0; p < k; p++) v[offB + p * m8 + j] = b[j * k + p];
    if (m8 > m) for (let p = 0; p < k; p++) v.fill(0, offB + p * m8 + m, offB + (p + 1) * m8);
  } else if (m8 === m) {
    v.set(b.subarray(0, k * m), offB);
  } else {
    for (let p = 0; p < k; p++) {
      v.set(b.subarray(p * m, (p + 1) * m), offB + p * m8);
      v.fill(0, offB + p * m8 + m, offB + (p + 1) * m8);
    }
  }
  kn.gemm(offA * 4, offB * 4, offC * 4, n4, k, m8);
  for (let i = 0; i < n; i++) {
    const src = offC + i * m8, dst = i * m;
    if (accumulate) for (let j = 0; j < m; j++) c[dst + j] += v[src + j];
    else c.set(v.subarray(src, src + m), dst);
  }
  return true;
}

/** The kernel's memory as float32, grown to at least `bytes`. */
function reserve(kn: Kernel, bytes: number): Float32Array {
  if (bytes > kn.memory.buffer.byteLength) {
    kn.memory.grow(Math.ceil((bytes - kn.memory.buffer.byteLength) / 65536));
    kn.view = new Float32Array(kn.memory.buffer);
    kn.ints = new Int32Array(kn.memory.buffer);
  }
  return kn.view;
}

/**
 * y[i, :] = ELU(y[i, :] + bias) in place for n rows of width m, through the SIMD kernel. When m is a multiple of 4
 * the kernel adds the bias; otherwise it is added while copying in. Returns false (and does nothing) when
 * WebAssembly SIMD is unavailable.
 */
export function wasmBiasElu(y: Float32Array, bias: Float32Array, n: number, m: number): boolean {
  const kn = getKernel();
  if (!kn) return false;
  const len = n * m, len4 = (len + 3) & ~3, inKernel = m % 4 === 0;
  const biasAt = len4, biasLen = inKernel ? m : 4;
  const v = reserve(kn, (len4 + biasLen) * 4);
  if (inKernel) {
    v.set(y.subarray(0, len));
    v.set(bias.subarray(0, m), biasAt);
  } else {
    for (let i = 0; i < n; i++) {
      const r = i * m;
      for (let j = 0; j < m; j++) v[r + j] = y[r + j] + bias[j];
    }
    v.fill(0, biasAt, biasAt + 4);
  }
  kn.biasElu(0, len4 * 4, biasAt * 4, biasLen * 4);
  y.set(v.subarray(0, len));
  return true;
}

/** x ← eˣ in place for the first `len` entries, |relative error| ≤ 1e-6 for x ∈ [−87, 88]. False without SIMD. */
export function wasmExp(x: Float32Array, len: number): boolean {
  const kn = getKernel();
  if (!kn) return false;
  const len4 = (len + 3) & ~3;
  const v = reserve(kn, len4 * 4);
  v.set(x.subarray(0, len));
  kn.exp(0, len4 * 4);
  x.set(v.subarray(0, len));
  return true;
}

/**
 * The attention-weighted aggregation of attention.ts (`aggregate`) on the SIMD kernel, for float32 with a channel
 * count that is a multiple of 4. False (nothing done) otherwise or without WebAssembly SIMD.
 */
export function wasmAggregate(
  alpha: Float32Array, src: Int32Array, segStart: Int32Array, nNodes: number, wh: Float32Array, heads: number,
  ch: number, out: Float32Array,
): boolean {
  if (ch % 4 !== 0) return false;
  const kn = getKernel();
  if (!kn) return false;
  const nE = segStart[nNodes], hc = heads * ch;
  const offAl = 0, offSr = offAl + nE * heads, offSg = offSr + nE, offWh = (offSg + nNodes + 1 + 3) & ~3;
  const offOut = offWh + nNodes * hc;
  const v = reserve(kn, (offOut + nNodes * hc) * 4);
  v.set(alpha.subarray(0, nE * heads), offAl);
  kn.ints.set(src.subarray(0, nE), offSr);
  kn.ints.set(segStart.subarray(0, nNodes + 1), offSg);
  v.set(wh.subarray(0, nNodes * hc), offWh);
  kn.aggregate(offAl * 4, offSr * 4, offSg * 4, offWh * 4, offOut * 4, nNodes, heads, ch);
  out.set(v.subarray(offOut, offOut + nNodes * hc));
  return true;
}

/** dx = dy · ELU′(from the output y), branch-free on the SIMD kernel. False (nothing done) without WebAssembly SIMD. */
export function wasmEluBackward(y: Float32Array, dy: Float32Array, dx: Float32Array, len: number): boolean {
  const kn = getKernel();
  if (!kn) return false;
  const len4 = (len + 3) & ~3;
  const v = reserve(kn, 2 * len4 * 4);
  v.set(y.subarray(0, len), 0);
  v.set(dy.subarray(0, len), len4);
  kn.eluBackward(0, len4 * 4, len4 * 4);
  dx.set(v.subarray(len4, len4 + len));
  return true;
}
