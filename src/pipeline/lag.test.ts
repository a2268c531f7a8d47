import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { autoLagGrid, chooseLag, DEFAULT_LAG, lagSettingFrames, parseLagSetting } from './lag.ts';

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

test('one parser for every form of lag; a time must be a whole number of frames', () => {
  assert.equal(DEFAULT_LAG, 'auto');
  assert.equal(parseLagSetting('auto'), 'auto');
  assert.equal(parseLagSetting(' 800 '), 800);
  assert.equal(parseLagSetting('80 ps'), '80ps');
  assert.equal(lagSettingFrames('80ps', 0.1), 800);
  assert.equal(lagSettingFrames('0.08ns', 0.1), 800);
  assert.equal(lagSettingFrames('800fs', 0.1), 8);
  assert.equal(lagSettingFrames(12, null), 12);
  assert.equal(lagSettingFrames('auto', 0.1), undefined);
  assert.throws(() => lagSettingFrames('0.25ps', 0.1), /2\.5 frames .* give --lag 2 \(0\.2 ps\) or 3 \(0\.3 ps\)/);
  assert.throws(() => lagSettingFrames('10ps', null), /frame interval is unknown/);
  for (const bad of ['0', '-3', '1.5', 'ten', '3 min', '0ps']) assert.throws(() => parseLagSetting(bad), /--lag/);
});

test('the auto grid is geometric, unique and at most half the longest stretch', () => {
  const g = autoLagGrid(2000);
  assert.equal(g[0], 1);
  assert.equal(g.at(-1), 1000);
  assert.deepEqual(g, [...new Set(g)].sort((a, b) => a - b));
  assert.deepEqual(autoLagGrid(3), [1]);
});
