import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { createRng } from '../util/index.ts';
import { adjustedRandIndex } from './agreement.ts';
import { compareLabelings } from './stability.ts';

test('renamed repeats agree perfectly; their state numbers are mapped back to the reference', () => {
  const ref = Int16Array.from({ length: 60 }, (_, i) => i % 3);
  const renamed = ref.map((s) => [1, 2, 0][s]);
  const c = compareLabelings([ref, renamed, ref]);
  assert.equal(c.meanAri, 1);
  assert.deepEqual(Array.from(c.mapping[1]), [1, 2, 0]);
  assert.deepEqual(Array.from(c.mapping[2]), [0, 1, 2]);
  assert.deepEqual(Array.from(c.stateStability), [1, 1, 1]);
  assert.deepEqual(c.unstableStates, []);
});

test('a state that the repeats split at random is flagged unstable; the others are not', () => {
  const rng = createRng(3);
  const n = 3000;
  // states 0 and 1 are solid; "state 2" is really two halves that repeats label 2 or 3 at random
  const truth = Int16Array.from({ length: n }, (_, i) => i % 4);
  const repeat = (): Int16Array => {
    const flip = rng.next() < 0.5;
    return truth.map((t, i) => (t < 2 ? t : (rng.next() < 0.5) !== flip ? 2 + (i % 2) : 3 - (i % 2)));
  };
  const labelings = [repeat(), repeat(), repeat(), repeat()];
  const c = compareLabelings(labelings);
  assert.equal(c.repeats, 4);
  assert.ok(c.stateStability[0] === 1 && c.stateStability[1] === 1);
  assert.ok(c.stateStability[2] < 0.6 && c.stateStability[3] < 0.6, `${c.stateStability}`);
  assert.deepEqual(c.unstableStates, [2, 3]);
  // mean ARI is the mean of the pairwise values
  let s = 0;
  for (let a = 0; a < 4; a++) for (let b = a + 1; b < 4; b++) {
    assert.equal(c.pairwiseAri[a * 4 + b], adjustedRandIndex(labelings[a], labelings[b]));
    s += c.pairwiseAri[a * 4 + b];
  }
  assert.ok(Math.abs(c.meanAri - s / 6) < 1e-15);
  assert.ok(c.meanAri < 0.8);
});

test('errors: one labeling, different lengths, bad threshold', () => {
  assert.throws(() => compareLabelings([[0, 1]]), /at least 2 labelings/);
  assert.throws(() => compareLabelings([[0, 1], [0]]), /different numbers of samples/);
  assert.throws(() => compareLabelings([[0, 1], [0, 1]], { threshold: -1 }), /threshold/);
});
