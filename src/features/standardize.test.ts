import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { StandardizationAccumulator, standardizeInPlace } from './standardize.ts';

test('streaming statistics equal the two-pass mean and population std; constant columns get std 1', () => {
  const rows = [[1, 5, 2], [3, 5, 4], [8, 5, -1], [0, 5, 7]];
  const acc = new StandardizationAccumulator(3);
  acc.addRows(Float32Array.from(rows.slice(0, 2).flat()));
  acc.addRows(Float32Array.from(rows.slice(2).flat()));
  const s = acc.result();
  for (let c = 0; c < 3; c++) {
    const col = rows.map((r) => r[c]);
    const mean = col.reduce((a, b) => a + b, 0) / 4;
    const sd = Math.sqrt(col.reduce((a, b) => a + (b - mean) ** 2, 0) / 4);
    assert.ok(Math.abs(s.mean[c] - mean) < 1e-12);
    assert.ok(Math.abs(s.std[c] - (sd > 0 ? sd : 1)) < 1e-12);
  }
  const t = standardizeInPlace(Float32Array.from(rows.flat()), s);
  assert.equal(t[1], 0);
  assert.ok(Math.abs(t[0] - (1 - 3) / s.std[0]) < 1e-6);
});

test('selected rows only', () => {
  const acc = new StandardizationAccumulator(1);
  acc.addRows(Float32Array.from([100, 1, 3, 100]), Int32Array.from([1, 2]));
  assert.equal(acc.result().mean[0], 2);
  assert.throws(() => new StandardizationAccumulator(2).result(), /no rows/);
});
