import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_FRAME_CHECKS, type ReadOptions } from '../io/index.ts';
import type { CancelFlag } from '../util/cancel.ts';
import { GetseiError } from '../util/errors.ts';
import { writeJsonAtomic } from '../util/atomic.ts';
import type { Config } from './config.ts';
import { acquireRunLock } from './lock.ts';
import { describeInput, hashJson, newManifest, readManifest, writeManifest, type InputFile, type Manifest } from './manifest.ts';
import { featurizeKeys, runFeaturizeStage } from './run-featurize.ts';
import { isUpToDate, runStage, stageOutputHash } from './stage.ts';
import { runEncoderStage } from './stage-encoder.ts';
import { runStatesStage, type StatesSummary } from './stage-states.ts';
import { runKineticsStage, runPathsStage } from './stage-kinetics.ts';
import { runStability, type StabilityReport } from './stability.ts';
import { runTransportStage, transportInputHash, transportPossible } from './stage-transport.ts';
import type { LagChoice } from './lag.ts';
import type { KineticsReport, PathsReport } from '../tpt/index.ts';
import type { TransportReport } from '../transport/index.ts';
import { loadReportInput, renderReport } from '../report/index.ts';
import { featureLayout } from '../features/atom-features.ts';
import { symbolOf } from '../structure/elements.ts';
import { FrameStoreReader } from './frame-store.ts';
import { checkModelFits, loadModel, type ReusableModel } from './model.ts';
import type { ShardSpec } from './shard.ts';

export const STAGES = ['featurize', 'encoder', 'states', 'kinetics', 'transport', 'paths', 'stability', 'report'] as const;
export type StageName = (typeof STAGES)[number];

/** How the run reports progress: one call when a stage starts, ticks while it works, one when it ends. */
export interface RunReporter {
  stageStart(stage: StageName, total?: number, what?: string): void;
  stageTick(stage: StageName, done: number, total?: number, note?: string): void;
  stageEnd(stage: StageName, status: 'done' | 'skipped', seconds: number): void;
}

export interface RunRequest {
  readonly run: string;
  /** trajectory files; none: RUN must already be featurised (then featurize is not rerun) */
  readonly files: readonly string[];
  /** stop after this stage (default: run every stage) */
  readonly until?: StageName;
  readonly config: Config;
  /** stages to rerun even when up to date */
  readonly force?: readonly StageName[];
  /** embed with this trained encoder (RUN/encoder of another run) instead of training */
  readonly encoderPath?: string;
  /** embed, project and assign with this reusable model (RUN/model of another run) instead of fitting; see model.ts */
  readonly modelPath?: string;
  /**
   * run only shard i of N (contiguous frame blocks, docs/cluster.md): featurize; with encoderPath also embed; with
   * modelPath also assign states. A shard stops there: training, fitting and kinetics need all shards (getsei merge).
   */
  readonly shard?: ShardSpec;
  readonly reporter?: RunReporter;
  /** the command line that asked for this run, recorded in the manifest for each stage it runs (the report's provenance) */
  readonly command?: string;
  /** Ctrl-C: checked before every stage and at every progress tick (see src/cli/interruptible.ts) */
  readonly cancel?: CancelFlag;
}

export interface RunResult {
  readonly manifest: Manifest;
  readonly ran: StageName[];
  readonly skipped: StageName[];
  readonly states?: StatesSummary;
  readonly kinetics?: KineticsReport & { lagChoice: LagChoice | null };
  readonly paths?: PathsReport;
  readonly stability?: StabilityReport;
  readonly transport?: TransportReport;
  readonly reportPath?: string;
}

function readOptionsOf(config: Config): ReadOptions {
  const i = config.input;
  const read: ReadOptions = { start: i.start, stride: i.stride, independent: i.independent };
  if (i.stop !== undefined) read.stop = i.stop;
  if (i.dtPs !== undefined) read.dtPs = i.dtPs;
  if (i.format !== undefined) read.format = i.format;
  if (i.typeMap !== undefined) read.typeMap = i.typeMap;
  if (i.cellFile !== undefined) read.cellFile = i.cellFile;
  if (i.topology !== undefined) read.topology = i.topology;
  if (i.species !== undefined) read.species = i.species;
  if (i.minDistanceAngstrom !== DEFAULT_FRAME_CHECKS.minDistanceAngstrom) read.minDistanceAngstrom = i.minDistanceAngstrom;
  return read;
}

