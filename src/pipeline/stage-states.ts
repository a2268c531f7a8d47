import { join } from 'node:path';
import type { Piscina } from 'piscina';
import {
  describeStates, numberDensity, predict, representatives as nearestToMeans, scoreSamples, selectStateCount, silhouette,
  type GaussianMixtureModel, type StateCountSelection, type StateDescriptor,
} from '../states/index.ts';
import { layoutMap, mapSampleRows, type MapLayout } from '../states/map.ts';
import { fitGaussianMixturesOnPool, statesWorkerEntry } from '../states/parallel.ts';
import type { MapTask } from '../states/worker.ts';
import { gatherRows } from '../states/validate.ts';
import { createWorkerPool, defaultThreads, runPoolTask } from '../util/workers.ts';
import { inverse3 } from '../structure/cell.ts';
import { GetseiError } from '../util/errors.ts';
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic.ts';
import type { WrittenRunFile } from '../schema/index.ts';
import type { StageWarning } from '../util/warnings.ts';
import { encodeNpy } from '../util/npy.ts';
import { npyFileInfo, readFloat32Rows, readFloat32RowsAt } from '../util/npy-file.ts';
import { createRng, sampleIndices } from '../util/rng.ts';
import type { Config } from './config.ts';
import { environmentXyz, frameXyz } from './environments.ts';
import { stateProfileAlongZ } from '../spatial/index.ts';
import { FrameStoreReader } from './frame-store.ts';
import { writeModel, type ReusableModel } from './model.ts';
import { symbolOf } from '../structure/elements.ts';
import { featureLayout } from '../features/atom-features.ts';
import { mixtureInput, projectionSettings, readSegments, stateVampScores, type ProjectionRecord } from './stage-projection.ts';
import { readManifest } from './manifest.ts';
import { kineticComparison as compareKinetics, otherStatesRow, type KineticComparison, type KineticComparisonRow } from './states-comparison.ts';
import { spectralGap, type SpectralGap } from '../projection/index.ts';

export interface StatesSummary {
  readonly count: number;
  /** how the count was chosen: fixed, the largest silhouette (the paper), the projection's spectral gap, or
   * 'model': the mixture of a reusable model (--model), applied without fitting */
  readonly rule: 'silhouette' | 'fixed' | 'spectral-gap' | 'model';
  /** the model folder the states are in: RUN/model (written by this stage) or the --model folder */
  readonly model: string;
  readonly silhouette: number | null;
  readonly silhouettePerState: (number | null)[];
  readonly scoreTable: {
    count: number; bic: number; aic: number; logLikelihood: number; silhouette: number | null; converged: boolean;
    /** cross-validated VAMP-2 / VAMP-E (mean and std over folds of whole Li) at vamp.lagFrames; null when not scored */
    vamp2: number | null; vamp2Std: number | null; vampE: number | null;
    /** VAMP-2 of each fold (the folds are the same Li for every count, so counts compare fold by fold) */
    vamp2Folds: number[] | null;
  }[];
  /** the time-lagged projection the mixture ran in (null: the paper's mode, the raw embeddings), with its spectral gap
   * over minCount..maxCount (the count "auto" takes under autoRule = "spectral-gap") */
  readonly projection: (ProjectionRecord & { spectralGap: SpectralGap }) | null;
  /** VAMP scores of the projected and of the paper's states at the chosen count, side by side (null: not scored) */
  readonly kineticComparison: KineticComparison | null;
  /** how the VAMP scores of the table were computed (null: not scored) */
  readonly vamp: { lagFrames: number; folds: number; liSample: number; basis: 'one-hot states' } | null;
  readonly populations: number[];
  /** per state: population and the mean / std of each descriptor of its Li (count_<El>, mean_distance, adf_*, li_density, z_fraction) */
  readonly descriptors: { state: number; count: number; population: number; mean: Record<string, number | null>; std: Record<string, number | null> }[];
  readonly shellAngstrom: number;
  /** state populations along the cell's c axis (fractional z) */
  readonly zProfile: { zCentres: number[]; zUnit: 'fraction'; fractions: number[][]; counts: number[] };
  /** the last frame with every Li coloured by its state */
  readonly frameView: { frame: number; file: string; stateByAtom: number[] };
  readonly representatives: { state: number; file: string; frame: number; atom: number }[];
  readonly map: { method: 'tsne' | 'umap'; x: number[]; y: number[]; state: number[]; graph: number[] };
  readonly mixture: { weights: number[]; means: number[][]; covarianceType: string; logLikelihood: number; converged: boolean; iterations: number; fitSamples: number };
  readonly warnings: StageWarning[];
}

