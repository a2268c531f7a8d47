import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { NearestToMeans, StateDescriptorAccumulator } from './descriptors.ts';

test('descriptor means, stds and populations by hand', () => {
  const acc = new StateDescriptorAccumulator(2, ['count_S', 'mean_distance'], 4);
  acc.add(0, [4, 2.5], 2, 0.25);
  acc.add(0, [2, 2.7], 4, 1.75); // z wraps to 0.75
  acc.add(1, [0, 3.0], 8, 0.5);
  acc.add(-1, [99, 99], 99, 0.5); // undefined state: ignored
  const [s0, s1] = acc.result();
  assert.equal(s0.samples, 2);
  assert.ok(Math.abs(s0.population - 2 / 3) < 1e-12);
  assert.equal(s0.mean.count_S, 3);
  assert.equal(s0.std.count_S, 1);
  assert.ok(Math.abs(s0.mean.z_fraction - 0.5) < 1e-12);
  const vol = (4 / 3) * Math.PI * 64;
  assert.ok(Math.abs(s0.mean.li_density - 3 / vol) < 1e-12);
  assert.ok(Math.abs(s1.mean.li_density - 8 / vol) < 1e-12);
});

test('nearest samples to each mean, k per state, ties by index', () => {
  const near = new NearestToMeans(Float64Array.from([0, 0, 10, 10]), 2, 2);
  const rows = [[1, 0], [0, 0.5], [3, 3], [10, 9], [0, -0.5]];
  rows.forEach((r, i) => near.add(i, r, 0, i === 3 ? 1 : 0));
  const [a, b] = near.result();
  assert.deepEqual(a.map((e) => e.index), [1, 4]);
  assert.deepEqual(b.map((e) => e.index), [3]);
  assert.equal(b[0].distance, 1);
});
