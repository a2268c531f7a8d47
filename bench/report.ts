/**
 * Report benchmark: the time to render a complete run's report (14 figures as SVG + PNG at 2×, 19 CSV tables and
 * the self-contained report.html) from the 6-state fixture, against the same 14 figures drawn with matplotlib
 * (bench/report_ref.py, SVG + PNG at 2×) from the same data in the same run. Best of N repeats each.
 * Run: node --import tsx bench/report.ts [--repeats 3]
 *      (the reference needs /usr/bin/python3 with python3-matplotlib: apt-get install -y python3-matplotlib)
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderReport } from '../src/report/index.ts';
import { makeFixtureReportInput } from '../test/report-fixture.ts';
import { reportFigures } from '../src/report/figures.ts';
import { reportHtml } from '../src/report/report-page.ts';
import { writeFigures } from '../src/report/write.ts';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const repeats = Number(arg('--repeats') ?? 3);
const work = mkdtempSync(join(tmpdir(), 'getsei-bench-report-'));
const input = makeFixtureReportInput();

async function best(fn: () => Promise<unknown>): Promise<number> {
  let t = Infinity;
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    await fn();
    t = Math.min(t, (performance.now() - t0) / 1000);
  }
  return t;
}

try {
  await renderReport(input, join(work, 'warm'));
  const svgOnly = await best(() => writeFigures(reportFigures(input), join(work, 'svg'), { png: false }));
  const { rendered } = await writeFigures(reportFigures(input), join(work, 'svg'), { png: false });
  const htmlOnly = await best(async () => reportHtml(input, rendered));
  const full = await best(() => renderReport(input, join(work, 'full')));
  const htmlBytes = statSync(join(work, 'full', 'report.html')).size;

  let ref: { seconds: number; matplotlib: string } | undefined;
  try {
    writeFileSync(join(work, 'input.json'), JSON.stringify(input));
    mkdirSync(join(work, 'mpl'));
    const out = execFileSync('/usr/bin/python3', [new URL('report_ref.py', import.meta.url).pathname, join(work, 'input.json'), join(work, 'mpl'), String(repeats)], { encoding: 'utf8', env: { ...process.env, MPLCONFIGDIR: join(work, 'mplconfig') } });
    ref = JSON.parse(out.trim().split('\n').pop() as string) as { seconds: number; matplotlib: string };
  } catch (err) {
    process.stdout.write(`(matplotlib reference unavailable: ${(err as Error).message.split('\n')[0]})\n`);
  }

  const rows: [string, number, string][] = [
    ['getsei: 14 figures, SVG only', svgOnly, ''],
    ['getsei: report.html assembly (figures inlined, 3Dmol + cytoscape)', htmlOnly, `${(htmlBytes / 1e6).toFixed(2)} MB`],
    ['getsei: full report (14 SVG + 14 PNG, tables, report.html)', full, ''],
  ];
  if (ref) rows.push([`matplotlib ${ref.matplotlib}: the same 14 figures, SVG + PNG`, ref.seconds, '']);
  process.stdout.write(`\nreport rendering, 6-state fixture, best of ${repeats} (shared 2-core machine)\n`);
  process.stdout.write(`| what | seconds | vs matplotlib | note |\n|---|---|---|---|\n`);
  for (const [what, s, note] of rows) {
    process.stdout.write(`| ${what} | ${s.toFixed(2)} | ${ref ? `${(s / ref.seconds).toFixed(2)}×` : '—'} | ${note} |\n`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
