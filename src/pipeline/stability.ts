import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fitMarkovModel } from '../markov/index.ts';
import { adjustedRandIndex, compareLabelings, fitGaussianMixture, kendallTau, predict, silhouette } from '../states/index.ts';
import { runPaths, type KineticsReport } from '../tpt/index.ts';
import { StandardizationAccumulator, standardizeInPlace, type Standardization } from '../features/standardize.ts';
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic.ts';
import type { WrittenRunFile } from '../schema/index.ts';
import type { StageWarning } from '../util/warnings.ts';
import { GetseiError } from '../util/errors.ts';
import { decodeNpy, encodeNpy } from '../util/npy.ts';
import { createRng, sampleIndices } from '../util/rng.ts';
import type { Config } from './config.ts';
import { hashJson } from './manifest.ts';
import { FrameStoreReader } from './frame-store.ts';
import { chunkGroups, EMBED_GROUP_GRAPHS, trainRunEncoder } from './stage-encoder.ts';
import type { RepeatTrainingResult, RepeatTrainingTask } from './stability-worker.ts';
import { createEmbeddingPool, embed, type Encoder } from '../contrastive/index.ts';
import { featureLayout } from '../features/atom-features.ts';
import { FramesGraphSource, LiGraphBuilder, type FrameTables } from '../graphs/index.ts';
import { statesWorkerEntry } from '../states/parallel.ts';
import { NpyFileWriter } from '../util/npy-file.ts';
import { createWorkerPool, defaultThreads, runPoolTask } from '../util/workers.ts';
import { fitAndAssignStates } from './stage-states.ts';
import { mixtureInput, projectionSettings } from './stage-projection.ts';

/** Thresholds of the report's plain-language verdicts (docs/stability.md). */
export const STABILITY_THRESHOLDS = { meanAri: 0.8, stateJaccard: 0.6, timescaleSpread: 0.25 } as const;

export interface Conclusion {
  claim: string;
  holds: boolean;
  detail: string;
}

export interface StabilityReport {
  format: 'getsei-stability';
  version: 1;
  /** state discoveries compared, the run's own included */
  repeats: number;
  /** Li trajectories compared (stability.liSample; every frame of each): the ARIs, Jaccards and kinetics below are on these */
  liCompared: number;
  seeds: number[];
  /** adjusted Rand index of every pair of repeats (row/column 0 = the run itself) */
  ariMatrix: number[][];
  meanAri: number;
  /** per state of the run: mean Jaccard overlap with its Hungarian-matched state in the other repeats */
  perStateStability: number[];
  unstableStates: number[];
  /** mean Kendall τ between the run's mobility ranking and each repeat's (matched states) */
  mobilityKendallTau: number | null;
  perRepeat: {
    seed: number;
    ariWithRun: number;
    /** matched[s] = the repeat's state matched to the run's state s */
    matched: number[];
    impliedTimescales: number[];
    mobilityKendallTau: number | null;
    /** least → most mobile, in the run's state numbering (−1: a state without a partner) */
    source: number;
    target: number;
    leadingPathway: number[];
    leadingPathwayShare: number;
  }[];
  rawBaseline: { silhouette: number; ari: number; learnedSilhouette: number | null };
  conclusions: Conclusion[];
  warnings: StageWarning[];
}

export interface StabilityOptions {
  readonly repeats: number;
  /**
   * identifies the state discovery the repeats belong to (the states stage's output hash): a repeat already made
   * for the same key is reused, so changing only the lag or the TPT sets does not retrain
   */
  readonly reuseKey?: string;
  readonly threads?: number;
  readonly onRepeat?: (done: number, total: number) => void;
}

/**
 * Can the states be trusted? (issue "separation and stability diagnostics"). State discovery is repeated with other
 * seeds — other training frames, initial weights, augmentations and mixture starts — reusing the stored frames and
 * the run's state count; each repeat's states are matched to the run's (Hungarian on the contingency table) and
 * compared: adjusted Rand index, per-state Jaccard stability, and what the kinetics would conclude from them. A
 * mixture on the raw features of the centre Li (no encoder) says whether learning helped.
 */
