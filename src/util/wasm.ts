/**
 * A minimal WebAssembly assembler, shared by the generated SIMD kernels (the f64x2 kernels of the Gaussian mixture
 * and t-SNE in src/states, the f32x4 kernels of the GAT encoder in src/tensor). Emitting the bytes at run time needs
 * no toolchain (no AssemblyScript, no wat2wasm, no build step) and keeps no binary blob in the repository, and it
 * lets a kernel be specialised on a dimension so that strides become immediate offsets.
 *
 * Encoding: WebAssembly Core Specification 2.0, chapter 5 "Binary Format"
 * (https://webassembly.github.io/spec/core/binary/): integers as LEB128 (§5.2.2), instructions (§5.4, the
 * fixed-width vector instructions as the prefix byte 0xFD and an unsigned LEB128 opcode), modules as a header and
 * numbered sections (§5.5). Only what the kernels use is here.
 */
import { GetseiError } from './errors.ts';

export type Bytes = number[];

/** Unsigned LEB128 of a 32-bit value. */
export function uleb(value: number): Bytes {
  const out: Bytes = [];
  let v = value >>> 0;
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
  return out;
}

/** Signed LEB128 of a 32-bit value. */
export function sleb(value: number): Bytes {
  const out: Bytes = [];
  let v = value | 0;
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

/** A name: its UTF-8 length, then the bytes. */
function utf8(s: string): Bytes {
  const b = Array.from(new TextEncoder().encode(s));
  return [...uleb(b.length), ...b];
}

/** Value types. */
export const I32 = 0x7f;
export const F64 = 0x7c;
export const V128 = 0x7b;

/** Memory argument: log2 alignment hint, then the immediate byte offset. */
const mem = (align: number, offset: number): Bytes => [align, ...uleb(offset)];
const simd = (code: number): Bytes => [0xfd, ...uleb(code)];
/** v128.const of 16 bytes */
const v128Const = (bytes: Uint8Array): Bytes => [...simd(0x0c), ...bytes];

/**
 * Instructions, each as its bytes (the operands come from the value stack). The alignment of a v128 load or store
 * is only a hint (it never changes a result); it defaults to 8 bytes, what rows of float64 at any column guarantee.
 */
export const op = {
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  end: [0x0b],
  br: (depth: number): Bytes => [0x0c, ...uleb(depth)],
  brIf: (depth: number): Bytes => [0x0d, ...uleb(depth)],
  select: [0x1b],
  get: (local: number): Bytes => [0x20, ...uleb(local)],
  set: (local: number): Bytes => [0x21, ...uleb(local)],
  tee: (local: number): Bytes => [0x22, ...uleb(local)],
  i32: (v: number): Bytes => [0x41, ...sleb(v)],
  i32Eqz: [0x45],
  i32Ne: [0x47],
  i32LtS: [0x48],
  i32GeS: [0x4e],
  i32GeU: [0x4f],
  i32Add: [0x6a],
  i32Sub: [0x6b],
  i32Mul: [0x6c],
  i32Shl: [0x74],
  i32Load: (offset: number): Bytes => [0x28, ...mem(2, offset)],
  i32Store: (offset: number): Bytes => [0x36, ...mem(2, offset)],
  f32Load: (offset: number): Bytes => [0x2a, ...mem(2, offset)],
  f64Const: (v: number): Bytes => [0x44, ...new Uint8Array(Float64Array.of(v).buffer)],
  f64Load: (offset: number): Bytes => [0x2b, ...mem(3, offset)],
  f64Store: (offset: number): Bytes => [0x39, ...mem(3, offset)],
  f64Lt: [0x63],
  f64Add: [0xa0],
  f64Sub: [0xa1],
  f64Mul: [0xa2],
  f64Sqrt: [0x9f],
  f64PromoteF32: [0xbb],
  v128Load: (offset: number, alignLog2 = 3): Bytes => [...simd(0x00), ...mem(alignLog2, offset)],
  v128Store: (offset: number, alignLog2 = 3): Bytes => [...simd(0x0b), ...mem(alignLog2, offset)],
  /** load one f64 and copy it to both lanes */
  v128Load64Splat: (offset: number): Bytes => [...simd(0x0a), ...mem(3, offset)],
  /** load 8 bytes into the low half, zero the high half */
  v128Load64Zero: (offset: number): Bytes => [...simd(0x5d), ...mem(3, offset)],
  v128Zero: v128Const(new Uint8Array(16)),
  /** v128.const of four equal float32 lanes */
  f32x4Const: (v: number): Bytes => v128Const(new Uint8Array(Float32Array.of(v, v, v, v).buffer)),
  /** v128.const of four equal int32 lanes */
  i32x4Const: (v: number): Bytes => v128Const(new Uint8Array(Int32Array.of(v, v, v, v).buffer)),
  /** per bit: first operand where the mask (third) is 1, second where it is 0 */
  v128Bitselect: simd(0x52),
  f32x4Splat: simd(0x13),
  f32x4Gt: simd(0x44),
  f32x4Nearest: simd(0x6a),
  f32x4Add: simd(0xe4),
  f32x4Sub: simd(0xe5),
  f32x4Mul: simd(0xe6),
  f32x4Min: simd(0xe8),
  f32x4Max: simd(0xe9),
  i32x4Shl: simd(0xab),
  i32x4Add: simd(0xae),
  i32x4TruncSatF32x4S: simd(0xf8),
  /** v128.const of two equal float64 lanes */
  f64x2Const: (v: number): Bytes => v128Const(new Uint8Array(Float64Array.of(v, v).buffer)),
  f64x2Splat: simd(0x14),
  f64x2ExtractLane: (lane: number): Bytes => [...simd(0x21), lane],
  /** lane masks: all ones where the comparison holds */
  f64x2Lt: simd(0x49),
  f64x2Gt: simd(0x4a),
  f64x2Abs: simd(0xec),
  f64x2Add: simd(0xf0),
  f64x2Sub: simd(0xf1),
  f64x2Mul: simd(0xf2),
  f64x2Div: simd(0xf3),
  f64x2Max: simd(0xf5),
  f64x2Sqrt: simd(0xef),
  f64x2PromoteLowF32x4: simd(0x5f),
};

export interface FunctionSpec {
  name: string;
  params: number[];
  /** result types; none when absent (the kernels write to memory) */
  results?: number[];
  /** extra locals by type, declared after the parameters in this order */
  locals: number[];
  /** the instructions, without the final `end` */
  body: Bytes;
}

/**
 * Assemble a module exporting the given functions under their names, with one memory of at least one
 * 64 KiB page: `'imported'` takes it as env.memory (several modules on one memory, see `instantiate`), `'own'`
 * defines it in the module and exports it as "memory".
 */
export function assembleModule(functions: readonly FunctionSpec[], memory: 'imported' | 'own' = 'imported'): Uint8Array {
  const section = (id: number, content: Bytes): Bytes => [id, ...uleb(content.length), ...content];
  const vec = (items: Bytes[]): Bytes => [...uleb(items.length), ...items.flat()];
  const limits = [0x00, 1]; // minimum one page, no maximum
  const types = vec(functions.map((f) => [0x60, ...vec(f.params.map((t) => [t])), ...vec((f.results ?? []).map((t) => [t]))]));
  const funcs = vec(functions.map((_, i) => uleb(i)));
  const exported = functions.map((f, i) => [...utf8(f.name), 0x00, ...uleb(i)]);
  if (memory === 'own') exported.push([...utf8('memory'), 0x02, 0x00]);
  const code = vec(functions.map((f) => {
    // run-length encode the locals by type
    const groups: Bytes[] = [];
    for (let i = 0; i < f.locals.length;) {
      let j = i;
      while (j < f.locals.length && f.locals[j] === f.locals[i]) j++;
      groups.push([...uleb(j - i), f.locals[i]]);
      i = j;
    }
    const body = [...vec(groups), ...f.body, ...op.end];
    return [...uleb(body.length), ...body];
  }));
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, types),
    ...(memory === 'imported' ? section(2, vec([[...utf8('env'), ...utf8('memory'), 0x02, ...limits]])) : []),
    ...section(3, funcs),
    ...(memory === 'own' ? section(5, vec([limits])) : []),
    ...section(7, vec(exported)),
    ...section(10, code),
  ]);
}

