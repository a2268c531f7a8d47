import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { createRng } from '../util/index.ts';
import { selectStateCount } from './select.ts';

function blobs(seed: number, k: number, perBlob: number, d: number, separation: number): Float32Array {
  const rng = createRng(seed);
  const X = new Float32Array(k * perBlob * d);
  for (let b = 0; b < k; b++) {
    for (let i = 0; i < perBlob; i++) {
      for (let a = 0; a < d; a++) X[(b * perBlob + i) * d + a] = (a === b ? separation : 0) + rng.normal();
    }
  }
  return X;
}

test('auto picks the planted count by silhouette and keeps the whole score table', () => {
  const X = blobs(1, 3, 120, 4, 9);
  const sel = selectStateCount(X, 360, 4, { range: [2, 5], restarts: 2, seed: 1, silhouetteSampleSize: 200 });
  assert.equal(sel.chosen, 3);
  assert.equal(sel.rule, 'silhouette');
  assert.deepEqual(sel.table.map((r) => r.count), [2, 3, 4, 5]);
  const best = Math.max(...sel.table.map((r) => r.silhouette as number));
  assert.equal(sel.table[1].silhouette, best);
  assert.equal(sel.model.components, 3);
  // BIC agrees here; every row carries its model and per-state silhouettes
  assert.equal(Math.min(...sel.table.map((r) => r.bic)), sel.table[1].bic);
  for (const r of sel.table) {
    assert.equal(r.model.components, r.count);
    assert.equal(r.silhouettePerState.length, r.count);
    assert.equal(r.bic, r.model.bic);
  }
  // reproducible
  const again = selectStateCount(X, 360, 4, { range: [2, 5], restarts: 2, seed: 1, silhouetteSampleSize: 200 });
  assert.deepEqual(again.table.map((r) => r.silhouette), sel.table.map((r) => r.silhouette));
});

test('a fixed count is kept even when another scores better, and added to the table if outside the range', () => {
  const X = blobs(2, 3, 80, 3, 9);
  const progress: [number, number, number][] = [];
  const sel = selectStateCount(X, 240, 3, { range: [2, 3], states: 5, restarts: 1, seed: 3, onCount: (d, t, c) => progress.push([d, t, c]) });
  assert.deepEqual(progress, [[1, 3, 2], [2, 3, 3], [3, 3, 5]], 'one progress call per count fitted');
  assert.equal(sel.chosen, 5);
  assert.equal(sel.rule, 'fixed');
  assert.deepEqual(sel.table.map((r) => r.count), [2, 3, 5]);
  assert.equal(sel.model.components, 5);
});

test('no cluster structure at all: a clear error instead of a meaningless choice', () => {
  const X = new Float32Array(60).fill(1.5); // 30 identical 2-D rows
  assert.throws(() => selectStateCount(X, 30, 2, { range: [2, 3], restarts: 1 }), /no state count in \[2, 3\] gives a defined silhouette/);
  assert.throws(() => selectStateCount(X, 30, 2, { range: [3, 2] }), /largest state count/);
  assert.throws(() => selectStateCount(X, 30, 2, { states: 0 }), /number of states/);
});
