import { resolve } from 'node:path';
import { Option, type Command } from '@commander-js/extra-typings';
import { loadReportInput, renderReport } from '../../report/index.ts';
import { positiveNumber } from '../parse.ts';

/** `getsei report RUN`: re-render report.html, figures/ and tables/ from a run folder's results. */
export function registerReport(program: Command): void {
  program
    .command('report')
    .summary('re-render report.html, figures and tables from a run folder')
    .description(
      'Re-render RUN/report.html (one self-contained page), RUN/figures/*.svg|png and RUN/tables/*.csv from the ' +
        'results in the run folder (states.json, kinetics.json, paths.json, stability.json, manifest.json; each ' +
        'optional).',
    )
    .argument('<RUN>', 'a run folder written by `getsei run`')
    .option('--title <text>', 'page title (default: the run folder\'s name)')
    .option('--no-png', 'skip the PNG copies of the figures (faster; SVGs are always written)')
    .addOption(new Option('--png-scale <factor>', 'PNG pixels per SVG pixel').default(2).argParser(positiveNumber))
    .action(async (runArg, opts) => {
      const { input, problems } = await loadReportInput(runArg);
      if (opts.title !== undefined) input.title = opts.title;
      const out = await renderReport(input, resolve(runArg), { png: opts.png, pngScale: opts.pngScale });
      for (const p of problems) process.stderr.write(`warning: ${p}\n`);
      const missing = out.missing.length ? `; not computed: ${out.missing.map((m) => m.name).join(', ')}` : '';
      process.stdout.write(`${out.figures.length} figures, ${out.tables.length} tables${missing}\nreport: ${out.html}\n`);
    });
}
