import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DEBIAN_PYTHON, pythonHas } from '../../test/helpers.ts';
import { decodeNpy, encodeNpy } from './npy.ts';

test('npy round-trips int16 and float32 arrays with their shape', () => {
  const a = Int16Array.from([1, -1, 3, 4, 5, 6]);
  const d = decodeNpy(encodeNpy(a, [2, 3]));
  assert.deepEqual(d.shape, [2, 3]);
  assert.equal(d.descr, '<i2');
  assert.deepEqual(Array.from(d.data as Int16Array), [1, -1, 3, 4, 5, 6]);
  const f = Float32Array.from([0.5, 1.25]);
  const e = decodeNpy(encodeNpy(f, [2]));
  assert.deepEqual(e.shape, [2]);
  assert.deepEqual(Array.from(e.data as Float32Array), [0.5, 1.25]);
});

test('npy header is 64-byte aligned as numpy requires', () => {
  const bytes = encodeNpy(new Float64Array(7), [7]);
  const headerLen = bytes[8] + 256 * bytes[9];
  assert.equal((10 + headerLen) % 64, 0);
});

test('npy rejects a truncated file and a wrong shape', () => {
  const bytes = encodeNpy(new Int32Array(10), [10]);
  assert.throws(() => decodeNpy(bytes.subarray(0, bytes.length - 4)), /truncated/);
  assert.throws(() => encodeNpy(new Int32Array(10), [3, 3]), /does not match/);
  assert.throws(() => decodeNpy(new Uint8Array(20)), /not a .npy/);
});

test('numpy reads what getsei writes and getsei reads what numpy writes', (t) => {
  try {
    execFileSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' });
  } catch {
    t.diagnostic('numpy is not installed here; the cross-check with Python ran only the TypeScript side');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'getsei-npy-'));
  writeFileSync(join(dir, 'a.npy'), encodeNpy(Int16Array.from([1, 2, 3, -1, 5, 6]), [3, 2]));
  const out = execFileSync('python3', ['-c', `
import numpy as np
a = np.load('${dir}/a.npy')
print(a.shape, a.dtype, a.sum())
np.save('${dir}/b.npy', np.arange(12, dtype=np.float64).reshape(3, 4))
`]).toString().trim();
  assert.equal(out, '(3, 2) int16 16');
  const b = decodeNpy(readFileSync(join(dir, 'b.npy')));
  assert.deepEqual(b.shape, [3, 4]);
  assert.equal((b.data as Float64Array)[11], 11);
});

test('a .npy file written in pieces equals the array written at once, and reads back by rows', async () => {
  const { NpyFileWriter, npyFileInfo, readFloat32Rows } = await import('./npy-file.ts');
  const dir = mkdtempSync(join(tmpdir(), 'getsei-npy-'));
  const all = Float32Array.from({ length: 24 }, (_, i) => i * 0.5);
  const w = await NpyFileWriter.create(join(dir, 'p.npy'), all, [6, 4]);
  await w.append(all.subarray(0, 8));
  await w.append(all.subarray(8));
  await w.finish();
  assert.deepEqual(readFileSync(join(dir, 'p.npy')), Buffer.from(encodeNpy(all, [6, 4])));
  const info = await npyFileInfo(join(dir, 'p.npy'));
  assert.deepEqual(info.shape, [6, 4]);
  assert.equal(info.descr, '<f4');
  assert.deepEqual(Array.from(await readFloat32Rows(join(dir, 'p.npy'), 2, 2, 4, info.dataOffset)), Array.from(all.subarray(8, 16)));
  const short = await NpyFileWriter.create(join(dir, 'q.npy'), all, [6, 4]);
  await short.append(all.subarray(0, 4));
  await assert.rejects(short.finish(), /wrote 4 of 24/);
  assert.throws(() => readFileSync(join(dir, 'q.npy')));
});

/** A .npy file by hand: header dict as numpy writes it, then the given bytes. */
function handNpy(descr: string, fortran: boolean, shape: string, data: Uint8Array): Uint8Array {
  let header = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': ${shape}, }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const out = new Uint8Array(10 + header.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(data, 10 + header.length);
  return out;
}

test('hand-built .npy: big-endian int16 in Fortran order decodes to the C-order array', () => {
  // the 2×3 array [[1, 2, 3], [4, 5, -1]] stored column by column: 1 4 2 5 3 -1, each as 2 big-endian bytes
  const bytes = new Uint8Array([0, 1, 0, 4, 0, 2, 0, 5, 0, 3, 0xff, 0xff]);
  const d = decodeNpy(handNpy('>i2', true, '(2, 3)', bytes));
  assert.deepEqual(d.shape, [2, 3]);
  assert.ok(d.data instanceof Int16Array);
  assert.deepEqual(Array.from(d.data as Int16Array), [1, 2, 3, 4, 5, -1]);
  // rank 3 in Fortran order: element (i, j, k) at offset i + 2j + 4k
  const f = new Uint8Array(8).map((_, o) => o);
  const r3 = decodeNpy(handNpy('|u1', true, '(2, 2, 2)', f));
  assert.deepEqual(Array.from(r3.data as Uint8Array), [0, 4, 2, 6, 1, 5, 3, 7]);
  assert.throws(() => decodeNpy(handNpy('<c16', false, '(1,)', new Uint8Array(16))), /unsupported \.npy dtype <c16/);
});

test('numpy-written arrays in every integer dtype, both byte orders, C and Fortran order decode to what numpy holds', (t) => {
  if (!pythonHas(['numpy'])) return t.diagnostic(`numpy is not installed under ${DEBIAN_PYTHON}; cross-check not run`);
  const dir = mkdtempSync(join(tmpdir(), 'getsei-npy-orders-'));
  const names = execFileSync(DEBIAN_PYTHON, ['-c', `
import json, sys, numpy as np
d = sys.argv[1]
rng = np.random.default_rng(3)
base = rng.integers(-1, 100, (7, 5, 3))
names = []
for kind in ['i1', 'i2', 'i4', 'i8', 'u1', 'u2', 'u4', 'u8', 'f4', 'f8']:
    for order in '<>':
        a = np.abs(base) if kind[0] == 'u' else base
        a = a.astype(np.dtype(order + kind))
        for name, arr in [('c2', a[:, :, 0]), ('f2', a[:, :, 0].T), ('f3', np.asfortranarray(a)), ('c1', a[:, 0, 0])]:
            n = f'{kind}{"le" if order == "<" else "be"}-{name}'
            np.save(f'{d}/{n}.npy', arr)
            json.dump(dict(shape=list(arr.shape), values=np.ascontiguousarray(arr).ravel().tolist()), open(f'{d}/{n}.json', 'w'))
            names.append(n)
print(json.dumps(names))
`, dir]).toString();
  for (const n of JSON.parse(names) as string[]) {
    const ref = JSON.parse(readFileSync(join(dir, `${n}.json`), 'utf8')) as { shape: number[]; values: number[] };
    const d = decodeNpy(readFileSync(join(dir, `${n}.npy`)));
    assert.deepEqual(d.shape, ref.shape, n);
    assert.deepEqual(Array.from(d.data as ArrayLike<number | bigint>, Number), ref.values, n);
  }
});
