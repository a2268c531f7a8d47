import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { makeFixtureReportInput } from './report-fixture.ts';
import { networkLayout, networkSvg } from '../src/report/network.ts';
import {
  ckTestFigure, correlationFigure, escapeRateFigure, impliedTimescalesFigure, powerOfTen, reportFigures, type FigurePlan,
} from '../src/report/figures.ts';
import { renderSvg } from '../src/report/render.ts';
import { reportHtml } from '../src/report/report-page.ts';
import { ELEMENT_COLORS, stateColor } from '../src/report/style.ts';
import { escapeRateCorrelations, metrics, pearson, slowProcessCount, deriveWarnings } from '../src/report/derive.ts';
import type { ReportInput } from '../src/report/types.ts';

const fixture = makeFixtureReportInput();

/** Text content of every <text> element of an SVG, entities decoded. */
function svgTexts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1].replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'));
}

async function svgOf(plan: FigurePlan): Promise<string> {
  assert.equal(plan.missing, undefined, `${plan.name} should be drawable: ${plan.missing}`);
  return plan.svg ?? renderSvg(plan.spec as Record<string, unknown>);
}

test('every figure of a complete run renders to SVG with its title and the state labels', async () => {
  const plans = reportFigures(fixture);
  assert.deepEqual(plans.map((p) => p.name), [
    'embedding-map', 'coordination', 'populations', 'state-count', 'z-profile', 'implied-timescales', 'escape-rates',
    'mobility', 'escape-rate-correlation', 'equilibrium-flux', 'reactive-flux', 'flux-network', 'pathways', 'ck-test',
    'transport-msd', 'transport-profile', 'transport-states',
  ]);
  for (const plan of plans) {
    const svg = await svgOf(plan);
    assert.match(svg, /^<svg[^>]+xmlns="http:\/\/www.w3.org\/2000\/svg"/, plan.name);
    const texts = svgTexts(svg).join('\n');
    assert.ok(plan.caption.length > 20, `${plan.name} has a caption`);
    const title = plan.spec?.title;
    if (typeof title === 'string') assert.ok(texts.includes(title), `${plan.name} shows its title`);
    if (!['state-count', 'escape-rate-correlation', 'implied-timescales', 'transport-msd', 'transport-profile'].includes(plan.name)) {
      // every state-resolved figure names at least the source and target states
      for (const label of ['S2', 'S5']) assert.ok(texts.includes(label), `${plan.name} shows ${label}`);
    }
  }
});

test('implied timescales: the lag = timescale line, the chosen lag and one line per process', async () => {
  const plan = impliedTimescalesFigure(fixture);
  const svg = await svgOf(plan);
  const texts = svgTexts(svg);
  assert.ok(texts.includes('τ = 80 ps'), 'the chosen lag is labelled');
  assert.ok(texts.includes('lag time τ (ps)'));
  for (let p = 1; p <= 5; p++) assert.ok(texts.includes(`process ${p}`), `process ${p} in the legend`);
  // the dashed grey diagonal is drawn
  assert.match(svg, /stroke="#999999"[^>]*stroke-dasharray="6,4"|stroke-dasharray="6,4"[^>]*stroke="#999999"/);
});

test('escape-rate heatmap writes every off-diagonal rate in one power of ten, none on the diagonal', async () => {
  const plan = escapeRateFigure(fixture);
  const r = fixture.kinetics!.rateMatrix!;
  const max = Math.max(...r.flatMap((row, i) => row.filter((_, j) => j !== i)));
  const exponent = Math.floor(Math.log10(max));
  assert.ok(plan.spec && JSON.stringify(plan.spec).includes(powerOfTen(exponent)));
  const texts = svgTexts(await svgOf(plan));
  // S5 → S0 in the chosen unit, as the reader sees it
  const expected = Number((r[5][0] / 10 ** exponent).toPrecision(2)).toString();
  assert.ok(texts.includes(expected), `cell value ${expected} shown`);
  assert.equal(powerOfTen(-3), '×10⁻³');
  assert.equal(powerOfTen(0), '');
  // the colour legend is in the same scaled unit as the cells (its title names the power of ten)
  assert.ok(exponent !== 0 && texts.includes(`ps⁻¹ ${powerOfTen(exponent)}`), `legend title "ps⁻¹ ${powerOfTen(exponent)}" in ${texts.join(' | ')}`);
});

