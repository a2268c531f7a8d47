import { basename, resolve } from 'node:path';
import { Option, type Command } from '@commander-js/extra-typings';
import { parseLagSetting } from '../../pipeline/lag.ts';
import { runSharedComparison } from '../../pipeline/shared-model.ts';
import { loadReportInput, renderComparison } from '../../report/index.ts';
import { cancelFlag } from '../../util/cancel.ts';
import { GetseiError } from '../../util/errors.ts';
import { nonNegativeInt, positiveInt, positiveNumber } from '../parse.ts';
import { terminalReporter } from '../run-reporter.ts';
import { parseStates, runConfigFrom } from './run.ts';

/** Options that fit a model, so they mean something only with --shared-model. */
const FIT_OPTIONS = ['config', 'poolGraphs', 'seed', 'states', 'epochs', 'projection', 'lag', 'threads'] as const;

/** `getsei compare RUN_A RUN_B … -o DIR`: runs side by side, as the paper's Figs. 5–6; --shared-model: in one state space. */
export function registerCompare(program: Command): void {
  program
    .command('compare')
    .summary('several runs side by side (the paper\'s Figs. 5–6), optionally in the states of one shared model')
    .description(
      'Put runs side by side as the paper does for LPSCl/Li, LGPS/Li and LLZO/Li (Figs. 5–6): metrics table, ' +
        'mobility rankings, implied-timescale plots and pathway shares in DIR/compare.html (+ figures/, tables/). ' +
        'Each run\'s states are its own, so S2 in one run is not S2 in another. With --shared-model one model ' +
        '(encoder, projection, mixture) is fitted on a seeded sample pooled across the runs and written to DIR/model; ' +
        'each run is assigned with it into DIR/runs/NAME (the input runs are only read) and DIR/tables/compare-states.csv ' +
        'compares every shared state across the runs. The fit takes its settings from -c and the flags, like `getsei run`.',
    )
    .argument('<runs...>', 'two or more run folders written by `getsei run` (with --shared-model: featurised ones suffice)')
    .requiredOption('-o, --out <DIR>', 'folder to write compare.html, figures/ and tables/ into (created if missing; with --shared-model it must be new or empty)')
    .option('--names <list>', 'comma-separated column names, one per run (default: the run folders\' names)')
    .option('--no-png', 'skip the PNG copies of the figures')
    .addOption(new Option('--png-scale <factor>', 'PNG pixels per SVG pixel').default(2).argParser(positiveNumber))
    .option('--shared-model', 'fit one model on a sample pooled across the runs and assign every run with it, so Sk is the same state in every run')
    .addOption(new Option('--pool-graphs <n>', 'with --shared-model: encoder training graphs drawn across the runs, an equal share from each (default: contrastive.trainGraphs, 8192)').argParser(positiveInt))
    .option('-c, --config <file>', 'with --shared-model: TOML configuration of the fit and of each run\'s kinetics (getsei config --defaults)')
    .addOption(new Option('--seed <n>', 'with --shared-model: one seed for the pooled samples, training, mixture and bootstrap; default 0').argParser(nonNegativeInt))
    .addOption(new Option('--states <n|auto>', 'with --shared-model: number of shared states, or auto').argParser(parseStates))
    .addOption(new Option('--epochs <n>', 'with --shared-model: encoder training epochs').argParser(positiveInt))
    .addOption(new Option('--projection <method>', 'with --shared-model: time-lagged projection before the mixture').choices(['none', 'tica', 'vamp'] as const))
    .addOption(new Option('--lag <lag>', 'with --shared-model: lag time of each run\'s kinetics (frames, a time such as 80ps, or auto)').argParser((v) => parseLagSetting(v)))
    .addOption(new Option('--threads <n>', 'with --shared-model: worker threads (default: all cores)').argParser(positiveInt))
    .action(async (runArgs, opts) => {
      if (runArgs.length < 2) throw new GetseiError('compare needs at least two run folders, e.g. `getsei compare runs/lpscl runs/lgps -o cmp`');
      const names = opts.names === undefined ? runArgs.map((r) => basename(resolve(r))) : opts.names.split(',').map((s) => s.trim());
      if (names.length !== runArgs.length) {
        throw new GetseiError(`--names gives ${names.length} name(s) for ${runArgs.length} runs; give one name per run, separated by commas`);
      }
      if (opts.sharedModel !== true) {
        const stray = FIT_OPTIONS.filter((k) => opts[k] !== undefined);
        if (stray.length > 0) throw new GetseiError(`${stray.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ')} ${stray.length === 1 ? 'applies' : 'apply'} only with --shared-model`);
      }
      const render = { png: opts.png, pngScale: opts.pngScale };
      if (opts.sharedModel === true) {
        const config = await runConfigFrom(opts);
        // Ctrl-C stops at the next progress tick, and the half-made DIR is removed
        const cancel = cancelFlag();
        const onSignal = (): void => {
          if (!cancel.cancelled()) process.stderr.write('\ngetsei: stopping…\n');
          cancel.cancel();
        };
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
        let r;
        try {
          r = await runSharedComparison({
            runs: runArgs.map((dir, i) => ({ name: names[i], dir })), out: resolve(opts.out), config,
            poolGraphs: opts.poolGraphs ?? config.contrastive.trainGraphs, render, reporter: terminalReporter(), cancel,
          });
        } finally {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
        }
        const missing = r.comparison.missing.length ? `; not computed: ${r.comparison.missing.map((m) => m.name).join(', ')}` : '';
        process.stdout.write(
          `${r.runs.length} runs in one model of ${r.runs[0].result.states?.count ?? '?'} states: ${r.model}\n` +
            r.runs.map((x) => `  ${x.name}: ${x.dir}\n`).join('') +
            `${r.comparison.figures.length} figures${missing}\ncomparison: ${r.comparison.html}\n`,
        );
        return;
      }
      const runs = [];
      for (const [i, run] of runArgs.entries()) {
        const { input, problems } = await loadReportInput(run);
        for (const p of problems) process.stderr.write(`warning: ${run}: ${p}\n`);
        runs.push({ name: names[i], input });
      }
      const out = await renderComparison(runs, resolve(opts.out), render);
      const missing = out.missing.length ? `; not computed: ${out.missing.map((m) => m.name).join(', ')}` : '';
      process.stdout.write(`${runs.length} runs, ${out.figures.length} figures${missing}\ncomparison: ${out.html}\n`);
    });
}
