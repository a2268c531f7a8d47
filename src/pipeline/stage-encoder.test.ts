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
