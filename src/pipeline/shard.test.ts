import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { countTransitions } from '../markov/index.ts';
import { createRng } from '../util/rng.ts';
import { parseShard, shardRange, shardTransitionCounts } from './shard.ts';

test('parseShard reads 0-based i/N and refuses the rest with the expected form', () => {
  assert.deepEqual(parseShard('0/4'), { index: 0, count: 4 });
  assert.deepEqual(parseShard(' 3 / 4 '), { index: 3, count: 4 });
  for (const bad of ['4/4', '1/0', '-1/3', '1', 'a/b', '1/2/3']) assert.throws(() => parseShard(bad), /--shard takes i\/N/);
});

test('shard blocks are contiguous, cover every frame once and differ in size by at most one', () => {
  for (const n of [1, 7, 60, 61, 1000]) {
    for (const N of [1, 2, 3, 7].filter((k) => k <= n)) {
      let next = 0;
      const sizes: number[] = [];
      for (let i = 0; i < N; i++) {
        const r = shardRange({ index: i, count: N }, n);
        assert.equal(r.start, next);
        sizes.push(r.end - r.start);
        next = r.end;
      }
      assert.equal(next, n);
      assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1);
    }
  }
});

test('hand case: a shard counts the pairs starting in its block, the overlap supplies their second frames', () => {
  // one Li, frames 0..5 = [0 1 1 0 1 0], shards [0,3) and [3,6), lag 2: pairs (0,2) (1,3) (2,4) | (3,5)
  const all = Int16Array.of(0, 1, 1, 0, 1, 0);
  const seg = new Int32Array(6);
  const first = shardTransitionCounts(all.subarray(0, 5), 1, seg.subarray(0, 5), 2, 2); // own 0..2 + overlap 3..4
  const second = shardTransitionCounts(all.subarray(3, 6), 1, seg.subarray(3, 6), 2, 2);
  assert.deepEqual(Array.from(first), [0, 1, 1, 1]); // 0→1, 1→0, 1→1
  assert.deepEqual(Array.from(second), [1, 0, 0, 0]); // 0→0
});

test('summed over shards, the counts with lag overlap equal the whole trajectory\'s (segments, undefined frames, shards shorter than the lag)', () => {
  const rng = createRng(7);
  const nLi = 5, n = 97, K = 4;
  const states = new Int16Array(nLi * n);
  for (let i = 0; i < states.length; i++) states[i] = rng.next() < 0.03 ? -1 : rng.int(K);
  const segments = new Int32Array(n);
  for (let f = 0; f < n; f++) segments[f] = f < 30 ? 0 : f < 71 ? 1 : 2;
  for (const lag of [1, 2, 5, 13]) {
    const whole = countTransitions({ states, nTrajectories: nLi, nFrames: n }, lag, { nStates: K, segments }).counts;
    for (const N of [1, 2, 3, 8, 20]) {
      const sum = new Float64Array(K * K);
      for (let i = 0; i < N; i++) {
        const { start, end } = shardRange({ index: i, count: N }, n);
        const stop = Math.min(n, end + lag);
        const W = stop - start;
        const window = new Int16Array(nLi * W);
        for (let c = 0; c < nLi; c++) window.set(states.subarray(c * n + start, c * n + stop), c * W);
        shardTransitionCounts(window, nLi, segments.slice(start, stop), lag, K).forEach((v, k) => (sum[k] += v));
      }
      assert.deepEqual(Array.from(sum), Array.from(whole), `lag ${lag}, ${N} shards`);
    }
  }
});
