/** The single-run report page: sections for states, kinetics, pathways, diagnostics, metrics and provenance. */
import {
  activeLabels, ckMaxError, fmt, metrics, reportWarnings, pathLabel, rateUnit, slowProcessCount, stateFeatures,
  stateLabel, timescalesAtLag, timeUnitOf,
} from './derive.ts';
import { figureBlock, h, notComputed, page, tableHtml, type RenderedFigure } from './html.ts';
import { networkLayout } from './network.ts';
import { ELEMENT_COLORS, ROLE_COLORS, stateColor } from './style.ts';
import type { ReportInput } from './types.ts';

function swatch(id: number): string {
  return `<span class="swatch" style="background:${stateColor(id)}"></span>`;
}

function num(x: number | undefined | null, digits = 3): string {
  return fmt(x, digits);
}

function figs(rendered: RenderedFigure[], names: string[]): string {
  const blocks = names.map((n) => rendered.find((r) => r.plan.name === n)).filter((r): r is RenderedFigure => r !== undefined).map((r) => figureBlock(r));
  return `<div class="grid">${blocks.join('\n')}</div>`;
}

function warningsBlock(warnings: string[]): string {
  if (warnings.length === 0) return '';
  return `<div class="warnings" id="warnings" role="alert"><h2>Read before trusting the results</h2><ul>${warnings.map((w) => `<li>${h(w)}</li>`).join('')}</ul></div>`;
}

function metricsSection(input: ReportInput): string {
  const rows = metrics(input).map((m) => [h(m.label), h(m.text)]);
  return `<section id="summary"><h2>Summary</h2>
<p class="lead">The numbers the paper compares systems by (Figs. 5–6). The same table is in <a href="tables/metrics.csv">tables/metrics.csv</a>; <code>getsei compare</code> puts several runs side by side.</p>
${tableHtml(['metric', 'value'], rows, 'metrics')}</section>`;
}

function statesSection(input: ReportInput, rendered: RenderedFigure[]): string {
  const s = input.states;
  if (!s) return `<section id="states"><h2>States</h2>${notComputed('Local-environment states', 'state discovery has not run')}${figs(rendered, ['z-profile'])}</section>`;
  const sil = s.silhouette;
  const lead = `<p class="lead">${s.count} Li local-environment states from a Gaussian mixture on the learned embeddings` +
    (sil ? `; silhouette ${num(sil.overall, 2)} (the paper's interfaces: 0.29–0.33; below 0.25 the states overlap)` : '') + '.</p>';
  const features = stateFeatures(s);
  const header = ['state', 'population', 'silhouette', ...features.map((f) => h(f.name))];
  const rows = s.populations.map((p, i) => [
    `${swatch(i)}${h(stateLabel(s, i))}`, num(p), num(sil?.perState?.[i], 2), ...features.map((f) => num(f.values[i])),
  ]);
  const reps = s.representatives ?? [];
  const repHtml = reps.length === 0
    ? notComputed('Representative environments', 'no representatives in the state results')
    : `<div class="reps">${Array.from({ length: s.count }, (_, i) => i).filter((i) => reps.some((r) => r.state === i)).map((i) => `
<div class="rep-card" data-state="${i}"><header><span>${swatch(i)}${h(stateLabel(s, i))}</span><span><button data-step="-1" title="previous">‹</button> <button data-step="1" title="next">›</button></span></header>
<div class="viewer"></div><div class="rep-which"></div></div>`).join('')}</div>`;
  const frame = input.frameView;
  const legend = `<div class="legend">${Array.from({ length: s.count }, (_, i) => `<span>${swatch(i)}${h(stateLabel(s, i))}</span>`).join('')}<span>small spheres: other atoms</span></div>`;
  const frameHtml = frame
    ? `<h3>Li coloured by state in frame ${frame.frame}${frame.timePs !== undefined ? ` (t = ${num(frame.timePs)} ps)` : ''}</h3>${legend}<div class="viewer" id="frame-viewer"></div>`
    : `<h3>Li coloured by state in one frame</h3>${notComputed('3-D view of a frame', 'no frame view in the results')}`;
  return `<section id="states"><h2>States</h2>${lead}
${figs(rendered, ['embedding-map', 'coordination', 'populations', 'state-count', 'z-profile'])}
<h3>Per-state descriptors</h3>${s.descriptors ? '' : notComputed('Descriptors', 'no per-state descriptors in the state results')}
<div style="overflow-x:auto">${tableHtml(header, rows)}</div>
<h3>Representative environments (Fig. 2d, Supplementary Fig. 1)</h3>
<p class="lead">The centre Li is the red sphere inside the translucent red shell. Drag to rotate, scroll to zoom; ‹ › step through the examples of a state.</p>
${repHtml}
${frameHtml}
${stabilityBlock(input)}</section>`;
}

