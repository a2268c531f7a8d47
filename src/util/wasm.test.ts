import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { createRng } from './rng.ts';
import {
  F64, I32, V128, assembleModule, compileModule, createMemory, instantiate, loopUntil, op, sleb, tryCompileModule, uleb,
} from './wasm.ts';
import { GetseiError } from './errors.ts';

/** LEB128 decoders written from the definition (7 bits a byte, low first; the signed form sign-extends bit 6). */
function decodeUleb(bytes: number[]): number {
  let v = 0;
  bytes.forEach((b, i) => {
    assert.equal((b & 0x80) !== 0, i < bytes.length - 1, 'continuation bit on all bytes but the last');
    v += (b & 0x7f) * 2 ** (7 * i);
  });
  return v;
}
function decodeSleb(bytes: number[]): number {
  const v = decodeUleb(bytes);
  const bits = 7 * bytes.length;
  return (bytes[bytes.length - 1] & 0x40) !== 0 ? v - 2 ** bits : v;
}

test('LEB128 hand cases: one and several bytes, negative values, the 32-bit extremes', () => {
  assert.deepEqual(uleb(0), [0x00]);
  assert.deepEqual(uleb(127), [0x7f]);
  assert.deepEqual(uleb(128), [0x80, 0x01]);
  assert.deepEqual(uleb(624485), [0xe5, 0x8e, 0x26]); // 0x98765 = 0100110 0001110 1100101
  assert.deepEqual(uleb(2 ** 32 - 1), [0xff, 0xff, 0xff, 0xff, 0x0f]);
  assert.deepEqual(sleb(0), [0x00]);
  assert.deepEqual(sleb(63), [0x3f]);
  assert.deepEqual(sleb(64), [0xc0, 0x00]); // bit 6 set would read as negative, so one more byte
  assert.deepEqual(sleb(-1), [0x7f]);
  assert.deepEqual(sleb(-64), [0x40]);
  assert.deepEqual(sleb(-65), [0xbf, 0x7f]);
  assert.deepEqual(sleb(-123456), [0xc0, 0xbb, 0x78]);
  assert.deepEqual(sleb(2 ** 31 - 1), [0xff, 0xff, 0xff, 0xff, 0x07]);
  assert.deepEqual(sleb(-(2 ** 31)), [0x80, 0x80, 0x80, 0x80, 0x78]);
});

test('LEB128 round-trips through decoders from the definition, in the fewest bytes', () => {
  const rng = createRng(7);
  for (let t = 0; t < 2000; t++) {
    const u = rng.int(2 ** 31) * 2 + rng.int(2); // all of [0, 2³²)
    const s = u - 2 ** 31;
    const ub = uleb(u), sb = sleb(s);
    assert.equal(decodeUleb(ub), u);
    assert.equal(decodeSleb(sb), s);
    assert.equal(ub.length, Math.max(1, Math.ceil(Math.log2(u + 1) / 7)), `uleb(${u}) length`);
    // the shortest signed form: one byte fewer would not hold the value and its sign bit
    const fits = (n: number): boolean => s >= -(2 ** (7 * n - 1)) && s < 2 ** (7 * n - 1);
    assert.ok(fits(sb.length) && (sb.length === 1 || !fits(sb.length - 1)), `sleb(${s}) length ${sb.length}`);
  }
});

test('a module that adds two i32 (a function with a result) runs, wrapping at 2³¹', () => {
  const bytes = assembleModule([
    { name: 'add', params: [I32, I32], results: [I32], locals: [], body: [...op.get(0), ...op.get(1), ...op.i32Add] },
  ]);
  const { add } = instantiate(compileModule(bytes), createMemory(1)) as { add: (a: number, b: number) => number };
  assert.equal(add(2, 3), 5);
  assert.equal(add(-7, 3), -4);
  assert.equal(add(2 ** 31 - 1, 1), -(2 ** 31));
  // the memory is an import: without one the module does not instantiate
  assert.throws(() => instantiate(compileModule(bytes)));
});

