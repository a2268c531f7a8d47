/**
 * Gaussian mixtures fitted on a worker pool: every (state count, restart) pair is one task on the same shared fit
 * sample, so the restarts of one count and the counts of a score table run at once on every core. Each task runs
 * the sequential code (`emRestart`) with the same restart seeds and the best start is picked on the main thread by
 * `finishFit`, so the models are bit-identical to `fitGaussianMixture`'s (tested).
 */
import { randomUUID } from 'node:crypto';
import type { Piscina } from 'piscina';
import { GetseiError, runPoolTask } from '../util/index.ts';
import {
  finishFit, fitSampleRows, resolveMixtureOptions, restartSeeds, sampleWorkspace,
  type GaussianMixtureModel, type GaussianMixtureOptions, type RestartResult,
} from './gmm.ts';
import { checkRows, type Rows } from './validate.ts';
import type { RestartTask } from './worker.ts';

/** Entry of the states worker pool (src/util/workers.ts `createWorkerPool`). */
export function statesWorkerEntry(): URL {
  const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
  return new URL(`./worker.${ext}`, import.meta.url);
}

/**
 * Fit one mixture per count on the pool, with the options of `fitGaussianMixture` (same seed → same sample and
 * restarts for every count). Returns the models by count.
 */
export async function fitGaussianMixturesOnPool(
  X: Rows, n: number, d: number, counts: readonly number[], options: Omit<GaussianMixtureOptions, 'components'>, pool: Piscina,
): Promise<Map<number, GaussianMixtureModel>> {
  checkRows(X, n, d, 'embeddings');
  const resolved = counts.map((components) => resolveMixtureOptions({ ...options, components }));
  const seed = resolved[0]?.seed ?? 0;
  const rows = fitSampleRows(n, options.sampleSize, seed);
  const m = rows === null ? n : rows.length;
  for (const o of resolved) {
    if (m < o.components) throw new GetseiError(`cannot fit ${o.components} states to ${m} samples: use fewer states or more samples`);
  }
  // the fit sample once, in shared memory: the tasks read it without a copy
  const shared = new Float64Array(new SharedArrayBuffer(m * d * 8));
  if (rows === null) shared.set(X.subarray(0, n * d));
  else for (let t = 0; t < m; t++) shared.set(X.subarray(rows[t] * d, rows[t] * d + d), t * d);
  const sampleId = randomUUID();
  const pending = resolved.map((o) => Array.from(restartSeeds(o.seed, o.restarts), (restartSeed) => {
    const task: RestartTask = { kind: 'restart', X: shared, n: m, d, sampleId, options: o, restartSeed };
    return runPoolTask<RestartResult>(pool, task);
  }));
  const models = new Map<number, GaussianMixtureModel>();
  for (const [i, o] of resolved.entries()) {
    const results = await Promise.all(pending[i]);
    models.set(o.components, finishFit(sampleWorkspace(shared, m, d, o.components, null), o, results));
  }
  return models;
}