function stabilityBlock(input: ReportInput): string {
  const st = input.stability;
  if (!st) return `<h3>Stability of the states</h3>${notComputed('Stability across repeats', 'state discovery was run once')}`;
  const s = input.states;
  const rows: string[][] = [
    ['repeats', String(st.repeats)],
    ['mean adjusted Rand index between repeats', `${num(st.meanAri, 2)} ${st.meanAri >= 0.8 ? '<span class="ok">(stable)</span>' : '<span class="bad">(unstable)</span>'}`],
  ];
  if (st.mobilityKendallTau !== undefined) rows.push(['Kendall τ of the mobility ranking between repeats', num(st.mobilityKendallTau, 2)]);
  if (st.perStateStability) rows.push(['per-state stability (Jaccard)', st.perStateStability.map((v, i) => `${h(stateLabel(s, i))} ${num(v, 2)}`).join(', ')]);
  if (st.rawBaseline) rows.push(['without the encoder (mixture on raw features)', `silhouette ${num(st.rawBaseline.silhouette, 2)}, agreement with the learned states ARI ${num(st.rawBaseline.ari, 2)}`]);
  const conclusions = st.conclusions?.length
    ? tableHtml(['conclusion', 'holds in every repeat'], st.conclusions.map((c) => [h(c.claim), c.holds ? '<span class="ok">yes</span>' : `<span class="bad">no</span>${c.detail ? ` (${h(c.detail)})` : ''}`]))
    : '';
  return `<h3>Stability of the states</h3>${tableHtml(['check', 'result'], rows)}${conclusions}`;
}

function kineticsSection(input: ReportInput, rendered: RenderedFigure[]): string {
  const k = input.kinetics;
  if (!k) return `<section id="kinetics"><h2>Kinetics</h2>${notComputed('Markov / Koopman model', 'the kinetics stage has not run')}</section>`;
  const unit = k.timeUnit;
  const t = timescalesAtLag(k);
  const slow = slowProcessCount(k);
  const lead = `<p class="lead">Koopman matrix K(τ) (eq. 8) at lag τ = ${num(k.lag)} ${unit}${k.dt ? ` (${num(k.dt)} ps per frame)` : ''} over ${k.activeSet.length} states` +
    `${slow !== undefined ? `; ${slow} process${slow === 1 ? ' is' : 'es are'} slower than the lag` : ''}` +
    `${t && t.length ? ` (implied timescales ${t.slice(0, 6).map((x) => num(x)).join(', ')} ${unit})` : ''}.</p>`;
  return `<section id="kinetics"><h2>Kinetics</h2>${lead}
${figs(rendered, ['implied-timescales', 'escape-rates', 'mobility', 'escape-rate-correlation'])}
<h3>Rate matrix</h3>${rateMatrixWords(input)}</section>`;
}

