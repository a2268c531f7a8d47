/**
 * The transport figures (RUN/transport.json, docs/transport.md): the Li MSD with its fit window and D* band, the
 * D(z) profile and per-state D and residence times; and, for `getsei compare`, the Arrhenius plot.
 */
import { fmt, stateLabel } from './derive.ts';
import { missing, spec, type FigurePlan } from './figures.ts';
import { stateColor } from './style.ts';
import type { Interval, ReportInput } from './types.ts';

const band = (d: Interval): string => `${fmt(d.value)} [${d.lower === null ? '−∞' : fmt(d.lower)}, ${d.upper === null ? '∞' : fmt(d.upper)}]`;

export function transportMsdFigure(input: ReportInput): FigurePlan {
  const name = 'transport-msd';
  const title = 'Li mean-squared displacement';
  const t = input.transport;
  if (!t) return missing(name, title, 'transport', 'the transport stage has not run (it needs the trajectory files and the time per frame)');
  const d = t.tracerDiffusion;
  const msd = t.msd.timePs.map((time, i) => ({ t: time, msd: t.msd.li[i] }));
  const layers: Record<string, unknown>[] = [
    {
      data: { values: [{ a: t.fitWindow.startPs, b: t.fitWindow.endPs }] },
      mark: { type: 'rect', color: '#e8e8e8' }, encoding: { x: { field: 'a', type: 'quantitative' }, x2: { field: 'b' } },
    },
  ];
  const fit = t.tracerFit;
  if (fit) {
    // the fitted line and the lines of the interval's slopes, all through the fit's mean point
    const line = (slope: number, time: number): number => fit.meanMsdA2 + 6 * slope * (time - fit.meanTimePs);
    const lo = d.lower ?? d.value, hi = d.upper ?? d.value;
    const fitted = t.msd.timePs.filter((time) => time >= t.fitWindow.startPs && time <= t.fitWindow.endPs)
      .map((time) => ({ t: time, y: line(d.value, time), y0: Math.min(line(lo, time), line(hi, time)), y1: Math.max(line(lo, time), line(hi, time)) }));
    layers.push(
      { data: { values: fitted }, mark: { type: 'area', color: '#f28e2b', opacity: 0.3 }, encoding: { x: { field: 't', type: 'quantitative' }, y: { field: 'y0', type: 'quantitative' }, y2: { field: 'y1' } } },
      { data: { values: fitted }, mark: { type: 'line', color: '#e15759', strokeDash: [5, 3] }, encoding: { x: { field: 't', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } } },
    );
  }
  layers.push({
    data: { values: msd }, mark: { type: 'line', color: '#4e79a7' },
    encoding: { x: { field: 't', type: 'quantitative', title: 'lag time τ (ps)' }, y: { field: 'msd', type: 'quantitative', title: 'MSD (Å²)' } },
  });
  return {
    name, title, section: 'transport',
    caption: `Tracer MSD of Li over every time origin (blue). Grey: the fit window ${fmt(t.fitWindow.startPs)}–${fmt(t.fitWindow.endPs)} ps; red dashed: the fit MSD = 6 D* τ + c, D* = ${band(d)} Å²/ps${fit ? '; orange: the lines of the interval\'s slopes' : ''}.`,
    spec: spec({ title: `Li MSD; D* = ${band(d)} Å²/ps`, width: 420, height: 260, layer: layers }),
  };
}