/**
 * `while (ptr !== end) { body; ptr += step }` for an i32 pointer local, as a block/loop pair (exits once
 * ptr ≥ end, unsigned). The body must not branch out of it.
 */
export function loopUntil(ptr: number, end: number, step: number, body: Bytes): Bytes {
  return [
    ...op.block, ...op.loop,
    ...op.get(ptr), ...op.get(end), ...op.i32GeU, ...op.brIf(1),
    ...body,
    ...op.get(ptr), ...op.i32(step), ...op.i32Add, ...op.set(ptr),
    ...op.br(0),
    ...op.end, ...op.end,
  ];
}

/** The part of the WebAssembly JS API used here (the project's TypeScript lib settings do not declare it). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  /** grow by `pages` 64 KiB pages (detaches views of the old buffer) */
  grow(pages: number): number;
}
/** A compiled module (opaque). */
export type WasmModule = object;
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => { readonly exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number }) => WasmMemory;
}
/** The engine's WebAssembly namespace, looked up at each use (absent under `node --jitless`). */
const wasmApi = (): WasmApi | undefined => (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
const NO_WASM = 'this JavaScript engine cannot run the generated WebAssembly SIMD kernels: run getsei on Node.js >= 20.19 ' +
  '(without --jitless)';

/** The WebAssembly namespace, or a GetseiError where there is none. */
function requireWasm(): WasmApi {
  const api = wasmApi();
  if (!api) throw new GetseiError(NO_WASM);
  return api;
}

/** The module of `bytes`, or null where the engine has no WebAssembly or rejects them (an engine without SIMD). */
export function tryCompileModule(bytes: Uint8Array): WasmModule | null {
  const api = wasmApi();
  if (!api || !api.validate(bytes)) return null;
  return new api.Module(bytes);
}

/** The module of `bytes`; a GetseiError where the engine cannot run it. */
export function compileModule(bytes: Uint8Array): WasmModule {
  const module = tryCompileModule(bytes);
  if (module === null) throw new GetseiError(NO_WASM);
  return module;
}

/**
 * An instance's exports. With `memory` the module must import it as env.memory (assembled `'imported'`), so that
 * several kernels work on one buffer the caller laid out; without, it must bring its own (`'own'`, exported as
 * "memory").
 */
export function instantiate(module: WasmModule, memory?: WasmMemory): Record<string, unknown> {
  return new (requireWasm().Instance)(module, memory === undefined ? {} : { env: { memory } }).exports;
}

/** A fresh memory of `pages` 64 KiB pages (zero-filled). */
export function createMemory(pages: number): WasmMemory {
  return new (requireWasm().Memory)({ initial: pages });
}
