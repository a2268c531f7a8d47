import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { kmeans } from 'ml-kmeans';
import { GetseiError } from '../util/index.ts';
import { createEmbeddingPool, createEncoder, embed, trainEncoder, type TrainProgress } from './index.ts';
import { adjustedRandIndex, createSyntheticSource } from './testing.ts';

const range = (n: number): Int32Array => Int32Array.from({ length: n }, (_, i) => i);

/** ARI between k-means (k = number of types) on the embeddings and the planted types. */
function typeRecovery(z: Float32Array, types: Int32Array, dim: number): number {
  const rows = Array.from({ length: types.length }, (_, i) => Array.from(z.subarray(i * dim, (i + 1) * dim)));
  return adjustedRandIndex(kmeans(rows, 4, { seed: 1 }).clusters, types);
}

test('training recovers planted environment types that an untrained encoder misses', async () => {
  // the type signal is a small shift of neighbour features under a large per-graph nuisance (see testing.ts)
  const source = createSyntheticSource({ count: 512, seed: 1, signal: 0.5, nuisance: 6 });
  const all = range(source.count);
  const options = { seed: 0, maxSteps: 40, epochs: 100, batchSize: 128, learningRate: 3e-3, threads: 1 };
  const untrained = createEncoder({ nFeatures: source.nFeatures }, 0);
  const before = typeRecovery(await embed(untrained, source, { threads: 1 }), source.types, 32);
  const trained = await trainEncoder(source, all, options);
  const after = typeRecovery(await embed(trained, source, { threads: 1 }), source.types, 32);
  assert.ok(after >= 0.8, `trained ARI ${after}`);
  assert.ok(after - before >= 0.3, `training should help: ARI ${before} → ${after}`);
  const steps = trained.lossCurve.steps;
  const head = (steps[0] + steps[1] + steps[2]) / 3, tail = (steps[37] + steps[38] + steps[39]) / 3;
  assert.ok(tail < head - 0.1, `loss ${head} → ${tail}`);
  assert.equal(trained.stepsRun, 40);
});

test('same seed → same weights and embeddings, on one thread or several; another seed differs', async () => {
  const source = createSyntheticSource({ count: 70, seed: 2 });
  const opts = { seed: 4, epochs: 2, batchSize: 32, shardGraphs: 8, config: { hiddenPerHead: 4 } };
  const progress: TrainProgress[] = [];
  const a = await trainEncoder(source, range(70), { ...opts, threads: 1, onProgress: (p) => progress.push(p) });
  const b = await trainEncoder(source, range(70), { ...opts, threads: 1 });
  const c = await trainEncoder(source, range(70), { ...opts, threads: 2 });
  const d = await trainEncoder(source, range(70), { ...opts, threads: 1, seed: 5 });
  assert.deepEqual(a.params, b.params);
  assert.deepEqual(a.params, c.params);
  assert.notDeepEqual(a.params, d.params);
  // 70 graphs in batches of 32: 32, 32, 6 → 3 steps per epoch
  assert.equal(a.stepsRun, 6);
  assert.deepEqual(progress.map((p) => p.step), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(progress.map((p) => p.epoch), [0, 0, 0, 1, 1, 1]);
  assert.ok(progress.every((p) => p.stepsTotal === 6 && Number.isFinite(p.loss)));
  assert.equal(a.lossCurve.epochs.length, 2);

  const z1 = await embed(a, source, { threads: 1, batchSize: 256 });
  const z2 = await embed(a, source, { threads: 1, batchSize: 7 });
  const z3 = await embed(a, source, { threads: 2, batchSize: 16 });
  assert.equal(z1.length, 70 * 32);
  assert.deepEqual(z1, z2);
  assert.deepEqual(z1, z3);
  const some = await embed(a, source, { threads: 1, indices: Int32Array.of(5, 3) });
  assert.deepEqual(some, Float32Array.from([...z1.subarray(5 * 32, 6 * 32), ...z1.subarray(3 * 32, 4 * 32)]));
  // one pool shared by several calls (the pipeline's groups of frames): the same rows, and the pool outlives each call
  const pool = createEmbeddingPool(2);
  try {
    const first = await embed(a, source, { pool, batchSize: 16, indices: Int32Array.from({ length: 40 }, (_, i) => i) });
    const rest = await embed(a, source, { pool, batchSize: 16, indices: Int32Array.from({ length: 30 }, (_, i) => 40 + i) });
    assert.deepEqual(Float32Array.from([...first, ...rest]), z1);
  } finally {
    await pool?.destroy();
  }
});

test('early stopping ends training after `patience` epochs without improvement and returns the best epoch', async () => {
  const source = createSyntheticSource({ count: 40, seed: 3 });
  const opts = { seed: 1, batchSize: 20, threads: 1, config: { hiddenPerHead: 2 } };
  // an improvement must exceed minDelta = 100, so no epoch after the first counts as one
  const stopped = await trainEncoder(source, range(40), { ...opts, epochs: 10, patience: 2, minDelta: 100 });
  assert.equal(stopped.epochsRun, 3);
  assert.equal(stopped.stoppedEarly, true);
  assert.equal(stopped.bestEpoch, 0);
  const oneEpoch = await trainEncoder(source, range(40), { ...opts, epochs: 1 });
  assert.deepEqual(stopped.params, oneEpoch.params);
  assert.equal(oneEpoch.stoppedEarly, false);
});

test('bad training and embedding requests fail with clear errors', async () => {
  const source = createSyntheticSource({ count: 10, seed: 3 });
  const rejects = (p: Promise<unknown>, pattern: RegExp) =>
    assert.rejects(p, (e: unknown) => e instanceof GetseiError && pattern.test(e.message));
  await rejects(trainEncoder(source, Int32Array.of(1)), /at least 2 graphs/);
  await rejects(trainEncoder(source, Int32Array.of(1, 10)), /training index 10 \(position 1\) is outside the 10 graphs/);
  await rejects(trainEncoder(source, range(10), { batchSize: 1 }), /batch size must be an integer ≥ 2/);
  await rejects(trainEncoder(source, range(10), { learningRate: -1 }), /learning rate/);
  await rejects(trainEncoder(source, range(10), { edgeDropRate: 1 }), /edge drop rate/);
  await rejects(trainEncoder(source, range(10), { config: { heads: 0 } }), /heads must be a positive integer/);
  await rejects(trainEncoder(source, range(10), { config: { readout: 'max' as 'mean' } }), /readout/);
  // finite but extreme features overflow float32 inside the model
  const extreme = { ...source, batch: (idx: Int32Array) => {
    const b = source.batch(idx);
    return { ...b, x: b.x.map((v) => Math.sign(v) * 3e38) };
  } };
  await rejects(trainEncoder(extreme, range(10), { threads: 1 }), /non-finite loss at step 1; lower the learning rate/);
  await rejects(embed(createEncoder({ nFeatures: 11 }), extreme, { threads: 1 }), /embedding of graph 0 is not finite/);
  const wrong = createEncoder({ nFeatures: 3 });
  await rejects(embed(wrong, source), /trained on 3 node features but the graphs have 11/);
  await rejects(embed(createEncoder({ nFeatures: 11 }), source, { indices: Int32Array.of(-1) }), /graph index -1/);
});
