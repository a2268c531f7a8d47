import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { encodeNpy } from './npy.ts';
import { npyFileInfo, readFloat32RowsAt } from './npy-file.ts';

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
