/**
 * Runs side by side, as the paper compares LPSCl/Li, LGPS/Li and LLZO/Li (Figs. 5–6): the metrics table, mobility
 * rankings, implied-timescale plots and pathway shares of every run in one page, DIR/compare.html.
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic.ts';
import { activationEnergyText, arrheniusFigure, arrheniusSeries } from './arrhenius.ts';
import { fmt, metrics, mobilityRanking, rateUnit, reportWarnings, stateFeatures, stateLabel, timeUnitOf, totalEscapeRates } from './derive.ts';
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

/** Options of a comparison page; `sharedStates`: the runs' states come from one model (compare --shared-model). */
export type ComparisonOptions = RenderOptions & { sharedStates?: boolean };

export function comparisonFigures(runs: ComparedRun[], sharedStates = false): FigurePlan[] {
  const labels = sharedStates
    ? 'States come from one model fitted on all runs: S2 is the same state in every run.'
    : 'State labels are per run: S2 in one system is not S2 in another.';
  return [
    panels('compare-implied-timescales', 'Implied timescales', 'Implied timescales against lag for each run; dashed grey: t = τ; red: the lag used. The number of processes above the grey line is the number of slow processes.', runs, impliedTimescalesFigure, 'Fig. 5e–f'),
    panels('compare-mobility', 'Mobility rankings', `Mobility score per state for each run, most mobile at the top. ${labels}`, runs, mobilityFigure, 'Fig. 3c, Suppl. Figs. 6–7'),
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

/** One state of a shared model in one run: its population, kinetics and mean descriptors there. */
interface SharedStateRow {
  state: number;
  run: string;
  population: number | undefined;
  stationary: number | undefined;
  escapeRate: number | undefined;
  rateUnit: string;
  mobility: number | undefined;
  mobilityRank: number | undefined;
  features: Map<string, number>;
}

/** Every state of the shared model × every run (state-major); a state outside a run's active set has no kinetics there. */
export function sharedStateRows(runs: ComparedRun[]): SharedStateRow[] {
  const K = Math.max(0, ...runs.map((r) => r.input.states?.populations.length ?? 0));
  const rows: SharedStateRow[] = [];
  for (let state = 0; state < K; state++) {
    for (const r of runs) {
      const s = r.input.states, k = r.input.kinetics;
      const i = k?.activeSet.indexOf(state) ?? -1;
      const at = <T>(v: T[] | undefined): T | undefined => (i >= 0 ? v?.[i] : undefined);
      const rank = k === undefined ? undefined : mobilityRanking(k)?.indexOf(state);
      rows.push({
        state, run: r.name, population: s?.populations[state], stationary: at(k?.stationary), escapeRate: k && at(totalEscapeRates(k)),
        rateUnit: rateUnit(timeUnitOf(r.input)), mobility: at(k?.mobility), mobilityRank: rank === undefined || rank < 0 ? undefined : rank + 1,
        features: new Map(s ? stateFeatures(s).map((f) => [f.name, f.values[state]]) : []),
      });
    }
  }
  return rows;
}

/** tables/compare-states.csv: one row per shared state and run. */
export function sharedStatesTable(runs: ComparedRun[]): Table {
  const rows = sharedStateRows(runs);
  const features = [...new Set(rows.flatMap((r) => [...r.features.keys()]))];
  return {
    name: 'compare-states',
    rows: [
      ['state', 'label', 'run', 'population', 'stationary', 'escape_rate', 'rate_unit', 'mobility', 'mobility_rank', ...features],
      ...rows.map((r) => [r.state, stateLabel(runs[0].input.states, r.state), r.run, r.population, r.stationary, r.escapeRate, r.rateUnit, r.mobility, r.mobilityRank, ...features.map((f) => r.features.get(f))]),
    ],
  };
}

export function comparisonTables(runs: ComparedRun[], sharedStates = false): Table[] {
  const rows = comparedMetrics(runs).map((m) => [m.label, ...m.cells.map((c) => c.value)]);
  const arrhenius = arrheniusSeries(runs).flatMap((s) => s.points.map((p) => [s.quantity, s.unit, p.run, p.temperatureK, p.value, p.lower ?? '', p.upper ?? '', s.fit?.activationEnergyEv ?? '', s.fit?.standardErrorEv ?? '']));
  return [
    { name: 'compare-metrics', rows: [['metric', ...runs.map((r) => r.name)], ...rows] },
    { name: 'compare-arrhenius', rows: [['quantity', 'unit', 'run', 'temperature_K', 'value', 'lower', 'upper', 'activation_energy_eV', 'standard_error_eV'], ...arrhenius] },
    ...(sharedStates ? [sharedStatesTable(runs)] : []),
  ];
}

/** The shared-states section: per state, each run's population and escape rate. */
function sharedStatesHtml(runs: ComparedRun[]): string {
  const rows = sharedStateRows(runs);
  const K = rows.length / runs.length;
  const body = Array.from({ length: K }, (_, state) => [
    h(stateLabel(runs[0].input.states, state)),
    ...rows.slice(state * runs.length, (state + 1) * runs.length).map((r) => h(`${fmt(r.population)} · ${r.escapeRate === undefined ? '—' : `${fmt(r.escapeRate)} ${r.rateUnit}`}`)),
  ]);
  return `<section id="shared-states"><h2>Shared states</h2><p class="lead">Every run's states come from one model fitted on a sample pooled across all runs (<code>model/</code>), so a state label means the same state in every run. Each cell: population · total escape rate. Per-state descriptors in <a href="tables/compare-states.csv">tables/compare-states.csv</a>; each run's own report in <code>runs/NAME/report.html</code>.</p>
<div style="overflow-x:auto">${tableHtml(['state', ...runs.map((r) => h(r.name))], body, 'metrics')}</div></section>`;
}

function comparisonHtml(runs: ComparedRun[], rendered: Awaited<ReturnType<typeof writeFigures>>['rendered'], sharedStates: boolean): string {
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
  const body = `${sharedStates ? sharedStatesHtml(runs) : ''}
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
    subtitle: `${runs.length} runs side by side${sharedStates ? ', states of one shared model' : ''}`,
    nav: [...(sharedStates ? [['shared-states', 'Shared states'] as [string, string]] : []), ['metrics', 'Metrics'], ['timescales', 'Timescales'], ['mobility', 'Mobility'], ['pathways', 'Pathways'], ['arrhenius', 'Arrhenius'], ['warnings', 'Warnings'], ['runs', 'Runs']],
    body,
  });
}

/** Write outDir/compare.html, outDir/figures/compare-*.svg|png and outDir/tables/compare-metrics.csv (+ compare-states.csv for shared states). */
export async function renderComparison(runs: ComparedRun[], outDir: string, options: ComparisonOptions = {}): Promise<ComparisonOutput> {
  if (runs.length === 0) throw new Error('renderComparison needs at least one run');
  const shared = options.sharedStates === true;
  const plans = comparisonFigures(runs, shared);
  const { rendered, written } = await writeFigures(plans, outDir, options);
  const tables = await writeTables(comparisonTables(runs, shared), outDir);
  const html = join(outDir, 'compare.html');
  await writeFileAtomic(html, comparisonHtml(runs, rendered, shared));
  return { html, figures: written, missing: plans.filter((p) => p.missing).map((p) => ({ name: p.name, reason: p.missing as string })), tables };
}
