/**
 * Runs side by side, as the paper compares LPSCl/Li, LGPS/Li and LLZO/Li (Figs. 5–6): the metrics table, mobility
 * rankings, implied-timescale plots and pathway shares of every run in one page, DIR/compare.html.
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic.ts';
import { activationEnergyText, arrheniusFigure, arrheniusSeries } from './arrhenius.ts';
import { metrics, reportWarnings } from './derive.ts';
import {
  impliedTimescalesFigure, mobilityFigure, pathwaysFigure, type FigurePlan, type VegaLiteSpec,
} from './figures.ts';
import { figureBlock, h, page, tableHtml } from './html.ts';
import type { Table } from './tables.ts';
import type { ReportInput } from './types.ts';
import { writeFigures, writeTables, type RenderOptions, type WrittenFigure } from './write.ts';

export interface ComparedRun {
  /** column heading, e.g. "LGPS/Li" or the run folder's name */
  name: string;
  input: ReportInput;
}

export interface ComparisonOutput {
  html: string;
  figures: WrittenFigure[];
  missing: { name: string; reason: string }[];
  tables: string[];
}

/** Panels of one figure kind, one per run, laid out in rows of up to three with the run's name as each title. */
function panels(name: string, title: string, caption: string, runs: ComparedRun[], make: (input: ReportInput) => FigurePlan, paperRef: string): FigurePlan {
  const parts: VegaLiteSpec[] = [];
  const absent: string[] = [];
  let shared: VegaLiteSpec | undefined;
  for (const run of runs) {
    const plan = make(run.input);
    if (!plan.spec) {
      absent.push(run.name);
      continue;
    }
    const { $schema, config, title: _title, ...body } = plan.spec;
    shared ??= { $schema, config };
    parts.push({ ...body, title: run.name });
  }
  if (!shared) return { name, title, caption: '', section: 'kinetics', paperRef, missing: `no run has it (${absent.join(', ')})` };
  const first = shared;
  return {
    name, title, section: 'kinetics', paperRef,
    caption: caption + (absent.length ? ` Not computed for: ${absent.join(', ')}.` : ''),
    spec: {
      $schema: first.$schema, config: first.config, title,
      concat: parts, columns: Math.min(3, parts.length),
      resolve: { scale: { color: 'independent', x: 'independent', y: 'independent' } },
    },
  };
}

export function comparisonFigures(runs: ComparedRun[]): FigurePlan[] {
  return [
    panels('compare-implied-timescales', 'Implied timescales', 'Implied timescales against lag for each run; dashed grey: t = τ; red: the lag used. The number of processes above the grey line is the number of slow processes.', runs, impliedTimescalesFigure, 'Fig. 5e–f'),
    panels('compare-mobility', 'Mobility rankings', 'Mobility score per state for each run, most mobile at the top. State labels are per run: S2 in one system is not S2 in another.', runs, mobilityFigure, 'Fig. 3c, Suppl. Figs. 6–7'),
    panels('compare-pathways', 'Pathway shares', 'Share of the total reactive flux carried by each run\'s top pathways (least → most mobile state by default), with the bottleneck edge of each.', runs, pathwaysFigure, 'Fig. 6'),
    arrheniusFigure(arrheniusSeries(runs)),
  ];
}

/**
 * The metrics of every run, one row per metric. Runs in different time units (one with dt in ps, one in frames)
 * have different labels ("lag time τ (ps)" / "(frames)"): the unit then leaves the row label and goes with each value.
 */
export function comparedMetrics(runs: ComparedRun[]): { label: string; cells: { value: number | string | undefined; text: string }[] }[] {
  const all = runs.map((r) => metrics(r.input));
  return all[0].map((m, i) => {
    const labels = all.map((ms) => ms[i].label);
    if (labels.every((l) => l === m.label)) return { label: m.label, cells: all.map((ms) => ms[i]) };
    const unitOf = (l: string): string => /\(([^()]*)\)$/.exec(l)?.[1] ?? '';
    return {
      label: m.label.replace(/\s*\([^()]*\)$/, ''),
      cells: all.map((ms) => {
        const c = ms[i];
        return c.value === undefined ? c : { value: `${c.text} ${unitOf(c.label)}`, text: `${c.text} ${unitOf(c.label)}` };
      }),
    };
  });
}

