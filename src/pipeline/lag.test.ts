import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { chooseLag } from './lag.ts';

test('takes the first lag where the slowest timescale levels off', () => {
  // t₁ grows 5 → 8 → 9.5 → 9.8 → 9.9: levels off (< 10 %) between lag 4 and 8
  const c = chooseLag([1, 2, 4, 8, 16], [1, 2, 4, 8, 16], [5, 8, 9.5, 9.8, 9.9]);
  assert.equal(c.lag, 4);
  assert.equal(c.rule, 'levelled-off');
});

test('a timescale shorter than its lag is not resolved and cannot be chosen', () => {
  // flat from lag 8 on, but t₁ = 7 < 8 there: never resolved; lag 4 → 8 change is 30 %
  const c = chooseLag([2, 4, 8, 16], [2, 4, 8, 16], [3, 5, 7, 7]);
  assert.equal(c.rule, 'largest-timescale');
  assert.equal(c.lag, 4);
});

test('nothing resolved: shortest lag with an explanation', () => {
  const c = chooseLag([1, 2], [0.1, 0.2], [0.05, NaN]);
  assert.equal(c.rule, 'shortest');
  assert.equal(c.lag, 1);
  assert.match(c.explanation, /give --lag/);
});
