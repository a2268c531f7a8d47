/**
 * The kinetic comparison states.json carries (issue 10): the cross-validated VAMP-2 / VAMP-E of the states fitted
 * in the time-lagged projection and of the paper's states (the mixture on the raw embeddings), at the same count,
 * seed, fit sample, lag and folds of whole Li, so that a user sees what the projection buys on their own data.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fitGaussianMixture } from '../states/index.ts';
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
 * kept projected ones) and score both. `kept` is the VAMP score of the run's own states at that count.
 */
export async function compareProjectedAndPaper(
  run: string, segments: Int32Array, nLi: number, nFrames: number, cfg: Config['states'], projection: ProjectionSettings, count: number,
  kept: { vamp2: number; vamp2Std: number; vampE: number },
  vamp: { lagFrames: number; folds: number; liSample: number },
): Promise<KineticComparison> {
  const method = projection.method;
  // the paper's mode compares against TICA at the configured projection settings
  const otherMethod = method === 'none' ? 'tica' : 'none';
  const scratch = join(run, '.comparison-projected.npy');
  try {
    const otherPath = otherMethod === 'none'
      ? join(run, 'embeddings.npy')
      : (await projectEmbeddings(run, segments, nLi, nFrames, { ...projection, method: 'tica' }, undefined, '.comparison-projected.npy')).path;
    const nGraphs = nLi * nFrames;
    const sample = sampleIndices(createRng(cfg.seed), nGraphs, Math.min(nGraphs, cfg.fitSampleSize));
    const { X, D } = await readRows(otherPath, sample);
    const model = fitGaussianMixture(X, sample.length, D, { components: count, sampleSize: sample.length, restarts: cfg.restarts, seed: cfg.seed });
    const [other] = await stateVampScores(otherPath, nLi, nFrames, [model], vamp.lagFrames, segments, { liSample: vamp.liSample, folds: vamp.folds, seed: cfg.seed + 3 });
    const keptRow: KineticComparisonRow = { states: method === 'none' ? 'paper' : 'projected', method, ...kept };
    const otherRow: KineticComparisonRow = {
      states: otherMethod === 'none' ? 'paper' : 'projected', method: otherMethod,
      vamp2: other.mean.vamp2, vamp2Std: other.std.vamp2, vampE: other.mean.vampE,
    };
    return { count, lagFrames: vamp.lagFrames, folds: vamp.folds, liSample: vamp.liSample, rows: [keptRow, otherRow] };
  } finally {
    await rm(scratch, { force: true });
  }
}