const ASSIGN_ROWS = 65536;
/** slabs of the population profile along z */
const Z_BINS = 20;
/** representative environments per state (the paper's Supplementary Fig. 1 shows five) */
const REPRESENTATIVES = 5;

export interface AssignedStates {
  readonly selection: StateCountSelection;
  readonly model: GaussianMixtureModel;
  /** int16 [nLi, nFrames] */
  readonly states: Int16Array;
  /** per state: graph indices of the representatives (nearest to the component mean) */
  readonly nearest: number[][];
  /** graph indices of the fit sample, and their embeddings [sample × D] */
  readonly sample: Int32Array;
  readonly X: Float32Array;
  readonly D: number;
}

/**
 * Fit the mixture (count by silhouette, or fixed) on a seeded sample of an embeddings file and assign every row,
 * streaming the file in chunks. Graph g is Li g mod nLi of frame ⌊g / nLi⌋.
 */
/** Progress of the states stage: step `done` of `total` (one per state count tried, then assignment, then description). */
export type StatesProgress = (done: number, total: number, note: string) => void;

/** Steps after the mixtures: assigning every Li-frame, then describing the states. */
const STEPS_AFTER_FITS = 2;

export interface FitStatesOptions {
  /** worker pool of the states stage (`statesWorkerEntry`): mixture restarts and counts then run in parallel */
  readonly pool?: Piscina | null;
  /** called with the fit sample [rows × D] once it is read, before any fit (the 2-D map starts from it) */
  readonly onSample?: (X: Float32Array, rows: number, D: number) => void;
  /** called once this stage's own mixture tasks are queued on the pool (work started then queues behind them) */
  readonly onFitsQueued?: () => void;
}

/**
 * The counts whose mixtures the states stage fits: the range for 'auto'; for a fixed count only that count, unless
 * `scoreAllCounts` asks for the whole score table.
 */
export function countsToFit(cfg: Config['states']): { range: [number, number]; counts: number[] } {
  const range: [number, number] = cfg.count !== 'auto' && !cfg.scoreAllCounts
    ? [cfg.count, cfg.count]
    : [cfg.minCount, Math.max(cfg.minCount, cfg.maxCount)];
  const counts = new Set<number>();
  for (let c = range[0]; c <= range[1]; c++) counts.add(c);
  if (cfg.count !== 'auto') counts.add(cfg.count);
  return { range, counts: [...counts].sort((a, b) => a - b) };
}