test('f32x4 on a module with its own memory: lane-wise float32 sums and a splat constant', () => {
  // sum(a, b, out): out[0..4] = a[0..4] + b[0..4]; tenth(out): out[0..4] = 0.1f
  const bytes = assembleModule([
    {
      name: 'sum', params: [I32, I32, I32], locals: [],
      body: [...op.get(2), ...op.get(0), ...op.v128Load(0, 4), ...op.get(1), ...op.v128Load(0, 4), ...op.f32x4Add, ...op.v128Store(0, 4)],
    },
    { name: 'tenth', params: [I32], locals: [], body: [...op.get(0), ...op.f32x4Const(0.1), ...op.v128Store(0, 4)] },
  ], 'own');
  const exports = instantiate(compileModule(bytes)) as {
    sum: (a: number, b: number, out: number) => void; tenth: (out: number) => void; memory: { buffer: ArrayBuffer };
  };
  const f = new Float32Array(exports.memory.buffer);
  const a = [0.1, 1e8, -3.25, 16777216], b = [0.2, 1, 3.25, 1];
  f.set(a, 0);
  f.set(b, 4);
  exports.sum(0, 16, 32);
  assert.deepEqual(Array.from(f.subarray(8, 12)), a.map((x, i) => Math.fround(Math.fround(x) + Math.fround(b[i]))));
  assert.equal(f[10], 0);
  assert.equal(f[11], 16777216); // 2²⁴ + 1 rounds back to 2²⁴ in float32
  exports.tenth(48);
  assert.deepEqual(Array.from(f.subarray(12, 16)), [0.1, 0.1, 0.1, 0.1].map(Math.fround));
});

test('f64x2 in a loop over a shared (imported) memory, at offsets only 8-byte aligned', () => {
  // scale(ptr, end): x ← 2.5·x, two float64 at a time, with a local holding the splat factor
  const body = [
    ...op.f64Const(2.5), ...op.f64x2Splat, ...op.set(2),
    ...loopUntil(0, 1, 16, [...op.get(0), ...op.get(0), ...op.v128Load(0), ...op.get(2), ...op.f64x2Mul, ...op.v128Store(0)]),
  ];
  const module = compileModule(assembleModule([{ name: 'scale', params: [I32, I32], locals: [V128], body }]));
  const memory = createMemory(1);
  const first = instantiate(module, memory) as { scale: (ptr: number, end: number) => void };
  const second = instantiate(module, memory) as { scale: (ptr: number, end: number) => void };
  const x = new Float64Array(memory.buffer);
  const values = [1, -2, 0.1, 3e-300, 7, 11];
  x.set(values, 1);
  first.scale(8, 8 + 4 * 8); // the first two pairs
  second.scale(8 + 4 * 8, 8 + 6 * 8); // the last pair, through another instance on the same memory
  assert.equal(x[0], 0);
  assert.deepEqual(Array.from(x.subarray(1, 7)), values.map((v) => v * 2.5));
  assert.equal(x[7], 0);
});

test('mixed locals are declared in runs by type (i32, f64, v128, i32 again)', () => {
  // pick(a): locals 1 i32, 2 f64, 3 v128, 4 i32; returns a + 40 through local 4
  const bytes = assembleModule([{
    name: 'pick', params: [I32], results: [I32], locals: [I32, F64, V128, I32],
    body: [...op.get(0), ...op.i32(40), ...op.i32Add, ...op.set(4), ...op.get(4)],
  }]);
  const { pick } = instantiate(compileModule(bytes), createMemory(1)) as { pick: (a: number) => number };
  assert.equal(pick(2), 42);
});

test('bytes the engine rejects, or an engine without WebAssembly, give null or a GetseiError', () => {
  const garbage = Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x02, 0x00, 0x00, 0x00); // version 2: not a module
  assert.equal(tryCompileModule(garbage), null);
  assert.throws(() => compileModule(garbage), (e) => e instanceof GetseiError && /Node\.js >= 20\.19/.test(e.message));
  const valid = assembleModule([{ name: 'nop', params: [], locals: [], body: [] }]);
  const module = compileModule(valid);
  const g = globalThis as { WebAssembly?: unknown };
  const saved = g.WebAssembly;
  g.WebAssembly = undefined; // as under node --jitless
  try {
    assert.equal(tryCompileModule(valid), null);
    assert.throws(() => compileModule(valid), GetseiError);
    assert.throws(() => createMemory(1), GetseiError);
    assert.throws(() => instantiate(module), GetseiError);
  } finally {
    g.WebAssembly = saved;
  }
});
