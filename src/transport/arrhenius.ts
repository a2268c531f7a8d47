/** Boltzmann constant in eV/K (CODATA 2018, exact). */
export const BOLTZMANN_EV_PER_K = 8.617333262e-5;

/** One run's rate-like quantity at one temperature, with an optional 95 % interval (positive bounds). */
export interface ArrheniusPoint {
  readonly temperatureK: number;
  readonly value: number;
  readonly lower?: number | null;
  readonly upper?: number | null;
}

export interface ArrheniusFit {
  /** E_a (eV) and its standard error */
  readonly activationEnergyEv: number;
  readonly standardErrorEv: number;
  /** E_a ± 1.96 SE */
  readonly lowerEv: number;
  readonly upperEv: number;
  /** prefactor: value at 1/T → 0, in the unit of the values */
  readonly prefactor: number;
  readonly n: number;
  /** χ² / (n − 2) of the weighted fit (null with two points or no weights) */
  readonly reducedChiSquare: number | null;
  readonly weighting: 'interval' | 'none';
}

/**
 * Arrhenius fit ln X = ln X₀ − E_a / (k_B T) by weighted least squares in 1/T. When every point has a positive
 * interval, σ(ln X) = (ln upper − ln lower) / (2 · 1.96) and the weights are 1/σ²; the standard error of E_a is
 * then the one the intervals imply, SE = k_B / √(Σ w (x − x̄_w)²), not scaled by the scatter (the reduced χ² says
 * whether the points scatter more than their intervals). Without intervals for every point: ordinary least squares
 * with the residual standard error (needs ≥ 3 points; two points give SE = NaN).
 */
export function arrheniusFit(points: readonly ArrheniusPoint[]): ArrheniusFit {
  if (points.length < 2) throw new RangeError(`an Arrhenius fit needs at least two temperatures, got ${points.length}`);
  for (const p of points) {
    if (!(p.temperatureK > 0) || !(p.value > 0)) throw new RangeError(`an Arrhenius fit needs positive temperatures and values (got ${p.value} at ${p.temperatureK} K)`);
  }
  if (new Set(points.map((p) => p.temperatureK)).size < 2) throw new RangeError('an Arrhenius fit needs at least two different temperatures');
  const x = points.map((p) => 1 / p.temperatureK);
  const y = points.map((p) => Math.log(p.value));
  const weighted = points.every((p) => p.lower !== undefined && p.lower !== null && p.upper !== undefined && p.upper !== null && p.lower > 0 && p.upper > p.lower);
  const w = weighted ? points.map((p) => ((2 * 1.959963985) / Math.log((p.upper as number) / (p.lower as number))) ** 2) : points.map(() => 1);
  const sw = w.reduce((a, b) => a + b, 0);
  const mx = x.reduce((a, v, i) => a + w[i] * v, 0) / sw, my = y.reduce((a, v, i) => a + w[i] * v, 0) / sw;
  let sxx = 0, sxy = 0;
  for (let i = 0; i < x.length; i++) { sxx += w[i] * (x[i] - mx) ** 2; sxy += w[i] * (x[i] - mx) * (y[i] - my); }
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  let chi2 = 0;
  for (let i = 0; i < x.length; i++) chi2 += w[i] * (y[i] - intercept - slope * x[i]) ** 2;
  const dof = points.length - 2;
  const slopeSe = weighted ? Math.sqrt(1 / sxx) : dof > 0 ? Math.sqrt(chi2 / dof / sxx) : Number.NaN;
  const ea = -slope * BOLTZMANN_EV_PER_K, se = slopeSe * BOLTZMANN_EV_PER_K;
  return {
    activationEnergyEv: ea, standardErrorEv: se, lowerEv: ea - 1.959963985 * se, upperEv: ea + 1.959963985 * se,
    prefactor: Math.exp(intercept), n: points.length,
    reducedChiSquare: weighted && dof > 0 ? chi2 / dof : null, weighting: weighted ? 'interval' : 'none',
  };
}
