import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { GetseiError } from '../util/errors.ts';
import { createRng } from '../util/rng.ts';
import {
  countTransitions, countTransitionsAtLags, countTransitionsByUnit, largestConnectedSet, prepareTrajectories,
  stronglyConnectedSets, type UndefinedPolicy,
} from './index.ts';

/** The definition, written out: a pair (t, t+lag) counts when both ends are defined, no segment boundary lies
 * between them, and (policy 'split') no undefined frame lies between them. */
function naiveCounts(rows: number[][], lag: number, n: number, segments: number[] | undefined, policy: UndefinedPolicy): number[] {
  const c = new Array<number>(n * n).fill(0);
  for (const row of rows) {
    for (let t = 0; t + lag < row.length; t++) {
      let ok = row[t] >= 0 && row[t + lag] >= 0;
      for (let u = t; u <= t + lag && ok; u++) {
        if (segments !== undefined && segments[u] !== segments[t]) ok = false;
        if (policy === 'split' && row[u] < 0) ok = false;
      }
      if (ok) c[row[t] * n + row[t + lag]]++;
    }
  }
  return c;
}

test('hand-counted example: sliding window, −1 splits the trajectory, or only voids pairs', () => {
  const rows = [[0, 0, 1, 1, 0], [1, -1, 1, 0]];
  assert.deepEqual(Array.from(countTransitions(rows, 1).counts), [1, 1, 2, 1]);
  // lag 2: trajectory 2 has the pair (1 → 1) across the undefined frame; 'split' drops it, 'pairs' keeps it
  assert.deepEqual(Array.from(countTransitions(rows, 2).counts), [0, 2, 1, 0]);
  assert.deepEqual(Array.from(countTransitions(rows, 2, { undefinedPolicy: 'pairs' }).counts), [0, 2, 1, 1]);
});

test('segment boundaries are never crossed', () => {
  const rows = [[0, 1, 0, 1, 0, 1]];
  const segments = [7, 7, 7, 3, 3, 3];
  // pairs at lag 1 within [0,1,0] and [1,0,1]: 0→1, 1→0, 1→0, 0→1
  assert.deepEqual(Array.from(countTransitions(rows, 1, { segments }).counts), [0, 2, 2, 0]);
  assert.deepEqual(Array.from(countTransitions(rows, 1).counts), [0, 3, 2, 0]);
});

test('counts equal the brute-force definition on random trajectories with gaps and segments', () => {
  const rng = createRng(42);
  for (const policy of ['split', 'pairs'] as const) {
    for (let trial = 0; trial < 6; trial++) {
      const n = 2 + trial;
      const frames = 200;
      const rows = Array.from({ length: 5 }, () =>
        Array.from({ length: frames }, () => (rng.next() < 0.08 ? -1 : rng.int(n))));
      const segments = Array.from({ length: frames }, (_, t) => Math.floor(t / 37));
      for (const lag of [1, 3, 10]) {
        for (const seg of [undefined, segments]) {
          const got = countTransitions(rows, lag, { nStates: n, segments: seg, undefinedPolicy: policy }).counts;
          assert.deepEqual(Array.from(got), naiveCounts(rows, lag, n, seg, policy), `${policy} n=${n} lag=${lag}`);
        }
      }
    }
  }
});

test('a 2-D state matrix (states.npy layout) counts like the same rows given as a list', () => {
  const rng = createRng(7);
  const nT = 4;
  const nF = 120;
  const states = Int16Array.from({ length: nT * nF }, () => (rng.next() < 0.05 ? -1 : rng.int(4)));
  const rows = Array.from({ length: nT }, (_, i) => Array.from(states.subarray(i * nF, (i + 1) * nF)));
  const a = countTransitions({ states, nTrajectories: nT, nFrames: nF }, 5).counts;
  const b = countTransitions(rows, 5).counts;
  assert.deepEqual(Array.from(a), Array.from(b));
});

test('multi-lag counting equals one lag at a time; per-unit counts sum to the pooled counts', () => {
  const rng = createRng(9);
  const rows = Array.from({ length: 6 }, () => Int16Array.from({ length: 300 }, () => (rng.next() < 0.03 ? -1 : rng.int(5))));
  const segments = Int32Array.from({ length: 300 }, (_, t) => (t < 140 ? 0 : 1));
  const prepared = prepareTrajectories(rows, { segments });
  const lags = [1, 2, 7, 50];
  const multi = countTransitionsAtLags(prepared, lags);
  lags.forEach((lag, k) => assert.deepEqual(Array.from(multi[k]), Array.from(countTransitions(prepared, lag).counts)));
  const units = countTransitionsByUnit(prepared, 7);
  assert.equal(units.nUnits, 12);
  const pooled = new Float64Array(25);
  for (let u = 0; u < units.nUnits; u++) for (let e = 0; e < 25; e++) pooled[e] += units.counts[u * 25 + e];
  assert.deepEqual(Array.from(pooled), Array.from(multi[2]));
});

