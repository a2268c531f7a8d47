/**
 * Small quantities the report derives from the results it is given (labels, escape rates from R, correlations,
 * metrics, warnings). No estimation happens here: everything is read off the stage results.
 */
import type { KineticsPart, PathsPart, ReportInput, StatesPart, TimeUnit } from './types.ts';
import type { StageWarning, WarningCode } from '../util/warnings.ts';

/** The silhouette below which the paper's own rule calls a classification unreasonable (issue 7: s > 0.25). */
export const SILHOUETTE_WARNING = 0.25;
/** Mean adjusted Rand index between repeats below which the states are called unstable (issue 7). */
export const STABILITY_ARI_WARNING = 0.8;
/** Largest |K(τ)ᵏ − K(kτ)| entry above which the Chapman–Kolmogorov test is reported as failing. */
export const CK_ERROR_WARNING = 0.1;

export function stateLabel(states: StatesPart | undefined, id: number): string {
  return states?.labels?.[id] ?? `S${id}`;
}

/** Every state id the report knows of, in order: from state discovery, else from the kinetics' active set. */
export function allStateIds(input: ReportInput): number[] {
  if (input.states) return Array.from({ length: input.states.count }, (_, i) => i);
  const set = input.kinetics?.activeSet ?? input.paths?.activeSet ?? [];
  return [...set].sort((a, b) => a - b);
}

export function activeSetOf(input: ReportInput): number[] | undefined {
  return input.paths?.activeSet ?? input.kinetics?.activeSet;
}

export function timeUnitOf(input: ReportInput): TimeUnit {
  return input.paths?.timeUnit ?? input.kinetics?.timeUnit ?? 'frames';
}

/** "ps" or "frames" written for axis titles: rates are "ps⁻¹" / "frame⁻¹". */
export function rateUnit(unit: TimeUnit): string {
  return unit === 'ps' ? 'ps⁻¹' : 'frame⁻¹';
}

/** Off-diagonal part of R: the escape-rate matrix of Fig. 3b (diagonal set to null: not a rate to another state). */
export function escapeRateMatrix(k: KineticsPart): (number | null)[][] | undefined {
  if (!k.rateMatrix) return undefined;
  return k.rateMatrix.map((row, i) => row.map((v, j) => (i === j ? null : v)));
}

/** Total escape rate per active state: given, or −Rᵢᵢ. */
export function totalEscapeRates(k: KineticsPart): number[] | undefined {
  if (k.escapeRates) return k.escapeRates;
  if (k.rateMatrix) return k.rateMatrix.map((row, i) => -row[i]);
  return undefined;
}

/** Implied timescales at the chosen lag: given, or the scan's row at the lag nearest to it. */
export function timescalesAtLag(k: KineticsPart): number[] | undefined {
  if (k.impliedTimescales) return k.impliedTimescales;
  const scan = k.impliedTimescalesScan;
  if (!scan || scan.lags.length === 0) return undefined;
  let best = 0;
  for (let i = 1; i < scan.lags.length; i++) {
    if (Math.abs(scan.lags[i] - k.lag) < Math.abs(scan.lags[best] - k.lag)) best = i;
  }
  return scan.timescales[best].filter((t): t is number => t !== null && Number.isFinite(t));
}

/** Processes slower than the lag (tᵢ > τ): the paper's "dominant dynamical processes" (Fig. 3a). */
export function slowProcessCount(k: KineticsPart): number | undefined {
  const t = timescalesAtLag(k);
  return t === undefined ? undefined : t.filter((x) => x > k.lag).length;
}

/** Mobility ranking as state ids, most mobile first: given, or sorted by mobility (or total escape rate). */
export function mobilityRanking(k: KineticsPart): number[] | undefined {
  if (k.mobilityRanking) return k.mobilityRanking;
  const score = k.mobility ?? totalEscapeRates(k);
  if (!score) return undefined;
  return k.activeSet.map((id, i) => ({ id, s: score[i] })).sort((a, b) => b.s - a.s).map((e) => e.id);
}

