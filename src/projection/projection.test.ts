import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eigenvalues } from '../linalg/index.ts';
import { createRng } from '../util/rng.ts';
import {
  spectralGap,
  addPair, addTrajectory, createAccumulator, estimateProjection, laggedCovariances, mergeAccumulators, project,
  vampScore, vampScoreCv, vampScoreOfCounts,
} from './index.ts';

/** Three independent unit-variance AR(1) processes z (coefficients a) seen through a fixed invertible mixing x = M z. */
function mixedAr1(T: number, a: number[], seed: number): Float64Array {
  const M = [[1, 0.5, -0.3], [0.2, 1, 0.4], [-0.6, 0.1, 1]];
  const rng = createRng(seed);
  const z = a.map(() => rng.normal());
  const X = new Float64Array(T * 3);
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < 3; i++) z[i] = a[i] * z[i] + Math.sqrt(1 - a[i] * a[i]) * rng.normal();
    for (let r = 0; r < 3; r++) X[t * 3 + r] = 5 + M[r][0] * z[0] + M[r][1] * z[1] + M[r][2] * z[2];
  }
  return X;
}

test('TICA of a linearly mixed AR(1) process recovers the eigenvalues a^τ, the kinetic-variance dimension and unit whitening', () => {
  const a = [0.95, 0.7, 0.2], lag = 2;
  const acc = createAccumulator(3);
  const X = new Float64Array(4 * 15000 * 3);
  for (let s = 0; s < 4; s++) {
    const traj = mixedAr1(15000, a, s + 1);
    X.set(traj, s * 15000 * 3);
    addTrajectory(acc, traj, 15000, lag);
  }
  const cov = laggedCovariances(acc);
  const tica = estimateProjection(cov, 'tica', { kineticVariance: 0.95 });
  const expected = a.map((v) => v ** lag); // 0.9025, 0.49, 0.04
  for (let i = 0; i < 3; i++) assert.ok(Math.abs(tica.eigenvalues[i] - expected[i]) < 0.02, `λ${i} = ${tica.eigenvalues[i]}, expected ${expected[i]}`);
  // Σλ² cumulative: 0.771, 0.998 → two components carry 95 %
  assert.equal(tica.dim, 2);
  const fixed = estimateProjection(cov, 'tica', { dim: 3, kineticMap: false });
  // without the kinetic map the projected training data are white: mean 0, unit variance per component
  const n = 60000, Y = project(fixed, X, n);
  for (let k = 0; k < 3; k++) {
    let m = 0, v = 0;
    for (let t = 0; t < n; t++) m += Y[t * 3 + k] / n;
    for (let t = 0; t < n; t++) v += (Y[t * 3 + k] - m) ** 2 / n;
    assert.ok(Math.abs(v - 1) < 0.01 && Math.abs(m) < 0.01, `component ${k}: mean ${m}, variance ${v}`);
  }
  const vamp = estimateProjection(cov, 'vamp', { dim: 3 });
  for (let i = 0; i < 3; i++) assert.ok(Math.abs(vamp.eigenvalues[i] - expected[i]) < 0.03, `σ${i} = ${vamp.eigenvalues[i]}`);
});

test('a rank-deficient feature (a copy of another) is dropped by the regularised whitening', () => {
  const T = 4000, X3 = mixedAr1(T, [0.9, 0.5, 0.1], 3);
  const X = new Float64Array(T * 4);
  for (let t = 0; t < T; t++) { X.set(X3.subarray(t * 3, t * 3 + 3), t * 4); X[t * 4 + 3] = X3[t * 3]; }
  const acc = createAccumulator(4);
  addTrajectory(acc, X, T, 1);
  const m = estimateProjection(laggedCovariances(acc), 'tica', { dim: 4 });
  assert.equal(m.droppedDirections, 1);
  assert.equal(m.eigenvalues.length, 3);
  assert.ok(m.eigenvalues.every(Number.isFinite));
});

