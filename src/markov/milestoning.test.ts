import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { countTransitions, dwellCoreMask, milestoneTrajectories, posteriorCoreMask } from './index.ts';

test('milestoning on a hand-made trajectory: the last core state is kept through flicker, reset at undefined frames', () => {
  // dwell ≥ 3 frames makes cores of t0–2 (0), t6–9 (1), t11–13 (1), t15–17 (1); t3, t4–5 and t10 are flicker
  const row = [0, 0, 0, 1, 0, 0, 1, 1, 1, 1, 2, 1, 1, 1, -1, 1, 1, 1];
  const m = { states: Int16Array.from(row), nTrajectories: 1, nFrames: row.length };
  const mask = dwellCoreMask(m, 3);
  assert.deepEqual(Array.from(mask), [1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1]);
  const ms = milestoneTrajectories(m, mask);
  assert.deepEqual(Array.from(ms.states), [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, -1, 1, 1, 1]);
  assert.equal(ms.framesInCores, 13);
  assert.equal(ms.fractionInCores, 13 / 17);
  assert.equal(ms.framesBeforeFirstCore, 0);
  // the raw states count 6 transitions at lag 1, the milestoned ones a single 0 → 1
  const c = countTransitions({ states: ms.states, nTrajectories: 1, nFrames: row.length }, 1, { nStates: 3 }).counts;
  assert.deepEqual(Array.from(c), [5, 1, 0, 0, 9, 0, 0, 0, 0]);
});

test('milestoning: frames before the first core are undefined, and memory does not cross a segment boundary', () => {
  const rows = [[1, 0, 0, 0, 2, 2, 2, 0], [2, 2, 2, 0, 0, 1, 1, 1]];
  const m = { states: Int16Array.from(rows.flat()), nTrajectories: 2, nFrames: 8 };
  const segments = [0, 0, 0, 0, 0, 1, 1, 1];
  const mask = dwellCoreMask(m, 3, segments);
  // segment 2 (t5–7): row 0 has 2, 2, 0 (no 3-frame stretch inside the segment), row 1 has 1, 1, 1
  assert.deepEqual(Array.from(mask), [0, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1]);
  const ms = milestoneTrajectories(m, mask, segments);
  assert.deepEqual(Array.from(ms.states), [-1, 0, 0, 0, 0, -1, -1, -1, 2, 2, 2, 2, 2, 1, 1, 1]);
  assert.equal(ms.framesBeforeFirstCore, 4);
  assert.equal(ms.fractionInCores, 9 / 16);
});

test('core mask from posteriors: posterior of the assigned state ≥ threshold', () => {
  const m = { states: Int16Array.of(0, 1, 1, -1), nTrajectories: 1, nFrames: 4 };
  const post = [0.95, 0.05, 0.4, 0.6, 0.1, 0.9, 0.5, 0.5];
  assert.deepEqual(Array.from(posteriorCoreMask(m, post, 2, 0.9)), [1, 0, 1, 0]);
  assert.throws(() => posteriorCoreMask(m, post, 2, 0), /threshold/);
  assert.throws(() => milestoneTrajectories(m, [1, 0]), /core mask has 2 entries/);
});
