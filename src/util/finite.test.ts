import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeJsonAtomic } from './atomic.ts';
import { boundOrNull, findNonFinite, NonFiniteOutputError } from './finite.ts';
import { NpyFileWriter } from './npy-file.ts';

test('findNonFinite names the first NaN / ±Infinity by its field path, in objects, arrays and typed arrays', () => {
  assert.equal(findNonFinite({ a: 1, b: [0, null, 'x'], c: { d: -0 } }), undefined);
  assert.deepEqual(findNonFinite({ lagFrames: 5, impliedTimescales: [3, Number.NaN] }), { field: 'impliedTimescales[1]', value: Number.NaN });
  assert.deepEqual(findNonFinite({ pcca: { memberships: [[1, 0], [0, Infinity]] } }), { field: 'pcca.memberships[1][1]', value: Infinity });
  assert.deepEqual(findNonFinite({ rows: Float64Array.of(1, -Infinity) }), { field: 'rows[1]', value: -Infinity });
  assert.deepEqual(findNonFinite(Number.NaN), { field: '(the value)', value: Number.NaN });
  assert.equal(findNonFinite({ when: new Date(0) }), undefined);
  assert.equal(boundOrNull(Infinity), null);
  assert.equal(boundOrNull(2.5), 2.5);
});

test('writeJsonAtomic refuses a NaN with an error naming the file and field, and writes nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'getsei-finite-'));
  try {
    const file = join(dir, 'kinetics.json');
    await assert.rejects(writeJsonAtomic(file, { rates: { escape: [0.1, 0 / 0] } }), (e: unknown) => {
      assert.ok(e instanceof NonFiniteOutputError && e.exitCode === 2);
      assert.match(e.message, new RegExp(`^${file}: rates\\.escape\\[1\\] is NaN, not a finite number; getsei writes no NaN or Infinity into its outputs\\.`));
      return true;
    });
    assert.ok(!existsSync(file));
    assert.deepEqual(readdirSync(dir), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('NpyFileWriter refuses a non-finite float row, naming the file, row and column; no file left', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'getsei-finite-'));
  try {
    const file = join(dir, 'embeddings.npy');
    const w = await NpyFileWriter.create(file, new Float32Array(0), [4, 3]);
    await w.append(new Float32Array([1, 2, 3, 4, 5, 6]));
    await assert.rejects(w.append(new Float32Array([7, 8, 9, 1, Infinity, 2])), (e: unknown) =>
      e instanceof NonFiniteOutputError && e.message.startsWith(`${file}: row 3, column 1 is Infinity, not a finite number`));
    assert.deepEqual(readdirSync(dir), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
