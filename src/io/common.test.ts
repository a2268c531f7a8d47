import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { PositionSlabs } from './common.ts';

test('PositionSlabs: each frame gets its own zeroed numbers, whether many frames share a slab or one frame exceeds it', () => {
  for (const length of [3 * 416, 3 * 20000]) {
    const slabs = new PositionSlabs(length);
    const kept: Float64Array[] = [];
    for (let f = 0; f < 60; f++) {
      const a = slabs.next();
      assert.equal(a.length, length);
      assert.ok(a.every((v) => v === 0), 'a fresh array is zeros');
      a.fill(f + 1);
      kept.push(a);
    }
    // writing a later frame never changed an earlier one
    kept.forEach((a, f) => assert.ok(a.every((v) => v === f + 1), `frame ${f} of ${length / 3} atoms kept its numbers`));
  }
});
