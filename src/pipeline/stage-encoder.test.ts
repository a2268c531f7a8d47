import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chunkGroups } from './stage-encoder.ts';

test('chunkGroups merges consecutive chunks until a group holds enough graphs, covering every frame once', () => {
  const chunks = [{ start: 0, count: 32 }, { start: 32, count: 32 }, { start: 64, count: 32 }, { start: 96, count: 4 }];
  // 10 Li: 320 graphs per full chunk; groups close once they reach 600 graphs
  assert.deepEqual(chunkGroups(chunks, 10, 600), [{ start: 0, count: 64 }, { start: 64, count: 36 }]);
  // a threshold below one chunk keeps the chunks as they are
  assert.deepEqual(chunkGroups(chunks, 10, 1), chunks);
  // a threshold above everything gives one group
  assert.deepEqual(chunkGroups(chunks, 10, 1e9), [{ start: 0, count: 100 }]);
  assert.deepEqual(chunkGroups([], 10, 600), []);
});

test('chunkGroups does not merge across a gap in the frame numbering', () => {
  assert.deepEqual(chunkGroups([{ start: 0, count: 4 }, { start: 8, count: 4 }], 1, 100), [{ start: 0, count: 4 }, { start: 8, count: 4 }]);
});

test('trainingGraphs: every graph while the cap does not bind, else a seeded ascending sample of exactly the cap', async () => {
  const { trainingGraphs } = await import('./stage-encoder.ts');
  const { createRng } = await import('../util/rng.ts');
  assert.deepEqual(Array.from(trainingGraphs(5, 0, createRng(1))), [0, 1, 2, 3, 4]);
  assert.deepEqual(Array.from(trainingGraphs(5, 5, createRng(1))), [0, 1, 2, 3, 4]);
  const a = trainingGraphs(1000, 100, createRng(1));
  assert.equal(a.length, 100);
  assert.equal(new Set(a).size, 100);
  for (let k = 1; k < a.length; k++) assert.ok(a[k] > a[k - 1]);
  assert.deepEqual(a, trainingGraphs(1000, 100, createRng(1)));
  assert.notDeepEqual(a, trainingGraphs(1000, 100, createRng(2)));
});
