import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { createRng } from '../util/index.ts';
import { silhouette, silhouetteSamples, silhouetteScore } from './silhouette.ts';

/** s(i) straight from the definition, O(n²), Euclidean. */
function bruteForce(X: ArrayLike<number>, n: number, d: number, labels: ArrayLike<number>): number[] {
  const dist = (i: number, j: number): number => {
    let s = 0;
    for (let a = 0; a < d; a++) s += (X[i * d + a] - X[j * d + a]) ** 2;
    return Math.sqrt(s);
  };
  const states = [...new Set(Array.from(labels))];
  return Array.from({ length: n }, (_, i) => {
    const own = labels[i];
    const mean = (s: number, excludeSelf: boolean): number => {
      let sum = 0, c = 0;
      for (let j = 0; j < n; j++) {
        if (labels[j] !== s || (excludeSelf && j === i)) continue;
        sum += dist(i, j);
        c++;
      }
      return sum / c;
    };
    const size = Array.from(labels).filter((l) => l === own).length;
    if (size === 1) return 0;
    const a = mean(own, true);
    const b = Math.min(...states.filter((s) => s !== own).map((s) => mean(s, false)));
    return (b - a) / Math.max(a, b);
  });
}

test('silhouette by hand: two pairs on a line', () => {
  // points 0, 1 (state 0) and 10, 11 (state 1): for x = 0, a = 1, b = (10 + 11)/2 → s = 9.5 / 10.5
  const s = silhouetteSamples(Float64Array.from([0, 1, 10, 11]), 4, 1, [0, 0, 1, 1]);
  assert.ok(Math.abs(s[0] - 9.5 / 10.5) < 1e-15);
  // x = 1: a = 1, b = 9.5 → 8.5 / 9.5
  assert.ok(Math.abs(s[1] - 8.5 / 9.5) < 1e-15);
});

test('silhouette equals the O(n²) definition on random data (tail rows, a singleton state, float32 far from the origin)', () => {
  const rng = createRng(6);
  for (const [n, d, k] of [[103, 3, 3], [64, 7, 4], [9, 2, 2]]) {
    const X = new Float32Array(n * d);
    const labels = Int16Array.from({ length: n }, () => rng.int(k));
    labels[n - 1] = k; // a singleton state
    for (let i = 0; i < n; i++) for (let a = 0; a < d; a++) X[i * d + a] = 1000 + labels[i] * 0.5 + rng.normal();
    const got = silhouetteSamples(X, n, d, labels);
    const want = bruteForce(X, n, d, labels);
    assert.equal(got[n - 1], 0);
    for (let i = 0; i < n; i++) assert.ok(Math.abs(got[i] - want[i]) < 1e-9, `n=${n} row ${i}: ${got[i]} vs ${want[i]}`);
    const mean = want.reduce((s, v) => s + v, 0) / n;
    assert.ok(Math.abs(silhouetteScore(X, n, d, labels) - mean) < 1e-9);
  }
});

test('per-state means, undefined labels left out, and seeded sampling as silhouette_score(sample_size)', () => {
  const rng = createRng(2);
  const n = 300, d = 2;
  const X = new Float64Array(n * d);
  const labels = Int16Array.from({ length: n }, (_, i) => (i % 10 === 0 ? -1 : i % 3));
  for (let i = 0; i < n; i++) for (let a = 0; a < d; a++) X[i * d + a] = (a === 0 ? 4 * labels[i] : 0) + rng.normal();
  const full = silhouette(X, n, d, labels, { states: 4 });
  assert.equal(full.rows.length, 270);
  assert.ok(!Array.from(full.rows).some((r) => labels[r] < 0));
  assert.equal(full.perState.length, 4);
  assert.equal(full.perState[3], null);
  for (let s = 0; s < 3; s++) {
    const vals = Array.from(full.values).filter((_, t) => labels[full.rows[t]] === s);
    assert.equal(full.sampledPerState[s], vals.length);
    assert.ok(Math.abs((full.perState[s] as number) - vals.reduce((p, v) => p + v, 0) / vals.length) < 1e-12);
  }
  // the sample: that many labelled rows, the same for the same seed, and its silhouette is the sub-problem's
  const a = silhouette(X, n, d, labels, { sampleSize: 100, seed: 3 });
  const b = silhouette(X, n, d, labels, { sampleSize: 100, seed: 3 });
  const c = silhouette(X, n, d, labels, { sampleSize: 100, seed: 4 });
  assert.equal(a.rows.length, 100);
  assert.deepEqual(a.rows, b.rows);
  assert.notDeepEqual(a.rows, c.rows);
  const sub = new Float64Array(100 * d);
  a.rows.forEach((r, t) => sub.set(X.subarray(r * d, r * d + d), t * d));
  const subLabels = Array.from(a.rows, (r) => labels[r]);
  const want = bruteForce(sub, 100, d, subLabels);
  assert.ok(Math.abs(a.overall - want.reduce((p, v) => p + v, 0) / 100) < 1e-12);
  assert.equal(silhouette(X, n, d, labels, { sampleSize: 10000 }).overall, full.overall);
});

test('undefined silhouettes are errors, not NaN', () => {
  const X = Float64Array.from([0, 1, 2, 3]);
  assert.throws(() => silhouetteScore(X, 4, 1, [0, 0, 0, 0]), /undefined for 1 state/);
  assert.throws(() => silhouetteScore(X, 4, 1, [0, 1, 2, 3]), /fewer states than rows/);
  assert.throws(() => silhouetteScore(X, 4, 1, [0, 1]), /expected 4 labels/);
  assert.throws(() => silhouetteScore(X, 4, 1, [0, 1, 0, 1], { sampleSize: 1 }), /sample size/);
});