test('escape-rate heatmap: one large rate does not flatten the others to 0', async () => {
  const k = fixture.kinetics!;
  const n = k.activeSet.length;
  const rate: number[][] = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 0 : i === 0 && j === 1 ? 5 : 0.003)));
  rate.forEach((row, i) => { row[i] = -row.reduce((a, b) => a + b, 0); });
  const plan = escapeRateFigure({ ...fixture, kinetics: { ...k, rateMatrix: rate } });
  const texts = svgTexts(await svgOf(plan));
  assert.ok(texts.includes('5'), 'the large rate, in units of 10⁰');
  assert.ok(texts.includes('0.003'), 'a small rate keeps its digits');
  assert.ok(!texts.includes('0'), 'no off-diagonal rate is written as 0');
});

test('Chapman–Kolmogorov figure has one panel per state', async () => {
  const texts = svgTexts(await svgOf(ckTestFigure(fixture)));
  for (let s = 0; s < 6; s++) assert.ok(texts.includes(`S${s}`));
  assert.ok(texts.some((t) => t.includes('K(τ)ᵏ')));
});

test('network: source left, target right, edge widths proportional to net flux, labels escaped', () => {
  const p = fixture.paths!;
  const labels = ['S0', 'S1', 'S<2>', 'S3', 'S4', 'S5'];
  const input = { labels, ids: [0, 1, 2, 3, 4, 5], source: p.source, target: p.target, netFlux: p.netFlux, forwardCommittor: p.forwardCommittor, title: 'a & b' };
  const places = networkLayout(input);
  const src = places.find((q) => q.role === 'source')!;
  const tgt = places.find((q) => q.role === 'target')!;
  assert.ok(places.every((q) => q.x >= src.x && q.x <= tgt.x), 'source leftmost, target rightmost');
  const svg = networkSvg(input);
  assert.ok(svg.includes('S&lt;2&gt;') && !svg.includes('S<2>'));
  assert.ok(svg.includes('a &amp; b'));
  const widths = [...svg.matchAll(/data-from="(\d)" data-to="(\d)">.*?stroke-width="([\d.]+)"/g)].map((m) => ({ i: +m[1], j: +m[2], w: +m[3] }));
  assert.ok(widths.length >= 5);
  const max = Math.max(...p.netFlux.flat());
  for (const e of widths) assert.ok(Math.abs(e.w - (1 + 9 * p.netFlux[e.i][e.j] / max)) < 0.01, 'width ∝ flux');
  // no edge against the net flux
  for (const e of widths) assert.ok(p.netFlux[e.i][e.j] > 0);
});

test('a partial run: figures without their data are marked missing with a reason, the rest still draw', async () => {
  const partial: ReportInput = { kinetics: fixture.kinetics };
  const plans = reportFigures(partial);
  const missing = plans.filter((p) => p.missing).map((p) => p.name);
  assert.deepEqual(missing.sort(), ['coordination', 'embedding-map', 'equilibrium-flux', 'escape-rate-correlation', 'flux-network', 'pathways', 'reactive-flux', 'state-count', 'z-profile', 'transport-msd', 'transport-profile', 'transport-states'].sort());
  for (const p of plans.filter((q) => q.missing)) assert.ok((p.missing as string).length > 5);
  for (const p of plans.filter((q) => !q.missing)) await svgOf(p);
  assert.ok(reportFigures({}).every((p) => p.missing), 'an empty input draws nothing');
});

test('derived numbers: Pearson r, slow processes, metrics and warnings', () => {
  assert.equal(pearson([1, 2, 3], [2, 4, 6]), 1);
  assert.ok(Math.abs((pearson([1, 2, 3, 4], [4, 3, 2, 1]) as number) + 1) < 1e-15);
  assert.equal(pearson([1, 1, 1], [1, 2, 3]), undefined, 'no variance');
  assert.equal(pearson([1, 2], [1, 2]), undefined, 'too few points');
  const k = fixture.kinetics!;
  assert.equal(slowProcessCount(k), k.impliedTimescales!.filter((t) => t > k.lag).length);
  const corr = escapeRateCorrelations(fixture)!;
  assert.ok(corr.every((c) => Math.abs(c.r) <= 1 && c.n === 6));
  const m = Object.fromEntries(metrics(fixture).map((x) => [x.key, x]));
  assert.equal(m.mobilityRanking.value, k.mobilityRanking!.map((id) => `S${id}`).join(' > '));
  assert.equal(m.totalFlux.value, fixture.paths!.totalFlux);
  assert.equal(m.silhouette.value, 0.29);
  const weak = { ...fixture, states: { ...fixture.states!, silhouette: { overall: 0.07, perState: [0.1, -0.05, 0.2, 0.1, 0.1, 0.1] } } };
  const w = deriveWarnings(weak).map((x) => x.message).join('\n');
  assert.match(w, /silhouette 0\.07 is below 0\.25/);
  assert.match(w, /S1 \(-0\.05\)/);
  const fallback = { ...fixture, kinetics: { ...k, activeSet: [0, 1, 2, 3, 4], rateMatrixDiagnostics: { valid: false, method: 'nearest generator', reconstructionError: 0.02 } } };
  const w2 = deriveWarnings(fallback).map((x) => x.message).join('\n');
  assert.match(w2, /not a valid rate matrix.*nearest generator/);
  assert.match(w2, /S5 are outside the largest connected set/);
});

