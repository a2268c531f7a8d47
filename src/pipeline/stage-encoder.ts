import { join } from 'node:path';
import {
  createEmbeddingPool, embed, loadEncoder, saveEncoder, trainEncoder, type Encoder, type TrainedEncoder, type TrainOptions, type TrainProgress,
} from '../contrastive/index.ts';
import { featureLayout } from '../features/atom-features.ts';
import { StandardizationAccumulator, type Standardization } from '../features/standardize.ts';
import { FramesGraphSource, LiGraphBuilder, PooledGraphSource, SampledGraphSource, type FrameTables } from '../graphs/index.ts';
import { symbolOf } from '../structure/elements.ts';
import { GetseiError } from '../util/errors.ts';
import { encodeNpy } from '../util/npy.ts';
import { NpyFileWriter } from '../util/npy-file.ts';
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic.ts';
import { createRng, sampleIndices, type Rng } from '../util/rng.ts';
import type { Config } from './config.ts';
import { FrameStoreReader } from './frame-store.ts';

/** graphs embedded per call of embed(): about 20 MB of frame tables for a 400-atom system */
export const EMBED_GROUP_GRAPHS = 65536;

/** Consecutive stored chunks merged into frame ranges of at least `minGraphs` graphs (the last may be smaller). */
export function chunkGroups(
  chunks: readonly { start: number; count: number }[], nLi: number, minGraphs: number,
): { start: number; count: number }[] {
  const groups: { start: number; count: number }[] = [];
  for (const c of chunks) {
    const last = groups.at(-1);
    if (last !== undefined && last.count * nLi < minGraphs && last.start + last.count === c.start) last.count += c.count;
    else groups.push({ start: c.start, count: c.count });
  }
  return groups;
}

/**
 * The training graphs: every graph of the training frames, or a seeded sample of `cap` of them (ascending) when there
 * are more (cap 0: all). The sample's stream is forked after the training frames are drawn, so the frames (and the
 * standardisation) do not depend on the cap.
 */
export function trainingGraphs(count: number, cap: number, rng: Rng): Int32Array {
  if (cap === 0 || cap >= count) return Int32Array.from({ length: count }, (_, i) => i);
  return sampleIndices(rng, count, cap);
}

/** The encoder training options of the contrastive config. */
export function trainOptionsOf(c: Config['contrastive'], threads?: number): TrainOptions {
  return {
    config: { hiddenPerHead: c.hiddenPerHead, readout: c.readout },
    seed: c.seed, epochs: c.epochs, batchSize: c.batchSize, learningRate: c.learningRate, temperature: c.temperature,
    edgeDropRate: c.edgeDrop, featureMaskRate: c.featureMask, patience: Math.max(1, c.patience === 0 ? c.epochs : c.patience),
    threads,
  };
}

export interface EncoderStageOptions {
  readonly threads?: number;
  /** embed with a previously trained encoder (RUN/encoder of another run) instead of training */
  readonly encoderPath?: string;
  readonly onTrain?: (p: TrainProgress) => void;
  readonly onEmbed?: (done: number, total: number) => void;
  /** where encoder/, embeddings.npy and graphs.npy go (default: RUN itself; stability repeats use subfolders) */
  readonly outDir?: string;
  /** false: train (or load) and save the encoder only, embedding nothing (getsei merge trains for the shards this way) */
  readonly embed?: boolean;
}

export interface EncoderStageResult {
  readonly nGraphs: number;
  readonly embeddingDim: number;
  readonly trainFrames: Int32Array;
  /** graphs trained on (a seeded sample of the training frames' graphs when contrastive.trainGraphs binds) */
  readonly trainGraphs?: number;
  readonly trained: boolean;
  readonly lossCurve?: number[];
  readonly epochsRun?: number;
  readonly stoppedEarly?: boolean;
  readonly graphsPerSecond?: number;
}

/** A run's seeded training frames (contrastive.trainFraction of them), and the stream its graph sample forks from. */
export function trainingFrames(nFrames: number, c: Config['contrastive']): { trainFrames: Int32Array; rng: Rng } {
  const rng = createRng(c.seed);
  return { trainFrames: sampleIndices(rng, nFrames, Math.max(1, Math.round(c.trainFraction * nFrames))), rng };
}

/** The frames one run contributes to encoder training, and which of their graphs (`pick(count)` → ascending indices). */
export interface TrainingPart {
  readonly store: FrameStoreReader;
  readonly trainFrames: Int32Array;
  readonly pick: (count: number) => Int32Array;
}

