import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  addTrajectory, createAccumulator, estimateProjection, impliedTimescales, laggedCovariances, project, vampScoreCv,
  type ProjectionModel, type VampScoreCv,
} from '../projection/index.ts';
import { predict, type GaussianMixtureModel } from '../states/index.ts';
import { GetseiError } from '../util/errors.ts';
import { decodeNpy } from '../util/npy.ts';
import { NpyFileWriter, npyFileInfo, readFloat32Rows } from '../util/npy-file.ts';
import { createRng, sampleIndices } from '../util/rng.ts';
import type { Config } from './config.ts';
import { projectionLagFrames } from './lag.ts';

/** frames read per chunk when streaming embeddings.npy (graph g = Li g mod nLi of frame ⌊g / nLi⌋) */
const CHUNK_FRAMES = 256;

/** The projection settings with the lag resolved to frames (projection.lag may be "auto" or a time). */
export type ProjectionSettings = Omit<Config['projection'], 'lag'> & { readonly lag: number };

/** Resolve projection.lag against the frame interval (pipeline/lag.ts: "auto" is the frames nearest 0.5 ps). */
export function projectionSettings(cfg: Config['projection'], dtPs: number | null): ProjectionSettings {
  return { ...cfg, lag: projectionLagFrames(cfg.lag, dtPs) };
}

/** What states.json records of the projection the mixture ran in. */
export interface ProjectionRecord {
  readonly method: 'tica' | 'vamp';
  readonly lagFrames: number;
  readonly dim: number;
  readonly inputDim: number;
  readonly kineticMap: boolean;
  /** every eigenvalue (TICA) or singular value (VAMP), by decreasing modulus */
  readonly eigenvalues: number[];
  /** −lag / ln|λ| in frames, per eigenvalue */
  readonly timescalesFrames: number[];
  readonly cumulativeKineticVariance: number[];
  readonly pairs: number;
  readonly droppedDirections: number;
  readonly file: 'projected.npy';
}

export async function readSegments(run: string, nFrames: number): Promise<Int32Array> {
  const seg = decodeNpy(await readFile(join(run, 'segments.npy'))).data as Int32Array;
  if (seg.length !== nFrames) throw new GetseiError(`${join(run, 'segments.npy')} has ${seg.length} frames, the store ${nFrames}; rerun featurize (getsei run --force featurize)`);
  return seg;
}

/**
 * Per-Li time series of a frame-major [nFrames·nLi × D] float32 file, chunk by chunk with lag frames of overlap, so
 * each pair (t, t + lag) is seen exactly once (t in the chunk's own frames).
 */
async function forEachLiChunk(
  path: string, nLi: number, nFrames: number, D: number, dataOffset: number, overlap: number,
  visit: (li: number, X: Float32Array, T: number, firstFrame: number) => void,
): Promise<void> {
  // one buffer for the chunks' rows and one for a Li's series, reused (the visitor must not keep X)
  const most = Math.min(nFrames, CHUNK_FRAMES + overlap);
  const buffer = new Float32Array(most * nLi * D), series = new Float32Array(most * D);
  for (let f0 = 0; f0 < nFrames; f0 += CHUNK_FRAMES) {
    const f1 = Math.min(nFrames, f0 + CHUNK_FRAMES + overlap);
    const T = f1 - f0;
    const rows = await readFloat32Rows(path, f0 * nLi, T * nLi, D, dataOffset, buffer);
    const X = series.subarray(0, T * D);
    for (let c = 0; c < nLi; c++) {
      for (let t = 0; t < T; t++) X.set(rows.subarray(((t * nLi) + c) * D, ((t * nLi) + c + 1) * D), t * D);
      visit(c, X, T, f0);
    }
    if (f1 === nFrames) break;
  }
}

/**
 * Estimate the time-lagged projection (TICA / VAMP) on every Li's embedding time series at projection.lag frames,
 * never across segments (RUN/segments.npy) or non-finite rows, and write RUN/projected.npy float32 [nGraphs × dim]
 * in the same row order as embeddings.npy.
 */
export async function projectEmbeddings(
  dir: string, segments: Int32Array, nLi: number, nFrames: number, cfg: ProjectionSettings & { method: 'tica' | 'vamp' },
  given?: { model: ProjectionModel; record: ProjectionRecord },
  outName = 'projected.npy',
): Promise<{ path: string; model: ProjectionModel; record: ProjectionRecord }> {
  const path = join(dir, 'embeddings.npy');
  const info = await npyFileInfo(path);
  const [nGraphs, D] = info.shape;
  if (nGraphs !== nFrames * nLi || info.descr !== '<f4') throw new GetseiError(`${path} does not match the stored frames (${nFrames} frames × ${nLi} Li); rerun the encoder stage (getsei run --force encoder)`);
  let model: ProjectionModel;
  let record: ProjectionRecord;
  if (given !== undefined) {
    // a reusable model's projection (RUN/model/projection.json): applied, never re-estimated
    if (given.model.d !== D) throw new GetseiError(`the model's projection takes ${given.model.d}-d embeddings, ${path} has ${D}-d rows; use the model's encoder`);
    ({ model, record } = given);
  } else {
    ({ model, record } = await estimateEmbeddingProjection([{ dir, segments, nLi, nFrames }], cfg));
  }
  const out = join(dir, outName);
  const writer = await NpyFileWriter.create(out, new Float32Array(0), [nGraphs, model.dim]);
  try {
    const rowsPerChunk = CHUNK_FRAMES * nLi;
    const buffer = new Float32Array(Math.min(rowsPerChunk, nGraphs) * D);
    for (let start = 0; start < nGraphs; start += rowsPerChunk) {
      const count = Math.min(rowsPerChunk, nGraphs - start);
      await writer.append(project(model, await readFloat32Rows(path, start, count, D, info.dataOffset, buffer), count));
    }
    await writer.finish();
  } catch (err) {
    await writer.abort();
    throw err;
  }
  return { path: out, model, record };
}