export async function runStability(run: string, config: Config, options: StabilityOptions): Promise<StabilityReport> {
  if (!(Number.isInteger(options.repeats) && options.repeats >= 2)) {
    throw new GetseiError(`stability needs at least 2 repeats (the run and one more), got ${options.repeats}`);
  }
  const store = await FrameStoreReader.open(join(run, 'frames'));
  const { nFrames, li } = store.index;
  const nLi = li.length;
  const main = decodeNpy(await readFile(join(run, 'states.npy'))).data as Int16Array;
  const segments = decodeNpy(await readFile(join(run, 'segments.npy'))).data as Int32Array;
  const statesJson = JSON.parse(await readFile(join(run, 'states.json'), 'utf8')) as { count: number; silhouette: number | null };
  const kinetics = JSON.parse(await readFile(join(run, 'kinetics.json'), 'utf8')) as KineticsReport;
  const K = statesJson.count;
  const lag = kinetics.lagFrames;
  const dtPs = kinetics.dt;
  const baseSeed = config.contrastive.seed;

  // the repeats compare whole trajectories of a seeded sample of the Li (all Li when liSample is 0 or ≥ nLi); the run's
  // own states and kinetics are restricted to the same Li, so the comparison is like with like
  const liRows = stabilityLi(nLi, config.stability.liSample, baseSeed);
  const nSub = liRows.length;
  const mainSub = restrictToLi(main, liRows, nFrames);
  const analyse = (labels: Int16Array) => {
    const model = fitMarkovModel({ states: labels, nTrajectories: nSub, nFrames }, { lag, dtPs, estimator: kinetics.estimator, segments, nStates: K });
    const paths = runPaths(model, { pathways: 1 });
    return { model, paths };
  };
  const reference = analyse(mainSub);
  const refMobility = stateVector(reference.model.activeSet, reference.model.mobility, K);

  // repeat state discovery with other seeds, reusing the stored frames and the run's state count
  const repeats: Repeat[] = [];
  for (let r = 1; r < options.repeats; r++) {
    const seed = baseSeed + 1000 * r;
    const dir = join(run, 'stability', `repeat-${r}`);
    const cfg: Config = { ...config, contrastive: { ...config.contrastive, seed }, states: { ...config.states, count: K, minCount: K, maxCount: K, seed } }; // only the run's count: no score table needed
    const key = options.reuseKey === undefined ? undefined : hashJson([options.reuseKey, cfg.contrastive, cfg.states, cfg.graph, cfg.projection, Array.from(liRows)]);
    repeats.push({ seed, dir, cfg, key, states: key === undefined ? undefined : await reusableRepeat(dir, key) });
  }
  await discoverRepeats(run, store, config, repeats.filter((t) => t.states === undefined), liRows, segments, dtPs, options);
  const labelings: Int16Array[] = [mainSub, ...repeats.map((t) => t.states as Int16Array)];
  const seeds = [baseSeed, ...repeats.map((t) => t.seed)];

  // agreement (Hungarian-matched to the run's states), then what the kinetics concludes from each repeat
  const cmp = compareLabelings(labelings, { states: K, threshold: STABILITY_THRESHOLDS.stateJaccard });
  const R = labelings.length;
  const perRepeat: StabilityReport['perRepeat'] = [];
  for (let r = 1; r < R; r++) {
    const aToB = cmp.mapping[r];
    const bToA = new Int32Array(K).fill(-1);
    aToB.forEach((b, a) => { if (b >= 0) bToA[b] = a; });
    const { model, paths } = analyse(labelings[r]);
    const mobility = stateVector(model.activeSet, model.mobility, K);
    const both = refMobility.map((m, a) => [m, aToB[a] >= 0 ? mobility[aToB[a]] : NaN]).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    const lead = paths.pathways[0];
    perRepeat.push({
      seed: seeds[r],
      ariWithRun: cmp.pairwiseAri[r],
      matched: Array.from(aToB),
      impliedTimescales: Array.from(model.impliedTimescales.slice(0, 3)),
      mobilityKendallTau: both.length >= 2 ? kendallTau(both.map((p) => p[0]), both.map((p) => p[1])) : null,
      source: paths.source.length === 1 ? bToA[paths.source[0]] : -1,
      target: paths.target.length === 1 ? bToA[paths.target[0]] : -1,
      leadingPathway: lead ? lead.states.map((b) => bToA[b]) : [],
      leadingPathwayShare: lead ? lead.fraction : 0,
    });
  }
  const meanAri = cmp.meanAri;
  const ariMatrix = Array.from({ length: R }, (_, i) => Array.from(cmp.pairwiseAri.subarray(i * R, (i + 1) * R)));
  const perStateStability = Array.from(cmp.stateStability);
  const unstableStates = [...cmp.unstableStates];
  const taus = perRepeat.map((p) => p.mobilityKendallTau).filter((t): t is number => t !== null);

  const rawBaseline = { ...(await rawFeatureBaseline(store, main, K, config)), learnedSilhouette: statesJson.silhouette };
  const conclusions = drawConclusions(reference, perRepeat, meanAri, unstableStates, K);
  const warnings: StageWarning[] = [];
  if (meanAri < STABILITY_THRESHOLDS.meanAri) {
    warnings.push({ code: 'not-reproducible', message: `the states are not reproducible: repeats with other seeds agree at a mean adjusted Rand index of ${meanAri.toFixed(2)} (< ${STABILITY_THRESHOLDS.meanAri})` });
  }
  if (unstableStates.length > 0) {
    warnings.push({ code: 'unstable-states', message: `unstable states (mean Jaccard overlap < ${STABILITY_THRESHOLDS.stateJaccard} across repeats): ${unstableStates.map((s) => `S${s}`).join(', ')}` });
  }
  if (statesJson.silhouette !== null && rawBaseline.silhouette >= statesJson.silhouette) {
    warnings.push({ code: 'encoder-adds-no-separation', message: `a mixture on the raw features of the centre Li separates as well as the learned embedding (silhouette ${rawBaseline.silhouette.toFixed(3)} vs ${statesJson.silhouette.toFixed(3)}): the encoder adds no separation here` });
  }
  const report: StabilityReport = {
    format: 'getsei-stability', version: 1, repeats: R, liCompared: nSub, seeds, ariMatrix, meanAri, perStateStability, unstableStates,
    mobilityKendallTau: taus.length > 0 ? mean(taus) : null, perRepeat, rawBaseline, conclusions, warnings,
  };
  await writeJsonAtomic(join(run, 'stability.json'), report satisfies WrittenRunFile<'stability.json'>);
  return report;
}

