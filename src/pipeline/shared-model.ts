import { existsSync } from 'node:fs';
import { cp, readdir, rm } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { featureLayout } from '../features/atom-features.ts';
import { project } from '../projection/index.ts';
import { renderComparison, type ComparisonOutput } from '../report/compare.ts';
import { loadReportInput } from '../report/run-input.ts';
import type { RenderOptions } from '../report/write.ts';
import { spectralGap } from '../projection/index.ts';
import { statesWorkerEntry } from '../states/parallel.ts';
import { symbolOf } from '../structure/elements.ts';
import { makeOutputFolder, writeFileAtomic, writeJsonAtomic } from '../util/atomic.ts';
import { CancelledError, type CancelFlag } from '../util/cancel.ts';
import { GetseiError } from '../util/errors.ts';
import { encodeNpy } from '../util/npy.ts';
import { npyFileInfo, readFloat32RowsAt } from '../util/npy-file.ts';
import { createRng, sampleIndices } from '../util/rng.ts';
import { createWorkerPool, defaultThreads } from '../util/workers.ts';
import type { Config } from './config.ts';
import { FrameStoreReader } from './frame-store.ts';
import { hashJson, readManifest, type Manifest } from './manifest.ts';
import { referenceFrames } from './merge.ts';
import { loadModel, writeModel } from './model.ts';
import { checkpointed, encoderStageConfig, modelKeyOf, runPipeline, type RunReporter, type RunResult } from './run.ts';
import { runStage, stageOutputHash } from './stage.ts';
import { runEncoderStage, saveStageEncoder, trainingFrames, trainingGraphs, trainOnFrames } from './stage-encoder.ts';
import { estimateEmbeddingProjection, projectionSettings, readSegments, type ProjectionRecord } from './stage-projection.ts';
import { fitAndAssignStates } from './stage-states.ts';
import type { ProjectionModel } from '../projection/index.ts';

/**
 * `getsei compare RUN… --shared-model -o DIR` (docs/report.md): one model for several systems, so that Sk is the same
 * state in every run of a cross-system table. The runs are featurised run folders and are only read.
 *  1. DIR/runs/NAME references each run's stored frames (nothing copied, as `getsei merge` does for shards);
 *  2. one encoder is trained on a seeded pool of graphs, an equal share from each run's training frames (the frames
 *     that run would train on alone), standardised on all those frames;
 *  3. every run is embedded with it; the projection (if configured) is estimated on all runs' lagged pairs together
 *     and the mixture on a seeded sample of states.fitSampleSize rows, again an equal share per run;
 *  4. the model is written to DIR/model (the format of RUN/model, so `getsei run --model DIR/model` takes it) and
 *     applied to each run: states → kinetics → transport → paths → report in DIR/runs/NAME;
 *  5. DIR/compare.html and DIR/tables/compare-*.csv compare the runs state by state.
 * DIR must be new or empty; on failure it is removed, so there is never half a comparison.
 */
export interface SharedModelRequest {
  readonly runs: readonly { readonly name: string; readonly dir: string }[];
  readonly out: string;
  readonly config: Config;
  /** encoder training graphs drawn across the runs, an equal share from each */
  readonly poolGraphs: number;
  readonly render?: RenderOptions;
  readonly reporter?: RunReporter;
  /** Ctrl-C: checked at every progress tick; DIR is then removed like after any failure */
  readonly cancel?: CancelFlag;
}

export interface SharedRun {
  readonly name: string;
  readonly source: string;
  /** DIR/runs/<folder>: the run under the shared model */
  readonly dir: string;
  readonly result: RunResult;
}

export interface SharedModelResult {
  readonly model: string;
  readonly runs: SharedRun[];
  readonly comparison: ComparisonOutput;
}

interface SourceRun {
  readonly name: string;
  readonly dir: string;
  readonly folder: string;
  readonly manifest: Manifest;
  readonly store: FrameStoreReader;
  readonly elements: string[];
}

/** n split into `parts` near-equal whole shares (the first n mod parts get one more). */
const share = (n: number, parts: number, k: number): number => Math.floor(n / parts) + (k < n % parts ? 1 : 0);