test('a minimal two-state run (one process, one pathway, times in frames) still draws every figure it has', async () => {
  const k = [[0.9, 0.1], [0.2, 0.8]];
  const input: ReportInput = {
    states: { count: 2, populations: [2 / 3, 1 / 3] },
    kinetics: {
      timeUnit: 'frames', lag: 10, activeSet: [0, 1], transitionMatrix: k, stationary: [2 / 3, 1 / 3],
      impliedTimescalesScan: { lags: [1, 10], timescales: [[null], [33]] }, rateMatrix: [[-0.01, 0.01], [0.02, -0.02]], mobility: [0.5, 1],
      ckTest: { steps: [1], predicted: [k], estimated: [k] },
    },
    paths: {
      source: [0], target: [1], forwardCommittor: [0, 1], backwardCommittor: [1, 0], equilibriumFlux: [[0, 1 / 15], [1 / 15, 0]],
      grossFlux: [[0, 1 / 15], [0, 0]], netFlux: [[0, 1 / 15], [0, 0]], totalFlux: 1 / 15, rate: 0.0067, pathways: [{ states: [0, 1], flux: 1 / 15, fraction: 1, bottleneck: [0, 1] }],
    },
  };
  const plans = reportFigures(input);
  for (const p of plans.filter((q) => !q.missing)) {
    const texts = svgTexts(await svgOf(p)).join('\n');
    assert.ok(texts.length > 0, p.name);
  }
  assert.ok(svgTexts(await svgOf(impliedTimescalesFigure(input))).includes('τ = 10 frames'));
  assert.deepEqual(metrics(input).find((m) => m.key === 'rate')!.label, 'rate A → B (frame⁻¹)');
});

test('Fig. 3d on a 2-state model says that 3 states are needed, not that descriptors are missing', () => {
  const k = fixture.kinetics!;
  const two: ReportInput = { ...fixture, kinetics: { ...k, activeSet: [0, 1], escapeRates: [1, 2], rateMatrix: undefined } };
  assert.match(correlationFigure(two).missing ?? '', /needs at least 3 states with an escape rate; this model has 2/);
  const noDescriptors: ReportInput = { ...fixture, states: { ...fixture.states!, descriptors: undefined } };
  assert.match(correlationFigure(noDescriptors).missing ?? '', /needs both per-state descriptors and escape rates/);
  assert.equal(correlationFigure(fixture).missing, undefined);
});

test('the timings table does not list the report stage as running (it renders the page it would be timed in)', () => {
  const p = fixture.provenance!;
  const input: ReportInput = { ...fixture, provenance: { ...p, timings: [...(p.timings ?? []), { stage: 'report', status: 'running' }] } };
  const html = reportHtml(input, []);
  const table = html.slice(html.indexOf('<h3>Timings</h3>'), html.indexOf('</table>', html.indexOf('<h3>Timings</h3>')));
  assert.match(table, /featurize/);
  assert.doesNotMatch(table, /running/);
});

test('3-D frame view: framework atoms of the paper\'s systems never share a colour with the first six states', () => {
  const rgb = (c: string): number[] => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16));
  const distance = (a: string, b: string): number => Math.hypot(...rgb(a).map((v, i) => v - rgb(b)[i]));
  for (const element of ['P', 'S', 'Cl', 'Ge', 'La', 'Zr', 'O']) {
    for (let s = 0; s < 6; s++) {
      assert.ok(distance(ELEMENT_COLORS[element], stateColor(s)) > 45, `${element} ${ELEMENT_COLORS[element]} vs S${s} ${stateColor(s)}`);
    }
  }
  const html = reportHtml(fixture, []);
  assert.ok(html.includes(`"elementColors":{`) && html.includes(`"P":"${ELEMENT_COLORS.P}"`), 'the page script gets the element colours');
});
