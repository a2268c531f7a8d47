import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { createRng } from '../util/index.ts';
import { embeddingMap, umap } from './map.ts';
import { TsneGradient } from './tsne-kernel.ts';
import { jointProbabilities, klGradient, tsne, tsneWithDiagnostics } from './tsne.ts';

function clusters(seed: number, k: number, per: number, d: number, sep: number): { X: Float64Array; labels: Int16Array } {
  const rng = createRng(seed);
  const X = new Float64Array(k * per * d);
  const labels = new Int16Array(k * per);
  for (let i = 0; i < k * per; i++) {
    labels[i] = i % k;
    for (let a = 0; a < d; a++) X[i * d + a] = (a === labels[i] ? sep : 0) + rng.normal();
  }
  return { X, labels };
}

/** fraction of points whose nearest neighbour in the 2-D layout has the same label */
function nnAgreement(Y: Float32Array, labels: ArrayLike<number>): number {
  const n = labels.length;
  let ok = 0;
  for (let i = 0; i < n; i++) {
    let best = -1, bd = Infinity;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const dd = (Y[2 * i] - Y[2 * j]) ** 2 + (Y[2 * i + 1] - Y[2 * j + 1]) ** 2;
      if (dd < bd) {
        bd = dd;
        best = j;
      }
    }
    if (labels[best] === labels[i]) ok++;
  }
  return ok / n;
}

test('input affinities reach the target perplexity in every row and form a symmetric distribution', () => {
  const { X } = clusters(1, 3, 30, 5, 4);
  const { P, entropies } = jointProbabilities(X, 90, 5, 10);
  for (const h of entropies) assert.ok(Math.abs(h - Math.log(10)) < 1e-5);
  let sum = 0;
  for (let i = 0; i < 90; i++) {
    assert.equal(P[i * 90 + i], 0);
    for (let j = 0; j < 90; j++) {
      assert.equal(P[i * 90 + j], P[j * 90 + i]);
      sum += P[i * 90 + j];
    }
  }
  assert.ok(Math.abs(sum - 1) < 1e-9);
});

test('the KL gradient matches finite differences of the KL divergence', () => {
  const { X } = clusters(2, 2, 6, 3, 3);
  const n = 12;
  const { P } = jointProbabilities(X, n, 3, 4);
  const rng = createRng(3);
  const Y = Float64Array.from({ length: 2 * n }, () => rng.normal());
  const grad = new Float64Array(2 * n);
  const scratch = new Float64Array(2 * n);
  klGradient(P, Y, n, 1, grad, true);
  for (let t = 0; t < 2 * n; t++) {
    const h = 1e-6, keep = Y[t];
    Y[t] = keep + h;
    const up = klGradient(P, Y, n, 1, scratch, true);
    Y[t] = keep - h;
    const down = klGradient(P, Y, n, 1, scratch, true);
    Y[t] = keep;
    assert.ok(Math.abs((up - down) / (2 * h) - grad[t]) < 1e-6 * Math.max(1, Math.abs(grad[t])), `coord ${t}`);
  }
  // early exaggeration scales only the attractive term: grad(α) − grad(1) = 4(α − 1) Σ_j p_ij w_ij (y_i − y_j)
  const ex = new Float64Array(2 * n);
  klGradient(P, Y, n, 12, ex, false);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 2; c++) {
      let attract = 0;
      for (let j = 0; j < n; j++) {
        const w = 1 / (1 + (Y[2 * i] - Y[2 * j]) ** 2 + (Y[2 * i + 1] - Y[2 * j + 1]) ** 2);
        attract += P[i * n + j] * w * (Y[2 * i + c] - Y[2 * j + c]);
      }
      assert.ok(Math.abs(ex[2 * i + c] - grad[2 * i + c] - 44 * attract) < 1e-12);
    }
  }
});

