import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from './config.ts';
import { countsToFit } from './stage-states.ts';
import { stabilityLi } from './stability.ts';

test('countsToFit: a fixed count fits only itself unless the whole score table is asked for; auto fits the range', () => {
  const states = (s: object) => parseConfig({ states: s }).states;
  assert.deepEqual(countsToFit(states({ count: 6 })), { range: [6, 6], counts: [6] });
  assert.deepEqual(countsToFit(states({ count: 6, scoreAllCounts: true, minCount: 2, maxCount: 4 })), { range: [2, 4], counts: [2, 3, 4, 6] });
  assert.deepEqual(countsToFit(states({ count: 'auto', minCount: 3, maxCount: 5 })), { range: [3, 5], counts: [3, 4, 5] });
});

test('stabilityLi: all Li when the sample does not bind, else a seeded ascending sample', () => {
  assert.deepEqual(Array.from(stabilityLi(4, 0, 0)), [0, 1, 2, 3]);
  assert.deepEqual(Array.from(stabilityLi(4, 64, 0)), [0, 1, 2, 3]);
  const s = stabilityLi(192, 64, 0);
  assert.equal(s.length, 64);
  for (let k = 1; k < s.length; k++) assert.ok(s[k] > s[k - 1] && s[k] < 192);
  assert.deepEqual(s, stabilityLi(192, 64, 0));
});