export async function fitAndAssignStates(
  path: string, nLi: number, nFrames: number, cfg: Config['states'], onProgress?: StatesProgress, options: FitStatesOptions = {},
  given?: GaussianMixtureModel,
): Promise<AssignedStates> {
  const info = await npyFileInfo(path);
  const [nGraphs, D] = info.shape;
  if (nGraphs !== nFrames * nLi || info.descr !== '<f4') {
    throw new GetseiError(`${path} does not match the stored frames (${nFrames} frames × ${nLi} Li); rerun the encoder stage (getsei run --force encoder)`);
  }
  // seeded fit sample, read row by row from the file
  const sample = sampleIndices(createRng(cfg.seed), nGraphs, Math.min(nGraphs, cfg.fitSampleSize));
  const X = await readFloat32RowsAt(path, sample, D, info.dataOffset);
  options.onSample?.(X, sample.length, D);
  const { range, counts } = countsToFit(cfg);
  const mixtureOptions = { sampleSize: sample.length, restarts: cfg.restarts, seed: cfg.seed };
  const queued = options.pool && given === undefined ? fitGaussianMixturesOnPool(X, sample.length, D, counts, mixtureOptions, options.pool) : undefined;
  options.onFitsQueued?.();
  const models = await queued;
  const selection = given !== undefined ? givenSelection(given, X, sample.length, D, cfg) : selectStateCount(X, sample.length, D, {
    ...mixtureOptions, range, states: cfg.count, models,
    silhouetteSampleSize: Math.min(cfg.silhouetteSampleSize, sample.length),
    onCount: (done, total, count) => onProgress?.(done, total + STEPS_AFTER_FITS, `mixture with ${count} states fitted`),
  });
  const fits = selection.table.length;
  const model = selection.model;

  // assign every embedding, chunk by chunk; states.npy is [nLi, nFrames] (row = Li), graphs are frame-major.
  // The k nearest to each mean over all rows are among the k nearest of each chunk: keep those candidates.
  onProgress?.(fits, fits + STEPS_AFTER_FITS, `assigning ${nGraphs} Li-frames`);
  const states = new Int16Array(nLi * nFrames);
  const candidates: number[] = [];
  const buffer = new Float32Array(Math.min(ASSIGN_ROWS, nGraphs) * D);
  for (let start = 0; start < nGraphs; start += ASSIGN_ROWS) {
    const count = Math.min(ASSIGN_ROWS, nGraphs - start);
    const rows = await readFloat32Rows(path, start, count, D, info.dataOffset, buffer);
    const labels = predict(model, rows, count);
    for (let k = 0; k < count; k++) {
      const g = start + k;
      const f = Math.floor(g / nLi), c = g - f * nLi;
      states[c * nFrames + f] = labels[k];
    }
    for (const list of nearestToMeans(rows, count, labels, model, { k: REPRESENTATIVES })) for (const r of list) candidates.push(start + r);
  }
  const candidateRows = new Float32Array(candidates.length * D);
  const candidateLabels = new Int16Array(candidates.length);
  for (const [k, g] of candidates.entries()) {
    candidateRows.set(await readFloat32Rows(path, g, 1, D, info.dataOffset), k * D);
    const f = Math.floor(g / nLi);
    candidateLabels[k] = states[(g - f * nLi) * nFrames + f];
  }
  const nearest = nearestToMeans(candidateRows, candidates.length, candidateLabels, model, { k: REPRESENTATIVES })
    .map((list) => Array.from(list, (r) => candidates[r]));
  return { selection, model, states, nearest, sample, X, D };
}

/**
 * A reusable model's mixture (RUN/model) as a one-row selection: nothing is fitted; its silhouette, log-likelihood
 * and BIC are those of this run's seeded sample under the given mixture (silhouette sample drawn as selectStateCount
 * draws it), so the report shows how well the model's states separate this data.
 */
function givenSelection(model: GaussianMixtureModel, X: Float32Array, n: number, D: number, cfg: Config['states']): StateCountSelection {
  if (model.dimension !== D) throw new GetseiError(`the model's mixture takes ${model.dimension}-d rows, this run's are ${D}-d; use the model's encoder and projection`);
  const silRows = sampleIndices(createRng(cfg.seed + 1), n, Math.min(n, cfg.silhouetteSampleSize));
  const silX = new Float32Array(silRows.length * D);
  silRows.forEach((r, k) => silX.set(X.subarray(r * D, (r + 1) * D), k * D));
  const labels = predict(model, silX, silRows.length);
  const K = model.components;
  let sil: number | null = null;
  let perState: (number | null)[] = new Array<number | null>(K).fill(null);
  if (new Set(labels).size >= 2 && silRows.length > K) {
    const r = silhouette(silX, silRows.length, D, labels, { states: K });
    sil = r.overall;
    perState = [...r.perState];
  }
  const scores = scoreSamples(model, X, n);
  let ll = 0;
  for (const v of scores) ll += v / n;
  const p = model.parameters;
  const row = {
    count: K, bic: -2 * n * ll + p * Math.log(n), aic: -2 * n * ll + 2 * p, logLikelihood: ll, silhouette: sil,
    silhouettePerState: perState, converged: model.converged, iterations: model.iterations, model,
  };
  return { table: [row], chosen: K, rule: 'fixed', model };
}