test('the SIMD gradient kernel equals the plain gradient (odd and even sizes, with exaggeration)', () => {
  for (const n of [2, 3, 8, 31]) {
    const { X } = clusters(n, 2, Math.ceil(n / 2), 4, 3);
    const { P } = jointProbabilities(X, n, 4, Math.min(5, n - 1));
    const rng = createRng(n);
    const Y = Float64Array.from({ length: 2 * n }, () => rng.normal());
    const want = new Float64Array(2 * n), got = new Float64Array(2 * n);
    const engine = new TsneGradient(P, n);
    for (const ex of [1, 12]) {
      klGradient(P, Y, n, ex, want, false);
      engine.gradient(Y, ex, got);
      for (let t = 0; t < 2 * n; t++) assert.ok(Math.abs(got[t] - want[t]) < 1e-14 * Math.max(1, Math.abs(want[t])), `n=${n} α=${ex} ${t}`);
    }
  }
});

test('t-SNE keeps separated clusters apart, reproducibly', () => {
  const { X, labels } = clusters(4, 3, 40, 8, 10);
  const Y = tsne(X, 120, 8, { perplexity: 15, iterations: 600 });
  assert.equal(Y.length, 240);
  assert.ok(Y.every(Number.isFinite));
  assert.ok(nnAgreement(Y, labels) > 0.95);
  const again = tsneWithDiagnostics(X, 120, 8, { perplexity: 15, iterations: 600 });
  assert.deepEqual(again.coordinates, Y);
  // the optimisation lowered KL(P‖Q) below that of the start (the PCA start is already roughly clustered)
  const { P } = jointProbabilities(X, 120, 8, 15);
  const start = tsne(X, 120, 8, { perplexity: 15, iterations: 1, exaggerationIterations: 0 });
  const kl0 = klGradient(P, Float64Array.from(start), 120, 1, new Float64Array(240), true);
  assert.ok(again.klDivergence > 0 && again.klDivergence < kl0 - 0.2, `${again.klDivergence} vs ${kl0}`);
  const R1 = tsne(X, 120, 8, { perplexity: 15, iterations: 50, init: 'random', seed: 7 });
  const R2 = tsne(X, 120, 8, { perplexity: 15, iterations: 50, init: 'random', seed: 7 });
  const R3 = tsne(X, 120, 8, { perplexity: 15, iterations: 50, init: 'random', seed: 8 });
  assert.deepEqual(R1, R2);
  assert.notDeepEqual(R1, R3);
  assert.throws(() => tsne(X, 20, 8, { perplexity: 30 }), /more rows than the perplexity/);
  assert.throws(() => tsne(X, 120, 8, { init: 'spectral' as 'pca' }), /init must be/);
  assert.throws(() => tsne(X, 120, 8, { iterations: 0 }), /iterations/);
});

test('UMAP (umap-js on the seeded stream) is reproducible and keeps clusters apart', () => {
  const { X, labels } = clusters(5, 3, 40, 6, 6);
  const a = umap(X, 120, 6, { seed: 2, nEpochs: 100 });
  const b = umap(X, 120, 6, { seed: 2, nEpochs: 100 });
  assert.deepEqual(a, b);
  assert.ok(nnAgreement(a, labels) > 0.95);
  assert.throws(() => umap(X, 10, 6), /more rows than nNeighbors/);
});

test('the embedding map lays out a seeded sample of labelled rows with their states', () => {
  const { X, labels } = clusters(6, 3, 60, 5, 6);
  const lab = Int16Array.from(labels);
  lab[0] = -1;
  const map = embeddingMap(X, 180, 5, lab, { sampleSize: 90, seed: 1, tsne: { perplexity: 10, iterations: 100 } });
  assert.equal(map.method, 'tsne');
  assert.ok((map.klDivergence as number) > 0);
  assert.equal(map.rows.length, 90);
  assert.equal(map.coordinates.length, 180);
  map.rows.forEach((r, t) => {
    assert.ok(lab[r] >= 0);
    assert.equal(map.states[t], lab[r]);
  });
  const u = embeddingMap(X, 180, 5, lab, { method: 'umap', sampleSize: 1000, umap: { nEpochs: 50 } });
  assert.equal(u.rows.length, 179);
  assert.equal(u.klDivergence, null);
  assert.throws(() => embeddingMap(X, 180, 5, lab, { method: 'pca' as 'tsne' }), /'tsne' or 'umap'/);
});
