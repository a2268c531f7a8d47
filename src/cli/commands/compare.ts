import { basename, resolve } from 'node:path';
import { Option, type Command } from '@commander-js/extra-typings';
import { loadReportInput, renderComparison } from '../../report/index.ts';
import { GetseiError } from '../../util/errors.ts';
import { positiveNumber } from '../parse.ts';

/** `getsei compare RUN_A RUN_B … -o DIR`: runs side by side, as the paper's Figs. 5–6. */
export function registerCompare(program: Command): void {
  program
    .command('compare')
    .summary('several runs side by side (the paper\'s Figs. 5–6)')
    .description(
      'Put runs side by side as the paper does for LPSCl/Li, LGPS/Li and LLZO/Li (Figs. 5–6): metrics table, ' +
        'mobility rankings, implied-timescale plots and pathway shares in DIR/compare.html (+ figures/, tables/).',
    )
    .argument('<runs...>', 'two or more run folders written by `getsei run`')
    .requiredOption('-o, --out <DIR>', 'folder to write compare.html, figures/ and tables/ into (created if missing)')
    .option('--names <list>', 'comma-separated column names, one per run (default: the run folders\' names)')
    .option('--no-png', 'skip the PNG copies of the figures')
    .addOption(new Option('--png-scale <factor>', 'PNG pixels per SVG pixel').default(2).argParser(positiveNumber))
    .action(async (runArgs, opts) => {
      if (runArgs.length < 2) throw new GetseiError('compare needs at least two run folders, e.g. `getsei compare runs/lpscl runs/lgps -o cmp`');
      const names = opts.names === undefined ? runArgs.map((r) => basename(resolve(r))) : opts.names.split(',').map((s) => s.trim());
      if (names.length !== runArgs.length) {
        throw new GetseiError(`--names gives ${names.length} name(s) for ${runArgs.length} runs; give one name per run, separated by commas`);
      }
      const runs = [];
      for (const [i, run] of runArgs.entries()) {
        const { input, problems } = await loadReportInput(run);
        for (const p of problems) process.stderr.write(`warning: ${run}: ${p}\n`);
        runs.push({ name: names[i], input });
      }
      const out = await renderComparison(runs, resolve(opts.out), { png: opts.png, pngScale: opts.pngScale });
      const missing = out.missing.length ? `; not computed: ${out.missing.map((m) => m.name).join(', ')}` : '';
      process.stdout.write(`${runs.length} runs, ${out.figures.length} figures${missing}\ncomparison: ${out.html}\n`);
    });
}