/**
 * Standardise on every training frame of every part, then train one encoder on the picked graphs of all parts
 * (graph indices run part after part). One part is a run's own training; several are the runs of
 * `getsei compare --shared-model`, whose species match (checked by the caller) though their atom counts may not.
 */
export async function trainOnFrames(
  parts: readonly TrainingPart[], config: Config, options: Pick<EncoderStageOptions, 'threads' | 'onTrain'>,
): Promise<{ encoder: TrainedEncoder; standardization: Standardization; trainGraphs: Int32Array }> {
  const first = parts[0].store.index;
  const elementOrder = featureLayout(Uint8Array.from(first.species)).countSpecies;
  // two streaming passes over the training frames, one frame in memory at a time: the standardisation, then the
  // picked graphs (only those are kept, so memory follows contrastive.trainGraphs, not the trajectory length)
  const acc = new StandardizationAccumulator(first.featureNames.length);
  for (const part of parts) for (const f of part.trainFrames) acc.addRows((await part.store.frame(f)).features);
  const standardization = acc.result();
  const counts = parts.map((part) => part.trainFrames.length * part.store.index.li.length);
  const picks = parts.map((part, k) => part.pick(counts[k]));
  const sources: SampledGraphSource[] = [];
  for (const [k, part] of parts.entries()) {
    const builder = new LiGraphBuilder(Uint8Array.from(part.store.index.species), elementOrder, standardization, { edgeCutoffAngstrom: config.graph.edgeCutoffAngstrom });
    sources.push(await SampledGraphSource.build(builder, part.trainFrames.length, part.store.index.li.length, picks[k], (i) => part.store.frame(part.trainFrames[i])));
  }
  const source = sources.length === 1 ? sources[0] : new PooledGraphSource(sources);
  const picked: Int32Array[] = [];
  let base = 0;
  for (const [k, s] of sources.entries()) {
    picked.push(picks[k].map((g) => g + base));
    base += s.count;
  }
  const trainGraphs = Int32Array.from(picked.flatMap((p) => Array.from(p)));
  const encoder = await trainEncoder(source, trainGraphs, { ...trainOptionsOf(config.contrastive, options.threads), onProgress: options.onTrain });
  return { encoder, standardization, trainGraphs };
}

/**
 * An encoder trained from a run's stored frames exactly as the encoder stage trains the run's own: the seeded
 * training frames and graph sample of `config.contrastive` (stability repeats train theirs this way, with their seed).
 */
export function trainRunEncoder(
  store: FrameStoreReader, config: Config, threads?: number,
): Promise<{ encoder: TrainedEncoder; standardization: Standardization; trainGraphs: Int32Array }> {
  const c = config.contrastive;
  const { trainFrames, rng } = trainingFrames(store.index.nFrames, c);
  return trainOnFrames([{ store, trainFrames, pick: (count) => trainingGraphs(count, c.trainGraphs, rng.fork()) }], config, { threads });
}

/** Save an encoder with what `--encoder` and `--model` check it against: element order, shells, edge cutoff. */
export async function saveStageEncoder(
  dir: string, encoder: Encoder, standardization: Standardization, store: FrameStoreReader, config: Config, extra: Record<string, unknown>,
): Promise<void> {
  const { species, featureNames, shellAngstrom, graphRadiusAngstrom } = store.index;
  const elementOrder = featureLayout(Uint8Array.from(species)).countSpecies;
  await saveEncoder(dir, encoder, {
    featureNames: [...Array.from(elementOrder, (z) => `is_${symbolOf(z)}`), ...featureNames],
    standardization: { names: featureNames, mean: Array.from(standardization.mean), std: Array.from(standardization.std) },
    metadata: {
      elements: Array.from(elementOrder, symbolOf), edgeCutoffAngstrom: config.graph.edgeCutoffAngstrom,
      shellAngstrom, graphRadiusAngstrom, ...extra,
    },
  });
}

/**
 * Graphs → encoder → embeddings (ARCHITECTURE §1): draw the training frames with the seed, standardise the
 * features with their statistics, train the GAT encoder on every Li of those frames (or load one), then embed every
 * Li of every frame, chunk by chunk so memory holds one chunk of frames at a time.
 * Writes RUN/encoder/, RUN/embeddings.npy float32 [nGraphs, D] and RUN/graphs.npy int32 [nGraphs, 2] = (frame, atom),
 * frame-major.
 */