/** The encoder stage's config key (getsei merge records the stage with the same key when it joins shard embeddings). */
export function encoderStageConfig(config: Config, encoderPath: string | undefined, modelKey: string | undefined): unknown {
  return { contrastive: config.contrastive, graph: config.graph, encoderPath: encoderPath ?? null, model: modelKey };
}

/** The key of a reusable model folder in the stage configs: a hash of its files' hashes. */
export function modelKeyOf(files: Record<string, string>): string {
  return hashJson(files);
}

/** The reporter, with a cancellation checkpoint at every call: progress ticks come from inside every long loop. */
export function checkpointed(reporter: RunReporter | undefined, cancel: CancelFlag | undefined): RunReporter | undefined {
  if (cancel === undefined) return reporter;
  return {
    stageStart: (...a) => { cancel.check(); reporter?.stageStart(...a); },
    stageTick: (...a) => { cancel.check(); reporter?.stageTick(...a); },
    stageEnd: (...a) => reporter?.stageEnd(...a),
  };
}

/**
 * featurize → encoder → states → … (STAGE_TABLE, in the order of STAGES): each stage runs only when its inputs or config changed since it last
 * completed (RUN/manifest.json), or when forced, so changing the lag reruns only kinetics onwards and an
 * interrupted run resumes at the stage it stopped in. RUN/.lock keeps a second getsei out of the folder meanwhile
 * (a lock whose process died is taken over, so a killed run can be resumed).
 */
export async function runPipeline(req: RunRequest): Promise<RunResult> {
  // every input file checked before anything is written (the lock included), so a typo leaves no half-made run folder
  const inputs = await Promise.all(req.files.map(describeInput));
  const release = await acquireRunLock(req.run);
  try {
    return await runPipelineLocked(req, inputs);
  } finally {
    await release();
  }
}

/** Which command ran the stage (RUN/manifest.json `stages.NAME.command`): provenance only, never part of a stage's hash. */
async function recordCommand(run: string, name: StageName, command: string): Promise<void> {
  const manifest = await readManifest(run);
  const record = manifest?.stages[name];
  if (manifest === undefined || record === undefined) return;
  record.command = command;
  await writeManifest(run, manifest);
}

/** What a stage sees: the request, what the run resolved once, and the manifest as the stages before it left it. */
interface StageContext {
  readonly req: RunRequest;
  readonly run: string;
  readonly config: Config;
  readonly inputs: readonly InputFile[];
  readonly manifest: Manifest;
  /** the reusable model of `--model`, if given */
  readonly given: ReusableModel | undefined;
  /** the encoder to embed with instead of training (`--encoder`, or the model's) */
  readonly encoderPath: string | undefined;
  /** the model's key in the stage configs; undefined (not null) without one, so older runs' hashes stay the same */
  readonly modelKey: string | undefined;
  readonly threads: number | undefined;
  /** progress of this stage (also the Ctrl-C checkpoint) */
  readonly tick: (done: number, total?: number, note?: string) => void;
}

/** What decides whether a stage is up to date (RUN/manifest.json): its inputs' hash, its config, its seed. */
interface StageKeys {
  readonly inputHash: string;
  readonly config: unknown;
  readonly seed?: number;
}

/** One row of the stage table: what a stage reads, which slice of the config it depends on, what it leaves, how it runs. */
interface StageSpec {
  /** files the stage leaves; a stage whose outputs are gone is not up to date */
  readonly outputs: readonly string[];
  /** false: the stage does not apply to this run; `passedOver` runs instead */
  readonly applies: (ctx: StageContext) => boolean;
  readonly passedOver?: (ctx: StageContext) => Promise<void>;
  /** checked before the up-to-date test, so it holds for a stage that is skipped too */
  readonly check?: (ctx: StageContext) => Promise<void>;
  readonly keys: (ctx: StageContext) => StageKeys;
  /** the progress line at its start: the number of steps (if counted) and what it does */
  readonly start: (ctx: StageContext) => readonly [total: number | undefined, what: string];
  readonly run: (ctx: StageContext) => Promise<unknown>;
  /** featurize and transport record themselves in the manifest (their functions are also commands of their own) */
  readonly recordsItself?: boolean;
}

const always = (): boolean => true;
const stabilityApplies = (ctx: StageContext): boolean => ctx.config.stability.repeats >= 2 && ctx.given === undefined;

