import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_FRAME_CHECKS, type ReadOptions } from '../io/index.ts';
import type { CancelFlag } from '../util/cancel.ts';
import { GetseiError } from '../util/errors.ts';
import { writeJsonAtomic } from '../util/atomic.ts';
import type { Config } from './config.ts';
import { acquireRunLock } from './lock.ts';
import { describeInput, hashJson, readManifest, type InputFile, type Manifest } from './manifest.ts';
import { featurizeKeys, runFeaturizeStage } from './run-featurize.ts';
import { isUpToDate, runStage, stageOutputHash } from './stage.ts';
import { runEncoderStage } from './stage-encoder.ts';
import { runStatesStage, type StatesSummary } from './stage-states.ts';
import { runKineticsStage, runPathsStage } from './stage-kinetics.ts';
import { runStability, type StabilityReport } from './stability.ts';
import { DEFAULT_TRANSPORT_CONFIG, runTransportStage, transportPossible } from './stage-transport.ts';
import type { LagChoice } from './lag.ts';
import type { KineticsReport, PathsReport } from '../tpt/index.ts';
import { loadReportInput, renderReport } from '../report/index.ts';

export const STAGES = ['featurize', 'transport', 'encoder', 'states', 'kinetics', 'paths', 'stability', 'report'] as const;
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
  readonly reporter?: RunReporter;
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
  if (i.minDistanceAngstrom !== DEFAULT_FRAME_CHECKS.minDistanceAngstrom) read.minDistanceAngstrom = i.minDistanceAngstrom;
  return read;
}

/** The reporter, with a cancellation checkpoint at every call: progress ticks come from inside every long loop. */
function checkpointed(reporter: RunReporter | undefined, cancel: CancelFlag | undefined): RunReporter | undefined {
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
      reportPath: existsSync(join(run, 'report.html')) ? join(run, 'report.html') : undefined,
    };
  };

  // featurize: keyed by the input files' content and the reading options
  if (req.files.length > 0) {
    const read = readOptionsOf(config);
    const { inputHash: featurizeInput, config: featurizeConfig } = featurizeKeys(inputs, read, config.features);
    await step('featurize', featurizeInput, featurizeConfig, async () => {
      reporter?.stageStart('featurize', undefined, 'reading frames and computing per-atom features');
      await runFeaturizeStage(run, req.files, read, config.features, { threads, onFrame: (d) => reporter?.stageTick('featurize', d) }, inputs);
    });
  } else if ((await readManifest(run))?.stages.featurize?.status !== 'done') {
    throw new GetseiError(`${run} is not featurised yet: run \`getsei featurize FILES -o ${run}\` or \`getsei run FILES -o ${run}\` first`);
  }
  if (done('featurize')) return result();

  let manifest = (await readManifest(run)) as Manifest;
  // transport re-reads the recorded trajectory: only when its files are there and the time per frame is known
  if (transportPossible(manifest)) {
    await step('transport', stageOutputHash(manifest, 'featurize'), DEFAULT_TRANSPORT_CONFIG, async () => {
      reporter?.stageStart('transport', undefined, 'Li MSD, tracer and charge diffusion, conductivity');
      await runTransportStage(run, DEFAULT_TRANSPORT_CONFIG);
    });
  }
  if (done('transport')) return result();
  manifest = (await readManifest(run)) as Manifest;
  const encoderConfig = { contrastive: config.contrastive, graph: config.graph, encoderPath: req.encoderPath ?? null };
  await step('encoder', stageOutputHash(manifest, 'featurize'), encoderConfig, () =>
    runStage(run, 'encoder', { inputHash: stageOutputHash(manifest, 'featurize'), config: encoderConfig, seed: config.contrastive.seed }, () => {
      reporter?.stageStart('encoder', undefined, req.encoderPath ? 'embedding with the given encoder' : 'training the graph contrastive encoder');
      return runEncoderStage(run, config, {
        threads, encoderPath: req.encoderPath,
        onTrain: (p) => reporter?.stageTick('encoder', p.step, p.stepsTotal, `epoch ${p.epoch + 1}, loss ${p.loss.toFixed(3)}`),
        onEmbed: (d, t) => reporter?.stageTick('encoder', d, t, 'embedding'),
      });
    }),
  );

  if (done('encoder')) return result();
  manifest = (await readManifest(run)) as Manifest;
  const statesConfig = { ...config.states, projection: config.projection };
  await step('states', stageOutputHash(manifest, 'encoder'), statesConfig, () =>
    runStage(run, 'states', { inputHash: stageOutputHash(manifest, 'encoder'), config: statesConfig, seed: config.states.seed }, () => {
      reporter?.stageStart('states', undefined, 'Gaussian mixture on the embeddings');
      return runStatesStage(run, config, (d, t, note) => reporter?.stageTick('states', d, t, note));
    }),
  );
  if (done('states')) return result();

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
  if (config.stability.repeats >= 2) {
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