/** Whether the states mean something kinetically (issue 10): projection, VAMP scores, CK verdicts, PCCA+, cores. */
function kineticQualitySection(input: ReportInput): string {
  const q = input.kineticQuality;
  const title = '<h2>Kinetic quality of the states</h2>';
  if (!q) return `<section id="kinetic-quality">${title}${notComputed('Kinetic quality', 'no projection, VAMP scores or Chapman–Kolmogorov verdicts in the results')}</section>`;
  const s = input.states;
  const parts: string[] = [];
  const p = q.projection;
  parts.push(p
    ? `<p class="lead">The mixture ran in the ${h(p.method.toUpperCase())} space of each Li's embedding time series (lag ${p.lagFrames} frames, ${p.dim} of ${p.inputDim} dimensions; slowest projection timescales ${p.timescalesFrames.slice(0, 4).map((t) => num(t)).join(', ')} frames), so distances between environments are kinetic distances.${p.spectralGap ? ` Its largest eigenvalue gap (${num(p.spectralGap.gap, 2)}) follows ${p.spectralGap.processes} slow process${p.spectralGap.processes === 1 ? '' : 'es'}: ${p.spectralGap.states} metastable states.` : ''}</p>`
    : '<p class="lead">The mixture ran on the raw embeddings of every Li-frame (the paper\'s mode: no time-lagged projection).</p>');
  const c = q.comparison;
  if (c) {
    const words = { projected: 'projected (time-lagged)', paper: 'paper\'s (raw embeddings)' } as const;
    parts.push(`<h3>VAMP-2 of the projected and of the paper's states (${c.count} states, lag ${c.lagFrames} frames)</h3>
<p>Cross-validated over folds of whole Li trajectories; VAMP-2 = 1 + Σλᵢ² of the states' Koopman model, between 1 (no slow process captured) and ${c.count}. The first row is the states of this run.</p>
${tableHtml(['states', 'projection', 'VAMP-2', '± std over folds', 'VAMP-E'], c.rows.map((r) => [h(words[r.states]), h(r.method), r.vamp2.toFixed(3), r.vamp2Std.toFixed(3), r.vampE.toFixed(3)]), 'vamp-comparison')}`);
  }
  if (q.vampByCount?.length) {
    parts.push(`<h3>VAMP-2 by number of states</h3>${tableHtml(['states', 'VAMP-2', '± std over folds'], q.vampByCount.map((r) => [String(r.count), r.vamp2.toFixed(3), r.vamp2Std.toFixed(3)]))}`);
  }
  if (q.ckVerdicts?.length) {
    const mark = (v: string): string => (v === 'consistent' ? '<span class="ok">consistent</span>' : v === 'inconsistent' ? '<span class="bad">inconsistent</span>' : h(v));
    parts.push(`<h3>Chapman–Kolmogorov test, per state</h3>
<p>Whether K(τ)ᵏ stays inside the bootstrap band of K(kτ) for every tested k${q.ckConfidence !== undefined ? ` (joint confidence ${Math.round(100 * q.ckConfidence)} %)` : ''}. An inconsistent state is not Markovian at this lag: its rates and pathways are approximate.</p>
${tableHtml(['state', 'verdict'], q.ckVerdicts.map((v) => [`${swatch(v.state)}${h(stateLabel(s, v.state))}`, mark(v.verdict)]))}`);
  }
  const pc = q.pcca;
  if (pc) {
    parts.push(`<h3>Metastable sets (PCCA+)</h3>
<p>${pc.nSets} sets (${h(pc.rule)}), crispness ${num(pc.crispness, 2)}; ${pc.lumped ? 'kinetics and pathways were computed on the sets' : 'the sets at the ends of the slowest process are the default pathway source and target'}.</p>
${tableHtml(['set', 'states'], pc.sets.map((set, i) => [`M${i}`, set.map((id) => h(stateLabel(s, id))).join(', ')]))}`);
  }
  if (q.coreSets) {
    parts.push(`<h3>Core-set counting</h3><p>A Li keeps its last core state until it enters another; a core is a stay of at least ${q.coreSets.minDwellFrames} frames. ${(100 * q.coreSets.fractionInCores).toFixed(1)} % of the defined frames are in cores.</p>`);
  }
  return `<section id="kinetic-quality">${title}${parts.join('\n')}</section>`;
}

