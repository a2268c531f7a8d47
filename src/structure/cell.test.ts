import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { makeCell, perpendicularWidths, toCartesian, toFractional, wrapPositions, cellVolume } from './cell.ts';

test('a cubic cell has its edge as perpendicular width and a³ as volume', () => {
  const c = makeCell([10, 0, 0, 0, 10, 0, 0, 0, 10]);
  assert.deepEqual(perpendicularWidths(c).map((w) => +w.toFixed(12)), [10, 10, 10]);
  assert.equal(cellVolume(c), 1000);
});

test('a skewed cell: fractional and cartesian round-trip, widths are V/|b×c|', () => {
  const c = makeCell([5, 0, 0, 2, 4, 0, 1, 1, 3]);
  const x = Float64Array.from([1.1, -2.3, 7.7, 0, 0, 0]);
  const back = toCartesian(c, toFractional(c, x));
  for (let i = 0; i < x.length; i++) assert.ok(Math.abs(back[i] - x[i]) < 1e-12);
  const [wa, wb, wc] = perpendicularWidths(c);
  // c is the only vector with a z component, so the width along c is its z (3); b×c and c×a by hand:
  assert.ok(Math.abs(wc - 3) < 1e-12);
  assert.ok(Math.abs(wa - 60 / Math.hypot(12, -6, -2)) < 1e-12);
  assert.ok(Math.abs(wb - 60 / Math.hypot(0, -15, 5)) < 1e-12);
});

test('wrapping puts every fractional coordinate in [0, 1)', () => {
  const c = makeCell([5, 0, 0, 2, 4, 0, 1, 1, 3]);
  const w = toFractional(c, wrapPositions(c, Float64Array.from([-3, 12, 7.5, 100, -50, -0.1])));
  for (const f of w) assert.ok(f >= -1e-12 && f < 1 + 1e-12);
});

test('singular and non-finite cells are refused', () => {
  assert.throws(() => makeCell([1, 0, 0, 2, 0, 0, 0, 0, 1]), /singular/);
  assert.throws(() => makeCell([0, 0, 0, 0, 0, 0, 0, 0, 0]), /singular/);
  assert.throws(() => makeCell([1, 0, 0, 0, NaN, 0, 0, 0, 1]), /non-finite/);
});