interface Repeat {
  readonly seed: number;
  readonly dir: string;
  readonly cfg: Config;
  readonly key: string | undefined;
  states: Int16Array | undefined;
}

/** The Li rows (indices into frames/index.json "li", ascending) the repeats compare: a seeded sample, or all. */
export function stabilityLi(nLi: number, liSample: number, seed: number): Int32Array {
  if (liSample === 0 || liSample >= nLi) return Int32Array.from({ length: nLi }, (_, c) => c);
  return sampleIndices(createRng(seed + 5), nLi, liSample);
}

/** Rows `liRows` of states [nLi, nFrames] (Li-major), as [liRows.length, nFrames]. */
function restrictToLi(states: Int16Array, liRows: Int32Array, nFrames: number): Int16Array {
  const out = new Int16Array(liRows.length * nFrames);
  liRows.forEach((c, k) => out.set(states.subarray(c * nFrames, (c + 1) * nFrames), k * nFrames));
  return out;
}

/**
 * State discovery for the repeats still to do. Each repeat trains exactly as the encoder stage would with its seed
 * (its own training frames, standardisation, graph sample, initial weights, augmentations and batch order: sharing
 * the run's training frames made the repeats too alike to flag a forced split, docs/states.md). What they do share:
 * each group of stored frames is read once and the sampled Li's graphs are embedded by every repeat's encoder, and
 * the mixtures (the run's count, the repeat's seed) run on the states worker pool.
 */
