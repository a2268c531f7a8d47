/**
 * `getsei compare` over runs at several temperatures: Arrhenius fits of the tracer D* (weighted by its intervals)
 * and of the mean state-escape rate k̄ = Σᵢ πᵢ kᵢ (unweighted: the report has no interval for k̄). Runs without a
 * temperature in transport.json are left out and named.
 */
import { arrheniusFit, BOLTZMANN_EV_PER_K, type ArrheniusFit, type ArrheniusPoint } from '../transport/arrhenius.ts';
import { fmt, totalEscapeRates } from './derive.ts';
import { missing, spec, type FigurePlan } from './figures.ts';
import type { ReportInput } from './types.ts';

export interface ArrheniusSeries {
  readonly quantity: 'tracer D*' | 'mean escape rate';
  readonly unit: string;
  readonly points: (ArrheniusPoint & { run: string })[];
  readonly fit: ArrheniusFit | null;
  /** why there is no fit */
  readonly why?: string;
}

function series(quantity: ArrheniusSeries['quantity'], unit: string, points: (ArrheniusPoint & { run: string })[]): ArrheniusSeries {
  if (new Set(points.map((p) => p.temperatureK)).size < 2) {
    return { quantity, unit, points, fit: null, why: `needs runs at two or more temperatures (${points.length} run(s) with a temperature)` };
  }
  try {
    return { quantity, unit, points, fit: arrheniusFit(points) };
  } catch (err) {
    return { quantity, unit, points, fit: null, why: (err as Error).message };
  }
}

/** The points and fits of every run with a temperature. */
export function arrheniusSeries(runs: readonly { name: string; input: ReportInput }[]): ArrheniusSeries[] {
  const d: (ArrheniusPoint & { run: string })[] = [];
  const k: (ArrheniusPoint & { run: string })[] = [];
  for (const { name, input } of runs) {
    const t = input.transport;
    const T = t?.temperatureK;
    if (!t || !T) continue;
    d.push({ run: name, temperatureK: T, value: t.tracerDiffusion.value, lower: t.tracerDiffusion.lower, upper: t.tracerDiffusion.upper });
    const kin = input.kinetics;
    const esc = kin ? totalEscapeRates(kin) : undefined;
    if (kin && esc && kin.timeUnit === 'ps') k.push({ run: name, temperatureK: T, value: esc.reduce((a, e, i) => a + (kin.stationary[i] ?? 0) * e, 0) });
  }
  return [series('tracer D*', 'Å²/ps', d), series('mean escape rate', 'ps⁻¹', k)];
}

/** E_a in words, e.g. "0.31 ± 0.04 eV (95 % [0.23, 0.39], 3 runs)". */
export function activationEnergyText(s: ArrheniusSeries): string {
  const f = s.fit;
  if (!f) return `not computed: ${s.why ?? 'no fit'}`;
  const se = Number.isFinite(f.standardErrorEv) ? ` ± ${fmt(f.standardErrorEv)}` : '';
  const ci = Number.isFinite(f.standardErrorEv) ? ` (95 % [${fmt(f.lowerEv)}, ${fmt(f.upperEv)}]` : ' (no uncertainty from two unweighted points';
  return `${fmt(f.activationEnergyEv)}${se} eV${ci}, ${f.n} runs${f.reducedChiSquare === null ? '' : `, reduced χ² ${fmt(f.reducedChiSquare)}`})`;
}

export function arrheniusFigure(all: ArrheniusSeries[]): FigurePlan {
  const name = 'compare-arrhenius';
  const title = 'Arrhenius plot';
  const s = all[0];
  if (!s.fit) return missing(name, title, 'transport', `the Arrhenius fit of D* ${s.why ?? ''}`);
  const f = s.fit;
  const values = s.points.map((p) => ({
    run: p.run, x: 1000 / p.temperatureK, y: Math.log10(p.value),
    lo: Math.log10(p.lower && p.lower > 0 ? p.lower : p.value), hi: Math.log10(p.upper && p.upper > 0 ? p.upper : p.value),
  }));
  const xs = values.map((v) => v.x);
  const line = [Math.min(...xs), Math.max(...xs)].map((x) => ({ x, y: Math.log10(f.prefactor) - (f.activationEnergyEv / BOLTZMANN_EV_PER_K) * (x / 1000) / Math.LN10 }));
  return {
    name, title, section: 'transport',
    caption: `log₁₀ D* against 1000/T, one point per run with its 95 % interval; line: the weighted Arrhenius fit, E_a = ${activationEnergyText(s)}.`,
    spec: spec({
      title: `Arrhenius: E_a = ${fmt(f.activationEnergyEv)} eV`, width: 380, height: 260,
      layer: [
        { data: { values: line }, mark: { type: 'line', color: '#e15759', strokeDash: [5, 3] }, encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } } },
        { data: { values }, mark: { type: 'rule' }, encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } } },
        {
          data: { values }, mark: { type: 'point', filled: true, size: 60 },
          encoding: {
            x: { field: 'x', type: 'quantitative', title: '1000 / T (1/K)', scale: { zero: false } },
            y: { field: 'y', type: 'quantitative', title: 'log₁₀ D* (Å²/ps)', scale: { zero: false } },
            color: { field: 'run', type: 'nominal', title: 'run' },
          },
        },
      ],
    }),
  };
}
