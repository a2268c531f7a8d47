import { createRng } from '../util/rng.ts';
import type { MsdResult } from './msd.ts';

/** 1 Å²/ps = 1e-16 cm² / 1e-12 s. */
export const CM2_PER_S_PER_A2_PER_PS = 1e-4;
const ELEMENTARY_CHARGE_C = 1.602176634e-19;
const BOLTZMANN_J_PER_K = 1.380649e-23;

/** A value with a central confidence interval. */
export interface Estimate {
  readonly value: number;
  readonly lower: number;
  readonly upper: number;
  readonly unit: string;
}

/** A diffusion coefficient in Å²/ps with its interval, also in cm²/s. */
export interface DiffusionEstimate extends Estimate {
  readonly unit: 'A2/ps';
  readonly cm2PerS: { readonly value: number; readonly lower: number; readonly upper: number };
  /** bootstrap standard deviation (Å²/ps) */
  readonly standardError: number;
  readonly method: string;
}

/** The lags fitted: frames [startFrame, endFrame] inclusive, and the same in ps. */
export interface FitWindow {
  readonly startFrame: number;
  readonly endFrame: number;
  readonly startPs: number;
  readonly endPs: number;
}

/**
 * The documented default window: lags from 10 % to 50 % of the longest lag. Short lags are ballistic and
 * vibrational, long lags have few independent origins; Einstein's MSD = 2 d D τ holds in between.
 */
export function defaultFitWindow(maxLagFrames: number, dtPs: number, startFraction = 0.1, endFraction = 0.5): FitWindow {
  const endFrame = Math.max(2, Math.round(endFraction * maxLagFrames));
  const startFrame = Math.min(endFrame - 1, Math.max(1, Math.round(startFraction * maxLagFrames)));
  return { startFrame, endFrame, startPs: startFrame * dtPs, endPs: endFrame * dtPs };
}

/** Ordinary least squares slope of y against x over indices i0 … i1 (inclusive), with a free intercept. */
export function olsSlope(x: ArrayLike<number>, y: ArrayLike<number>, i0: number, i1: number): number {
  let mx = 0, my = 0;
  const n = i1 - i0 + 1;
  for (let i = i0; i <= i1; i++) { mx += x[i]; my += y[i]; }
  mx /= n; my /= n;
  let sxy = 0, sxx = 0;
  for (let i = i0; i <= i1; i++) { sxy += (x[i] - mx) * (y[i] - my); sxx += (x[i] - mx) ** 2; }
  return sxy / sxx;
}

function quantile(sorted: Float64Array, q: number): number {
  const p = q * (sorted.length - 1);
  const lo = Math.floor(p);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (p - lo) * (sorted[hi] - sorted[lo]);
}

function estimate(value: number, boot: Float64Array, confidence: number, method: string): DiffusionEstimate {
  const sorted = Float64Array.from(boot).sort();
  const a = (1 - confidence) / 2;
  const lower = quantile(sorted, a), upper = quantile(sorted, 1 - a);
  let mean = 0;
  for (const b of boot) mean += b;
  mean /= boot.length;
  let v = 0;
  for (const b of boot) v += (b - mean) ** 2;
  const k = CM2_PER_S_PER_A2_PER_PS;
  return {
    value, lower, upper, unit: 'A2/ps', standardError: Math.sqrt(v / Math.max(1, boot.length - 1)),
    cm2PerS: { value: value * k, lower: lower * k, upper: upper * k }, method,
  };
}

export interface FitOptions {
  readonly dtPs: number;
  readonly window: FitWindow;
  /** bootstrap resamples (default 1000) */
  readonly nBootstrap?: number;
  readonly seed?: number;
  /** central interval (default 0.95) */
  readonly confidence?: number;
}

function lagTimes(w: number, dtPs: number): Float64Array {
  return Float64Array.from({ length: w }, (_, i) => i * dtPs);
}

/**
 * Tracer D* = slope / 6 of the atom-averaged MSD over the window; interval by bootstrap over atoms (each atom's
 * whole origin-averaged MSD curve is resampled, so the correlation between overlapping lags is kept; atoms are
 * treated as independent).
 */
