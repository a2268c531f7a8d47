import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Matrix, determinant, inverse } from 'ml-matrix';
import { pythonHas } from '../../test/helpers.ts';
import { GetseiError, createRng, encodeNpy } from '../util/index.ts';
import { adjustedRandIndex } from './agreement.ts';
import {
  fitGaussianMixture, parameterCount, predict, predictProba, scoreSamples, streamSquaredMahalanobis, type GaussianMixtureModel,
} from './gmm.ts';

/** n rows from component c = i mod weights-pattern: mean + A·z, z standard normal. */
function mixture(
  seed: number, n: number, comps: ReadonlyArray<{ mean: number[]; A: number[][]; weight: number }>,
): { X: Float64Array; labels: Int32Array; d: number } {
  const rng = createRng(seed);
  const d = comps[0].mean.length;
  const X = new Float64Array(n * d);
  const labels = new Int32Array(n);
  const cum: number[] = [];
  let acc = 0;
  for (const c of comps) cum.push((acc += c.weight));
  for (let i = 0; i < n; i++) {
    const u = rng.next() * acc;
    const c = cum.findIndex((v) => u < v);
    labels[i] = c;
    const z = Array.from({ length: d }, () => rng.normal());
    for (let a = 0; a < d; a++) {
      let s = comps[c].mean[a];
      for (let b = 0; b < d; b++) s += comps[c].A[a][b] * z[b];
      X[i * d + a] = s;
    }
  }
  return { X, labels, d };
}

const eye = (d: number, s = 1): number[][] => Array.from({ length: d }, (_, a) => Array.from({ length: d }, (_, b) => (a === b ? s : 0)));

/** log N(x | μ, Σ) by explicit inverse and determinant (ml-matrix): an independent reference for the kernels. */
function referenceLogDensity(model: GaussianMixtureModel, x: ArrayLike<number>): number[] {
  const { components: k, dimension: d } = model;
  return Array.from({ length: k }, (_, c) => {
    const S = new Matrix(Array.from({ length: d }, (_, a) => Array.from({ length: d }, (_, b) => model.covariances[c * d * d + a * d + b])));
    const Si = inverse(S);
    let q = 0;
    for (let a = 0; a < d; a++) {
      for (let b = 0; b < d; b++) q += (x[a] - model.means[c * d + a]) * Si.get(a, b) * (x[b] - model.means[c * d + b]);
    }
    return Math.log(model.weights[c]) - 0.5 * (d * Math.log(2 * Math.PI) + Math.log(determinant(S)) + q);
  });
}

test('two well-separated Gaussians are recovered exactly, numbered by weight', () => {
  const { X, labels, d } = mixture(1, 600, [
    { mean: [10, 0], A: [[1, 0], [0.5, 0.5]], weight: 0.3 },
    { mean: [-10, 0], A: eye(2), weight: 0.7 },
  ]);
  const m = fitGaussianMixture(X, 600, d, { components: 2, seed: 3 });
  const pred = predict(m, X);
  // the heavier component (the one at x = −10, planted label 1) is state 0
  for (let i = 0; i < 600; i++) assert.equal(pred[i], labels[i] === 1 ? 0 : 1);
  assert.ok(m.weights[0] > m.weights[1]);
  assert.ok(Math.abs(m.means[0] + 10) < 0.2 && Math.abs(m.means[2] - 10) < 0.3);
  // covariance of state 1 ≈ A Aᵀ = [[1, .5], [.5, .5]]
  const c = m.covariances.subarray(4, 8);
  assert.ok(Math.abs(c[0] - 1) < 0.25 && Math.abs(c[1] - 0.5) < 0.2 && Math.abs(c[3] - 0.5) < 0.15, `${c}`);
  assert.equal(c[1], c[2]);
  assert.ok(m.converged);
});

test('1-D mixture of two tight pairs: EM reaches the known fixed point', () => {
  // points −2 ± δ and +2 ± δ, m copies each: cross-responsibilities underflow to 0, so the fixed point is
  // weights ½, means ±2, variances δ² + reg, and mean log-likelihood ln ½ − ½ ln(2π σ²) − δ²/(2σ²)
  const delta = 0.1, reg = 1e-6, m = 50;
  const X = new Float64Array(4 * m);
  for (let i = 0; i < m; i++) X.set([-2 - delta, -2 + delta, 2 - delta, 2 + delta], 4 * i);
  const model = fitGaussianMixture(X, 4 * m, 1, { components: 2, regCovar: reg, restarts: 2, seed: 1 });
  const s2 = delta * delta + reg;
  assert.ok(Math.abs(model.weights[0] - 0.5) < 1e-12 && Math.abs(model.weights[1] - 0.5) < 1e-12);
  const means = [model.means[0], model.means[1]].sort((a, b) => a - b);
  assert.ok(Math.abs(means[0] + 2) < 1e-12 && Math.abs(means[1] - 2) < 1e-12);
  assert.ok(Math.abs(model.covariances[0] - s2) < 1e-12 && Math.abs(model.covariances[1] - s2) < 1e-12);
  const ll = Math.log(0.5) - 0.5 * Math.log(2 * Math.PI * s2) - (delta * delta) / (2 * s2);
  assert.ok(Math.abs(model.logLikelihood - ll) < 1e-10, `${model.logLikelihood} vs ${ll}`);
  // equal weights: the tie is broken by the mean, so state 0 is the one at −2
  assert.ok(model.means[0] < model.means[1]);
});

