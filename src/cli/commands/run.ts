import { invokedAs } from '../command-line.ts';
import { resolve } from 'node:path';
import { Option, type Command, type OptionValues } from '@commander-js/extra-typings';
import { loadConfigFile, mergeConfig, parseConfig, type Config, type ConfigInput } from '../../pipeline/config.ts';
import { parseStateList } from './kinetics.ts';
import { parseLagSetting } from '../../pipeline/lag.ts';
import { STAGES, type RunResult, type StageName } from '../../pipeline/run.ts';
import { parseShard, type ShardSpec } from '../../pipeline/shard.ts';
import { runPipelineInterruptible } from '../interruptible.ts';
import { GetseiError } from '../../util/errors.ts';
import { nonNegativeInt, positiveInt } from '../parse.ts';
import { terminalReporter } from '../run-reporter.ts';
import { runSummaryText } from '../summary.ts';
import { addTrajectoryOptions, trajectoryOptionsFrom, type TrajectoryCliOptions } from '../trajectory-options.ts';

export function parseStates(v: string): number | 'auto' {
  if (v === 'auto') return 'auto';
  const n = Number(v);
  if (!Number.isInteger(n) || n < 2) throw new GetseiError(`--states must be "auto" or a whole number ≥ 2, got "${v}"`);
  return n;
}

function parseStage(v: string, previous: StageName[] = []): StageName[] {
  if (!(STAGES as readonly string[]).includes(v)) throw new GetseiError(`--force takes one of ${STAGES.join(', ')}; got "${v}"`);
  return [...previous, v as StageName];
}

/**
 * The settings `run` takes (config file and flags); `merge` takes the same, so one argument string drives every
 * step of a sharded run (workflows/Snakefile).
 */
export function addRunSettings<Args extends unknown[], Opts extends OptionValues, Global extends OptionValues>(
  cmd: Command<Args, Opts, Global>,
): Command<Args, Opts & RunSettingOptions & TrajectoryCliOptions, Global> {
  (cmd as unknown as Command)
    .option('-c, --config <file>', 'TOML configuration (getsei config --defaults prints every key); flags override it')
    .addOption(new Option('--states <n|auto>', 'number of states, or auto (by silhouette over states.minCount..maxCount)').argParser(parseStates))
    .addOption(new Option('--lag <lag>', 'lag time: frames (800), time (80ps, 0.08ns, 800fs; needs --dt or file times) or auto (default)').argParser((v) => parseLagSetting(v)))
    .addOption(new Option('--source <states>', 'TPT source states, e.g. 2, S2 or 2,3 (default: least mobile state)').argParser((v) => parseStateList(v, '--source')))
    .addOption(new Option('--target <states>', 'TPT target states (default: most mobile state)').argParser((v) => parseStateList(v, '--target')))
    .addOption(new Option('--epochs <n>', 'encoder training epochs (config: contrastive.epochs, default 20)').argParser(positiveInt))
    .addOption(new Option('--seed <n>', 'one seed for every random choice (training, mixture, bootstrap); default 0').argParser(nonNegativeInt))
    .addOption(new Option('--projection <method>', 'time-lagged projection before the mixture (config: projection.method)').choices(['none', 'tica', 'vamp']))
    .option('--model <dir>', 'embed, project and assign with a reusable model (the model/ folder of another run) instead of fitting: one state space for several runs')
    .addOption(new Option('--stability-repeats <n>', 'state discoveries compared by the stability check, the run included (default 3)').argParser(positiveInt))
    .option('--no-stability', 'skip the stability check (repeated state discovery) for speed')
    .addOption(new Option('--threads <n>', 'worker threads (default: all cores)').argParser(positiveInt));
  return addTrajectoryOptions(cmd as unknown as Command) as unknown as Command<Args, Opts & RunSettingOptions & TrajectoryCliOptions, Global>;
}

/** The values addRunSettings parses. */
export interface RunSettingOptions {
  config?: string;
  states?: number | 'auto';
  lag?: ReturnType<typeof parseLagSetting>;
  source?: number[];
  target?: number[];
  epochs?: number;
  seed?: number;
  projection?: 'none' | 'tica' | 'vamp';
  model?: string;
  stabilityRepeats?: number;
  stability?: boolean;
  threads?: number;
}

/** Defaults ← -c FILE ← flags: the resolved configuration of a run. */
export async function runConfigFrom(opts: RunSettingOptions & TrajectoryCliOptions): Promise<Config> {
  const fileConfig: ConfigInput = opts.config ? await loadConfigFile(resolve(opts.config)) : {};
  const read = trajectoryOptionsFrom(opts);
  const seed = opts.seed;
  const merged = mergeConfig(fileConfig, {
    input: { dtPs: read.dtPs, format: read.format, start: read.start, stop: read.stop, stride: read.stride, independent: read.independent, typeMap: read.typeMap, minDistanceAngstrom: read.minDistanceAngstrom,
      cellFile: read.cellFile === undefined ? undefined : resolve(read.cellFile), topology: read.topology === undefined ? undefined : resolve(read.topology), species: read.species },
    contrastive: { epochs: opts.epochs, seed },
    states: { count: opts.states, seed },
    projection: { method: opts.projection },
    kinetics: { lag: opts.lag, seed },
    paths: { source: opts.source, target: opts.target },
    run: { threads: opts.threads },
    stability: { repeats: opts.stability === false ? 0 : opts.stabilityRepeats },
  });
  return parseConfig(merged, opts.config ?? 'the command line');
}

export function registerRun(program: Command): void {
  const cmd = program
    .command('run')
    .summary('the whole pipeline: featurize → encoder → states → kinetics → paths → stability → report')
    .description(
      'Run the whole GET-SEI pipeline: featurize → encoder → states → kinetics → paths → report. ' +
        'Stages already up to date in RUN (same inputs and settings) are skipped; an interrupted run resumes. ' +
        'With --shard i/N only that block of frames is processed (docs/cluster.md), to be joined by `getsei merge`.',
    )
    .argument('<files...>', 'trajectory file(s): XDATCAR, extended XYZ, LAMMPS dump (.gz read transparently)')
    .requiredOption('-o, --out <RUN>', 'run folder (created if missing)')
    .option('--encoder <dir>', 'embed with a trained encoder (the encoder/ folder of another run) instead of training one')
    .addOption(new Option('--shard <i/N>', 'only shard i (0-based) of N contiguous frame blocks: featurize; with --encoder also embed; with --model also assign (then `getsei merge`)').argParser(parseShard))
    .addOption(new Option('--force <stage>', `rerun a stage even if up to date (repeatable): ${STAGES.join(', ')}`).argParser(parseStage));
  addRunSettings(cmd).action(async (files, opts) => {
    const config = await runConfigFrom(opts);
    const run = resolve(opts.out);
    const result = await runPipelineInterruptible({
      run, files, config, force: opts.force, encoderPath: opts.encoder ? resolve(opts.encoder) : undefined,
      modelPath: opts.model ? resolve(opts.model) : undefined, shard: opts.shard, command: invokedAs(),
    }, terminalReporter());
    process.stdout.write(opts.shard ? shardSummaryText(run, opts.shard, result) : runSummaryText(run, result));
  });
}

function shardSummaryText(run: string, shard: ShardSpec, result: RunResult): string {
  const last = result.ran.at(-1) ?? result.skipped.at(-1) ?? 'featurize';
  return `shard ${shard.index}/${shard.count} → ${run} (up to ${last}; ran: ${result.ran.join(', ') || 'nothing'}); join the shards with \`getsei merge\`\n`;
}
