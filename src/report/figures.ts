/**
 * The report's figures as Vega-Lite specs (and one hand-written SVG, the flux network): pure functions from a
 * ReportInput to a plan per figure, or the reason it cannot be drawn. Rendering lives in render.ts.
 */
import {
  activeLabels, escapeRateCorrelations, escapeRateMatrix, fmt, mobilityRanking, pathLabel, rateUnit, stateLabel, totalEscapeRates,
} from './derive.ts';
import { networkSvg } from './network.ts';
import { transportFigures } from './transport-figures.ts';
import { FONT_FAMILY, elementColor, stateColor } from './style.ts';
import type { ReportInput, StatesPart } from './types.ts';

/**
 * A Vega-Lite specification as plain JSON. vega-lite's own TopLevelSpec type is a very large union that makes
 * building specs from object literals slow and noisy to type-check; these specs are checked by compiling them (tests).
 */
export type VegaLiteSpec = Record<string, unknown>;

export type Section = 'states' | 'kinetics' | 'paths' | 'diagnostics' | 'transport';

export interface FigurePlan {
  /** file stem under figures/ */
  name: string;
  title: string;
  /** what the figure shows, in words (the page's caption) */
  caption: string;
  section: Section;
  /** the paper's figure it reproduces, e.g. "Fig. 3a" */
  paperRef?: string;
  spec?: VegaLiteSpec;
  /** a finished SVG, for figures not drawn by Vega */
  svg?: string;
  /** why the figure is missing (then spec and svg are absent) */
  missing?: string;
  /** spans the page's full width (many panels or long labels) */
  wide?: boolean;
}

/** Points drawn in the embedding map at most (a deterministic stride through the sample keeps the SVG small). */
export const MAX_MAP_POINTS = 3000;