/** The rate-matrix diagnostics in plain words (issue 6: "rate-matrix diagnostics in plain words"). */
function rateMatrixWords(input: ReportInput): string {
  const k = input.kinetics;
  if (!k) return '';
  const d = k.rateMatrixDiagnostics;
  if (!k.rateMatrix) return notComputed('Rate matrix', 'no rate matrix in the kinetics results');
  if (!d) return '<p>R = ln K(τ) / τ (eq. 4); no diagnostics were recorded.</p>';
  const err = d.reconstructionError !== undefined ? ` exp(Rτ) reproduces K(τ) to ${num(d.reconstructionError)} (matrix norm).` : '';
  const msgs = d.messages?.length ? `<ul>${d.messages.map((m) => `<li>${h(m)}</li>`).join('')}</ul>` : '';
  if (d.valid) {
    return `<p><span class="ok">Valid.</span> The matrix logarithm of K(τ) is a proper rate matrix: every off-diagonal rate is non-negative and each row sums to zero. Method: ${h(d.method)}.${err}</p>${msgs}`;
  }
  return `<p><span class="bad">Not a valid rate matrix as it came.</span> The principal logarithm of K(τ) has complex or negative off-diagonal entries, which happens when the lag is short, the counts are few, or the dynamics are not Markovian at this lag. The rates shown come from: ${h(d.method)}.${err} Read individual rates as approximate; the ranking is more robust than the values.</p>${msgs}`;
}

function pathsSection(input: ReportInput, rendered: RenderedFigure[]): string {
  const p = input.paths;
  if (!p) return `<section id="pathways"><h2>Pathways</h2>${notComputed('Transition path theory', 'the paths stage has not run')}</section>`;
  const s = input.states;
  const unit = timeUnitOf(input);
  const names = (ids: number[]): string => ids.map((id) => h(stateLabel(s, id))).join(', ');
  const div = p.pathwayDiversity;
  const lead = `<p class="lead">Reactive flux from ${names(p.source)} (source) to ${names(p.target)} (target): total flux ${num(p.totalFlux)} per lag step, ` +
    `rate ${num(p.rate)} ${rateUnit(unit)}${p.mfpt !== undefined ? `, mean first passage time ${num(p.mfpt)} ${unit}` : ''}` +
    `${div ? `; pathway diversity ${num(div.effectiveNumber, 2)} effective pathways (Shannon entropy ${num(div.entropy, 2)})` : ''}.</p>`;
  const band = input.kinetics?.bootstrap?.pathwayFlux;
  const rows = p.pathways.map((w, i) => [
    String(i + 1), h(pathLabel(s, w.states)), num(w.flux), `${(100 * w.fraction).toFixed(1)} %`,
    h(`${stateLabel(s, w.bottleneck[0])} → ${stateLabel(s, w.bottleneck[1])}`),
    ...(band ? [`${num(band.lower[i])} – ${num(band.upper[i])}`] : []),
  ]);
  const labels = activeLabels(input, input.kinetics, p);
  const committors = tableHtml(['state', 'forward committor q⁺', 'backward committor q⁻'], labels.map((l, i) => [h(l), num(p.forwardCommittor[i]), num(p.backwardCommittor[i])]));
  return `<section id="pathways"><h2>Pathways</h2>${lead}
${figs(rendered, ['equilibrium-flux', 'reactive-flux', 'flux-network', 'pathways'])}
<h3>Interactive network</h3><p class="lead">Drag nodes, scroll to zoom. Edge labels: share of the total flux.</p><div id="network-cy"></div>
<h3>Pathways</h3>${p.pathways.length ? tableHtml(['#', 'pathway', 'flux', 'share', 'bottleneck', ...(band ? ['flux interval'] : [])], rows) : notComputed('Pathways', 'no pathway carries flux')}
<h3>Committors</h3>${committors}</section>`;
}