export function fitTracerDiffusion(m: MsdResult, o: FitOptions): DiffusionEstimate {
  const w = m.maxLagFrames + 1;
  const n = m.nAtoms;
  const t = lagTimes(w, o.dtPs);
  const { startFrame: i0, endFrame: i1 } = o.window;
  const value = olsSlope(t, m.msd, i0, i1) / 6;
  const rng = createRng(o.seed ?? 0);
  const nb = o.nBootstrap ?? 1000;
  const boot = new Float64Array(nb);
  const curve = new Float64Array(w);
  for (let b = 0; b < nb; b++) {
    curve.fill(0);
    for (let k = 0; k < n; k++) {
      const a = rng.int(n) * w;
      for (let lag = i0; lag <= i1; lag++) curve[lag] += m.perAtom[a + lag];
    }
    for (let lag = i0; lag <= i1; lag++) curve[lag] /= n;
    boot[b] = olsSlope(t, curve, i0, i1) / 6;
  }
  return estimate(value, boot, o.confidence ?? 0.95, `OLS slope/6 over lags ${o.window.startPs}–${o.window.endPs} ps; ${nb}-sample bootstrap over atoms`);
}

/** D along one direction: slope / 2 of that component (no interval: per-atom components are not kept). */
export function fitComponentDiffusion(component: Float64Array, dtPs: number, window: FitWindow): number {
  return olsSlope(lagTimes(component.length, dtPs), component, window.startFrame, window.endFrame) / 2;
}

/** Standard normal quantile for the central intervals offered. */
function zFor(confidence: number): number {
  const table: Record<string, number> = { '0.68': 0.994457883, '0.9': 1.644853627, '0.95': 1.959963985, '0.99': 2.575829304 };
  const z = table[String(confidence)];
  if (z === undefined) throw new RangeError(`confidence must be one of ${Object.keys(table).join(', ')}, got ${confidence}`);
  return z;
}

/**
 * Charge (collective) D_σ = slope / 6 of the charge MSD by OLS, with the variance of that OLS slope under the
 * random-walk covariance of overlapping MSD windows (the model kinisi uses): at lag τ_i with n_i = origins_i / i
 * independent windows, var(MSD_i) = (2/3) MSD_i² / n_i and cov(MSD_i, MSD_j) = (2/3) MSD_i² / n_j for τ_i ≤ τ_j;
 * var(slope) = wᵀ Σ w with the OLS weights w. MSD_i is taken from the fitted line (less noisy than the data).
 * The collective displacement is one number per origin, so atoms cannot be resampled.
 */
export function fitChargeDiffusion(m: MsdResult, o: FitOptions): DiffusionEstimate {
  const w = m.maxLagFrames + 1;
  const t = lagTimes(w, o.dtPs);
  const { startFrame: i0, endFrame: i1 } = o.window;
  const slope = olsSlope(t, m.chargeMsd, i0, i1);
  let mt = 0, my = 0;
  for (let i = i0; i <= i1; i++) { mt += t[i]; my += m.chargeMsd[i]; }
  mt /= i1 - i0 + 1; my /= i1 - i0 + 1;
  let sxx = 0;
  for (let i = i0; i <= i1; i++) sxx += (t[i] - mt) ** 2;
  const k = i1 - i0 + 1;
  const weight = new Float64Array(k), model = new Float64Array(k), windows = new Float64Array(k);
  for (let a = 0; a < k; a++) {
    const i = i0 + a;
    weight[a] = (t[i] - mt) / sxx;
    const fitted = my + slope * (t[i] - mt);
    model[a] = fitted > 0 ? fitted : m.chargeMsd[i];
    windows[a] = Math.max(1, m.origins[i] / i);
  }
  let variance = 0;
  for (let a = 0; a < k; a++) {
    const va = (2 / 3) * model[a] ** 2;
    variance += weight[a] * weight[a] * va / windows[a];
    for (let b = a + 1; b < k; b++) variance += 2 * weight[a] * weight[b] * va / windows[b];
  }
  const value = slope / 6;
  const se = Math.sqrt(variance) / 6;
  const z = zFor(o.confidence ?? 0.95);
  const c = CM2_PER_S_PER_A2_PER_PS;
  const lower = value - z * se, upper = value + z * se;
  return {
    value, lower, upper, unit: 'A2/ps', standardError: se, cm2PerS: { value: value * c, lower: lower * c, upper: upper * c },
    method: `OLS slope/6 of the charge MSD over lags ${o.window.startPs}–${o.window.endPs} ps; normal interval from the random-walk covariance of overlapping windows`,
  };
}

/**
 * Nernst–Einstein conductivity σ = N q² D_σ / (V k_B T) in S/cm, for N carriers of charge q (e) in volume V (Å³)
 * with charge diffusion D_σ (Å²/ps).
 */
export function nernstEinsteinSPerCm(nCarriers: number, charge: number, dSigmaA2PerPs: number, volumeA3: number, temperatureK: number): number {
  const n = nCarriers / (volumeA3 * 1e-30);
  const q = charge * ELEMENTARY_CHARGE_C;
  const d = dSigmaA2PerPs * 1e-8;
  return (n * q * q * d) / (BOLTZMANN_J_PER_K * temperatureK) / 100;
}
