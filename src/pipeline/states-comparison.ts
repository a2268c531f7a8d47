/**
 * The kinetic comparison states.json carries (issue 10): the cross-validated VAMP-2 / VAMP-E of the states fitted
 * in the time-lagged projection and of the paper's states (the mixture on the raw embeddings), at the same count,
 * seed, fit sample, lag and folds of whole Li, so that a user sees what the projection buys on their own data.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Piscina } from 'piscina';
import { fitGaussianMixture, type GaussianMixtureModel } from '../states/index.ts';
import { fitGaussianMixturesOnPool } from '../states/parallel.ts';
import { npyFileInfo, readFloat32RowsAt } from '../util/npy-file.ts';
import { createRng, sampleIndices } from '../util/rng.ts';
import type { Config } from './config.ts';
import { projectEmbeddings, stateVampScores, type ProjectionSettings } from './stage-projection.ts';

export interface KineticComparisonRow {
  /** 'projected': states fitted in the TICA/VAMP space; 'paper': the mixture on the raw 32-d embeddings */
  readonly states: 'projected' | 'paper';
  readonly method: 'tica' | 'vamp' | 'none';
  readonly vamp2: number;
  readonly vamp2Std: number;
  readonly vampE: number;
}

export interface KineticComparison {
  readonly count: number;
  readonly lagFrames: number;
  readonly folds: number;
  readonly liSample: number;
  /** the row of the states this run kept comes first */
  readonly rows: readonly KineticComparisonRow[];
}

/** Rows `sample` of a float32 [n × D] .npy file, and D. */
async function readRows(path: string, sample: Int32Array): Promise<{ X: Float32Array; D: number }> {
  const info = await npyFileInfo(path);
  const D = info.shape[1];
  return { X: await readFloat32RowsAt(path, sample, D, info.dataOffset), D };
}

/**
 * Fit the other kind of states at count `count` (projected ones when the run kept the paper's, the paper's when it
 * kept projected ones) and score them. It needs only the count, so with a fixed count the states stage starts it
 * beside its own fit; with a pool its restarts run there (bit-identical to the sequential fit).
 */
export async function otherStatesRow(
  run: string, segments: Int32Array, nLi: number, nFrames: number, cfg: Config['states'], projection: ProjectionSettings, count: number,
  vamp: { lagFrames: number; folds: number; liSample: number }, pool: Piscina | null,
): Promise<KineticComparisonRow> {
  // the paper's mode compares against TICA at the configured projection settings
  const otherMethod = projection.method === 'none' ? 'tica' : 'none';
  const scratch = join(run, '.comparison-projected.npy');
  try {
    const otherPath = otherMethod === 'none'
      ? join(run, 'embeddings.npy')
      : (await projectEmbeddings(run, segments, nLi, nFrames, { ...projection, method: 'tica' }, undefined, '.comparison-projected.npy')).path;
    const nGraphs = nLi * nFrames;
    const sample = sampleIndices(createRng(cfg.seed), nGraphs, Math.min(nGraphs, cfg.fitSampleSize));
    const { X, D } = await readRows(otherPath, sample);
    const options = { sampleSize: sample.length, restarts: cfg.restarts, seed: cfg.seed };
    const model = pool
      ? (await fitGaussianMixturesOnPool(X, sample.length, D, [count], options, pool)).get(count) as GaussianMixtureModel
      : fitGaussianMixture(X, sample.length, D, { ...options, components: count });
    const [other] = await stateVampScores(otherPath, nLi, nFrames, [model], vamp.lagFrames, segments, { liSample: vamp.liSample, folds: vamp.folds, seed: cfg.seed + 3 });
    return {
      states: otherMethod === 'none' ? 'paper' : 'projected', method: otherMethod,
      vamp2: other.mean.vamp2, vamp2Std: other.std.vamp2, vampE: other.mean.vampE,
    };
  } finally {
    await rm(scratch, { force: true });
  }
}

/** The comparison: the kept states' VAMP scores (`kept`, at the same count, lag and folds) first, then the other's. */
export function kineticComparison(
  count: number, method: ProjectionSettings['method'], kept: { vamp2: number; vamp2Std: number; vampE: number },
  other: KineticComparisonRow, vamp: { lagFrames: number; folds: number; liSample: number },
): KineticComparison {
  const keptRow: KineticComparisonRow = { states: method === 'none' ? 'paper' : 'projected', method, ...kept };
  return { count, lagFrames: vamp.lagFrames, folds: vamp.folds, liSample: vamp.liSample, rows: [keptRow, other] };
}
