import { invokedAs } from '../command-line.ts';
import { resolve } from 'node:path';
import { Option, type Command } from '@commander-js/extra-typings';
import { mergeConfig, parseConfig } from '../../pipeline/config.ts';
import { runPipeline } from '../../pipeline/run.ts';
import { GetseiError } from '../../util/errors.ts';
import { positiveInt } from '../parse.ts';
import { terminalReporter } from '../run-reporter.ts';
import { runSummaryText } from '../summary.ts';
import { recordedConfig } from './states.ts';

export function registerStability(program: Command): void {
  program
    .command('stability')
    .summary('repeat state discovery with other seeds: can the states be trusted?')
    .description(
      'Can the states be trusted? Repeat state discovery with other seeds on an existing run (reusing its frames), ' +
        'match the states, and report ARI, per-state stability, the spread of the kinetic conclusions and a ' +
        'raw-feature baseline. Writes RUN/stability.json and refreshes the report.',
    )
    .argument('<RUN>', 'a run folder that has states and kinetics (getsei run)')
    .addOption(new Option('--repeats <n>', 'state discoveries compared, the run itself included (default 3)').argParser((v) => {
      const n = positiveInt(v);
      if (n < 2) throw new GetseiError('--repeats must be at least 2 (the run and one repeat)');
      return n;
    }))
    .addOption(new Option('--threads <n>', 'worker threads (default: all cores)').argParser(positiveInt))
    .action(async (runArg, opts) => {
      const run = resolve(runArg);
      const config = parseConfig(mergeConfig(await recordedConfig(run), {
        stability: { repeats: opts.repeats ?? 3 }, run: { threads: opts.threads },
      }), `${run}/config.json`);
      const result = await runPipeline({ run, files: [], config, reporter: terminalReporter(), command: invokedAs() });
      process.stdout.write(runSummaryText(run, result));
    });
}