/** A run's name as a folder name: "LGPS/Li" → "LGPS_Li". */
const folderOf = (name: string): string => name.replace(/[^\w.+-]/g, '_').replace(/^\.+/, '_');

/** Open every run and check that one encoder can read them all: same elements, per-atom features and shells. */
async function openRuns(runs: SharedModelRequest['runs']): Promise<SourceRun[]> {
  const out: SourceRun[] = [];
  for (const r of runs) {
    const dir = resolve(r.dir);
    const manifest = await readManifest(dir);
    if (manifest?.stages.featurize?.status !== 'done' || !existsSync(join(dir, 'frames', 'index.json'))) {
      throw new GetseiError(`${dir} is not a featurised run folder; make it with \`getsei run FILES -o ${dir}\` (or \`getsei featurize\`)`);
    }
    const store = await FrameStoreReader.open(join(dir, 'frames'));
    const elements = Array.from(featureLayout(Uint8Array.from(store.index.species)).countSpecies, symbolOf);
    out.push({ name: r.name, dir, folder: folderOf(r.name), manifest, store, elements });
  }
  const [first] = out;
  for (const r of out.slice(1)) {
    const a = r.store.index, b = first.store.index;
    const problems: string[] = [];
    if (JSON.stringify(r.elements) !== JSON.stringify(first.elements)) problems.push(`elements [${r.elements.join(', ')}] vs [${first.elements.join(', ')}]`);
    if (JSON.stringify(a.featureNames) !== JSON.stringify(b.featureNames)) problems.push(`per-atom features [${a.featureNames.join(', ')}] vs [${b.featureNames.join(', ')}]`);
    if (a.shellAngstrom !== b.shellAngstrom) problems.push(`shell ${a.shellAngstrom} Å vs ${b.shellAngstrom} Å (--shell)`);
    if (a.graphRadiusAngstrom !== b.graphRadiusAngstrom) problems.push(`graph radius ${a.graphRadiusAngstrom} Å vs ${b.graphRadiusAngstrom} Å (--graph-radius)`);
    if (problems.length > 0) {
      throw new GetseiError(`${r.dir} does not fit one model with ${first.dir}: ${problems.join('; ')}; a shared model needs runs of the same species featurised alike`);
    }
  }
  const seen = new Map<string, string>();
  for (const r of out) {
    const other = seen.get(r.folder);
    if (other !== undefined) throw new GetseiError(`runs ${other} and ${r.dir} would share the folder runs/${r.folder}; give distinct --names`);
    seen.set(r.folder, r.dir);
  }
  return out;
}

/** Refuse, before anything is trained, runs that one projection lag (in frames) does not fit. */
function checkProjectionLag(sources: readonly SourceRun[], config: Config): void {
  if (config.projection.method === 'none') return;
  const lags = sources.map((s) => projectionSettings(config.projection, s.manifest.dtPs).lag);
  for (const [k, s] of sources.entries()) {
    if (lags[k] !== lags[0]) {
      throw new GetseiError(`${s.dir}: the projection lag is ${lags[k]} frames there and ${lags[0]} in ${sources[0].dir} (other frame intervals); set projection.lag in frames so one projection fits every run`);
    }
    if (lags[k] >= s.store.index.nFrames) throw new GetseiError(`${s.dir}: projection.lag = ${lags[k]} frames is not shorter than its ${s.store.index.nFrames} frames; use a shorter lag`);
  }
}

/** The rows the mixture is fitted on: a seeded equal share of states.fitSampleSize from each run, projected if the model projects. */
async function pooledSample(dirs: readonly string[], config: Config, projection: ProjectionModel | null): Promise<{ rows: Float32Array; n: number; d: number; perRun: number[] }> {
  const rng = createRng(config.states.seed);
  const parts: Float32Array[] = [];
  const perRun: number[] = [];
  for (const [k, dir] of dirs.entries()) {
    const path = join(dir, 'embeddings.npy');
    const info = await npyFileInfo(path);
    const [nGraphs, D] = info.shape;
    const rows = sampleIndices(rng, nGraphs, share(config.states.fitSampleSize, dirs.length, k));
    const X = await readFloat32RowsAt(path, rows, D, info.dataOffset);
    parts.push(projection === null ? X : project(projection, X, rows.length));
    perRun.push(rows.length);
  }
  const n = perRun.reduce((a, b) => a + b, 0);
  const d = projection?.dim ?? parts[0].length / perRun[0];
  const rows = new Float32Array(n * d);
  let at = 0;
  for (const p of parts) {
    rows.set(p, at);
    at += p.length;
  }
  return { rows, n, d, perRun };
}

