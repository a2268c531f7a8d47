import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { encodeNpy } from './npy.ts';
import { npyFileInfo, readFloat32Rows, readFloat32RowsAt } from './npy-file.ts';

test('readFloat32RowsAt returns the rows asked for, in the order asked, for dense, sparse and repeated rows', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'getsei-npy-'));
  try {
    // wide enough that 4 MiB covers fewer rows than the file holds, so several block reads are needed
    const n = 3000, width = 700;
    const data = Float32Array.from({ length: n * width }, (_, i) => i * 0.5);
    const path = join(dir, 'x.npy');
    writeFileSync(path, encodeNpy(data, [n, width]));
    const info = await npyFileInfo(path);
    for (const rows of [[2999, 0, 5, 5, 1500, 1], Array.from({ length: 1000 }, (_, k) => (k * 7919) % n), [42]]) {
      const got = await readFloat32RowsAt(path, rows, width, info.dataOffset);
      const want = new Float32Array(rows.length * width);
      rows.forEach((r, k) => want.set(data.subarray(r * width, (r + 1) * width), k * width));
      assert.deepEqual(got, want);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('readFloat32Rows reads into the front of a buffer long enough, and into a new array otherwise', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'getsei-npy-'));
  try {
    const n = 50, width = 3;
    const data = Float32Array.from({ length: n * width }, (_, i) => i + 0.25);
    const path = join(dir, 'x.npy');
    writeFileSync(path, encodeNpy(data, [n, width]));
    const info = await npyFileInfo(path);
    const buffer = new Float32Array(10 * width).fill(-1);
    const a = await readFloat32Rows(path, 7, 4, width, info.dataOffset, buffer);
    assert.equal(a.buffer, buffer.buffer);
    assert.deepEqual(a, data.subarray(7 * width, 11 * width));
    assert.equal(buffer[4 * width], -1); // the rest untouched
    const b = await readFloat32Rows(path, 30, 20, width, info.dataOffset, buffer);
    assert.notEqual(b.buffer, buffer.buffer);
    assert.deepEqual(b, data.subarray(30 * width, 50 * width));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