async function discoverRepeats(
  run: string, store: FrameStoreReader, config: Config, todo: Repeat[], liRows: Int32Array, segments: Int32Array, dtPs: number | null,
  options: StabilityOptions,
): Promise<void> {
  if (todo.length === 0) return;
  const { nFrames, li } = store.index;
  const nLi = li.length, nSub = liRows.length;
  const species = Uint8Array.from(store.index.species);
  const elementOrder = featureLayout(species).countSpecies;
  const threads = options.threads ?? defaultThreads();
  const trained = await trainRepeatEncoders(run, store, todo, threads);
  const encoders: Encoder[] = trained.map((t) => t.encoder);
  const builders = trained.map((t, k) => new LiGraphBuilder(species, elementOrder, t.standardization, { edgeCutoffAngstrom: todo[k].cfg.graph.edgeCutoffAngstrom }));

  const D = encoders[0].config.embeddingDim;
  const writers: NpyFileWriter[] = [];
  const embedPool = createEmbeddingPool(threads);
  try {
    for (const t of todo) {
      await mkdir(t.dir, { recursive: true });
      writers.push(await NpyFileWriter.create(join(t.dir, 'embeddings.npy'), new Float32Array(0), [nFrames * nSub, D]));
    }
    for (const group of chunkGroups(store.index.chunks, nSub, EMBED_GROUP_GRAPHS)) {
      const groupFrames: FrameTables[] = [];
      for (let f = group.start; f < group.start + group.count; f++) groupFrames.push(await store.frame(f));
      const indices = Int32Array.from({ length: group.count * nSub }, (_, k) => Math.floor(k / nSub) * nLi + liRows[k % nSub]);
      for (const [i, encoder] of encoders.entries()) {
        const rows = await embed(encoder, new FramesGraphSource(builders[i], groupFrames, nLi), { pool: embedPool, indices });
        for (let k = 0; k < rows.length; k++) {
          if (!Number.isFinite(rows[k])) throw new GetseiError(`a stability repeat's encoder produced a non-finite embedding (frame ${group.start + Math.floor(k / D / nSub)}); lower contrastive.learningRate and rerun`);
        }
        await writers[i].append(rows);
      }
    }
    for (const w of writers) await w.finish();
  } catch (err) {
    for (const w of writers) await w.abort();
    throw err;
  } finally {
    await embedPool?.destroy();
  }

  const pool = threads >= 2 ? createWorkerPool(statesWorkerEntry(), { threads }) : null;
  try {
    for (const t of todo) {
      const input = await mixtureInput(t.dir, segments, nSub, nFrames, projectionSettings(t.cfg.projection, dtPs));
      t.states = (await fitAndAssignStates(input.path, nSub, nFrames, t.cfg.states, undefined, { pool })).states;
      await rm(join(t.dir, 'embeddings.npy'), { force: true });
      await rm(join(t.dir, 'projected.npy'), { force: true });
      await writeFileAtomic(join(t.dir, 'states.npy'), encodeNpy(t.states, [nSub, nFrames]));
      if (t.key !== undefined) await writeJsonAtomic(join(t.dir, 'key.json'), { key: t.key });
      options.onRepeat?.(todo.indexOf(t) + 1, todo.length);
    }
  } finally {
    await pool?.destroy();
  }
}

/**
 * The repeats' encoders. With several repeats and threads, each repeat trains on a worker of its own, with its share
 * of the threads (one: on that worker itself): training's calling-thread work (batches, the InfoNCE loss, Adam)
 * then runs beside the other repeats' shards instead of leaving the workers idle (about 1.4× faster for 2 repeats on
 * 2 cores). The weights are those of training one at a time, since they do not depend on the thread count.
 */
async function trainRepeatEncoders(
  run: string, store: FrameStoreReader, todo: readonly Repeat[], threads: number,
): Promise<{ encoder: Encoder; standardization: Standardization }[]> {
  const side = Math.min(threads, todo.length);
  if (side < 2) {
    const out: { encoder: Encoder; standardization: Standardization }[] = [];
    for (const t of todo) out.push(await trainRunEncoder(store, t.cfg, threads));
    return out;
  }
  const pool = createWorkerPool(repeatWorkerEntry(), { threads: side });
  try {
    const each = Math.max(1, Math.floor(threads / side));
    return await Promise.all(todo.map(async (t) => {
      const task: RepeatTrainingTask = { run, config: t.cfg, threads: each };
      const r = await runPoolTask<RepeatTrainingResult>(pool, task);
      return { encoder: { config: r.config, params: r.params }, standardization: r.standardization };
    }));
  } finally {
    await pool.destroy();
  }
}

function repeatWorkerEntry(): URL {
  const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
  return new URL(`./stability-worker.${ext}`, import.meta.url);
}

/** The states of an earlier repeat made for the same key, if there is one. */
async function reusableRepeat(dir: string, key: string): Promise<Int16Array | undefined> {
  try {
    const stored = JSON.parse(await readFile(join(dir, 'key.json'), 'utf8')) as { key?: string };
    if (stored.key !== key) return undefined;
    return decodeNpy(await readFile(join(dir, 'states.npy'))).data as Int16Array;
  } catch {
    return undefined;
  }
}