test('lagged covariances never span a segment boundary nor an undefined frame', () => {
  const d = 2, T = 12, lag = 2;
  const rng = createRng(4);
  const X = Float64Array.from({ length: T * d }, () => rng.normal());
  X[7 * d] = NaN; // frame 7 undefined
  const segments = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1];
  const acc = createAccumulator(d);
  addTrajectory(acc, X, T, lag, segments);
  // by hand: segment 0 = frames 0–4: pairs (0,2) (1,3) (2,4); segment 1 = frames 5–11 without 7: (6,8) (8,10) (9,11)
  const ref = createAccumulator(d);
  const pieces = [X.subarray(0, 5 * d), X.subarray(5 * d)];
  addTrajectory(ref, pieces[0], 5, lag);
  addTrajectory(ref, pieces[1], 7, lag);
  assert.equal(acc.pairs, 6);
  assert.equal(ref.pairs, 6);
  const a = laggedCovariances(acc), b = laggedCovariances(ref);
  for (let k = 0; k < d * d; k++) assert.ok(Math.abs(a.c01[k] - b.c01[k]) < 1e-12 && Math.abs(a.c00[k] - b.c00[k]) < 1e-12);
  // chunked: the same trajectory read as two chunks with the offset into the segment ids and an overlap of lag frames
  const c1 = createAccumulator(d), c2 = createAccumulator(d);
  addTrajectory(c1, X.subarray(0, 7 * d), 7, lag, segments, 0);
  addTrajectory(c2, X.subarray(5 * d), 7, lag, segments, 5);
  mergeAccumulators(c1, c2);
  assert.equal(c1.pairs, 6);
  const c = laggedCovariances(c1);
  for (let k = 0; k < d * d; k++) assert.ok(Math.abs(a.c01[k] - c.c01[k]) < 1e-12 && Math.abs(a.c11[k] - c.c11[k]) < 1e-12);
});

// a reversible 3-state chain: detailed balance π_a P_ab = π_b P_ba by construction from a symmetric flux matrix
const FLUX = [[0.50, 0.04, 0.01], [0.04, 0.25, 0.03], [0.01, 0.03, 0.09]];
const PI = FLUX.map((r) => r.reduce((x, y) => x + y, 0));
const P = FLUX.map((r, a) => r.map((f) => f / PI[a]));

test('addTrajectory (upper triangles mirrored) sums the bits addPair sums, pair by pair, also after a merge', () => {
  const d = 5, T = 400, lag = 3;
  const rng = createRng(7);
  const X = Float32Array.from({ length: T * d }, () => 10 + rng.normal());
  X[57 * d + 2] = Number.NaN; // an undefined frame
  const segments = Int32Array.from({ length: T }, (_, t) => (t < 150 ? 0 : 1));
  const fast = createAccumulator(d), slow = createAccumulator(d);
  addTrajectory(fast, X, T, lag, segments);
  for (let t = 0; t + lag < T; t++) {
    if (segments[t] !== segments[t + lag]) continue;
    const finite = (r: number): boolean => Array.from(X.subarray(r * d, (r + 1) * d)).every(Number.isFinite);
    if (finite(t) && finite(t + lag)) addPair(slow, X, t, X, t + lag);
  }
  const bits = (a: ReturnType<typeof createAccumulator>): string[] => [a.sum0, a.sum1, a.s00, a.s01, a.s11].map((v) => Buffer.from(v.buffer).toString('hex'));
  assert.equal(fast.pairs, slow.pairs);
  assert.deepEqual(bits(fast), bits(slow));
  // a merged accumulator need not be exactly symmetric: then every entry is summed as addPair sums it
  const other = createAccumulator(d);
  addTrajectory(other, X.map((v) => v * 1.7 - 3), T, lag);
  mergeAccumulators(fast, other);
  mergeAccumulators(slow, other);
  addTrajectory(fast, X, T, lag);
  for (let t = 0; t + lag < T; t++) {
    const finite = (r: number): boolean => Array.from(X.subarray(r * d, (r + 1) * d)).every(Number.isFinite);
    if (finite(t) && finite(t + lag)) addPair(slow, X, t, X, t + lag);
  }
  assert.deepEqual(bits(fast), bits(slow));
});

