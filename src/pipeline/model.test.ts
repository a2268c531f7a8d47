import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { project, type ProjectionModel } from '../projection/index.ts';
import { fitGaussianMixture, predict } from '../states/index.ts';
import { createRng } from '../util/rng.ts';
import type { FrameStoreIndex } from './frame-store.ts';
import { checkModelFits, loadModel, writeModel } from './model.ts';
import type { ProjectionRecord } from './stage-projection.ts';

const dir = mkdtempSync(join(tmpdir(), 'getsei-model-unit-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a written model loads back bit for bit: the same projection and the same assignments; a changed file is refused', async () => {
  const rng = createRng(3);
  const n = 400, d = 3;
  const X = Float32Array.from({ length: n * d }, (_, i) => rng.normal() + (i % (2 * d) < d ? 0 : 4));
  const mixture = fitGaussianMixture(X, n, d, { components: 2, seed: 1 });
  const projection: ProjectionModel = {
    method: 'tica', d, mean: Float64Array.of(0.1, -0.2, 1 / 3), eigenvalues: Float64Array.of(0.9, 0.5, 0.1), dim: 2,
    components: Float64Array.from({ length: d * 2 }, () => rng.normal()), cumulativeKineticVariance: Float64Array.of(0.75, 0.99, 1),
    droppedDirections: 0, kineticMap: true, pairs: 1234,
  };
  const record = { method: 'tica', lagFrames: 5, dim: 2, inputDim: d, kineticMap: true, eigenvalues: [0.9, 0.5, 0.1], timescalesFrames: [1, 2, 3], cumulativeKineticVariance: [0.75, 0.99, 1], pairs: 1234, droppedDirections: 0, file: 'projected.npy' } satisfies ProjectionRecord;
  const run = join(dir, 'run');
  mkdirSync(join(run, 'encoder'), { recursive: true });
  writeFileSync(join(run, 'encoder', 'model.safetensors'), 'weights');
  writeFileSync(join(run, 'encoder', 'config.json'), '{}');
  const index = { shellAngstrom: 4, graphRadiusAngstrom: 4 } as FrameStoreIndex;
  const out = await writeModel(run, { encoderDir: join(run, 'encoder'), mixture, projection: { model: projection, record }, index, elements: ['Li', 'S'], edgeCutoffAngstrom: 3, embeddingDim: d });
  assert.deepEqual(readdirSync(run).filter((f) => f.includes('partial')), [], 'no temporary folder is left');
  const loaded = await loadModel(out);
  assert.deepEqual(Array.from(predict(loaded.mixture, X, n)), Array.from(predict(mixture, X, n)));
  assert.deepEqual(Array.from(loaded.mixture.precisionsCholesky), Array.from(mixture.precisionsCholesky));
  assert.ok(loaded.projection !== null);
  assert.deepEqual(Array.from(project(loaded.projection.model, X, n)), Array.from(project(projection, X, n)));
  assert.deepEqual(loaded.projection.record, record);
  checkModelFits(loaded, index, ['Li', 'S'], 3);
  assert.throws(() => checkModelFits(loaded, { ...index, shellAngstrom: 5 }, ['Li', 'P'], 3), /elements \[Li, S\] vs \[Li, P\].*shell 4 Å vs 5 Å/);
  writeFileSync(join(out, 'encoder', 'config.json'), '{"changed": 1}');
  await assert.rejects(loadModel(out), /encoder\/config\.json does not match the hash/);
  writeFileSync(join(out, 'encoder', 'config.json'), '{}');
  rmSync(join(out, 'mixture.json'));
  await assert.rejects(loadModel(out), /mixture\.json is missing/);
  await assert.rejects(loadModel(join(dir, 'nothing')), /not a getsei model folder/);
  assert.ok(existsSync(join(out, 'manifest.json')));
});