const CONFIG = {
  font: FONT_FAMILY,
  // no ARIA descriptions per mark: they triple the size of a scatter plot's SVG and the page has captions
  mark: { aria: false },
  background: 'white',
  padding: 8,
  title: { fontSize: 14, anchor: 'start', offset: 10 },
  axis: { aria: false, labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal' },
  legend: { labelFontSize: 11, titleFontSize: 12 },
  header: { labelFontSize: 12, titleFontSize: 12 },
};

export function spec(body: Record<string, unknown>): VegaLiteSpec {
  return { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', config: CONFIG, ...body };
}

function stateScale(states: StatesPart | undefined, ids: readonly number[]): { domain: string[]; range: string[] } {
  return { domain: ids.map((id) => stateLabel(states, id)), range: ids.map(stateColor) };
}

function stateIds(input: ReportInput): number[] {
  if (input.states) return Array.from({ length: input.states.count }, (_, i) => i);
  return input.kinetics?.activeSet ?? input.paths?.activeSet ?? [];
}

export function missing(name: string, title: string, section: Section, why: string, paperRef?: string): FigurePlan {
  return { name, title, caption: '', section, paperRef, missing: why };
}

// ───────────────────────────── states ─────────────────────────────

export function embeddingMapFigure(input: ReportInput): FigurePlan {
  const name = 'embedding-map';
  const title = 'Embedding map by state';
  const map = input.states?.embeddingMap;
  if (!map || map.points.length === 0) return missing(name, title, 'states', 'no 2-D map of the embeddings in the state results', 'Fig. 2b');
  const stride = Math.max(1, Math.ceil(map.points.length / MAX_MAP_POINTS));
  const values = map.points.filter((_, i) => i % stride === 0).map((p) => ({ x: p.x, y: p.y, state: stateLabel(input.states, p.state) }));
  return {
    name, title, section: 'states', paperRef: 'Fig. 2b',
    caption: `${map.method} projection of ${values.length} Li-environment embeddings${stride > 1 ? ` (every ${stride}th of ${map.points.length})` : ''}, coloured by state. Well-separated islands mean distinct environments.`,
    spec: spec({
      title: `${map.method} of the embedding space`,
      width: 380, height: 340,
      data: { values },
      mark: { type: 'circle', size: 12, opacity: 0.55 },
      encoding: {
        x: { field: 'x', type: 'quantitative', title: `${map.method} 1`, axis: { labels: false, ticks: false, grid: false } },
        y: { field: 'y', type: 'quantitative', title: `${map.method} 2`, axis: { labels: false, ticks: false, grid: false } },
        color: { field: 'state', type: 'nominal', title: 'state', scale: stateScale(input.states, stateIds(input)) },
      },
    }),
  };
}

export function coordinationFigure(input: ReportInput): FigurePlan {
  const name = 'coordination';
  const title = 'Mean coordination by element';
  const d = input.states?.descriptors;
  if (!input.states || !d) return missing(name, title, 'states', 'no per-state descriptors in the state results', 'Fig. 2c');
  const values = d.coordination.flatMap((row, s) => row.map((cn, e) => ({ state: stateLabel(input.states, s), element: d.elements[e], cn })));
  return {
    name, title, section: 'states', paperRef: 'Fig. 2c',
    caption: `Mean number of neighbours of each element within ${d.shellAngstrom} Å of the centre Li, per state: what chemically distinguishes the states.`,
    spec: spec({
      title: `Mean coordination within ${d.shellAngstrom} Å`,
      width: { step: 16 }, height: 260,
      data: { values },
      mark: { type: 'bar' },
      encoding: {
        x: { field: 'state', type: 'nominal', sort: null, title: 'state', axis: { labelAngle: 0 } },
        xOffset: { field: 'element', type: 'nominal', sort: d.elements },
        y: { field: 'cn', type: 'quantitative', title: 'mean coordination number' },
        color: { field: 'element', type: 'nominal', title: 'element', scale: { domain: d.elements, range: d.elements.map(elementColor) } },
        tooltip: [{ field: 'state' }, { field: 'element' }, { field: 'cn', format: '.2f' }],
      },
    }),
  };
}

export function populationsFigure(input: ReportInput): FigurePlan {
  const name = 'populations';
  const title = 'State populations';
  const s = input.states;
  const k = input.kinetics;
  if (!s && !k) return missing(name, title, 'states', 'neither state populations nor a stationary distribution were computed');
  const rows: { state: string; kind: string; value: number; lo?: number; hi?: number }[] = [];
  if (s) s.populations.forEach((p, i) => rows.push({ state: stateLabel(s, i), kind: 'share of Li samples', value: p }));
  if (k) {
    const band = k.bootstrap?.stationary;
    k.activeSet.forEach((id, i) => rows.push({
      state: stateLabel(s, id), kind: 'stationary π', value: k.stationary[i],
      ...(band ? { lo: band.lower[i], hi: band.upper[i] } : {}),
    }));
  }
  const kinds = [...new Set(rows.map((r) => r.kind))];
  const layers: Record<string, unknown>[] = [{
    mark: 'bar',
    encoding: {
      y: { field: 'value', type: 'quantitative', title: 'population' },
      color: { field: 'kind', type: 'nominal', title: null, scale: { domain: kinds, range: ['#9aa9b8', '#4e79a7'] }, legend: { orient: 'top', labelLimit: 300 } },
    },
  }];
  if (k?.bootstrap?.stationary) {
    layers.push({
      mark: { type: 'rule', color: 'black' },
      transform: [{ filter: 'isValid(datum.lo)' }],
      encoding: { y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } },
    });
  }
  return {
    name, title, section: 'states',
    caption: 'Share of Li samples in each state, and the stationary distribution π of the Markov model' +
      (k?.bootstrap?.stationary ? ` with ${Math.round(100 * k.bootstrap.level)} % bootstrap intervals (${k.bootstrap.samples} resamples).` : '.'),
    spec: spec({
      title: 'State populations',
      width: { step: 24 }, height: 220,
      data: { values: rows },
      encoding: {
        x: { field: 'state', type: 'nominal', sort: null, title: 'state', axis: { labelAngle: 0 } },
        xOffset: { field: 'kind', type: 'nominal', sort: kinds },
      },
      layer: layers,
    }),
  };
}

export function stateCountFigure(input: ReportInput): FigurePlan {
  const name = 'state-count';
  const title = 'Choosing the number of states';
  const table = input.states?.scoreTable;
  if (!input.states || !table || table.length === 0) return missing(name, title, 'states', 'no score table over state counts (the count was fixed)', 'Suppl. Table 2');
  const chosen = input.states.count;
  const panel = (field: 'silhouette' | 'bic', label: string): Record<string, unknown> => ({
    width: 220, height: 180,
    layer: [
      { mark: { type: 'line', point: true, color: '#4e79a7' }, encoding: { x: { field: 'count', type: 'quantitative', title: 'number of states', axis: { tickMinStep: 1 } }, y: { field, type: 'quantitative', title: label, scale: { zero: false } } } },
      { data: { values: [{ count: chosen }] }, mark: { type: 'rule', color: '#e15759', strokeDash: [4, 3] }, encoding: { x: { field: 'count', type: 'quantitative' } } },
    ],
  });
  return {
    name, title, section: 'states', paperRef: 'Suppl. Table 2',
    caption: `Silhouette (higher is better separated) and BIC (lower is better) of the Gaussian mixture for each number of states; the dashed line marks the ${chosen} states used.`,
    spec: spec({ title: 'Scores by number of states', data: { values: table }, hconcat: [panel('silhouette', 'silhouette'), panel('bic', 'BIC')] }),
  };
}

export function zProfileFigure(input: ReportInput): FigurePlan {
  const name = 'z-profile';
  const title = 'State populations along z';
  const zp = input.zProfile;
  if (!zp) return missing(name, title, 'states', 'no profile along the interface normal was computed');
  const ids = zp.fractions.map((_, s) => s);
  const values = zp.fractions.flatMap((row, s) => row.map((f, b) => ({ z: zp.zCentres[b], state: stateLabel(input.states, s), order: s, fraction: f })));
  return {
    name, title, section: 'states',
    caption: 'Fraction of the Li samples in each slab along the interface normal (z) that belong to each state: where in the interphase each environment lives.',
    spec: spec({
      title: 'State populations along z',
      width: 420, height: 220,
      data: { values },
      mark: { type: 'area', interpolate: 'monotone' },
      encoding: {
        x: { field: 'z', type: 'quantitative', title: zp.zUnit === 'Å' ? 'z (Å)' : 'z (fraction of the cell)' },
        y: { field: 'fraction', type: 'quantitative', stack: 'normalize', title: 'fraction of Li', axis: { format: '%' } },
        color: { field: 'state', type: 'nominal', title: 'state', scale: stateScale(input.states, ids) },
        order: { field: 'order', type: 'quantitative' },
      },
    }),
  };
}

// ───────────────────────────── kinetics ─────────────────────────────

export function impliedTimescalesFigure(input: ReportInput): FigurePlan {
  const name = 'implied-timescales';
  const title = 'Implied timescales';
  const k = input.kinetics;
  const scan = k?.impliedTimescalesScan;
  if (!k || !scan || scan.lags.length === 0) return missing(name, title, 'kinetics', 'implied timescales were not scanned over lags', 'Fig. 3a');
  const unit = k.timeUnit;
  const values = scan.lags.flatMap((lag, l) => scan.timescales[l]
    .map((t, p) => ({ lag, t, process: `process ${p + 1}`, p }))
    .filter((r): r is { lag: number; t: number; process: string; p: number } => r.t !== null && Number.isFinite(r.t) && r.t > 0));
  const lagMin = Math.min(...scan.lags);
  const lagMax = Math.max(...scan.lags);
  const diagonal = Array.from({ length: 60 }, (_, i) => lagMin + ((lagMax - lagMin) * i) / 59).filter((x) => x > 0).map((x) => ({ lag: x, t: x }));
  const processes = [...new Set(values.map((v) => v.process))];
  return {
    name, title, section: 'kinetics', paperRef: 'Fig. 3a',
    caption: `Relaxation timescales tᵢ = −τ / ln|λᵢ| of the Koopman matrix against the lag τ. Processes above the dashed grey line (t = τ) are resolved; the red line marks the lag used (τ = ${fmt(k.lag)} ${unit}${k.lagChoice ? `; ${k.lagChoice}` : ''}). Flat lines mean the model is Markovian at that lag.`,
    spec: spec({
      title: 'Implied timescales',
      width: 400, height: 280,
      layer: [
        {
          data: { values: diagonal },
          mark: { type: 'line', color: '#999999', strokeDash: [6, 4] },
          encoding: { x: { field: 'lag', type: 'quantitative' }, y: { field: 't', type: 'quantitative' } },
        },
        {
          data: { values },
          mark: { type: 'line', point: { size: 30 } },
          encoding: {
            x: { field: 'lag', type: 'quantitative', title: `lag time τ (${unit})` },
            y: { field: 't', type: 'quantitative', title: `implied timescale (${unit})`, scale: { type: 'log' } },
            color: { field: 'process', type: 'nominal', sort: processes, title: null, scale: { scheme: 'viridis' } },
            tooltip: [{ field: 'process' }, { field: 'lag' }, { field: 't', format: '.3~g' }],
          },
        },
        {
          data: { values: [{ lag: k.lag, label: `τ = ${fmt(k.lag)} ${unit}` }] },
          layer: [
            { mark: { type: 'rule', color: '#e15759', strokeDash: [4, 3] }, encoding: { x: { field: 'lag', type: 'quantitative' } } },
            { mark: { type: 'text', color: '#e15759', align: 'left', dx: 4, baseline: 'top', y: 4 }, encoding: { x: { field: 'lag', type: 'quantitative' }, text: { field: 'label' } } },
          ],
        },
      ],
      resolve: { scale: { color: 'independent' } },
    }),
  };
}

const SUPERSCRIPT: Record<string, string> = { '-': '⁻', 0: '⁰', 1: '¹', 2: '²', 3: '³', 4: '⁴', 5: '⁵', 6: '⁶', 7: '⁷', 8: '⁸', 9: '⁹' };

/** "×10⁻³" for an exponent, "" for 0. */
export function powerOfTen(exponent: number): string {
  return exponent === 0 ? '' : `×10${String(exponent).split('').map((c) => SUPERSCRIPT[c]).join('')}`;
}

/**
 * A matrix heatmap with each cell's value written in it. Values are written in units of one common power of ten
 * (as the paper writes "1.9 × 10⁻³ ps⁻¹"), named in the title, so the cells read as plain short numbers; the colour
 * legend uses the same scaled numbers. Each cell keeps two significant digits, so a rate far below the largest one
 * reads 0.0031, not 0.
 */
function heatmap(title: string, rows: string[], cols: string[], matrix: (number | null)[][], legend: string, scheme: string): VegaLiteSpec {
  let max = 0;
  for (const row of matrix) for (const v of row) if (v !== null && Number.isFinite(v)) max = Math.max(max, Math.abs(v));
  const exponent = max > 0 ? Math.floor(Math.log10(max)) : 0;
  const unit = 10 ** exponent;
  const values = matrix.flatMap((row, i) => row.map((v, j) => ({
    from: rows[i], to: cols[j], value: v === null || !Number.isFinite(v) ? null : v,
    scaled: v === null || !Number.isFinite(v) ? null : v / unit,
    label: v === null || !Number.isFinite(v) ? '' : Number((v / unit).toPrecision(2)).toString(), dark: v !== null && max > 0 && v > 0.55 * max,
  })));
  title = exponent === 0 ? title : `${title}, values ${powerOfTen(exponent)}`;
  const cell = Math.max(34, Math.min(56, Math.round(330 / Math.max(1, cols.length))));
  return spec({
    title,
    width: { step: cell }, height: { step: cell },
    data: { values },
    encoding: {
      x: { field: 'to', type: 'nominal', sort: cols, title: 'to', axis: { orient: 'top', labelAngle: 0 } },
      y: { field: 'from', type: 'nominal', sort: rows, title: 'from' },
    },
    layer: [
      {
        mark: { type: 'rect', stroke: 'white', strokeWidth: 1 },
        encoding: {
          color: { field: 'scaled', type: 'quantitative', title: exponent === 0 ? legend : `${legend} ${powerOfTen(exponent)}`, scale: { scheme }, legend: { format: '.2~g', gradientLength: Math.min(200, cell * rows.length) } },
          tooltip: [{ field: 'from' }, { field: 'to' }, { field: 'value', format: '.3~e' }],
        },
      },
      {
        mark: { type: 'text', fontSize: cell > 44 ? 10 : 9 },
        encoding: {
          text: { field: 'label' },
          color: { condition: { test: 'datum.dark', value: 'white' }, value: 'black' },
        },
      },
    ],
  });
}

export function escapeRateFigure(input: ReportInput): FigurePlan {
  const name = 'escape-rates';
  const title = 'Escape-rate matrix';
  const k = input.kinetics;
  const m = k ? escapeRateMatrix(k) : undefined;
  if (!k || !m) return missing(name, title, 'kinetics', 'no rate matrix was computed', 'Fig. 3b');
  const labels = activeLabels(input, k);
  const unit = rateUnit(k.timeUnit);
  return {
    name, title, section: 'kinetics', paperRef: 'Fig. 3b',
    caption: `Off-diagonal entries Rᵢⱼ of the rate matrix R = ln K(τ) / τ (eq. 4), in ${unit}: how fast Li in state i (row) moves to state j (column).`,
    spec: heatmap(`Escape rates (${unit})`, labels, labels, m, unit, 'blues'),
  };
}

export function mobilityFigure(input: ReportInput): FigurePlan {
  const name = 'mobility';
  const title = 'Mobility ranking';
  const k = input.kinetics;
  const score = k?.mobility;
  if (!k || !score) return missing(name, title, 'kinetics', 'no mobility scores were computed', 'Fig. 3c');
  const band = k.bootstrap?.mobility;
  const values = k.activeSet.map((id, i) => ({
    state: stateLabel(input.states, id), id, mobility: score[i],
    ...(band ? { lo: band.lower[i], hi: band.upper[i] } : {}),
  }));
  const order = (mobilityRanking(k) ?? []).map((id) => stateLabel(input.states, id));
  const layers: Record<string, unknown>[] = [
    { mark: { type: 'bar' }, encoding: { color: { field: 'state', type: 'nominal', legend: null, scale: stateScale(input.states, stateIds(input)) } } },
    { mark: { type: 'text', align: 'left', dx: 4 }, encoding: { text: { field: 'mobility', format: '.3~g' }, x: { field: band ? 'hi' : 'mobility', type: 'quantitative' } } },
  ];
  if (band) layers.splice(1, 0, { mark: { type: 'rule', color: 'black' }, encoding: { x: { field: 'lo', type: 'quantitative' }, x2: { field: 'hi' } } });
  return {
    name, title, section: 'kinetics', paperRef: 'Fig. 3c',
    caption: `Mobility score per state (${k.mobilityNormalisation ?? 'normalised total escape rate'}), most mobile at the top${band ? `; bars: ${Math.round(100 * (k.bootstrap?.level ?? 0.95))} % bootstrap intervals` : ''}. The bottom state is the kinetic bottleneck.`,
    spec: spec({
      title: 'Mobility ranking',
      width: 320, height: { step: 28 },
      data: { values },
      encoding: {
        y: { field: 'state', type: 'nominal', sort: order, title: null },
        x: { field: 'mobility', type: 'quantitative', title: 'mobility score' },
      },
      layer: layers,
    }),
  };
}

export function correlationFigure(input: ReportInput): FigurePlan {
  const name = 'escape-rate-correlation';
  const title = 'Escape rates vs graph features';
  const corr = escapeRateCorrelations(input);
  if (!corr || corr.length === 0) {
    const active = input.kinetics?.activeSet.length ?? 0;
    const why = !input.kinetics || !input.states?.descriptors || !totalEscapeRates(input.kinetics)
      ? 'needs both per-state descriptors and escape rates'
      : active < 3
        ? `a correlation over states needs at least 3 states with an escape rate; this model has ${active}`
        : 'no descriptor varies across the states with an escape rate';
    return missing(name, title, 'kinetics', why, 'Fig. 3d');
  }
  const values = corr.map((c) => ({ ...c, sign: c.r >= 0 ? 'faster escape' : 'slower escape' }));
  return {
    name, title, section: 'kinetics', paperRef: 'Fig. 3d',
    caption: `Pearson correlation, across the ${corr[0].n} states, between each mean feature of the Li graphs and the state's total escape rate. Positive: the feature goes with faster escape. With few states, read these as trends, not tests.`,
    spec: spec({
      title: 'Correlation of escape rate with graph features',
      width: 300, height: { step: 22 },
      data: { values },
      encoding: {
        y: { field: 'feature', type: 'nominal', sort: [...corr].sort((a, b) => b.r - a.r).map((c) => c.feature), title: null, axis: { labelLimit: 260 } },
        // room beyond ±1 for the value labels, so a label of r ≈ −1 does not run into the feature names
        x: { field: 'r', type: 'quantitative', title: 'Pearson r with total escape rate', scale: { domain: [-1.3, 1.3] }, axis: { values: [-1, -0.5, 0, 0.5, 1] } },
      },
      layer: [
        { mark: 'bar', encoding: { color: { field: 'sign', type: 'nominal', title: null, scale: { domain: ['faster escape', 'slower escape'], range: ['#59a14f', '#e15759'] }, legend: { orient: 'bottom' } } } },
        { mark: { type: 'text', align: { expr: "datum.r >= 0 ? 'left' : 'right'" }, dx: { expr: 'datum.r >= 0 ? 4 : -4' } }, encoding: { text: { field: 'r', format: '.2f' } } },
      ],
    }),
  };
}

export function ckTestFigure(input: ReportInput): FigurePlan {
  const name = 'ck-test';
  const title = 'Chapman–Kolmogorov test';
  const k = input.kinetics;
  const ck = k?.ckTest;
  if (!k || !ck) return missing(name, title, 'diagnostics', 'the Chapman–Kolmogorov test was not run');
  const labels = activeLabels(input, k);
  const unit = k.timeUnit;
  const values = ck.steps.flatMap((step, s) => labels.flatMap((state, i) => [
    { state, time: step * k.lag, p: ck.predicted[s][i][i], kind: 'model K(τ)ᵏ' },
    { state, time: step * k.lag, p: ck.estimated[s][i][i], kind: 'estimate K(kτ)' },
  ]));
  const layers: Record<string, unknown>[] = [
    { transform: [{ filter: "datum.kind === 'model K(τ)ᵏ'" }], mark: { type: 'line', color: '#4e79a7' } },
    { transform: [{ filter: "datum.kind === 'estimate K(kτ)'" }], mark: { type: 'point', filled: true, color: '#e15759', opacity: 1 } },
  ];
  return {
    name, title, section: 'diagnostics', wide: true,
    caption: `Probability of still being in the same state after k·τ: predicted by the model, K(τ)ᵏ (line), against the direct estimate at lag kτ (points), for k = ${ck.steps.join(', ')}. Agreement means the Markov model propagates correctly.`,
    spec: spec({
      title: { text: 'Chapman–Kolmogorov test (self-transition probability)', subtitle: 'line: model K(τ)ᵏ · red points: estimate K(kτ)' },
      data: { values },
      facet: { field: 'state', type: 'nominal', sort: labels, title: null },
      columns: Math.min(3, labels.length),
      spec: {
        width: 150, height: 110,
        encoding: {
          x: { field: 'time', type: 'quantitative', title: `time (${unit})` },
          y: { field: 'p', type: 'quantitative', title: 'P(i → i)', scale: { domain: [0, 1] } },
        },
        layer: layers,
      },
    }),
  };
}

// ───────────────────────────── paths ─────────────────────────────

export function equilibriumFluxFigure(input: ReportInput): FigurePlan {
  const name = 'equilibrium-flux';
  const title = 'Equilibrium flux';
  const p = input.paths;
  if (!p) return missing(name, title, 'paths', 'transition path theory was not run', 'Fig. 4a');
  const labels = activeLabels(input, input.kinetics, p);
  const m = p.equilibriumFlux.map((row, i) => row.map((v, j) => (i === j ? null : v)));
  return {
    name, title, section: 'paths', paperRef: 'Fig. 4a',
    caption: 'Equilibrium flux fᵢⱼ = πᵢKᵢⱼ between states, per lag step: how much Li exchanges between two environments at equilibrium, whatever the direction of transport.',
    spec: heatmap('Equilibrium flux πᵢKᵢⱼ', labels, labels, m, 'flux', 'purples'),
  };
}

export function reactiveFluxFigure(input: ReportInput): FigurePlan {
  const name = 'reactive-flux';
  const title = 'Reactive flux';
  const p = input.paths;
  if (!p) return missing(name, title, 'paths', 'transition path theory was not run', 'Fig. 4b');
  const labels = activeLabels(input, input.kinetics, p);
  const m = p.grossFlux.map((row, i) => row.map((v, j) => (i === j ? null : v)));
  const s = input.states;
  return {
    name, title, section: 'paths', paperRef: 'Fig. 4b',
    caption: `Reactive flux f⁺ᵢⱼ = πᵢ qᵢ⁻ Kᵢⱼ qⱼ⁺ (eq. 5), per lag step: the part of the equilibrium flux carried by Li on its way from ${p.source.map((id) => stateLabel(s, id)).join(', ')} to ${p.target.map((id) => stateLabel(s, id)).join(', ')}.`,
    spec: heatmap('Reactive flux f⁺ᵢⱼ', labels, labels, m, 'flux', 'oranges'),
  };
}

export function networkFigure(input: ReportInput): FigurePlan {
  const name = 'flux-network';
  const title = 'Net reactive flux network';
  const p = input.paths;
  if (!p) return missing(name, title, 'paths', 'transition path theory was not run', 'Fig. 4c');
  const ids = p.activeSet ?? input.kinetics?.activeSet ?? p.forwardCommittor.map((_, i) => i);
  return {
    name, title, section: 'paths', paperRef: 'Fig. 4c',
    caption: 'States as nodes (source pink, target green, intermediates blue) and net reactive flux max(0, f⁺ᵢⱼ − f⁺ⱼᵢ) as arrows whose width is proportional to the flux. Node labels give the forward committor q⁺.',
    svg: networkSvg({
      labels: ids.map((id) => stateLabel(input.states, id)), ids, source: p.source, target: p.target,
      netFlux: p.netFlux, forwardCommittor: p.forwardCommittor, title: 'Net reactive flux',
    }),
  };
}

export function pathwaysFigure(input: ReportInput): FigurePlan {
  const name = 'pathways';
  const title = 'Dominant pathways';
  const p = input.paths;
  if (!p || p.pathways.length === 0) return missing(name, title, 'paths', p ? 'no pathway carries flux from source to target' : 'transition path theory was not run', 'Fig. 4d');
  const s = input.states;
  const band = input.kinetics?.bootstrap?.pathwayFlux;
  const values = p.pathways.map((w, i) => ({
    path: `${i + 1}. ${pathLabel(s, w.states)}`,
    share: 100 * w.fraction,
    flux: w.flux,
    note: `${(100 * w.fraction).toFixed(1)} % · bottleneck ${stateLabel(s, w.bottleneck[0])}→${stateLabel(s, w.bottleneck[1])}`,
    ...(band ? { lo: (100 * band.lower[i]) / p.totalFlux, hi: (100 * band.upper[i]) / p.totalFlux } : {}),
  }));
  const layers: Record<string, unknown>[] = [
    { mark: { type: 'bar', color: '#4e79a7' } },
    { mark: { type: 'text', align: 'left', dx: 4 }, encoding: { text: { field: 'note' }, x: { field: band ? 'hi' : 'share', type: 'quantitative' } } },
  ];
  if (band) layers.splice(1, 0, { mark: { type: 'rule', color: 'black' }, encoding: { x: { field: 'lo', type: 'quantitative' }, x2: { field: 'hi' } } });
  return {
    name, title, section: 'paths', paperRef: 'Fig. 4d', wide: true,
    caption: `The top ${p.pathways.length} pathways from source to target by max-bottleneck decomposition of the net flux, with their share of the total reactive flux and the edge that limits each${band ? `; bars: bootstrap intervals` : ''}.`,
    spec: spec({
      title: 'Dominant pathways (share of total flux)',
      width: 260, height: { step: 30 },
      data: { values },
      encoding: {
        y: { field: 'path', type: 'nominal', sort: null, title: null, axis: { labelLimit: 320 } },
        x: { field: 'share', type: 'quantitative', title: 'share of total flux (%)' },
        tooltip: [{ field: 'path' }, { field: 'flux', format: '.3~e' }, { field: 'note' }],
      },
      layer: layers,
    }),
  };
}

/** Every figure of the single-run report, in page order. */
export function reportFigures(input: ReportInput): FigurePlan[] {
  return [
    embeddingMapFigure(input), coordinationFigure(input), populationsFigure(input), stateCountFigure(input), zProfileFigure(input),
    impliedTimescalesFigure(input), escapeRateFigure(input), mobilityFigure(input), correlationFigure(input),
    equilibriumFluxFigure(input), reactiveFluxFigure(input), networkFigure(input), pathwaysFigure(input),
    ckTestFigure(input),
    ...transportFigures(input),
  ];
}