export async function runEncoderStage(run: string, config: Config, options: EncoderStageOptions = {}): Promise<EncoderStageResult> {
  const store = await FrameStoreReader.open(join(run, 'frames'));
  const out = options.outDir ?? run;
  const { nFrames, li, species: speciesList } = store.index;
  const species = Uint8Array.from(speciesList);
  const nLi = li.length;
  const elementOrder = featureLayout(species).countSpecies;
  const c = config.contrastive;
  const { trainFrames, rng } = trainingFrames(nFrames, c);

  let encoder: Encoder;
  let standardization: Standardization;
  let trained: TrainedEncoder | undefined;
  let trainGraphs: Int32Array | undefined;
  if (options.encoderPath !== undefined) {
    const loaded = await loadEncoder(options.encoderPath);
    const meta = loaded.extras.metadata ?? {};
    const wantElements = (meta.elements as string[] | undefined) ?? [];
    const haveElements = Array.from(elementOrder, symbolOf);
    if (JSON.stringify(wantElements) !== JSON.stringify(haveElements)) {
      throw new GetseiError(
        `the encoder at ${options.encoderPath} was trained on elements [${wantElements.join(', ')}] but this trajectory has ` +
          `[${haveElements.join(', ')}]; node features would not line up — train a new encoder for this system`,
      );
    }
    encoder = loaded.encoder;
    standardization = { mean: Float64Array.from(loaded.extras.standardization.mean), std: Float64Array.from(loaded.extras.standardization.std) };
  } else {
    const pooled = await trainOnFrames([{ store, trainFrames, pick: (count) => trainingGraphs(count, c.trainGraphs, rng.fork()) }], config, options);
    ({ encoder: trained, standardization, trainGraphs } = pooled);
    encoder = trained;
  }
  const builder = new LiGraphBuilder(species, elementOrder, standardization, { edgeCutoffAngstrom: config.graph.edgeCutoffAngstrom });
  await saveStageEncoder(join(out, 'encoder'), encoder, standardization, store, config, { trainFrames: Array.from(trainFrames) });

  const finish = async (nGraphs: number): Promise<EncoderStageResult> => {
    const result: EncoderStageResult = {
      nGraphs, embeddingDim: encoder.config.embeddingDim, trainFrames, trainGraphs: trainGraphs?.length, trained: trained !== undefined,
      lossCurve: trained ? Array.from(trained.lossCurve.epochs) : undefined,
      epochsRun: trained?.epochsRun, stoppedEarly: trained?.stoppedEarly, graphsPerSecond: trained?.graphsPerSecond,
    };
    await writeJsonAtomic(join(out, 'encoder', 'training.json'), { ...result, trainFrames: Array.from(trainFrames) });
    return result;
  };
  if (options.embed === false) return finish(0);

  // Embed every Li of every frame, a group of stored chunks at a time (≥ EMBED_GROUP_GRAPHS graphs, so memory stays
  // bounded), streaming the rows to disk, on one worker pool for every group.
  const D = encoder.config.embeddingDim;
  const nGraphs = nFrames * nLi;
  const writer = await NpyFileWriter.create(join(out, 'embeddings.npy'), new Float32Array(0), [nGraphs, D]);
  const graphs = new Int32Array(nGraphs * 2);
  const pool = createEmbeddingPool(options.threads);
  try {
    for (const group of chunkGroups(store.index.chunks, nLi, EMBED_GROUP_GRAPHS)) {
      const frames: FrameTables[] = [];
      for (let f = group.start; f < group.start + group.count; f++) frames.push(await store.frame(f));
      const source = new FramesGraphSource(builder, frames, nLi);
      const rows = await embed(encoder, source, {
        pool,
        onProgress: (done) => options.onEmbed?.(group.start * nLi + done, nGraphs),
      });
      for (let i = 0; i < rows.length; i++) {
        if (!Number.isFinite(rows[i])) {
          throw new GetseiError(`the encoder produced a non-finite embedding (frame ${group.start + Math.floor(i / D / nLi)}); lower contrastive.learningRate and rerun`);
        }
      }
      await writer.append(rows);
      for (let k = 0; k < group.count * nLi; k++) {
        const g = group.start * nLi + k;
        graphs[2 * g] = group.start + Math.floor(k / nLi);
        graphs[2 * g + 1] = li[k % nLi];
      }
    }
    await writer.finish();
  } catch (err) {
    await writer.abort();
    throw err;
  } finally {
    await pool?.destroy();
  }
  await writeFileAtomic(join(out, 'graphs.npy'), encodeNpy(graphs, [nGraphs, 2]));
  return finish(nGraphs);
}