/** Fit the shared model in DIR/.pool and write DIR/model; returns what shared-model.json records of the pool. */
async function fitSharedModel(sources: readonly SourceRun[], linked: readonly string[], req: SharedModelRequest, reporter: RunReporter | undefined): Promise<Record<string, unknown>> {
  const { config, out } = req;
  const threads = config.run.threads > 0 ? config.run.threads : undefined;
  const work = join(out, '.pool');
  const R = sources.length;
  const tick = (stage: 'encoder' | 'states') => (d: number, t?: number, note?: string): void => reporter?.stageTick(stage, d, t, note);

  let t0 = performance.now();
  reporter?.stageStart('encoder', undefined, `training one encoder on ${req.poolGraphs} graphs drawn across ${R} runs`);
  const parts = sources.map((s, k) => {
    const { trainFrames, rng } = trainingFrames(s.store.index.nFrames, config.contrastive);
    return { store: s.store, trainFrames, pick: (count: number) => trainingGraphs(count, share(req.poolGraphs, R, k), rng.fork()) };
  });
  const trained = await trainOnFrames(parts, config, { threads, onTrain: (p) => tick('encoder')(p.step, p.stepsTotal, `epoch ${p.epoch + 1}, loss ${p.loss.toFixed(3)}`) });
  const encoderDir = join(work, 'encoder');
  await saveStageEncoder(encoderDir, trained.encoder, trained.standardization, sources[0].store, config, { pooledFrom: sources.map((s) => s.dir) });
  reporter?.stageEnd('encoder', 'done', (performance.now() - t0) / 1000);
  for (const [k, dir] of linked.entries()) {
    t0 = performance.now();
    reporter?.stageStart('encoder', undefined, `embedding ${sources[k].name} with the shared encoder`);
    await runEncoderStage(dir, config, { threads, encoderPath: encoderDir, onEmbed: tick('encoder') });
    reporter?.stageEnd('encoder', 'done', (performance.now() - t0) / 1000);
  }

  t0 = performance.now();
  reporter?.stageStart('states', undefined, `${config.projection.method === 'none' ? '' : 'projection and '}Gaussian mixture on a sample pooled across ${R} runs`);
  let projection: { model: ProjectionModel; record: ProjectionRecord } | null = null;
  if (config.projection.method !== 'none') {
    const runs = await Promise.all(linked.map(async (dir, k) => {
      const { nFrames, li } = sources[k].store.index;
      return { dir, segments: await readSegments(dir, nFrames), nLi: li.length, nFrames };
    }));
    projection = await estimateEmbeddingProjection(runs, { ...projectionSettings(config.projection, sources[0].manifest.dtPs), method: config.projection.method });
  }
  const sample = await pooledSample(linked, config, projection?.model ?? null);
  const samplePath = join(work, 'sample.npy');
  await writeFileAtomic(samplePath, encodeNpy(sample.rows, [sample.n, sample.d]));
  const cfg = config.states;
  // "auto" by spectral gap takes the count from the pooled projection, as the states stage does from a run's
  const gap = projection !== null && cfg.count === 'auto' && cfg.autoRule === 'spectral-gap'
    ? spectralGap(projection.record.eigenvalues, cfg.minCount, Math.max(cfg.minCount, cfg.maxCount)).states
    : undefined;
  const nThreads = config.run.threads > 0 ? config.run.threads : defaultThreads();
  const pool = nThreads >= 2 ? createWorkerPool(statesWorkerEntry(), { threads: nThreads }) : null;
  let fitted;
  try {
    fitted = await fitAndAssignStates(samplePath, 1, sample.n, gap === undefined ? cfg : { ...cfg, count: gap }, tick('states'), { pool });
  } finally {
    await pool?.destroy();
  }
  await writeModel(out, {
    encoderDir, mixture: fitted.model, projection, index: sources[0].store.index, elements: sources[0].elements,
    edgeCutoffAngstrom: config.graph.edgeCutoffAngstrom, embeddingDim: trained.encoder.config.embeddingDim,
  });
  await rm(work, { recursive: true, force: true });
  reporter?.stageEnd('states', 'done', (performance.now() - t0) / 1000);
  return {
    trainGraphs: parts.map((_, k) => share(req.poolGraphs, R, k)), trainFrames: parts.map((p) => p.trainFrames.length),
    fitSample: sample.perRun, states: fitted.model.components, countRule: gap !== undefined ? 'spectral-gap' : cfg.count === 'auto' ? 'silhouette' : 'fixed',
  };
}

