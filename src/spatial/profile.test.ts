import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { stateProfileAlongZ } from './profile.ts';

test('populations by slab: hand-counted case with wrapping and undefined states', () => {
  // 6 samples: state 0 at z 0.1, 0.2, 1.1 (wraps to 0.1); state 1 at 0.6, -0.3 (wraps to 0.7); one undefined
  const states = Int16Array.from([0, 0, 0, 1, 1, -1]);
  const z = Float32Array.from([0.1, 0.2, 1.1, 0.6, -0.3, 0.5]);
  const p = stateProfileAlongZ(states, z, 2, 2);
  assert.deepEqual(Array.from(p.counts), [3, 2]);
  assert.deepEqual(Array.from(p.fractions[0]), [1, 0]);
  assert.deepEqual(Array.from(p.fractions[1]), [0, 1]);
  assert.deepEqual(Array.from(p.density[0]), [1, 0]);
  assert.deepEqual(Array.from(p.zCentres), [0.25, 0.75]);
});

test('mixed slab fractions sum to one; a state out of range is an error', () => {
  const p = stateProfileAlongZ(Int16Array.from([0, 1, 1, 2]), Float32Array.from([0.1, 0.15, 0.2, 0.9]), 3, 4);
  assert.ok(Math.abs(p.fractions[0][0] + p.fractions[1][0] + p.fractions[2][0] - 1) < 1e-12);
  assert.ok(Math.abs(p.fractions[1][0] - 2 / 3) < 1e-12);
  assert.throws(() => stateProfileAlongZ(Int16Array.from([5]), Float32Array.from([0.1]), 3, 2), /outside/);
});