export function transportProfileFigure(input: ReportInput): FigurePlan {
  const name = 'transport-profile';
  const title = 'D(z) profile';
  const p = input.transport?.profile;
  if (!p) return missing(name, title, 'transport', input.transport ? 'the D(z) profile was turned off (transport.profileBins = 0)' : 'the transport stage has not run');
  const values = p.zCentresAngstrom.flatMap((z, b) => {
    const d = p.diffusion[b];
    return d ? [{ z, d: d.value, lo: d.lower ?? d.value, hi: d.upper ?? d.value, samples: p.samples[b] }] : [];
  });
  if (values.length === 0) return missing(name, title, 'transport', 'no slab had displacements at every lag of the fit window');
  const star = input.transport?.tracerDiffusion.value;
  const x = { field: 'z', type: 'quantitative', title: `z along ${p.axis} (Å)` };
  const layers: Record<string, unknown>[] = [
    { data: { values }, mark: { type: 'rule' }, encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } } },
    { data: { values }, mark: { type: 'point', filled: true, size: 50 }, encoding: { x, y: { field: 'd', type: 'quantitative', title: 'D (Å²/ps)' }, tooltip: [{ field: 'z', format: '.2f' }, { field: 'd', format: '.3g' }, { field: 'samples' }] } },
  ];
  // a horizontal line across the plot: no x encoding
  if (star !== undefined) layers.push({ data: { values: [{ star }] }, mark: { type: 'rule', strokeDash: [4, 3], color: 'grey' }, encoding: { y: { field: 'star', type: 'quantitative' } } });
  return {
    name, title, section: 'transport',
    caption: `D per slab of ${fmt(p.binAngstrom)} Å along the cell's ${p.axis} axis: slope/6 of the MSD of the Li displacements that start in the slab, with 95 % bootstrap intervals over Li. Grey dashed: the whole-cell D* (fitted over longer lags).`,
    spec: spec({
      title: 'D(z) along the interface normal', width: 420, height: 240, layer: layers,
    }),
  };
}

export function transportStatesFigure(input: ReportInput): FigurePlan {
  const name = 'transport-states';
  const title = 'Per-state D and residence times';
  const s = input.transport?.perState;
  if (!s) return missing(name, title, 'transport', input.transport ? 'no states when the transport stage ran (it runs after the states and kinetics stages)' : 'the transport stage has not run');
  const rows = s.residence.map((r, id) => {
    const d = s.diffusion[id];
    return { state: stateLabel(input.states, id), id, d: d?.value ?? null, lo: d?.lower ?? d?.value ?? null, hi: d?.upper ?? d?.value ?? null, mean: r.meanPs, perExit: r.timePerExitPs };
  });
  const order = rows.map((r) => r.state);
  const color = { field: 'state', type: 'nominal', legend: null, scale: { domain: order, range: rows.map((r) => stateColor(r.id)) } };
  const y = { field: 'state', type: 'nominal', sort: order, title: null };
  const c = s.mobilityCheck;
  return {
    name, title, section: 'transport',
    caption: `Left: D of Li while they stay in the state (slope/6 of their MSD over lags ${fmt(s.fitWindow.startPs)}–${fmt(s.fitWindow.endPs)} ps, 95 % bootstrap over residences). Right: mean length of the complete residences (bars) and the time in the state per exit (points). ${c ? `Spearman ρ between per-state D and the kinetic mobility: ${fmt(c.rho)} over ${c.n} states${c.pValue === null ? '' : ` (one-sided permutation p = ${fmt(c.pValue)})`}.` : 'The rank check against the kinetic mobility needs kinetics.json.'}`,
    spec: spec({
      hconcat: [
        {
          width: 240, height: { step: 26 }, data: { values: rows.filter((r) => r.d !== null) }, encoding: { y },
          layer: [
            { mark: 'bar', encoding: { x: { field: 'd', type: 'quantitative', title: 'D while resident (Å²/ps)' }, color } },
            { mark: { type: 'rule', color: 'black' }, encoding: { x: { field: 'lo', type: 'quantitative' }, x2: { field: 'hi' } } },
          ],
        },
        {
          width: 240, height: { step: 26 }, data: { values: rows.filter((r) => r.mean !== null || r.perExit !== null) }, encoding: { y },
          layer: [
            { mark: 'bar', encoding: { x: { field: 'mean', type: 'quantitative', title: 'residence time (ps)' }, color } },
            { mark: { type: 'point', filled: true, color: 'black' }, encoding: { x: { field: 'perExit', type: 'quantitative' } } },
          ],
        },
      ],
    }),
  };
}

export function transportFigures(input: ReportInput): FigurePlan[] {
  return [transportMsdFigure(input), transportProfileFigure(input), transportStatesFigure(input)];
}