export async function runSharedComparison(req: SharedModelRequest): Promise<SharedModelResult> {
  if (req.runs.length < 2) throw new GetseiError('--shared-model needs at least two run folders');
  if (!(Number.isInteger(req.poolGraphs) && req.poolGraphs >= 2 * req.runs.length)) {
    throw new GetseiError(`--pool-graphs ${req.poolGraphs} is too few for ${req.runs.length} runs; give at least ${2 * req.runs.length} (two graphs per run)`);
  }
  const sources = await openRuns(req.runs);
  checkProjectionLag(sources, req.config);
  const out = resolve(req.out);
  if (existsSync(out) && (await readdir(out)).length > 0) {
    throw new GetseiError(`${out} exists and is not empty; --shared-model writes a new folder: remove it or choose another -o`);
  }
  await makeOutputFolder(out);
  const reporter = checkpointed(req.reporter, req.cancel);
  try {
    const linked = sources.map((s) => join(out, 'runs', s.folder));
    for (const [k, s] of sources.entries()) {
      await referenceFrames(linked[k], [{ dir: s.dir, firstFrame: 0, manifest: s.manifest, index: s.store.index }], s.store.index.nFrames,
        { inputHash: hashJson([s.dir, stageOutputHash(s.manifest, 'featurize')]), config: s.manifest.config.featurize }, { linkedFrom: relative(linked[k], s.dir) });
    }
    const pooled = await fitSharedModel(sources, linked, req, reporter);
    const model = await loadModel(join(out, 'model'));
    const modelKey = modelKeyOf(model.manifest.files);
    const runs: SharedRun[] = [];
    for (const [k, dir] of linked.entries()) {
      // each run was embedded with the shared encoder before the model existed; record that embedding as the
      // encoder stage of `--model DIR/model` (the model's encoder is the same file), as getsei merge records shards'
      const manifest = (await readManifest(dir)) as Manifest;
      await runStage(dir, 'encoder', { inputHash: stageOutputHash(manifest, 'featurize'), config: encoderStageConfig(req.config, model.encoderDir, modelKey), seed: req.config.contrastive.seed }, async () => {
        await rm(join(dir, 'encoder'), { recursive: true, force: true });
        await cp(model.encoderDir, join(dir, 'encoder'), { recursive: true });
      });
      const result = await runPipeline({ run: dir, files: [], config: req.config, modelPath: model.dir, reporter: req.reporter, cancel: req.cancel });
      runs.push({ name: sources[k].name, source: sources[k].dir, dir, result });
    }
    const inputs = [];
    for (const r of runs) {
      const { input, problems } = await loadReportInput(r.dir);
      for (const p of problems) process.stderr.write(`warning: ${r.dir}: ${p}\n`);
      inputs.push({ name: r.name, input });
    }
    const comparison = await renderComparison(inputs, out, { ...req.render, sharedStates: true });
    await writeJsonAtomic(join(out, 'shared-model.json'), {
      format: 'getsei-shared-model/1', model: 'model', poolGraphs: req.poolGraphs, seed: req.config.contrastive.seed, ...pooled,
      runs: runs.map((r) => ({ name: r.name, source: r.source, folder: relative(out, r.dir) })),
    });
    return { model: model.dir, runs, comparison };
  } catch (err) {
    await rm(out, { recursive: true, force: true });
    throw err instanceof CancelledError ? new CancelledError(`interrupted; the unfinished ${out} was removed (the input runs are untouched)`) : err;
  }
}