function transportSection(input: ReportInput, rendered: RenderedFigure[]): string {
  const t = input.transport;
  if (!t) return `<section id="transport"><h2>Transport</h2>${notComputed('Li transport', 'the transport stage has not run (it needs the trajectory files and the time per frame)')}</section>`;
  const iv = (d: { value: number; lower: number | null; upper: number | null } | null | undefined, unit: string): string =>
    (d ? `${num(d.value)} [${d.lower === null ? '−∞' : num(d.lower)}, ${d.upper === null ? '∞' : num(d.upper)}] ${unit}` : 'not computed');
  const c = t.perState?.mobilityCheck;
  const rows = [
    ['tracer D* (95 %)', iv(t.tracerDiffusion, 'Å²/ps')],
    ['charge D_σ', iv(t.chargeDiffusion, 'Å²/ps')],
    ['Haven ratio', iv(t.havenRatio, '')],
    ['Nernst–Einstein σ', t.conductivity ? `${iv(t.conductivity, 'S/cm')} at ${num(t.temperatureK)} K` : 'needs a temperature (--temperature)'],
    ['per-state D vs kinetic mobility (Spearman ρ)', c ? `${num(c.rho)} over ${c.n} states${c.pValue === null ? '' : `, one-sided permutation p = ${num(c.pValue)}`}` : 'not computed'],
  ].map(([a, b]) => [h(a), h(b)]);
  return `<section id="transport"><h2>Transport</h2>
<p class="lead">The transport numbers battery-MD papers report, from the unwrapped Li trajectories (RUN/transport.json, transport-*.csv): an independent check of the state kinetics. If the states' mobility is real, Li diffuse faster while resident in the more mobile states (ρ near 1).</p>
${tableHtml(['quantity', 'value'], rows)}
${figs(rendered, ['transport-msd', 'transport-profile', 'transport-states'])}</section>`;
}

function diagnosticsSection(input: ReportInput, rendered: RenderedFigure[], warnings: string[]): string {
  const k = input.kinetics;
  const parts: string[] = [];
  if (k) {
    const ck = ckMaxError(k);
    if (ck !== undefined) parts.push(`<p>Largest deviation between K(τ)ᵏ and K(kτ): ${num(ck)} in transition probability.</p>`);
    const b = k.bootstrap;
    parts.push(b
      ? `<p>Bootstrap: ${b.samples} resamples of the Li trajectories; intervals at ${Math.round(100 * b.level)} %${b.rate ? `; rate ${num(b.rate.lower)} – ${num(b.rate.upper)} ${rateUnit(k.timeUnit)}` : ''}${b.totalFlux ? `; total flux ${num(b.totalFlux.lower)} – ${num(b.totalFlux.upper)}` : ''}.</p>`
      : notComputed('Bootstrap error bars', 'no bootstrap was run'));
  }
  const list = warnings.length ? `<ul>${warnings.map((w) => `<li>${h(w)}</li>`).join('')}</ul>` : '<p class="ok">No warnings.</p>';
  return `<section id="diagnostics"><h2>Diagnostics</h2>${figs(rendered, ['ck-test'])}${parts.join('')}<h3>Warnings</h3>${list}</section>`;
}

function provenanceSection(input: ReportInput): string {
  const p = input.provenance;
  if (!p) return `<section id="provenance"><h2>Provenance</h2>${notComputed('Provenance', 'no manifest.json in the run folder')}</section>`;
  const facts: string[][] = [];
  if (p.runFolder) facts.push(['run folder', h(p.runFolder)]);
  if (p.getsei) facts.push(['getsei', h(p.getsei)]);
  if (p.node) facts.push(['Node.js', h(p.node)]);
  if (p.created) facts.push(['created', h(p.created)]);
  if (p.command) facts.push(['command', `<code>${h(p.command)}</code>`]);
  if (p.seeds) facts.push(['seeds', h(Object.entries(p.seeds).map(([k, v]) => `${k} ${v}`).join(', '))]);
  const inputs = p.inputs?.length
    ? tableHtml(['input file', 'bytes', 'sha256'], p.inputs.map((f) => [h(f.path), String(f.bytes), `<code>${h(f.sha256)}</code>`]))
    : notComputed('Input files', 'not recorded');
  // the report stage is still running while it renders this page: it cannot time itself, so it is not listed
  const stageTimes = (p.timings ?? []).filter((t) => !(t.stage === 'report' && t.status === 'running'));
  const timings = stageTimes.length
    ? tableHtml(['stage', 'seconds', 'status'], stageTimes.map((t) => [h(t.stage), num(t.seconds), h(t.status ?? '')]))
    : '';
  const config = p.config === undefined ? '' : `<h3>Configuration</h3><pre>${h(JSON.stringify(p.config, null, 2))}</pre>`;
  return `<section id="provenance"><h2>Provenance</h2>${tableHtml(['', ''], facts)}<h3>Inputs</h3>${inputs}${timings ? `<h3>Timings</h3>${timings}` : ''}${config}</section>`;
}

