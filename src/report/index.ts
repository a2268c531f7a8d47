/**
 * The report: results in (ReportInput), files out (report.html, figures/*.svg|png, tables/*.csv). Nothing here
 * estimates anything; `loadReportInput` is the one thin reader of a run folder.
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic.ts';
import { reportFigures } from './figures.ts';
import { reportHtml } from './report-page.ts';
import { reportTables } from './tables.ts';
import { writeFigures, writeTables, type RenderOptions, type WrittenFigure } from './write.ts';
import type { ReportInput } from './types.ts';

export type * from './types.ts';
export { loadReportInput, type LoadedRun } from './run-input.ts';
export { renderComparison, type ComparisonOutput, type ComparedRun } from './compare.ts';
export { deriveWarnings, reportWarnings, metrics, escapeRateCorrelations, pearson, type Metric } from './derive.ts';
export { reportFigures, type FigurePlan } from './figures.ts';
export { renderSvg, renderPng } from './render.ts';
export { reportTables } from './tables.ts';
export { escapeHtml, jsonForScript, toCsv } from './escape.ts';
export type { RenderOptions, WrittenFigure } from './write.ts';

export interface ReportOutput {
  /** path of report.html */
  html: string;
  figures: WrittenFigure[];
  /** figures that could not be drawn, with the reason shown in the page */
  missing: { name: string; reason: string }[];
  /** paths of the CSV tables */
  tables: string[];
}

/** Write outDir/report.html, outDir/figures/* and outDir/tables/* for one run. */
export async function renderReport(input: ReportInput, outDir: string, options: RenderOptions = {}): Promise<ReportOutput> {
  const plans = reportFigures(input);
  const { rendered, written } = await writeFigures(plans, outDir, options);
  const tables = await writeTables(reportTables(input), outDir);
  const html = join(outDir, 'report.html');
  await writeFileAtomic(html, reportHtml(input, rendered));
  return {
    html,
    figures: written,
    missing: plans.filter((p) => p.missing).map((p) => ({ name: p.name, reason: p.missing as string })),
    tables,
  };
}
