import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { createRng } from '../util/index.ts';
import { kMeans, kMeansPlusPlus } from './kmeans.ts';

function blobs(seed: number, centres: number[][], perBlob: number, spread: number): Float64Array {
  const rng = createRng(seed);
  const d = centres[0].length;
  const X = new Float64Array(centres.length * perBlob * d);
  centres.forEach((c, b) => {
    for (let i = 0; i < perBlob; i++) for (let a = 0; a < d; a++) X[(b * perBlob + i) * d + a] = c[a] + spread * rng.normal();
  });
  return X;
}

test('k-means++ takes its centres from the rows, one per far-apart blob, reproducibly', () => {
  const X = blobs(1, [[0, 0], [100, 0], [0, 100]], 50, 1);
  const a = kMeansPlusPlus(X, 150, 2, 3, { seed: 5 });
  const b = kMeansPlusPlus(X, 150, 2, 3, { seed: 5 });
  assert.deepEqual(a, b);
  const blobsHit = new Set(Array.from(a.indices, (i) => Math.floor(i / 50)));
  assert.equal(blobsHit.size, 3);
  a.indices.forEach((row, c) => assert.deepEqual(Array.from(a.centers.subarray(2 * c, 2 * c + 2)), Array.from(X.subarray(2 * row, 2 * row + 2))));
  assert.throws(() => kMeansPlusPlus(X, 150, 2, 151), /number of clusters/);
  assert.throws(() => kMeansPlusPlus(X, 150, 2, 2, { localTrials: 0 }), /localTrials/);
});

test('k-means converges to the blob means; labels are nearest centres; inertia is the sum of squared distances', () => {
  const X = blobs(2, [[0, 0, 0], [8, 0, 0], [0, 8, 0], [0, 0, 8]], 40, 1);
  const r = kMeans(X, 160, 3, { clusters: 4, seed: 1 });
  assert.ok(r.converged);
  const byBlob = Array.from({ length: 4 }, (_, b) => new Set(Array.from(r.labels.subarray(b * 40, b * 40 + 40))));
  for (const s of byBlob) assert.equal(s.size, 1);
  let inertia = 0;
  for (let i = 0; i < 160; i++) {
    const dist = (c: number): number => {
      let s = 0;
      for (let a = 0; a < 3; a++) s += (X[i * 3 + a] - r.centers[c * 3 + a]) ** 2;
      return s;
    };
    for (let c = 0; c < 4; c++) assert.ok(dist(r.labels[i]) <= dist(c));
    inertia += dist(r.labels[i]);
  }
  assert.ok(Math.abs(inertia - r.inertia) < 1e-9);
  // each centre is the mean of its members
  for (let c = 0; c < 4; c++) {
    const members = Array.from(r.labels).flatMap((l, i) => (l === c ? [i] : []));
    for (let a = 0; a < 3; a++) {
      const m = members.reduce((s, i) => s + X[i * 3 + a], 0) / members.length;
      assert.ok(Math.abs(m - r.centers[c * 3 + a]) < 1e-12);
    }
  }
});

test('more clusters than distinct points: duplicated centres end up at distinct points or empty, never NaN', () => {
  const X = Float64Array.from([0, 0, 0, 0, 5, 5, 5, 5, 9, 9, 9, 9]); // three distinct 1-D values, 4 copies each
  const r = kMeans(X, 12, 1, { clusters: 4, seed: 3 });
  assert.ok(r.centers.every(Number.isFinite));
  assert.equal(r.inertia, 0);
  assert.deepEqual(new Set(Array.from(r.labels).map((l) => r.centers[l])), new Set([0, 5, 9]));
  assert.throws(() => kMeans(X, 12, 1, { clusters: 2, maxIter: 0 }), /maxIter/);
});