/**
 * Estimate the projection at cfg.lag frames on the embedding series of every Li of every run given (one run, or
 * the pooled runs of `getsei compare --shared-model`): all their lagged pairs in one set of covariances.
 */
export async function estimateEmbeddingProjection(
  runs: readonly { dir: string; segments: Int32Array; nLi: number; nFrames: number }[], cfg: ProjectionSettings & { method: 'tica' | 'vamp' },
): Promise<{ model: ProjectionModel; record: ProjectionRecord }> {
  let acc: ReturnType<typeof createAccumulator> | undefined;
  let D = 0;
  for (const r of runs) {
    const path = join(r.dir, 'embeddings.npy');
    const info = await npyFileInfo(path);
    if (cfg.lag >= r.nFrames) throw new GetseiError(`projection.lag = ${cfg.lag} frames is not shorter than the trajectory of ${r.dir} (${r.nFrames} frames); use a shorter lag`);
    D = info.shape[1];
    const a = acc ??= createAccumulator(D);
    await forEachLiChunk(path, r.nLi, r.nFrames, D, info.dataOffset, cfg.lag, (_, X, T, f0) => addTrajectory(a, X, T, cfg.lag, r.segments, f0));
  }
  if (acc === undefined) throw new Error('estimateEmbeddingProjection needs at least one run');
  const model = estimateProjection(laggedCovariances(acc), cfg.method, {
    dim: cfg.dim, kineticVariance: cfg.kineticVariance, kineticMap: cfg.kineticMap, epsilon: cfg.epsilon,
  });
  const record: ProjectionRecord = {
    method: cfg.method, lagFrames: cfg.lag, dim: model.dim, inputDim: D, kineticMap: model.kineticMap,
    eigenvalues: Array.from(model.eigenvalues), timescalesFrames: Array.from(impliedTimescales(model.eigenvalues, cfg.lag)),
    cumulativeKineticVariance: Array.from(model.cumulativeKineticVariance), pairs: model.pairs, droppedDirections: model.droppedDirections,
    file: 'projected.npy',
  };
  return { model, record };
}

/**
 * The rows the mixture runs on: DIR/embeddings.npy itself (projection.method = "none", the paper) or its
 * time-lagged projection DIR/projected.npy.
 */
export async function mixtureInput(
  dir: string, segments: Int32Array, nLi: number, nFrames: number, cfg: ProjectionSettings,
  given?: { projection: { model: ProjectionModel; record: ProjectionRecord } | null },
): Promise<{ path: string; record: ProjectionRecord | null; model: ProjectionModel | null }> {
  // with a reusable model, its projection (or none) decides, not projection.method
  const method = given === undefined ? cfg.method : (given.projection?.record.method ?? 'none');
  if (method === 'none') {
    await rm(join(dir, 'projected.npy'), { force: true }); // never leave a projection the states were not fitted in
    return { path: join(dir, 'embeddings.npy'), record: null, model: null };
  }
  const { path, record, model } = await projectEmbeddings(dir, segments, nLi, nFrames, { ...cfg, method }, given?.projection ?? undefined);
  return { path, record, model };
}

/**
 * Cross-validated VAMP-2 / VAMP-E of each mixture's assignment at `lag` frames, on a seeded sample of whole Li
 * trajectories (folds of whole Li), assigning only those Li's rows of the file the mixtures were fitted on.
 */
export async function stateVampScores(
  path: string, nLi: number, nFrames: number, models: readonly GaussianMixtureModel[], lag: number,
  segments: Int32Array, options: { liSample: number; folds: number; seed: number },
): Promise<VampScoreCv[]> {
  const info = await npyFileInfo(path);
  const D = info.shape[1];
  const chosen = Array.from(sampleIndices(createRng(options.seed), nLi, Math.min(nLi, options.liSample))).sort((a, b) => a - b);
  const slot = new Int32Array(nLi).fill(-1);
  chosen.forEach((c, k) => (slot[c] = k));
  const m = chosen.length;
  const labels = models.map(() => new Int16Array(m * nFrames));
  await forEachLiChunk(path, nLi, nFrames, D, info.dataOffset, 0, (c, X, T, f0) => {
    const k = slot[c];
    if (k < 0) return;
    models.forEach((model, i) => labels[i].set(predict(model, X, T), k * nFrames + f0));
  });
  return models.map((model, i) => vampScoreCv({ states: labels[i], nTrajectories: m, nFrames }, model.components, lag, { segments, folds: options.folds, seed: options.seed }));
}