export function comparisonTables(runs: ComparedRun[]): Table[] {
  const rows = comparedMetrics(runs).map((m) => [m.label, ...m.cells.map((c) => c.value)]);
  const arrhenius = arrheniusSeries(runs).flatMap((s) => s.points.map((p) => [s.quantity, s.unit, p.run, p.temperatureK, p.value, p.lower ?? '', p.upper ?? '', s.fit?.activationEnergyEv ?? '', s.fit?.standardErrorEv ?? '']));
  return [
    { name: 'compare-metrics', rows: [['metric', ...runs.map((r) => r.name)], ...rows] },
    { name: 'compare-arrhenius', rows: [['quantity', 'unit', 'run', 'temperature_K', 'value', 'lower', 'upper', 'activation_energy_eV', 'standard_error_eV'], ...arrhenius] },
  ];
}

function comparisonHtml(runs: ComparedRun[], rendered: Awaited<ReturnType<typeof writeFigures>>['rendered']): string {
  const metricRows = comparedMetrics(runs).map((m) => [h(m.label), ...m.cells.map((c) => h(c.text))]);
  const warnRows = runs.map((r) => {
    const w = reportWarnings(r.input).map((x) => x.message);
    return [h(r.name), w.length ? `<ul>${w.map((x) => `<li>${h(x)}</li>`).join('')}</ul>` : '<span class="ok">none</span>'];
  });
  const runRows = runs.map((r) => {
    const p = r.input.provenance;
    return [h(r.name), h(p?.runFolder ?? ''), h(String(p?.inputs?.length ?? '—')), h(p?.getsei ?? '—'), h(p?.created ?? '—')];
  });
  const fig = (name: string): string => {
    const f = rendered.find((r) => r.plan.name === name);
    return f ? figureBlock(f) : '';
  };
  const body = `
<section id="metrics"><h2>Metrics</h2><p class="lead">The numbers the paper compares systems by; also in <a href="tables/compare-metrics.csv">tables/compare-metrics.csv</a>.</p>
<div style="overflow-x:auto">${tableHtml(['metric', ...runs.map((r) => h(r.name))], metricRows, 'metrics')}</div></section>
<section id="timescales"><h2>Implied timescales</h2>${fig('compare-implied-timescales')}</section>
<section id="mobility"><h2>Mobility</h2>${fig('compare-mobility')}</section>
<section id="pathways"><h2>Pathways</h2>${fig('compare-pathways')}</section>
<section id="arrhenius"><h2>Arrhenius</h2><p class="lead">Runs at different temperatures (transport.json's temperature): ln X = ln X₀ − E_a / k_B T; also in <a href="tables/compare-arrhenius.csv">tables/compare-arrhenius.csv</a>.</p>
${tableHtml(['quantity', 'activation energy E_a'], arrheniusSeries(runs).map((s) => [h(`${s.quantity} (${s.unit})`), h(activationEnergyText(s))]))}${fig('compare-arrhenius')}</section>
<section id="warnings"><h2>Warnings by run</h2>${tableHtml(['run', 'warnings'], warnRows)}</section>
<section id="runs"><h2>Runs</h2>${tableHtml(['name', 'run folder', 'input files', 'getsei', 'created'], runRows)}<p>Each run's full report is its own <code>report.html</code>.</p></section>`;
  return page({
    title: `GET-SEI comparison: ${runs.map((r) => r.name).join(' · ')}`,
    subtitle: `${runs.length} runs side by side`,
    nav: [['metrics', 'Metrics'], ['timescales', 'Timescales'], ['mobility', 'Mobility'], ['pathways', 'Pathways'], ['arrhenius', 'Arrhenius'], ['warnings', 'Warnings'], ['runs', 'Runs']],
    body,
  });
}

/** Write outDir/compare.html, outDir/figures/compare-*.svg|png and outDir/tables/compare-metrics.csv. */
export async function renderComparison(runs: ComparedRun[], outDir: string, options: RenderOptions = {}): Promise<ComparisonOutput> {
  if (runs.length === 0) throw new Error('renderComparison needs at least one run');
  const plans = comparisonFigures(runs);
  const { rendered, written } = await writeFigures(plans, outDir, options);
  const tables = await writeTables(comparisonTables(runs), outDir);
  const html = join(outDir, 'compare.html');
  await writeFileAtomic(html, comparisonHtml(runs, rendered));
  return { html, figures: written, missing: plans.filter((p) => p.missing).map((p) => ({ name: p.name, reason: p.missing as string })), tables };
}