test('one component is the maximum-likelihood Gaussian; BIC and AIC follow from the parameter count', () => {
  const { X, d } = mixture(5, 400, [{ mean: [1, -2, 3], A: [[1, 0, 0], [0.3, 2, 0], [0.1, -0.4, 0.5]], weight: 1 }]);
  const n = 400, reg = 1e-6;
  const m = fitGaussianMixture(X, n, d, { components: 1, regCovar: reg });
  const mean = [0, 0, 0];
  for (let i = 0; i < n; i++) for (let a = 0; a < d; a++) mean[a] += X[i * d + a] / n;
  const S = Array.from({ length: d }, () => [0, 0, 0]);
  for (let i = 0; i < n; i++) for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) S[a][b] += ((X[i * d + a] - mean[a]) * (X[i * d + b] - mean[b])) / n;
  for (let a = 0; a < d; a++) {
    assert.ok(Math.abs(m.means[a] - mean[a]) < 1e-12);
    for (let b = 0; b < d; b++) assert.ok(Math.abs(m.covariances[a * d + b] - (S[a][b] + (a === b ? reg : 0))) < 1e-12);
  }
  const Sigma = new Matrix(S.map((r, a) => r.map((v, b) => v + (a === b ? reg : 0))));
  // mean log-likelihood of the MLE: −½ (d ln 2π + ln det Σ + tr(Σ⁻¹ S))
  const tr = inverse(Sigma).mmul(new Matrix(S)).trace();
  const ll = -0.5 * (d * Math.log(2 * Math.PI) + Math.log(determinant(Sigma)) + tr);
  assert.ok(Math.abs(m.logLikelihood - ll) < 1e-10);
  // full covariance, k = 1, d = 3: 6 covariance + 3 mean + 0 weight parameters
  assert.equal(m.parameters, 9);
  assert.ok(Math.abs(m.bic - (-2 * n * ll + 9 * Math.log(n))) < 1e-8);
  assert.ok(Math.abs(m.aic - (-2 * n * ll + 18)) < 1e-8);
});

test('parameter counts by covariance type', () => {
  // k = 3, d = 2: full 3·3 cov + 6 means + 2 weights; diagonal 3·2 + 6 + 2; spherical 3 + 6 + 2
  assert.equal(parameterCount(3, 2, 'full'), 17);
  assert.equal(parameterCount(3, 2, 'diagonal'), 14);
  assert.equal(parameterCount(3, 2, 'spherical'), 11);
  // the paper's setting: 6 states in 32 dimensions
  assert.equal(parameterCount(6, 32, 'full'), 6 * 528 + 6 * 32 + 5);
});

test('overlapping anisotropic clusters: full covariance separates them, spherical and diagonal models cannot', () => {
  // two long thin clusters crossing in an X (rotated ±45°, so neither is axis-aligned), centres offset across
  const c = Math.SQRT1_2;
  const { X, labels, d } = mixture(7, 1200, [
    { mean: [-c, c], A: [[4 * c, -0.1 * c], [4 * c, 0.1 * c]], weight: 0.5 },
    { mean: [c, c], A: [[4 * c, 0.1 * c], [-4 * c, 0.1 * c]], weight: 0.5 },
  ]);
  const fits = (['full', 'spherical', 'diagonal'] as const).map((covariance) => {
    const m = fitGaussianMixture(X, 1200, d, { components: 2, seed: 2, covariance });
    return { m, ari: adjustedRandIndex(predict(m, X), labels) };
  });
  const [full, sph, diag] = fits;
  assert.ok(full.ari > 0.9, `full ARI ${full.ari}`);
  assert.ok(sph.ari < 0.3 && diag.ari < 0.3, `spherical ${sph.ari}, diagonal ${diag.ari}`);
  assert.ok(full.m.bic < sph.m.bic && full.m.bic < diag.m.bic);
  // spherical covariances are multiples of the identity; diagonal ones are diagonal
  assert.equal(sph.m.covariances[1], 0);
  assert.equal(sph.m.covariances[0], sph.m.covariances[3]);
  assert.equal(diag.m.covariances[1], 0);
  assert.notEqual(diag.m.covariances[0], diag.m.covariances[3]);
  assert.equal(sph.m.parameters, parameterCount(2, 2, 'spherical'));
});