/** The stages in the order of STAGES (pipeline figure of docs/pipeline.md). */
const STAGE_TABLE: Record<StageName, StageSpec> = {
  // keyed by the input files' content and the reading options
  featurize: {
    outputs: ['frames/index.json', 'segments.npy'],
    applies: (ctx) => ctx.req.files.length > 0,
    passedOver: async ({ run, manifest }) => {
      if (manifest.stages.featurize?.status !== 'done') {
        throw new GetseiError(`${run} is not featurised yet: run \`getsei featurize FILES -o ${run}\` or \`getsei run FILES -o ${run}\` first`);
      }
    },
    keys: ({ inputs, config, req }) => featurizeKeys(inputs, readOptionsOf(config), config.features, req.shard),
    start: ({ req }) => [undefined, req.shard ? `reading frames and computing per-atom features of shard ${req.shard.index}/${req.shard.count}` : 'reading frames and computing per-atom features'],
    run: ({ run, req, config, threads, tick, inputs }) =>
      runFeaturizeStage(run, req.files, readOptionsOf(config), config.features, { threads, onFrame: (d) => tick(d), shard: req.shard }, [...inputs]),
    recordsItself: true,
  },
  encoder: {
    outputs: ['encoder/model.safetensors', 'embeddings.npy', 'graphs.npy'],
    applies: always,
    check: async ({ run, given, config }) => {
      if (given === undefined) return;
      const store = await FrameStoreReader.open(join(run, 'frames'));
      checkModelFits(given, store.index, Array.from(featureLayout(Uint8Array.from(store.index.species)).countSpecies, symbolOf), config.graph.edgeCutoffAngstrom);
    },
    keys: ({ manifest, config, encoderPath, modelKey }) => ({
      inputHash: stageOutputHash(manifest, 'featurize'), config: encoderStageConfig(config, encoderPath, modelKey), seed: config.contrastive.seed,
    }),
    start: ({ encoderPath }) => [undefined, encoderPath ? 'embedding with the given encoder' : 'training the graph contrastive encoder'],
    run: ({ run, config, threads, encoderPath, tick }) => runEncoderStage(run, config, {
      threads, encoderPath,
      onTrain: (p) => tick(p.step, p.stepsTotal, `epoch ${p.epoch + 1}, loss ${p.loss.toFixed(3)}`),
      onEmbed: (d, t) => tick(d, t, 'embedding'),
    }),
  },
  states: {
    outputs: ['states.npy', 'states.json'],
    applies: always,
    keys: ({ manifest, config, modelKey }) => ({
      inputHash: stageOutputHash(manifest, 'encoder'), config: { ...config.states, projection: config.projection, model: modelKey }, seed: config.states.seed,
    }),
    start: ({ given }) => [undefined, given ? 'assigning with the given model' : 'Gaussian mixture on the embeddings'],
    run: ({ run, config, tick, given }) => runStatesStage(run, config, tick, given),
  },
  kinetics: {
    outputs: ['kinetics.json'],
    applies: always,
    keys: ({ manifest, config }) => ({
      inputHash: hashJson([stageOutputHash(manifest, 'states'), manifest.dtPs]), config: { kinetics: config.kinetics, bootstrapTpt: config.paths }, seed: config.kinetics.seed,
    }),
    start: () => [undefined, 'Koopman/EDMD Markov model, implied timescales, rates, bootstrap'],
    run: ({ run, config, manifest }) => runKineticsStage(run, config, manifest.dtPs),
  },
  // re-reads the recorded trajectory: only when its files are there and the time per frame is known; after
  // kinetics, so that it has the states (per-state MSD, residence times) and the mobility (the rank check)
  transport: {
    outputs: ['transport.json'],
    applies: ({ manifest, req }) => transportPossible(manifest) && req.shard === undefined,
    keys: ({ manifest, config }) => ({ inputHash: transportInputHash(manifest), config: config.transport, seed: config.transport.seed }),
    start: () => [undefined, 'Li MSD, diffusion, conductivity, D(z), per-state residence and MSD'],
    run: ({ run, config }) => runTransportStage(run, config.transport),
    recordsItself: true,
  },
  paths: {
    outputs: ['paths.json'],
    applies: always,
    keys: ({ manifest, config }) => ({ inputHash: stageOutputHash(manifest, 'kinetics'), config: config.paths }),
    start: () => [undefined, 'transition path theory and dominant pathways'],
    run: ({ run, config }) => runPathsStage(run, config),
  },
  // with a given model nothing is discovered here, so there is no discovery to repeat
  stability: {
    outputs: ['stability.json'],
    applies: stabilityApplies,
    passedOver: ({ run }) => rm(join(run, 'stability.json'), { force: true }),
    keys: ({ manifest, config }) => ({ inputHash: hashJson(['states', 'kinetics', 'paths'].map((s) => stageOutputHash(manifest, s))), config: config.stability }),
    start: ({ config }) => [config.stability.repeats - 1, `state discovery repeated with ${config.stability.repeats - 1} other seed(s)`],
    run: ({ run, config, threads, manifest, tick }) => runStability(run, config, {
      repeats: config.stability.repeats, threads, reuseKey: stageOutputHash(manifest, 'states'), onRepeat: (d, t) => tick(d, t),
    }),
  },
  report: {
    outputs: ['report.html'],
    applies: always,
    keys: (ctx) => {
      const upstream = ['states', 'kinetics', 'paths', ...(stabilityApplies(ctx) ? ['stability'] : []), ...(ctx.manifest.stages.transport?.status === 'done' ? ['transport'] : [])];
      return { inputHash: hashJson(upstream.map((s) => stageOutputHash(ctx.manifest, s))), config: {} };
    },
    start: () => [undefined, 'figures, tables and report.html'],
    run: async ({ run }) => renderReport((await loadReportInput(run)).input, run),
  },
};

