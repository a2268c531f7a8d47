import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
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