test('VAMP-2 of a reversible chain with one-hot states is 1 + Σ_{i≥2} λᵢ² (exact counts)', () => {
  const lambda = eigenvalues(Float64Array.from(P.flat()));
  const expected = Array.from(lambda.re).reduce((s, l) => s + l * l, 0);
  assert.ok(Math.abs(lambda.re[0] - 1) < 1e-12);
  const s = vampScoreOfCounts(Float64Array.from(FLUX.flat(), (f) => f * 1e6), 3);
  assert.ok(Math.abs(s.vamp2 - expected) < 1e-10, `${s.vamp2} vs ${expected}`);
  // VAMP-E equals VAMP-2 when the test data are the training data
  assert.ok(Math.abs(s.vampE - expected) < 1e-10);
  // rank 1 keeps the constant only
  assert.ok(Math.abs(vampScoreOfCounts(Float64Array.from(FLUX.flat()), 3, 1).vamp2 - 1) < 1e-12);
});

test('VAMP-2 of sampled trajectories of the chain, plain and cross-validated over whole trajectories', () => {
  const nT = 20, nF = 3000;
  const rng = createRng(7);
  const states = new Int16Array(nT * nF);
  for (let r = 0; r < nT; r++) {
    let s = rng.next() < PI[0] ? 0 : rng.next() < PI[1] / (1 - PI[0]) ? 1 : 2;
    for (let t = 0; t < nF; t++) {
      states[r * nF + t] = s;
      const u = rng.next();
      s = u < P[s][0] ? 0 : u < P[s][0] + P[s][1] ? 1 : 2;
    }
  }
  const lambda = eigenvalues(Float64Array.from(P.flat()));
  const expected = Array.from(lambda.re).reduce((s, l) => s + l * l, 0);
  const dt = { states, nTrajectories: nT, nFrames: nF };
  const plain = vampScore(dt, 3, 1);
  assert.ok(Math.abs(plain.vamp2 - expected) < 0.03, `${plain.vamp2} vs ${expected}`);
  const cv = vampScoreCv(dt, 3, 1, { folds: 5, seed: 1 });
  assert.equal(cv.folds.length, 5);
  assert.ok(Math.abs(cv.mean.vamp2 - expected) < 0.05, `${cv.mean.vamp2} vs ${expected}`);
  // a scrambled assignment (states relabelled at random per frame) has no kinetics: only the constant survives
  const noise = Int16Array.from(states, () => rng.int(3));
  const cvNoise = vampScoreCv({ states: noise, nTrajectories: nT, nFrames: nF }, 3, 1, { folds: 5, seed: 1 });
  assert.ok(cvNoise.mean.vamp2 < 1.01 && cvNoise.mean.vamp2 > 0.99, `${cvNoise.mean.vamp2}`);
});

test('spectralGap: the largest eigenvalue gap gives the number of slow processes, noise and negative values count as 0', () => {
  // the planted subtle preset at 10 ps frames, TICA at lag 1 (eigenvalues measured in docs/quality.md §6b):
  // five processes stand clear of noise, so six states
  const lag1 = [0.965, 0.898, 0.841, 0.637, 0.375, 0.072, -0.069, -0.048];
  assert.equal(spectralGap(lag1, 2, 10).processes, 5);
  assert.equal(spectralGap(lag1, 2, 10).states, 6);
  assert.ok(Math.abs(spectralGap(lag1, 2, 10).gap - 0.303) < 1e-12);
  assert.ok(Math.abs((spectralGap(lag1, 2, 10).ratioToNextGap ?? NaN) - 0.303 / 0.262) < 1e-12);
  // at lag 5 the two fastest processes are below the lag and sink into the noise: three processes, four states
  assert.equal(spectralGap([0.857, 0.639, 0.46, 0.138, 0.08, -0.069], 2, 10).states, 4);
  // the range bounds the answer, ties go to the smaller count, and a short spectrum is padded with zeros
  assert.equal(spectralGap(lag1, 2, 5).states, 5);
  assert.equal(spectralGap([0.9, 0.6, 0.3], 2, 10).states, 2);
  assert.equal(spectralGap([0.9], 2, 4).states, 2);
  assert.equal(spectralGap(lag1, 6, 6).ratioToNextGap, null, 'one count: nothing to compare the gap with');
  assert.throws(() => spectralGap(lag1, 1, 10), /2 ≤ minStates ≤ maxStates/);
});