/** The last stage this request runs: `until`, or where a shard stops (training, fitting and kinetics need all shards). */
function lastStage(req: RunRequest, given: ReusableModel | undefined): StageName {
  const shardLast: StageName | undefined = req.shard === undefined ? undefined
    : given !== undefined ? 'states' : req.encoderPath !== undefined ? 'encoder' : 'featurize';
  const candidates = [req.until, shardLast].filter((s): s is StageName => s !== undefined);
  return candidates.length === 0 ? 'report' : STAGES[Math.min(...candidates.map((s) => STAGES.indexOf(s)))];
}

async function runPipelineLocked(req: RunRequest, inputs: InputFile[]): Promise<RunResult> {
  const { run, config } = req;
  const force = new Set(req.force ?? []);
  const reporter = checkpointed(req.reporter, req.cancel);
  const given = req.modelPath === undefined ? undefined : await loadModel(req.modelPath);
  if (given !== undefined && req.encoderPath !== undefined) throw new GetseiError('give either --model or --encoder, not both (a model folder holds its encoder)');
  const base = {
    req, run, config, inputs, given,
    encoderPath: given?.encoderDir ?? req.encoderPath,
    modelKey: given === undefined ? undefined : modelKeyOf(given.manifest.files),
    threads: config.run.threads > 0 ? config.run.threads : undefined,
  };
  const ran: StageName[] = [];
  const skipped: StageName[] = [];
  await writeJsonAtomic(join(run, 'config.json'), config);

  const last = lastStage(req, given);
  for (const name of STAGES) {
    const stage = STAGE_TABLE[name];
    const ctx: StageContext = {
      ...base, manifest: (await readManifest(run)) ?? newManifest(), tick: (d, t, note) => reporter?.stageTick(name, d, t, note),
    };
    if (!stage.applies(ctx)) {
      await stage.passedOver?.(ctx);
    } else {
      await stage.check?.(ctx);
      const keys = stage.keys(ctx);
      const outputsThere = stage.outputs.every((f) => existsSync(join(run, f)));
      if (!force.has(name) && outputsThere && isUpToDate(ctx.manifest, name, keys.inputHash, keys.config)) {
        skipped.push(name);
        reporter?.stageEnd(name, 'skipped', 0);
      } else {
        req.cancel?.check();
        const t0 = performance.now();
        const work = (): Promise<unknown> => {
          reporter?.stageStart(name, ...stage.start(ctx));
          return stage.run(ctx);
        };
        await (stage.recordsItself ? work() : runStage(run, name, keys, work));
        if (req.command !== undefined) await recordCommand(run, name, req.command);
        ran.push(name);
        reporter?.stageEnd(name, 'done', (performance.now() - t0) / 1000);
      }
    }
    if (name === last) break;
  }

  const read = async <T>(file: string): Promise<T | undefined> => (existsSync(join(run, file)) ? JSON.parse(await readFile(join(run, file), 'utf8')) as T : undefined);
  return {
    manifest: (await readManifest(run)) as Manifest, ran, skipped,
    states: await read<StatesSummary>('states.json'),
    kinetics: await read<KineticsReport & { lagChoice: LagChoice | null }>('kinetics.json'),
    paths: await read<PathsReport>('paths.json'),
    stability: await read<StabilityReport>('stability.json'),
    transport: await read<TransportReport>('transport.json'),
    reportPath: existsSync(join(run, 'report.html')) ? join(run, 'report.html') : undefined,
  };
}
