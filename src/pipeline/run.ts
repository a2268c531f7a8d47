import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_FRAME_CHECKS, type ReadOptions } from '../io/index.ts';
import type { CancelFlag } from '../util/cancel.ts';
import { GetseiError } from '../util/errors.ts';
import { writeJsonAtomic } from '../util/atomic.ts';
import type { Config } from './config.ts';
import { acquireRunLock } from './lock.ts';
import { describeInput, hashJson, readManifest, writeManifest, type InputFile, type Manifest } from './manifest.ts';
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
import { checkModelFits, loadModel } from './model.ts';
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

/** Which files each stage leaves; a stage whose outputs are gone is not up to date. */
const OUTPUTS: Record<StageName, string[]> = {
  featurize: ['frames/index.json', 'segments.npy'],
  transport: ['transport.json'],
  encoder: ['encoder/model.safetensors', 'embeddings.npy', 'graphs.npy'],
  states: ['states.npy', 'states.json'],
  kinetics: ['kinetics.json'],
  paths: ['paths.json'],
  stability: ['stability.json'],
  report: ['report.html'],
};

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
 * featurize → encoder → states → …: each stage runs only when its inputs or config changed since it last
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

async function runPipelineLocked(req: RunRequest, inputs: InputFile[]): Promise<RunResult> {
  const { run, config } = req;
  const force = new Set(req.force ?? []);
  const reporter = checkpointed(req.reporter, req.cancel);
  const threads = config.run.threads > 0 ? config.run.threads : undefined;
  const ran: StageName[] = [];
  const skipped: StageName[] = [];
  await writeJsonAtomic(join(run, 'config.json'), config);

  const step = async (name: StageName, inputHash: string, stageConfig: unknown, body: () => Promise<unknown>): Promise<void> => {
    const manifest = await readManifest(run);
    const outputsThere = OUTPUTS[name].every((f) => existsSync(join(run, f)));
    if (!force.has(name) && outputsThere && isUpToDate(manifest, name, inputHash, stageConfig)) {
      skipped.push(name);
      reporter?.stageEnd(name, 'skipped', 0);
      return;
    }
    req.cancel?.check();
    const t0 = performance.now();
    await body();
    if (req.command !== undefined) await recordCommand(run, name, req.command);
    ran.push(name);
    reporter?.stageEnd(name, 'done', (performance.now() - t0) / 1000);
  };

  const done = (name: StageName): boolean => req.until !== undefined && STAGES.indexOf(name) >= STAGES.indexOf(req.until);
  const result = async (): Promise<RunResult> => {
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
  };

  // featurize: keyed by the input files' content and the reading options
  if (req.files.length > 0) {
    const read = readOptionsOf(config);
    const { inputHash: featurizeInput, config: featurizeConfig } = featurizeKeys(inputs, read, config.features, req.shard);
    await step('featurize', featurizeInput, featurizeConfig, async () => {
      reporter?.stageStart('featurize', undefined, req.shard ? `reading frames and computing per-atom features of shard ${req.shard.index}/${req.shard.count}` : 'reading frames and computing per-atom features');
      await runFeaturizeStage(run, req.files, read, config.features, { threads, onFrame: (d) => reporter?.stageTick('featurize', d), shard: req.shard }, inputs);
    });
  } else if ((await readManifest(run))?.stages.featurize?.status !== 'done') {
    throw new GetseiError(`${run} is not featurised yet: run \`getsei featurize FILES -o ${run}\` or \`getsei run FILES -o ${run}\` first`);
  }
  if (done('featurize') || (req.shard !== undefined && req.encoderPath === undefined && req.modelPath === undefined)) return result();

  let manifest = (await readManifest(run)) as Manifest;
  const given = req.modelPath === undefined ? undefined : await loadModel(req.modelPath);
  if (given !== undefined) {
    if (req.encoderPath !== undefined) throw new GetseiError('give either --model or --encoder, not both (a model folder holds its encoder)');
    const store = await FrameStoreReader.open(join(run, 'frames'));
    const elements = Array.from(featureLayout(Uint8Array.from(store.index.species)).countSpecies, symbolOf);
    checkModelFits(given, store.index, elements, config.graph.edgeCutoffAngstrom);
  }
  const encoderPath = given?.encoderDir ?? req.encoderPath;
  // undefined (not null) without a model, so the stage hashes of runs made before --model existed stay the same
  const modelKey = given === undefined ? undefined : modelKeyOf(given.manifest.files);
  const encoderConfig = encoderStageConfig(config, encoderPath, modelKey);
  await step('encoder', stageOutputHash(manifest, 'featurize'), encoderConfig, () =>
    runStage(run, 'encoder', { inputHash: stageOutputHash(manifest, 'featurize'), config: encoderConfig, seed: config.contrastive.seed }, () => {
      reporter?.stageStart('encoder', undefined, encoderPath ? 'embedding with the given encoder' : 'training the graph contrastive encoder');
      return runEncoderStage(run, config, {
        threads, encoderPath,
        onTrain: (p) => reporter?.stageTick('encoder', p.step, p.stepsTotal, `epoch ${p.epoch + 1}, loss ${p.loss.toFixed(3)}`),
        onEmbed: (d, t) => reporter?.stageTick('encoder', d, t, 'embedding'),
      });
    }),
  );

  if (done('encoder') || (req.shard !== undefined && given === undefined)) return result();
  manifest = (await readManifest(run)) as Manifest;
  const statesConfig = { ...config.states, projection: config.projection, model: modelKey };
  await step('states', stageOutputHash(manifest, 'encoder'), statesConfig, () =>
    runStage(run, 'states', { inputHash: stageOutputHash(manifest, 'encoder'), config: statesConfig, seed: config.states.seed }, () => {
      reporter?.stageStart('states', undefined, given ? 'assigning with the given model' : 'Gaussian mixture on the embeddings');
      return runStatesStage(run, config, (d, t, note) => reporter?.stageTick('states', d, t, note), given);
    }),
  );
  if (done('states') || req.shard !== undefined) return result();

  manifest = (await readManifest(run)) as Manifest;
  const kineticsInput = hashJson([stageOutputHash(manifest, 'states'), manifest.dtPs]);
  const kineticsConfig = { kinetics: config.kinetics, bootstrapTpt: config.paths };
  await step('kinetics', kineticsInput, kineticsConfig, () =>
    runStage(run, 'kinetics', { inputHash: kineticsInput, config: kineticsConfig, seed: config.kinetics.seed }, () => {
      reporter?.stageStart('kinetics', undefined, 'Koopman/EDMD Markov model, implied timescales, rates, bootstrap');
      return runKineticsStage(run, config, manifest.dtPs);
    }),
  );
  if (done('kinetics')) return result();

  // transport re-reads the recorded trajectory: only when its files are there and the time per frame is known;
  // after kinetics, so that it has the states (per-state MSD, residence times) and the mobility (the rank check)
  manifest = (await readManifest(run)) as Manifest;
  if (transportPossible(manifest) && req.shard === undefined) {
    await step('transport', transportInputHash(manifest), config.transport, async () => {
      reporter?.stageStart('transport', undefined, 'Li MSD, diffusion, conductivity, D(z), per-state residence and MSD');
      await runTransportStage(run, config.transport);
    });
  }
  if (done('transport')) return result();

  manifest = (await readManifest(run)) as Manifest;
  const pathsInput = stageOutputHash(manifest, 'kinetics');
  await step('paths', pathsInput, config.paths, () =>
    runStage(run, 'paths', { inputHash: pathsInput, config: config.paths }, () => {
      reporter?.stageStart('paths', undefined, 'transition path theory and dominant pathways');
      return runPathsStage(run, config);
    }),
  );
  if (done('paths')) return result();

  manifest = (await readManifest(run)) as Manifest;
  const upstream = ['states', 'kinetics', 'paths'];
  // with a given model nothing is discovered here, so there is no discovery to repeat
  if (config.stability.repeats >= 2 && given === undefined) {
    const stabilityInput = hashJson(upstream.map((s) => stageOutputHash(manifest, s)));
    await step('stability', stabilityInput, config.stability, () =>
      runStage(run, 'stability', { inputHash: stabilityInput, config: config.stability }, () => {
        reporter?.stageStart('stability', config.stability.repeats - 1, `state discovery repeated with ${config.stability.repeats - 1} other seed(s)`);
        return runStability(run, config, {
          repeats: config.stability.repeats, threads, reuseKey: stageOutputHash(manifest, 'states'), onRepeat: (d, t) => reporter?.stageTick('stability', d, t),
        });
      }),
    );
    manifest = (await readManifest(run)) as Manifest;
    upstream.push('stability');
  } else {
    await rm(join(run, 'stability.json'), { force: true });
  }
  if (done('stability')) return result();

  if (manifest.stages.transport?.status === 'done') upstream.push('transport');
  const reportInput = hashJson(upstream.map((s) => stageOutputHash(manifest, s)));
  await step('report', reportInput, {}, () =>
    runStage(run, 'report', { inputHash: reportInput, config: {} }, async () => {
      reporter?.stageStart('report', undefined, 'figures, tables and report.html');
      const loaded = await loadReportInput(run);
      return renderReport(loaded.input, run);
    }),
  );
  return result();
}