/** A per-active-state vector spread over all K states (NaN outside the active set). */
function stateVector(activeSet: ArrayLike<number>, values: ArrayLike<number>, K: number): number[] {
  const out = new Array<number>(K).fill(NaN);
  for (let i = 0; i < activeSet.length; i++) out[activeSet[i]] = values[i];
  return out;
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

type Analysis = { model: ReturnType<typeof fitMarkovModel>; paths: ReturnType<typeof runPaths> };

function drawConclusions(reference: Analysis, perRepeat: StabilityReport['perRepeat'], meanAri: number, unstable: number[], K: number): Conclusion[] {
  const names = (xs: number[]) => xs.map((s) => (s >= 0 ? `S${s}` : '?')).join(' → ');
  const out: Conclusion[] = [];
  out.push({
    claim: `the ${K} states are reproducible (mean ARI ≥ ${STABILITY_THRESHOLDS.meanAri})`,
    holds: meanAri >= STABILITY_THRESHOLDS.meanAri && unstable.length === 0,
    detail: `mean ARI ${meanAri.toFixed(2)}; ARI with the run per repeat: ${perRepeat.map((p) => p.ariWithRun.toFixed(2)).join(', ')}`,
  });
  const t1 = reference.model.impliedTimescales[0];
  if (Number.isFinite(t1)) {
    const spread = perRepeat.map((p) => Math.abs(p.impliedTimescales[0] - t1) / t1);
    out.push({
      claim: `the slowest implied timescale is ${t1.toPrecision(3)} ${reference.model.timeUnit} (within ±${100 * STABILITY_THRESHOLDS.timescaleSpread} %)`,
      holds: spread.every((s) => s <= STABILITY_THRESHOLDS.timescaleSpread),
      detail: `repeats: ${perRepeat.map((p) => (p.impliedTimescales[0] ?? NaN).toPrecision(3)).join(', ')} ${reference.model.timeUnit}`,
    });
  }
  const ranking = Array.from(reference.model.mobilityRanking);
  out.push({
    claim: `mobility ranking ${ranking.map((s) => `S${s}`).join(' > ')}`,
    holds: perRepeat.every((p) => p.mobilityKendallTau === 1),
    detail: `Kendall τ with the run per repeat: ${perRepeat.map((p) => (p.mobilityKendallTau === null ? 'n/a' : p.mobilityKendallTau.toFixed(2))).join(', ')}`,
  });
  const src = reference.paths.source, tgt = reference.paths.target;
  out.push({
    claim: `least → most mobile state: ${names(src)} → ${names(tgt)}`,
    holds: perRepeat.every((p) => src.length === 1 && tgt.length === 1 && p.source === src[0] && p.target === tgt[0]),
    detail: `repeats: ${perRepeat.map((p) => `${names([p.source])} → ${names([p.target])}`).join('; ')}`,
  });
  const lead = reference.paths.pathways[0];
  if (lead) {
    out.push({
      claim: `leading pathway ${names(lead.states)} (${(100 * lead.fraction).toFixed(0)} % of the flux)`,
      holds: perRepeat.every((p) => p.leadingPathway.join() === lead.states.join()),
      detail: `repeats: ${perRepeat.map((p) => `${names(p.leadingPathway)} (${(100 * p.leadingPathwayShare).toFixed(0)} %)`).join('; ')}`,
    });
  }
  return out;
}

/**
 * "Does learning help?": the same mixture (same count, seed and sample sizes) on the standardised raw features of
 * the centre Li, without the encoder; its silhouette in that feature space and its ARI with the learned states.
 */
async function rawFeatureBaseline(store: FrameStoreReader, main: Int16Array, K: number, config: Config): Promise<{ silhouette: number; ari: number }> {
  const { nFrames, li, featureNames } = store.index;
  const nLi = li.length, F = featureNames.length;
  const X = new Float32Array(nLi * nFrames * F);
  const acc = new StandardizationAccumulator(F);
  for (let f = 0; f < nFrames; f++) {
    const fr = await store.frame(f);
    for (let c = 0; c < nLi; c++) X.set(fr.features.subarray(li[c] * F, (li[c] + 1) * F), (f * nLi + c) * F);
  }
  acc.addRows(X);
  standardizeInPlace(X, acc.result());
  const n = nLi * nFrames;
  const cfg = config.states;
  const model = fitGaussianMixture(X, n, F, { components: K, restarts: cfg.restarts, seed: cfg.seed, sampleSize: cfg.fitSampleSize });
  const labels = predict(model, X, n);
  // graph order (frame-major) → states.npy order (Li-major)
  const raw = new Int16Array(n);
  for (let g = 0; g < n; g++) {
    const f = Math.floor(g / nLi), c = g - f * nLi;
    raw[c * nFrames + f] = labels[g];
  }
  const rows = sampleIndices(createRng(cfg.seed + 1), n, Math.min(n, cfg.silhouetteSampleSize));
  const sub = new Float32Array(rows.length * F);
  const subLabels = new Int16Array(rows.length);
  rows.forEach((g, k) => {
    sub.set(X.subarray(g * F, (g + 1) * F), k * F);
    subLabels[k] = labels[g];
  });
  const sil = new Set(subLabels).size >= 2 ? silhouette(sub, rows.length, F, subLabels, { states: K }).overall : NaN;
  return { silhouette: sil, ari: adjustedRandIndex(main, raw) };
}