test('persistent states (run-length-encoded counting of many lags) give exactly the frame-by-frame counts', () => {
  const rng = createRng(21);
  const n = 4;
  // dwell ~ 30 frames: blocks are far fewer than frames, so countTransitionsAtLags counts from the blocks
  const rows = Array.from({ length: 5 }, () => {
    const r = new Int16Array(3000);
    let x = rng.int(n);
    for (let t = 0; t < r.length; t++) {
      if (rng.next() < 1 / 30) x = rng.int(n);
      r[t] = rng.next() < 0.001 ? -1 : x;
    }
    return r;
  });
  const segments = Int32Array.from({ length: 3000 }, (_, t) => Math.floor(t / 700));
  const prepared = prepareTrajectories(rows, { segments });
  const lags = [1, 2, 3, 17, 100, 699, 700, 2999];
  const multi = countTransitionsAtLags(prepared, lags);
  const plain = rows.map((r) => Array.from(r));
  lags.forEach((lag, k) => {
    assert.deepEqual(Array.from(multi[k]), naiveCounts(plain, lag, n, Array.from(segments), 'split'), `lag ${lag}`);
  });
});

test('the number of states is the largest label + 1, or the declared number', () => {
  assert.equal(countTransitions([[0, 3, 3]], 1).nStates, 4);
  assert.equal(countTransitions([[0, 3, 3]], 1, { nStates: 6 }).nStates, 6);
  const p = prepareTrajectories([[0, 1, -1, 1, 1], [2, -1]]);
  assert.deepEqual(Array.from(p.histogram.frames), [1, 3, 1]);
  assert.equal(p.histogram.undefinedFrames, 2);
  assert.equal(p.longestRun, 2);
});

test('bad input gives a GetseiError that names the trajectory and frame', () => {
  const isErr = (re: RegExp) => (e: unknown): boolean => e instanceof GetseiError && re.test(e.message);
  assert.throws(() => countTransitions([[0, 1], [0, -2]], 1), isErr(/trajectory 1, frame 1: state -2 is negative/));
  assert.throws(() => countTransitions([[0, 1, 0, 1, 0, 1, 0, 1], [0, 1, 0, 1, 0, 1, -2, 1, 0, 1]], 1), isErr(/trajectory 1, frame 6: state -2/));
  assert.throws(() => countTransitions({ states: Int16Array.of(0, 1, 0, 1, 0, 9, 1, 0), nTrajectories: 1, nFrames: 8 }, 1, { nStates: 3 }), isErr(/trajectory 0, frame 5: state 9/));
  assert.throws(() => countTransitions([[0, 1.5]], 1), isErr(/trajectory 0, frame 1: state 1.5 is not an integer/));
  assert.throws(() => countTransitions([[0, 5]], 1, { nStates: 3 }), isErr(/state 5 is not below the declared number of states \(3\)/));
  assert.throws(() => countTransitions([[0, 70000]], 1), isErr(/at most 4096 states/));
  assert.throws(() => countTransitions([[0, 1]], 0), isErr(/positive whole number/));
  assert.throws(() => countTransitions([[0, 1]], 1.5), isErr(/positive whole number/));
  assert.throws(() => countTransitions([[0, 1, 0]], 1, { segments: [0, 0] }), isErr(/2 entries.*3 frames/));
  assert.throws(() => countTransitions([[0, 1, 0], [1, 0]], 1, { segments: [0, 0, 1] }), isErr(/same number of frames/));
  assert.throws(() => countTransitions([[0, 1]], 1, { segments: [0, 0.5] }), isErr(/not an integer/));
  assert.throws(() => countTransitions([[0, 1]], 1, { undefinedPolicy: 'skip' as UndefinedPolicy }), isErr(/unknown undefined-frame policy/));
  assert.throws(() => countTransitions({ states: new Int16Array(5), nTrajectories: 2, nFrames: 3 }, 1), isErr(/needs 6/));
  assert.throws(() => countTransitions([[0, 1]], 1, { nStates: 0 }), isErr(/number of states/));
});

test('strongly connected sets: hand-made graph, largest first, ties broken by counts', () => {
  // 0 ⇄ 1, 1 → 2, 2 ⇄ 3 ⇄ 4, 5 isolated
  const n = 6;
  const c = new Float64Array(n * n);
  const edge = (i: number, j: number, w = 1): void => {
    c[i * n + j] = w;
  };
  edge(0, 1); edge(1, 0); edge(1, 2); edge(2, 3); edge(3, 2); edge(3, 4); edge(4, 3); edge(5, 5, 9);
  const sets = stronglyConnectedSets(c).map((s) => Array.from(s));
  assert.deepEqual(sets, [[2, 3, 4], [0, 1], [5]]);
  assert.deepEqual(Array.from(largestConnectedSet(c)), [2, 3, 4]);
  // two components of equal size: the one with more counts wins
  const d = new Float64Array(16);
  d[0 * 4 + 1] = d[1 * 4 + 0] = 1;
  d[2 * 4 + 3] = d[3 * 4 + 2] = 5;
  assert.deepEqual(Array.from(largestConnectedSet(d)), [2, 3]);
  // a long chain (deep recursion in a naive implementation)
  const m = 2000;
  const chain = new Float64Array(m * m);
  for (let i = 0; i + 1 < m; i++) chain[i * m + i + 1] = chain[(i + 1) * m + i] = 1;
  assert.equal(largestConnectedSet(chain).length, m);
});
