import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { GetseiError, createRng, createWorkerPool, runPoolTask } from '../util/index.ts';
import { fitGaussianMixture } from './gmm.ts';
import { layoutMap, mapSampleRows, embeddingMap, type MapLayout } from './map.ts';
import { fitGaussianMixturesOnPool, statesWorkerEntry } from './parallel.ts';
import type { MapTask } from './worker.ts';

/** n rows around three well-separated centres in d = 5, with noise, as float32 (the embeddings' type). */
function blobs(n: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const d = 5, X = new Float32Array(n * d);
  for (let i = 0; i < n; i++) for (let a = 0; a < d; a++) X[i * d + a] = (i % 3) * 3 * (a === i % 3 ? 1 : 0) + rng.normal();
  return X;
}

test('mixtures fitted on the worker pool are bit-identical to the sequential fits (same seeds, sample, restarts)', async () => {
  const n = 900, d = 5, X = blobs(n, 4);
  const pool = createWorkerPool(statesWorkerEntry(), { threads: 2 });
  try {
    const options = { restarts: 3, seed: 7, sampleSize: 600 };
    const models = await fitGaussianMixturesOnPool(X, n, d, [2, 3, 4], options, pool);
    assert.deepEqual([...models.keys()], [2, 3, 4]);
    for (const [k, par] of models) {
      const seq = fitGaussianMixture(X, n, d, { ...options, components: k });
      assert.deepEqual(par, seq, `count ${k}`);
    }
    // restarts cut into slices of 1 and of 3 EM iterations, resumed on whichever thread is free: the same bytes
    for (const stepsPerTask of [1, 3]) {
      const sliced = await fitGaussianMixturesOnPool(X, n, d, [3, 4], options, pool, { stepsPerTask });
      for (const [k, par] of sliced) assert.deepEqual(par, models.get(k), `count ${k}, ${stepsPerTask} iterations a task`);
      assert.ok((sliced.get(4)?.iterations ?? 0) > stepsPerTask, 'the kept restart ran over several slices');
    }
    await assert.rejects(fitGaussianMixturesOnPool(X, n, d, [700], { sampleSize: 600 }, pool), GetseiError);
  } finally {
    await pool.destroy();
  }
});

test('the 2-D map laid out on a worker before the states are known equals embeddingMap of the labelled rows', async () => {
  const n = 300, d = 5, X = blobs(n, 2);
  const labels = Int16Array.from({ length: n }, (_, i) => i % 3);
  const expected = embeddingMap(X, n, d, labels, { sampleSize: 120, seed: 3, tsne: { iterations: 300 } });
  const rows = mapSampleRows(n, 120, 3);
  assert.deepEqual(rows, expected.rows);
  const sub = new Float64Array(rows.length * d);
  rows.forEach((r, t) => sub.set(X.subarray(r * d, r * d + d), t * d));
  const pool = createWorkerPool(statesWorkerEntry(), { threads: 1 });
  try {
    const task: MapTask = { kind: 'map', X: sub, n: rows.length, d, options: { method: 'tsne', seed: 3, tsne: { iterations: 300 } } };
    const onWorker = await runPoolTask<MapLayout>(pool, task);
    assert.deepEqual(onWorker.coordinates, expected.coordinates);
    assert.deepEqual(layoutMap(sub, rows.length, d, task.options).coordinates, expected.coordinates);
  } finally {
    await pool.destroy();
  }
});