/** Pearson correlation; undefined when fewer than 3 points or either side has no variance. */
export function pearson(x: readonly number[], y: readonly number[]): number | undefined {
  const n = x.length;
  if (n !== y.length || n < 3) return undefined;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx;
    const dy = y[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (!(sxx > 0) || !(syy > 0)) return undefined;
  return sxy / Math.sqrt(sxx * syy);
}

export interface FeatureCorrelation {
  feature: string;
  /** Pearson r across the active states between the feature and the total escape rate */
  r: number;
  /** number of states in the correlation */
  n: number;
}

/** The per-state features of the Li graphs that Fig. 3d correlates with escape rates, by display name. */
export function stateFeatures(states: StatesPart): { name: string; values: number[] }[] {
  const d = states.descriptors;
  if (!d) return [];
  const out: { name: string; values: number[] }[] = d.elements.map((el, e) => ({
    name: `${el} neighbours (< ${d.shellAngstrom} Å)`,
    values: d.coordination.map((row) => row[e]),
  }));
  const optional: [string, number[] | undefined][] = [
    [`Li density (${d.liDensityUnit ?? 'Li within shell'})`, d.liDensity],
    ['mean neighbour distance (Å)', d.meanNeighbourDistanceAngstrom],
    ['mean angle (°)', d.angleMeanDeg],
    ['angle std (°)', d.angleStdDeg],
    ['angle median (°)', d.angleMedianDeg],
    ['mean z (fraction of c)', d.meanZFraction],
  ];
  for (const [name, values] of optional) if (values) out.push({ name, values });
  return out;
}

/**
 * Fig. 3d: Pearson r between each per-state graph feature and the total escape rate, over the states of the active
 * set (features are indexed by state id, escape rates by active-set position).
 */
export function escapeRateCorrelations(input: ReportInput): FeatureCorrelation[] | undefined {
  const k = input.kinetics;
  const s = input.states;
  if (!k || !s?.descriptors) return undefined;
  const rates = totalEscapeRates(k);
  if (!rates) return undefined;
  const out: FeatureCorrelation[] = [];
  for (const f of stateFeatures(s)) {
    const xs: number[] = [];
    const ys: number[] = [];
    k.activeSet.forEach((id, i) => {
      const v = f.values[id];
      if (Number.isFinite(v) && Number.isFinite(rates[i])) {
        xs.push(v);
        ys.push(rates[i]);
      }
    });
    const r = pearson(xs, ys);
    if (r !== undefined) out.push({ feature: f.name, r, n: xs.length });
  }
  return out;
}

/** Largest entry-wise |K(τ)ᵏ − K(kτ)| over all k of the Chapman–Kolmogorov test. */
export function ckMaxError(k: KineticsPart): number | undefined {
  const ck = k.ckTest;
  if (!ck) return undefined;
  let worst = 0;
  ck.predicted.forEach((m, s) => m.forEach((row, i) => row.forEach((v, j) => {
    worst = Math.max(worst, Math.abs(v - ck.estimated[s][i][j]));
  })));
  return worst;
}

export function pathLabel(states: StatesPart | undefined, path: readonly number[]): string {
  return path.map((id) => stateLabel(states, id)).join(' → ');
}

/** Format a number for tables and labels: 3 significant digits, scientific when very small or large. */
export function fmt(x: number | undefined | null, digits = 3): string {
  if (x === undefined || x === null || !Number.isFinite(x)) return '—';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a < 1e-3 || a >= 1e5) return x.toExponential(digits - 1);
  return Number(x.toPrecision(digits)).toString();
}

export interface Metric {
  key: string;
  label: string;
  /** human-readable value */
  text: string;
  /** the value for CSV */
  value: number | string | undefined;
}

/** The metrics table the paper compares systems by (Figs. 5–6): one row per metric. */
export function metrics(input: ReportInput): Metric[] {
  const s = input.states;
  const k = input.kinetics;
  const p = input.paths;
  const unit = timeUnitOf(input);
  const out: Metric[] = [];
  const add = (key: string, label: string, value: number | string | undefined, text?: string): void => {
    out.push({ key, label, value, text: text ?? (typeof value === 'number' ? fmt(value) : (value ?? 'not computed')) });
  };
  add('states', 'number of states', s?.count);
  add('silhouette', 'silhouette score', s?.silhouette?.overall);
  add('stabilityAri', 'stability (mean ARI between repeats)', input.stability?.meanAri);
  add('lag', `lag time τ (${unit})`, k?.lag);
  add('slowProcesses', 'slow processes (tᵢ > τ)', k ? slowProcessCount(k) : undefined);
  const t = k ? timescalesAtLag(k) : undefined;
  add('slowestTimescale', `slowest implied timescale (${unit})`, t?.[0]);
  const ranking = k ? mobilityRanking(k) : undefined;
  add('mobilityRanking', 'mobility ranking (most → least mobile)', ranking?.map((id) => stateLabel(s, id)).join(' > '));
  if (p) {
    add('sourceTarget', 'source → target', `${p.source.map((id) => stateLabel(s, id)).join(',')} → ${p.target.map((id) => stateLabel(s, id)).join(',')}`);
  } else add('sourceTarget', 'source → target', undefined);
  add('totalFlux', 'total reactive flux (per lag step)', p?.totalFlux);
  add('rate', `rate A → B (${rateUnit(unit)})`, p?.rate);
  add('mfpt', `mean first passage time A → B (${unit})`, p?.mfpt);
  add('pathwayDiversity', 'pathway diversity (effective number of pathways)', p?.pathwayDiversity?.effectiveNumber);
  add('pathwayEntropy', 'pathway entropy (nats)', p?.pathwayDiversity?.entropy);
  const lead = p?.pathways[0];
  add('leadingPathway', 'leading pathway (share)', lead ? `${pathLabel(s, lead.states)} (${(100 * lead.fraction).toFixed(1)} %)` : undefined);
  const tr = input.transport;
  add('tracerDiffusion', 'tracer D* of Li (Å²/ps)', tr?.tracerDiffusion.value);
  add('temperature', 'temperature (K)', tr?.temperatureK ?? undefined);
  return out;
}

