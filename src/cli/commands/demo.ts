import { invokedAs } from '../command-line.ts';
import { resolve } from 'node:path';
import { Option, type Command } from '@commander-js/extra-typings';
import { parseConfig } from '../../pipeline/config.ts';
import { runPipeline } from '../../pipeline/run.ts';
import { positiveInt } from '../parse.ts';
import { terminalReporter } from '../run-reporter.ts';
import { runSummaryText } from '../summary.ts';

/** The bundled example: Li6PS5Cl AIMD at 500 K, six consecutive XDATCAR segments, 0.1 ps per frame (examples/). */
export function exampleFiles(): string[] {
  return [1, 2, 3, 4, 5, 6].map((k) => new URL(`../../../examples/Li6PS5Cl-50p-500K/run${k}.XDATCAR.gz`, import.meta.url).pathname);
}

/**
 * Settings that finish in about a minute on 2 cores (docs/pipeline.md, "The demo"): the paper's architecture and
 * augmentations, fewer epochs, training graphs and restarts, smaller samples for the silhouette and the map.
 */
export const DEMO_CONFIG = {
  input: { dtPs: 0.1 },
  contrastive: { epochs: 4, patience: 2, trainGraphs: 4096 },
  states: { minCount: 2, maxCount: 8, restarts: 2, fitSampleSize: 10000, silhouetteSampleSize: 3000, mapSampleSize: 1500 },
  kinetics: { bootstrap: 20 },
};

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .summary('the whole pipeline on the bundled Li6PS5Cl example (about a minute on 2 cores)')
    .description(
      'Run the whole pipeline on the bundled example (Li6PS5Cl, 50 % Cl/S disorder, AIMD at 500 K, 700 frames of ' +
        '416 atoms; B. J. Morgan, Chem. Mater. 33, 2004 (2021), MIT licence) with settings that finish in about a minute on 2 cores.',
    )
    .option('-o, --out <dir>', 'run folder', 'getsei-demo')
    .addOption(new Option('--threads <n>', 'worker threads (default: all cores)').argParser(positiveInt))
    .action(async (opts) => {
      const run = resolve(opts.out);
      const config = parseConfig({ ...DEMO_CONFIG, run: { threads: opts.threads ?? 0 } });
      process.stderr.write(`getsei demo: Li6PS5Cl example → ${run}\n`);
      const result = await runPipeline({ run, files: exampleFiles(), config, reporter: terminalReporter(), command: invokedAs() });
      process.stdout.write(runSummaryText(run, result));
    });
}
