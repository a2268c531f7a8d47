import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { createRng } from '../util/index.ts';
import { describeStates, numberDensity, representatives } from './descriptors.ts';
import { fitGaussianMixture, predict } from './gmm.ts';

test('populations and per-column mean / std by state, by hand', () => {
  const labels = Int16Array.from([0, 0, 1, 1, 1, -1]);
  const S = Float32Array.from([2, 4, 1, 1, 4, 99]);
  const angle = Float32Array.from([10, Number.NaN, 30, 60, 90, 99]);
  const d = describeStates(labels, { S, angle }, { states: 3 });
  assert.equal(d.length, 3);
  assert.deepEqual(d.map((s) => s.count), [2, 3, 0]);
  assert.deepEqual(d.map((s) => s.population), [0.4, 0.6, 0]);
  assert.deepEqual(d[0].columns.S, { mean: 3, std: 1, count: 2 });
  assert.equal(d[1].columns.S.mean, 2);
  assert.ok(Math.abs((d[1].columns.S.std as number) - Math.sqrt(2)) < 1e-12);
  // the NaN angle (a Li with fewer than two neighbours) is left out of state 0's angle summary
  assert.deepEqual(d[0].columns.angle, { mean: 10, std: 0, count: 1 });
  assert.deepEqual(d[2].columns.angle, { mean: null, std: null, count: 0 });
  assert.throws(() => describeStates(labels, { S: new Float32Array(5) }), /column 'S' has 5 values but there are 6 state labels/);
  assert.throws(() => describeStates([0, 0.5], {}), /state label 1 is 0.5/);
});

test('Welford summaries stay accurate for a large offset', () => {
  const n = 100000;
  const labels = new Int16Array(n);
  const x = Float64Array.from({ length: n }, (_, i) => 1e8 + (i % 2));
  const [s] = describeStates(labels, { x });
  assert.equal(s.columns.x.mean, 1e8 + 0.5);
  assert.ok(Math.abs((s.columns.x.std as number) - 0.5) < 1e-6);
});

test('Li density is a count over the sphere volume', () => {
  const rho = numberDensity([0, 1, 3], 4);
  const v = (4 / 3) * Math.PI * 64;
  assert.ok(Math.abs(rho[1] - 1 / v) < 1e-9 && Math.abs(rho[2] - 3 / v) < 1e-9 && rho[0] === 0);
  assert.throws(() => numberDensity([1], 0), /positive number of Å/);
});

test('representatives are the members closest to their component centre (brute force), Mahalanobis or Euclidean', () => {
  const rng = createRng(9);
  const n = 1500, d = 3;
  const X = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    for (let a = 0; a < d; a++) X[i * d + a] = (a === c ? 5 : 0) + (a === 0 ? 2 : 0.5) * rng.normal();
  }
  X.set(X.subarray(0, d), 3 * d); // rows 0 and 3 identical (same state): a tie broken by row order
  const model = fitGaussianMixture(X, n, d, { components: 3, seed: 1 });
  const labels = predict(model, X);
  for (const metric of ['mahalanobis', 'euclidean'] as const) {
    const reps = representatives(X, n, labels, model, { k: 5, metric });
    assert.equal(reps.length, 3);
    for (let s = 0; s < 3; s++) {
      // reference distances: Σ⁻¹ by solving with the stored covariance (Gauss–Jordan on 3 × 3)
      const cov = Array.from({ length: d }, (_, a) => Array.from({ length: d }, (_, b) => model.covariances[s * 9 + a * 3 + b]));
      const inv = invert3(cov);
      const dist = (r: number): number => {
        const u = Array.from({ length: d }, (_, a) => X[r * d + a] - model.means[s * d + a]);
        if (metric === 'euclidean') return u.reduce((p, v) => p + v * v, 0);
        let q = 0;
        for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) q += u[a] * inv[a][b] * u[b];
        return q;
      };
      const members = Array.from({ length: n }, (_, r) => r).filter((r) => labels[r] === s);
      const want = members.map((r) => [dist(r), r]).sort((p, q) => p[0] - q[0] || p[1] - q[1]).slice(0, 5).map((p) => p[1]);
      assert.deepEqual(Array.from(reps[s]), want, `${metric} state ${s}`);
      for (const r of reps[s]) assert.equal(labels[r], s);
    }
  }
  // fewer members than k: all of them
  const few = Int16Array.from(labels);
  few.fill(-1);
  few[10] = 2;
  const reps = representatives(X, n, few, model, { k: 5 });
  assert.deepEqual(reps.map((r) => r.length), [0, 0, 1]);
  const bad = Int16Array.from(labels);
  bad[4] = 7;
  assert.throws(() => representatives(X, n, bad, model), /row 4 has state 7 but the model has 3 states/);
  assert.throws(() => representatives(X, n, labels, model, { metric: 'cosine' as 'euclidean' }), /metric must be/);
});

function invert3(m: number[][]): number[][] {
  const [[a, b, c], [d, e, f], [g, h, i]] = m;
  const A = e * i - f * h, B = -(d * i - f * g), C = d * h - e * g;
  const det = a * A + b * B + c * C;
  return [
    [A / det, -(b * i - c * h) / det, (b * f - c * e) / det],
    [B / det, (a * i - c * g) / det, -(a * f - c * d) / det],
    [C / det, -(a * h - b * g) / det, (a * e - b * d) / det],
  ];
}
