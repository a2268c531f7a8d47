import { invokedAs } from '../command-line.ts';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Option, type Command } from '@commander-js/extra-typings';
import { mergeConfig, parseConfig, type ConfigInput } from '../../pipeline/config.ts';
import { runPipeline } from '../../pipeline/run.ts';
import { GetseiError } from '../../util/errors.ts';
import { nonNegativeInt, positiveInt } from '../parse.ts';
import { terminalReporter } from '../run-reporter.ts';
import { runSummaryText } from '../summary.ts';

/** The resolved config a run recorded (RUN/config.json), or the defaults for a folder that has none. */
export async function recordedConfig(run: string): Promise<ConfigInput> {
  try {
    return JSON.parse(await readFile(join(run, 'config.json'), 'utf8')) as ConfigInput;
  } catch {
    return {};
  }
}

export function registerStates(program: Command): void {
  program
    .command('states')
    .summary('encoder + Gaussian-mixture states on a featurised run')
    .description(
      'Graphs → graph contrastive encoder → Gaussian-mixture states on a featurised run folder. Writes ' +
        'RUN/encoder/, RUN/embeddings.npy, RUN/graphs.npy, RUN/states.npy, RUN/states.json, RUN/representatives/.',
    )
    .argument('<RUN>', 'run folder written by `getsei featurize` (or `getsei run`)')
    .addOption(new Option('--states <n|auto>', 'number of states, or auto (largest silhouette over states.minCount..maxCount); default auto').argParser((v) => {
      if (v === 'auto') return 'auto' as const;
      const n = Number(v);
      if (!Number.isInteger(n) || n < 2) throw new GetseiError(`--states must be "auto" or a whole number ≥ 2, got "${v}"`);
      return n;
    }))
    .addOption(new Option('--epochs <n>', 'encoder training epochs (default 20)').argParser(positiveInt))
    .addOption(new Option('--seed <n>', 'seed of training frames, weights, augmentations and mixture (default 0)').argParser(nonNegativeInt))
    .option('--encoder <dir>', 'embed with a trained encoder (the encoder/ folder of another run) instead of training one')
    .option('--model <dir>', 'embed, project and assign with a reusable model (the model/ folder of another run) instead of fitting')
    .addOption(new Option('--threads <n>', 'worker threads (default: all cores)').argParser(positiveInt))
    .action(async (runArg, opts) => {
      const run = resolve(runArg);
      const config = parseConfig(mergeConfig(await recordedConfig(run), {
        contrastive: { epochs: opts.epochs, seed: opts.seed },
        states: { count: opts.states, seed: opts.seed },
        run: { threads: opts.threads },
      }), `${run}/config.json`);
      const result = await runPipeline({
        run, files: [], config, until: 'states', encoderPath: opts.encoder ? resolve(opts.encoder) : undefined,
        modelPath: opts.model ? resolve(opts.model) : undefined, reporter: terminalReporter(), command: invokedAs(),
      });
      process.stdout.write(runSummaryText(run, result));
    });
}