test('same data and seed give the same model; numbering does not depend on row order', () => {
  const { X, d } = mixture(11, 500, [
    { mean: [0, 0, 0], A: eye(3), weight: 0.5 },
    { mean: [6, 0, 0], A: eye(3, 0.7), weight: 0.3 },
    { mean: [0, 6, 0], A: eye(3, 1.3), weight: 0.2 },
  ]);
  const a = fitGaussianMixture(X, 500, d, { components: 3, seed: 9 });
  const b = fitGaussianMixture(X, 500, d, { components: 3, seed: 9 });
  assert.deepEqual(a.means, b.means);
  assert.deepEqual(a.covariances, b.covariances);
  assert.deepEqual(predict(a, X), predict(b, X));
  // reversed rows: a different start, the same optimum, the same state numbers
  const R = new Float64Array(X.length);
  for (let i = 0; i < 500; i++) R.set(X.subarray(i * d, i * d + d), (499 - i) * d);
  const r = fitGaussianMixture(R, 500, d, { components: 3, seed: 9 });
  for (let t = 0; t < a.means.length; t++) assert.ok(Math.abs(a.means[t] - r.means[t]) < 1e-6);
  assert.ok(a.weights[0] >= a.weights[1] && a.weights[1] >= a.weights[2]);
  assert.equal(a.restarts.length, 5);
  assert.ok(a.restarts[a.chosenRestart].lowerBound >= Math.max(...a.restarts.map((s) => s.lowerBound)));
});

test('fitting on a seeded sample uses that many rows, reproducibly', () => {
  const { X, d } = mixture(2, 3000, [
    { mean: [0, 0], A: eye(2), weight: 1 },
    { mean: [5, 5], A: eye(2), weight: 1 },
  ]);
  const a = fitGaussianMixture(X, 3000, d, { components: 2, sampleSize: 700, seed: 4 });
  const b = fitGaussianMixture(X, 3000, d, { components: 2, sampleSize: 700, seed: 4 });
  const c = fitGaussianMixture(X, 3000, d, { components: 2, sampleSize: 700, seed: 5 });
  assert.equal(a.samples, 700);
  assert.deepEqual(a.means, b.means);
  assert.notDeepEqual(a.means, c.means);
});

test('predict, predictProba and scoreSamples agree with a direct evaluation (odd dimension, many blocks, float32)', () => {
  const d = 5;
  const comps = [0, 1, 2].map((c) => ({
    mean: Array.from({ length: d }, (_, a) => (a === c ? 3 : 0)),
    A: Array.from({ length: d }, (_, a) => Array.from({ length: d }, (_, b) => (a === b ? 1 + 0.2 * c : a > b ? 0.3 : 0))),
    weight: 1 + c,
  }));
  const { X } = mixture(3, 2500, comps);
  const m = fitGaussianMixture(X, 2500, d, { components: 3, seed: 1, restarts: 1 });
  const labels = predict(m, X);
  const proba = predictProba(m, X);
  const score = scoreSamples(m, X);
  const X32 = Float32Array.from(X);
  const labels32 = predict(m, X32);
  const score32 = scoreSamples(m, X32);
  for (let i = 0; i < 2500; i += 7) {
    const ref = referenceLogDensity(m, X.subarray(i * d, i * d + d));
    const max = Math.max(...ref);
    const lse = max + Math.log(ref.reduce((s, v) => s + Math.exp(v - max), 0));
    assert.ok(Math.abs(score[i] - lse) < 1e-9, `row ${i}`);
    assert.equal(labels[i], ref.indexOf(max));
    for (let c = 0; c < 3; c++) assert.ok(Math.abs(proba[i * 3 + c] - Math.exp(ref[c] - lse)) < 1e-9);
    const ref32 = referenceLogDensity(m, X32.subarray(i * d, i * d + d));
    const lse32 = Math.max(...ref32) + Math.log(ref32.reduce((s, v) => s + Math.exp(v - Math.max(...ref32)), 0));
    assert.ok(Math.abs(score32[i] - lse32) < 1e-9);
  }
  for (let i = 0; i < 2500; i++) {
    const sumP = proba[i * 3] + proba[i * 3 + 1] + proba[i * 3 + 2];
    assert.ok(Math.abs(sumP - 1) < 1e-12);
    assert.ok(labels32[i] === labels[i] || Math.abs(proba[i * 3 + labels[i]] - proba[i * 3 + labels32[i]]) < 1e-5);
  }
  // squared Mahalanobis distances: ½·(base − log density) reversed
  let seen = 0;
  streamSquaredMahalanobis(m, X, (r0, r1, out) => {
    for (let r = r0; r < r1; r++) {
      const ref = referenceLogDensity(m, X.subarray(r * d, r * d + d));
      for (let c = 0; c < 3; c++) {
        const S = new Matrix(Array.from({ length: d }, (_, a) => Array.from({ length: d }, (_, b) => m.covariances[c * d * d + a * d + b])));
        const base = Math.log(m.weights[c]) - 0.5 * (d * Math.log(2 * Math.PI) + Math.log(determinant(S)));
        assert.ok(Math.abs(out[(r - r0) * 3 + c] - 2 * (base - ref[c])) < 1e-8);
      }
      seen++;
    }
  }, 40);
  assert.equal(seen, 40);
});

