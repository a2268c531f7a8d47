/**
 * A minimal WebAssembly assembler: just enough to emit the few SIMD (f64x2) kernels of the mixture model as
 * bytes at run time, specialised on the embedding dimension so that strides become immediate offsets. Writing
 * the kernels this way needs no toolchain (no AssemblyScript, no wat2wasm) and no binary blob in the repository.
 * Encoding: the WebAssembly core specification, binary format, with the fixed-width SIMD opcodes (prefix 0xfd).
 */

export type Bytes = number[];

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

function utf8(s: string): Bytes {
  const b = Array.from(new TextEncoder().encode(s));
  return [...uleb(b.length), ...b];
}

export const I32 = 0x7f;
export const F64 = 0x7c;
export const V128 = 0x7b;

/** Memory argument: log2 alignment hint, then the immediate byte offset. */
const mem = (align: number, offset: number): Bytes => [align, ...uleb(offset)];
const simd = (op: number): Bytes => [0xfd, ...uleb(op)];

/** Instructions, each as its bytes (the operands come from the value stack). */
export const op = {
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  end: [0x0b],
  br: (depth: number): Bytes => [0x0c, ...uleb(depth)],
  brIf: (depth: number): Bytes => [0x0d, ...uleb(depth)],
  get: (local: number): Bytes => [0x20, ...uleb(local)],
  set: (local: number): Bytes => [0x21, ...uleb(local)],
  tee: (local: number): Bytes => [0x22, ...uleb(local)],
  i32: (v: number): Bytes => [0x41, ...sleb(v)],
  i32Add: [0x6a],
  i32Mul: [0x6c],
  i32Ne: [0x47],
  i32GeU: [0x4f],
  f64Const: (v: number): Bytes => [0x44, ...new Uint8Array(Float64Array.of(v).buffer)],
  f64Load: (offset: number): Bytes => [0x2b, ...mem(3, offset)],
  f32Load: (offset: number): Bytes => [0x2a, ...mem(2, offset)],
  f64Store: (offset: number): Bytes => [0x39, ...mem(3, offset)],
  f64Add: [0xa0],
  f64Sub: [0xa1],
  f64Mul: [0xa2],
  f64Sqrt: [0x9f],
  f64PromoteF32: [0xbb],
  v128Load: (offset: number): Bytes => [...simd(0x00), ...mem(3, offset)],
  v128Store: (offset: number): Bytes => [...simd(0x0b), ...mem(3, offset)],
  /** load one f64 and copy it to both lanes */
  v128Load64Splat: (offset: number): Bytes => [...simd(0x0a), ...mem(3, offset)],
  /** load 8 bytes into the low half, zero the high half */
  v128Load64Zero: (offset: number): Bytes => [...simd(0x5d), ...mem(3, offset)],
  v128Zero: [...simd(0x0c), ...new Array<number>(16).fill(0)],
  f64x2Splat: simd(0x14),
  f64x2ExtractLane: (lane: number): Bytes => [...simd(0x21), lane],
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
  /** extra locals by type, declared after the parameters in this order */
  locals: number[];
  body: Bytes;
}

/** Assemble a module importing one memory as env.memory and exporting the given functions (no results). */
export function assembleModule(functions: readonly FunctionSpec[]): Uint8Array {
  const section = (id: number, content: Bytes): Bytes => [id, ...uleb(content.length), ...content];
  const vec = (items: Bytes[]): Bytes => [...uleb(items.length), ...items.flat()];
  const types = vec(functions.map((f) => [0x60, ...uleb(f.params.length), ...f.params, 0]));
  const imports = vec([[...utf8('env'), ...utf8('memory'), 0x02, 0x00, 1]]);
  const funcs = vec(functions.map((_, i) => uleb(i)));
  const exports = vec(functions.map((f, i) => [...utf8(f.name), 0x00, ...uleb(i)]));
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
    ...section(1, types), ...section(2, imports), ...section(3, funcs), ...section(7, exports), ...section(10, code),
  ]);
}

/**
 * `while (ptr !== end) { body; ptr += step }` for an i32 pointer local, as a block/loop pair. The body must not
 * branch out of it.
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
