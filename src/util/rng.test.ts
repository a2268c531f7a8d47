import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { createRng, sampleIndices } from './rng.ts';

test('the same seed gives the same stream; different seeds differ', () => {
  const a = createRng(42), b = createRng(42), c = createRng(43);
  const xa = Array.from({ length: 5 }, () => a.next());
  const xb = Array.from({ length: 5 }, () => b.next());
  const xc = Array.from({ length: 5 }, () => c.next());
  assert.deepEqual(xa, xb);
  assert.notDeepEqual(xa, xc);
});

test('uniform and normal draws have the right moments', () => {
  const r = createRng(7);
  const n = 200000;
  let su = 0, sn = 0, sn2 = 0;
  for (let i = 0; i < n; i++) {
    const u = r.next();
    assert.ok(u >= 0 && u < 1);
    su += u;
    const z = r.normal();
    sn += z;
    sn2 += z * z;
  }
  assert.ok(Math.abs(su / n - 0.5) < 0.005);
  assert.ok(Math.abs(sn / n) < 0.01);
  assert.ok(Math.abs(sn2 / n - 1) < 0.02);
});

test('sampleIndices draws distinct sorted indices', () => {
  const idx = sampleIndices(createRng(1), 100, 20);
  assert.equal(idx.length, 20);
  assert.equal(new Set(idx).size, 20);
  for (let i = 1; i < idx.length; i++) assert.ok(idx[i] > idx[i - 1]);
  assert.equal(sampleIndices(createRng(1), 5, 10).length, 5);
});