test('bad input and options are reported clearly', () => {
  const X = Float64Array.from({ length: 20 }, (_, i) => i % 7);
  assert.throws(() => fitGaussianMixture(X, 10, 2, { components: 11 }), /cannot fit 11 states to 10 samples/);
  assert.throws(() => fitGaussianMixture(X, 10, 2, { components: 0 }), /number of states.*integer/);
  assert.throws(() => fitGaussianMixture(X, 10, 2, { components: 2, restarts: 0 }), /restarts/);
  assert.throws(() => fitGaussianMixture(X, 10, 2, { components: 2, tol: -1 }), /tol/);
  assert.throws(() => fitGaussianMixture(X, 10, 2, { components: 2, covariance: 'tied' as 'full' }), /covariance must be/);
  assert.throws(() => fitGaussianMixture(X, 10, 2, { components: 2, init: 'random' as 'kmeans' }), /init must be/);
  assert.throws(() => fitGaussianMixture(X, 11, 2, { components: 2 }), /expected 11 rows × 2 columns/);
  const bad = Float64Array.from(X);
  bad[13] = Number.NaN;
  assert.throws(() => fitGaussianMixture(bad, 10, 2, { components: 2 }), /row 6, column 1 is NaN/);
  // collinear data without regularisation: a singular covariance
  const line = Float64Array.from({ length: 40 }, (_, i) => Math.floor(i / 2));
  assert.throws(() => fitGaussianMixture(line, 20, 2, { components: 2, regCovar: 0 }), (e: unknown) => {
    assert.ok(e instanceof GetseiError);
    assert.match(e.message, /not positive definite.*regCovar/);
    return true;
  });
  const m = fitGaussianMixture(line, 20, 2, { components: 2 });
  assert.throws(() => predict(m, new Float64Array(5)), /not a multiple of the model's dimension 2/);
  const row = new Float32Array(8);
  row[5] = Infinity;
  assert.throws(() => predict(m, row), /embedding row 2 holds a non-finite value/);
});

test('cross-check with scikit-learn GaussianMixture (skipped locally without sklearn, fails under CI)', (t) => {
  if (!pythonHas(['numpy', 'sklearn.mixture'])) {
    t.skip('scikit-learn not available under /usr/bin/python3: cross-check not run');
    return;
  }
  const { X, d } = mixture(3, 1500, [
    { mean: [0, 0, 0, 0], A: eye(4), weight: 0.5 },
    { mean: [3, 1, 0, -2], A: [[1, 0, 0, 0], [0.5, 1, 0, 0], [0, 0, 0.5, 0], [0, 0.2, 0, 2]], weight: 0.3 },
    { mean: [-2, 3, 1, 0], A: eye(4, 0.6), weight: 0.2 },
  ]);
  const dir = mkdtempSync(join(tmpdir(), 'getsei-gmm-'));
  try {
    writeFileSync(join(dir, 'x.npy'), encodeNpy(X, [1500, d]));
    const m = fitGaussianMixture(X, 1500, d, { components: 3, seed: 1, tol: 1e-10, maxIter: 1000 });
    const py = [
      'import numpy as np, sys; from sklearn.mixture import GaussianMixture',
      `X = np.load(sys.argv[1]); g = GaussianMixture(3, n_init=5, tol=1e-10, max_iter=1000, random_state=0).fit(X)`,
      'o = np.argsort(-g.weights_)',
      'print(g.score(X), g.bic(X), *g.weights_[o], *g.means_[o].ravel())',
    ].join('\n');
    const out = execFileSync('/usr/bin/python3', ['-c', py, join(dir, 'x.npy')]).toString().trim().split(/\s+/).map(Number);
    assert.ok(Math.abs(out[0] - m.logLikelihood) < 1e-8, `score ${out[0]} vs ${m.logLikelihood}`);
    assert.ok(Math.abs(out[1] - m.bic) < 1e-4);
    for (let c = 0; c < 3; c++) assert.ok(Math.abs(out[2 + c] - m.weights[c]) < 1e-7);
    for (let t2 = 0; t2 < 3 * d; t2++) assert.ok(Math.abs(out[5 + t2] - m.means[t2]) < 1e-6);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