/**
 * Embeddings → states (ARCHITECTURE §1): fit Gaussian mixtures for every state count of the range on a seeded sample
 * of the embeddings, choose the count by silhouette (or take the fixed one), assign every Li at every frame in
 * streamed chunks, then describe each state from the stored frames and pick its representative environments.
 * Writes RUN/states.npy int16 [nLi, nFrames], RUN/states.json and RUN/representatives/*.extxyz.
 */
export async function runStatesStage(run: string, config: Config, onProgress?: StatesProgress, given?: ReusableModel): Promise<StatesSummary> {
  // one pool for the stage: the 2-D map starts on it as soon as the fit sample is read (its rows do not depend on the
  // states), while the mixture restarts run beside it; with one thread everything runs here, in the same order
  const threads = config.run.threads > 0 ? config.run.threads : defaultThreads();
  const pool = threads >= 2 ? createWorkerPool(statesWorkerEntry(), { threads }) : null;
  try {
    return await statesStage(run, config, pool, onProgress, given);
  } finally {
    await pool?.destroy();
  }
}

async function statesStage(run: string, config: Config, pool: Piscina | null, onProgress?: StatesProgress, given?: ReusableModel): Promise<StatesSummary> {
  const cfg = config.states;
  const store = await FrameStoreReader.open(join(run, 'frames'));
  const { nFrames, li, species, featureNames, shellAngstrom } = store.index;
  const nLi = li.length;
  const warnings: StageWarning[] = [];
  const segments = await readSegments(run, nFrames);
  const projection = projectionSettings(config.projection, (await readManifest(run))?.dtPs ?? null);
  // kinetic quality of every count: cross-validated VAMP scores of its assignment at the projection lag
  const vampLag = projection.lag;
  const vamp = cfg.vampLiSample > 0 && nLi >= 2 && vampLag < nFrames
    ? { lagFrames: vampLag, folds: Math.min(cfg.vampFolds, nLi, cfg.vampLiSample), liSample: Math.min(nLi, cfg.vampLiSample), basis: 'one-hot states' as const }
    : null;
  const compare = given === undefined && vamp !== null && cfg.compareProjection;
  const startOther = (count: number): Promise<KineticComparisonRow> => {
    const row = otherStatesRow(run, segments, nLi, nFrames, cfg, projection, count, vamp as NonNullable<typeof vamp>, pool);
    // guards against an unhandled rejection while this stage's own work is awaited; the error surfaces where it is awaited
    row.catch(() => undefined);
    return row;
  };
  // the other kind of states needs only the count: with a fixed count its restarts start on the pool now, beside
  // the projection of this run's embeddings (main thread), so the pool is not idle while the projection is computed
  let other: Promise<KineticComparisonRow> | undefined = compare && cfg.count !== 'auto' ? startOther(cfg.count) : undefined;
  const input = await mixtureInput(run, segments, nLi, nFrames, projection, given);
  const gap = input.record === null ? null : spectralGap(input.record.eigenvalues, cfg.minCount, Math.max(cfg.minCount, cfg.maxCount));
  // "auto" by spectral gap fixes the count before any mixture is fitted; the score table still spans the range
  const byGap = given === undefined && cfg.count === 'auto' && cfg.autoRule === 'spectral-gap' && gap !== null;
  let mapRows: Int32Array = new Int32Array(0);
  let layout: Promise<MapLayout> | undefined;
  const startMap = (X: Float32Array, rows: number, D: number): void => {
    mapRows = mapSampleRows(rows, cfg.mapSampleSize, cfg.seed + 2);
    const sub = gatherRows(X, D, mapRows);
    const opts = { method: cfg.map, seed: cfg.seed + 2 };
    layout = pool ? runPoolTask<MapLayout>(pool, { kind: 'map', X: sub, n: mapRows.length, d: D, options: opts } satisfies MapTask) : undefined;
    if (!pool) layout = Promise.resolve().then(() => layoutMap(sub, mapRows.length, D, opts));
  };
  // "auto" by spectral gap: the count is known now, the other kind of states queued right behind this run's restarts
  const startOtherByGap = (): void => {
    if (compare && other === undefined && byGap) other = startOther(gap.states);
  };
  // by spectral gap the score table still spans the range (scoreAllCounts), though the count is already fixed
  const fitted = await fitAndAssignStates(
    input.path, nLi, nFrames, byGap ? { ...cfg, count: gap.states, scoreAllCounts: true } : cfg, onProgress,
    { pool, onSample: pool ? startMap : undefined, onFitsQueued: startOtherByGap }, given?.mixture,
  );
  const { model, states, nearest, sample, X, D } = fitted;
  const selection = byGap ? { ...fitted.selection, rule: 'spectral-gap' as const } : fitted.selection;
  const vampScores = vamp === null ? null
    : await stateVampScores(input.path, nLi, nFrames, selection.table.map((r) => r.model), vamp.lagFrames, segments, { liSample: vamp.liSample, folds: vamp.folds, seed: cfg.seed + 3 });
  const steps = selection.table.length + STEPS_AFTER_FITS;
  onProgress?.(steps - 1, steps, 'describing the states: descriptors, representatives, 2-D map');
  const K = model.components;
  const chosenRow = selection.table.find((r) => r.count === K);
  const chosenVamp = vampScores?.[selection.table.findIndex((r) => r.count === K)];
  if (compare && other === undefined) other = startOther(K);

  // descriptors: the centre Li's own features, its shell's Li density and its fractional z, per Li × frame
  const F = featureNames.length;
  const columns: Record<string, Float32Array> = {};
  for (const name of [...featureNames, 'z_fraction']) columns[name] = new Float32Array(nLi * nFrames);
  for (let f = 0; f < nFrames; f++) {
    const fr = await store.frame(f);
    const inv = inverse3(fr.cell);
    for (let c = 0; c < nLi; c++) {
      const atom = li[c];
      const i = c * nFrames + f;
      for (let col = 0; col < F; col++) columns[featureNames[col]][i] = fr.features[atom * F + col];
      const x = fr.positions[3 * atom], y = fr.positions[3 * atom + 1], z = fr.positions[3 * atom + 2];
      const zf = x * inv[2] + y * inv[5] + z * inv[8];
      columns.z_fraction[i] = zf - Math.floor(zf);
    }
  }
  if (columns.count_Li) columns.li_density = numberDensity(columns.count_Li, shellAngstrom);
  const described: StateDescriptor[] = describeStates(states, columns, { states: K });
  const descriptors = described.map((d) => ({
    state: d.state, count: d.count, population: d.population,
    mean: Object.fromEntries(Object.entries(d.columns).map(([k, c]) => [k, c.mean])),
    std: Object.fromEntries(Object.entries(d.columns).map(([k, c]) => [k, c.std])),
  }));
  const profile = stateProfileAlongZ(states, columns.z_fraction, K, Z_BINS);

  // the last frame, every Li coloured by its state (the report's 3-D view)
  const lastFrame = nFrames - 1;
  const last = await store.frame(lastFrame);
  const stateByAtom = new Array<number>(species.length).fill(-1);
  li.forEach((atom, c) => (stateByAtom[atom] = states[c * nFrames + lastFrame]));
  await writeFileAtomic(join(run, 'frame-view.extxyz'), frameXyz(species, last.positions, last.cell, stateByAtom, lastFrame));

  // representative environments, exported as small extended-XYZ files
  const representatives: StatesSummary['representatives'] = [];
  const repDir = join(run, 'representatives');
  for (let s = 0; s < K; s++) {
    for (const [rank, g] of nearest[s].entries()) {
      const f = Math.floor(g / nLi), c = g - f * nLi;
      const file = `S${s}_${rank}.extxyz`;
      const text = environmentXyz(species, await store.frame(f), c, { state: s, rank, frame: f, atom: li[c] });
      await writeFileAtomic(join(repDir, file), text);
      representatives.push({ state: s, file: `representatives/${file}`, frame: f, atom: li[c] });
    }
  }

  // 2-D map (t-SNE as in the paper, or UMAP) of a seeded subsample of the fit sample, coloured by the states
  if (layout === undefined) startMap(X, sample.length, D);
  const { coordinates } = await (layout as Promise<MapLayout>);
  const sampleLabels = predict(model, X, sample.length);
  const map = { method: cfg.map, rows: mapRows, states: Int16Array.from(mapRows, (r) => sampleLabels[r]), coordinates };

  // the other kind of states, fitted on the pool meanwhile
  const kineticComparison = other !== undefined && vamp !== null && chosenVamp !== undefined
    ? compareKinetics(K, projection.method, { vamp2: chosenVamp.mean.vamp2, vamp2Std: chosenVamp.std.vamp2, vampE: chosenVamp.mean.vampE }, await other, vamp)
    : null;
  const silhouette = chosenRow?.silhouette ?? null;
  if (silhouette !== null && silhouette < 0.25) {
    warnings.push({ code: 'weak-separation', message: `the states are weakly separated: silhouette ${silhouette.toFixed(3)} < 0.25 (the paper's threshold for a reasonable classification); read the states and everything built on them with care` });
  }
  (chosenRow?.silhouettePerState ?? []).forEach((v, s) => {
    if (v !== null && v < 0) warnings.push({ code: 'negative-silhouette', message: `state S${s} has a negative mean silhouette (${v.toFixed(3)}): its Li are on average closer to another state` });
  });
  for (const d of described) if (d.count === 0) warnings.push({ code: 'empty-state', message: `state S${d.state} received no Li after assignment` });

  const summary: StatesSummary = {
    count: K, rule: given !== undefined ? 'model' : selection.rule, silhouette, model: given?.dir ?? 'model', silhouettePerState: [...(chosenRow?.silhouettePerState ?? [])],
    scoreTable: selection.table.map((r, i) => ({
      count: r.count, bic: r.bic, aic: r.aic, logLikelihood: r.logLikelihood, silhouette: r.silhouette, converged: r.converged,
      vamp2: vampScores?.[i].mean.vamp2 ?? null, vamp2Std: vampScores?.[i].std.vamp2 ?? null, vampE: vampScores?.[i].mean.vampE ?? null,
      vamp2Folds: vampScores?.[i].folds.map((f) => f.vamp2) ?? null,
    })),
    projection: input.record === null || gap === null ? null : { ...input.record, spectralGap: gap },
    kineticComparison,
    vamp,
    populations: descriptors.map((d) => d.population),
    descriptors,
    shellAngstrom,
    zProfile: { zCentres: Array.from(profile.zCentres), zUnit: 'fraction', fractions: profile.fractions.map((f) => Array.from(f)), counts: Array.from(profile.counts) },
    frameView: { frame: lastFrame, file: 'frame-view.extxyz', stateByAtom },
    representatives,
    map: {
      method: map.method, x: Array.from(map.rows, (_, k) => map.coordinates[2 * k]), y: Array.from(map.rows, (_, k) => map.coordinates[2 * k + 1]),
      state: Array.from(map.states), graph: Array.from(map.rows, (r) => sample[r]),
    },
    mixture: {
      weights: Array.from(model.weights), means: Array.from({ length: K }, (_, s) => Array.from(model.means.subarray(s * D, (s + 1) * D))),
      covarianceType: model.covariance, logLikelihood: model.logLikelihood, converged: model.converged, iterations: model.iterations, fitSamples: sample.length,
    },
    warnings,
  };
  if (given === undefined) {
    await writeModel(run, {
      encoderDir: join(run, 'encoder'), mixture: model,
      projection: input.model === null || input.record === null ? null : { model: input.model, record: input.record },
      index: store.index, elements: Array.from(featureLayout(Uint8Array.from(species)).countSpecies, symbolOf),
      edgeCutoffAngstrom: config.graph.edgeCutoffAngstrom, embeddingDim: (await npyFileInfo(join(run, 'embeddings.npy'))).shape[1],
    });
  }
  await writeFileAtomic(join(run, 'states.npy'), encodeNpy(states, [nLi, nFrames]));
  const statesJson = {
    format: 'getsei-states/1',
    numbering: 'states are numbered by descending mixture weight (S0 = the most populated component); ties by mean vector',
    statesNpy: 'states.npy int16 [nLi, nFrames]: row = Li in the order of frames/index.json "li", −1 = undefined',
    ...summary,
  } as const;
  await writeJsonAtomic(join(run, 'states.json'), statesJson satisfies WrittenRunFile<'states.json'>);
  return summary;
}