/**
 * Warnings the report derives from the results: what a reader must not miss before trusting the figures. One whose
 * code a stage already gave (input.warnings, e.g. the states stage's weak-separation warning) is not repeated.
 */
export function deriveWarnings(input: ReportInput): StageWarning[] {
  const given = new Set((input.warnings ?? []).map((g) => g.code));
  const out: StageWarning[] = [];
  const w = { push: (code: WarningCode, message: string): void => { if (!given.has(code)) out.push({ code, message }); } };
  const s = input.states;
  if (s?.silhouette) {
    if (s.silhouette.overall < SILHOUETTE_WARNING) {
      w.push('weak-separation', `The states are weakly separated: silhouette ${fmt(s.silhouette.overall)} is below ${SILHOUETTE_WARNING} (the paper's interfaces: 0.29–0.33). Treat state-resolved conclusions with caution.`);
    }
    const negative = (s.silhouette.perState ?? []).map((v, i) => ({ v, i })).filter((e) => e.v < 0);
    if (negative.length > 0) {
      w.push('negative-silhouette', `State(s) ${negative.map((e) => `${stateLabel(s, e.i)} (${fmt(e.v)})`).join(', ')} have a negative silhouette: their members are on average closer to another state.`);
    }
  }
  const k = input.kinetics;
  if (k) {
    const d = k.rateMatrixDiagnostics;
    if (d && !d.valid) {
      w.push('rate-matrix', `The matrix logarithm of K(τ) is not a valid rate matrix; the rates shown come from: ${d.method}` +
        `${d.reconstructionError !== undefined ? ` (‖exp(Rτ) − K‖ = ${fmt(d.reconstructionError)})` : ''}.`);
    }
    if (s) {
      const active = new Set(k.activeSet);
      const outside = Array.from({ length: s.count }, (_, i) => i).filter((i) => !active.has(i));
      if (outside.length > 0) {
        w.push('outside-active-set', `State(s) ${outside.map((i) => stateLabel(s, i)).join(', ')} are outside the largest connected set and are left out of the kinetics and pathways.`);
      }
    }
    const ck = ckMaxError(k);
    if (ck !== undefined && ck > CK_ERROR_WARNING) {
      w.push('ck-deviation', `The Chapman–Kolmogorov test deviates by up to ${fmt(ck)} in transition probability: the model may not be Markovian at this lag.`);
    }
  }
  const st = input.stability;
  if (st) {
    if (st.meanAri < STABILITY_ARI_WARNING) {
      w.push('not-reproducible', `The states are not stable: repeated state discovery agrees at a mean adjusted Rand index of only ${fmt(st.meanAri)} (< ${STABILITY_ARI_WARNING}).`);
    }
    if (st.unstableStates && st.unstableStates.length > 0) {
      w.push('unstable-states', `Unstable state(s) between repeats: ${st.unstableStates.map((i) => stateLabel(s, i)).join(', ')}.`);
    }
    const failing = (st.conclusions ?? []).filter((c) => !c.holds);
    if (failing.length > 0) w.push('conclusion-not-robust', `Does not hold in every repeat of state discovery: ${failing.map((c) => c.claim + (c.detail ? ` (${c.detail})` : '')).join('; ')}.`);
  }
  return out;
}

/** Every warning of a report, the stages' first: what the page and the comparison list. */
export function reportWarnings(input: ReportInput): StageWarning[] {
  return [...(input.warnings ?? []), ...deriveWarnings(input)];
}

/** Labels of the active set positions (row/column labels of every kinetics and paths matrix). */
export function activeLabels(input: ReportInput, k?: KineticsPart, p?: PathsPart): string[] {
  const set = p?.activeSet ?? k?.activeSet ?? activeSetOf(input) ?? [];
  return set.map((id) => stateLabel(input.states, id));
}