/** Data for the page script: representatives, the frame and the network (only what the 3-D and network views need). */
function pageData(input: ReportInput): unknown {
  const s = input.states;
  const p = input.paths;
  const ids = s ? Array.from({ length: s.count }, (_, i) => i) : (input.kinetics?.activeSet ?? []);
  let network: unknown;
  if (p) {
    const netIds = p.activeSet ?? input.kinetics?.activeSet ?? p.forwardCommittor.map((_, i) => i);
    const labels = netIds.map((id) => stateLabel(s, id));
    const places = networkLayout({ labels, ids: netIds, source: p.source, target: p.target, netFlux: p.netFlux, forwardCommittor: p.forwardCommittor, title: '' });
    let max = 0;
    for (const row of p.netFlux) for (const f of row) if (Number.isFinite(f)) max = Math.max(max, f);
    const edges: { from: number; to: number; width: number; label: string }[] = [];
    p.netFlux.forEach((row, i) => row.forEach((f, j) => {
      if (i !== j && f > 0 && max > 0 && f >= 0.01 * max) {
        edges.push({ from: i, to: j, width: 1 + 9 * (f / max), label: p.totalFlux > 0 ? `${(100 * f / p.totalFlux).toFixed(0)} %` : '' });
      }
    }));
    network = {
      nodes: places.map((pl) => ({ index: pl.index, x: pl.x, y: pl.y, label: labels[pl.index], q: fmt(p.forwardCommittor[pl.index], 2), color: ROLE_COLORS[pl.role] })),
      edges,
    };
  }
  return {
    representatives: (s?.representatives ?? []).map((r) => ({ state: r.state, xyz: r.xyz, centerIndex: r.centerIndex ?? 0, note: r.note ?? '' })),
    frame: input.frameView ? { xyz: input.frameView.xyz, stateByAtom: input.frameView.stateByAtom, colors: Object.fromEntries(ids.map((id) => [id, stateColor(id)])), elementColors: ELEMENT_COLORS } : null,
    network,
  };
}

export function reportHtml(input: ReportInput, rendered: RenderedFigure[]): string {
  const warnings = reportWarnings(input).map((w) => w.message);
  const prov = input.provenance;
  const subtitle = [
    prov?.runFolder ? `run ${prov.runFolder}` : undefined,
    prov?.created ? `created ${prov.created}` : undefined,
    prov?.getsei ? `getsei ${prov.getsei}` : undefined,
  ].filter(Boolean).join(' · ');
  const body = [
    warningsBlock(warnings),
    metricsSection(input),
    statesSection(input, rendered),
    kineticsSection(input, rendered),
    kineticQualitySection(input),
    pathsSection(input, rendered),
    transportSection(input, rendered),
    diagnosticsSection(input, rendered, warnings),
    provenanceSection(input),
  ].join('\n');
  return page({
    title: input.title ? `GET-SEI report: ${input.title}` : 'GET-SEI report',
    subtitle,
    nav: [['summary', 'Summary'], ['states', 'States'], ['kinetics', 'Kinetics'], ['kinetic-quality', 'Kinetic quality'], ['pathways', 'Pathways'], ['transport', 'Transport'], ['diagnostics', 'Diagnostics'], ['provenance', 'Provenance']],
    body,
    data: pageData(input),
  });
}
