import { eigenvalues, matpow, maxAbsDiff } from '../linalg/index.ts';
import { GetseiError } from '../util/errors.ts';
import { isStronglyConnected, largestConnectedSet, submatrix } from './connectivity.ts';
import {
  countTransitionsAtLags, isPrepared, prepareTrajectories, type CountOptions, type PreparedTrajectories,
} from './counting.ts';
import type { DiscreteTrajectories } from './dtrajs.ts';
import { edmdTransitionMatrix, type Estimator } from './estimators.ts';
import {
  checkDtPs, checkEstimator, estimateTransitionMatrix, impliedTimescalesFromEigenvalues, type MarkovModel, type TimeUnit,
} from './model.ts';

export interface ImpliedTimescalesScan {
  readonly estimator: Estimator;
  /** lags in frames */
  readonly lags: Int32Array;
  /** lags in timeUnit */
  readonly lagTimes: Float64Array;
  readonly timeUnit: TimeUnit;
  /** per lag: implied timescales tᵢ = −τ / ln|λᵢ| (i ≥ 1, slowest first) in timeUnit; empty where it failed */
  readonly timescales: Float64Array[];
  /** per lag and process: resolved (tᵢ > τ), see resolvedProcesses */
  readonly resolved: boolean[][];
  /** per lag: number of processes slower than the lag (tᵢ > τ) — the paper's "dominant dynamical processes" */
  readonly processesSlowerThanLag: Int32Array;
  /** per lag: size of the active set */
  readonly activeSetSizes: Int32Array;
  /** per lag: why no model could be estimated (null where it could) */
  readonly failures: (string | null)[];
}

/** What every output says when no implied timescale exceeds the lag (issue 10). */
export const NO_RESOLVED_PROCESS_WARNING =
  'no process is slower than the lag; rates, MFPTs and pathways describe sub-lag flicker';

/**
 * Which implied timescales are resolved at lag τ: tᵢ > τ. A process faster than the lag has decayed within one step
 * of the model, so the model cannot describe it (its eigenvalue is |λ| < e⁻¹, indistinguishable from noise at τ).
 */
export function resolvedProcesses(timescales: ArrayLike<number>, lagTime: number): boolean[] {
  return Array.from(timescales, (t) => t > lagTime);
}

export interface TimescalesOptions extends CountOptions {
  dtPs?: number | null;
  estimator?: Estimator;
}

/**
 * Implied timescales over a range of lags (the paper's Fig. 3a/5e-f): at each lag the largest connected set,
 * K(τ) by the estimator, its eigenvalues and tᵢ = −τ / ln|λᵢ|, plus how many processes are slower than τ. All lags
 * are counted in one pass over the data. A lag that cannot be estimated is reported in `failures`, not thrown.
 */
export function impliedTimescalesScan(
  dtrajs: DiscreteTrajectories | PreparedTrajectories, lags: readonly number[], options: TimescalesOptions = {},
): ImpliedTimescalesScan {
  if (lags.length === 0) throw new GetseiError('the implied-timescale scan needs at least one lag');
  for (const lag of lags) {
    if (!Number.isInteger(lag) || lag < 1) throw new GetseiError(`implied-timescale lags must be positive whole numbers of frames, got ${lag}`);
  }
  const estimator = checkEstimator(options.estimator ?? 'edmd');
  const dtPs = checkDtPs(options.dtPs);
  const prepared = isPrepared(dtrajs) ? dtrajs : prepareTrajectories(dtrajs, options);
  const counts = countTransitionsAtLags(prepared, lags);
  const timescales: Float64Array[] = [];
  const resolved: boolean[][] = [];
  const slower = new Int32Array(lags.length);
  const sizes = new Int32Array(lags.length);
  const failures: (string | null)[] = [];
  lags.forEach((lag, idx) => {
    const lagTime = dtPs === null ? lag : lag * dtPs;
    const active = largestConnectedSet(counts[idx]);
    sizes[idx] = active.length;
    if (active.length < 2) {
      timescales.push(new Float64Array(0));
      resolved.push([]);
      failures.push(lag >= prepared.longestRun ? `lag ${lag} frames is not shorter than the longest trajectory stretch (${prepared.longestRun})` : `no two states connected at lag ${lag} frames`);
      return;
    }
    try {
      const k = estimateTransitionMatrix(submatrix(counts[idx], active), estimator).transitionMatrix;
      const ts = impliedTimescalesFromEigenvalues(eigenvalues(k), lagTime);
      timescales.push(ts);
      const r = resolvedProcesses(ts, lagTime);
      resolved.push(r);
      slower[idx] = r.filter(Boolean).length;
      failures.push(null);
    } catch (err) {
      if (!(err instanceof GetseiError)) throw err;
      timescales.push(new Float64Array(0));
      resolved.push([]);
      failures.push(err.message);
    }
  });
  return {
    estimator,
    lags: Int32Array.from(lags),
    lagTimes: Float64Array.from(lags, (l) => (dtPs === null ? l : l * dtPs)),
    timeUnit: dtPs === null ? 'frames' : 'ps',
    timescales,
    resolved,
    processesSlowerThanLag: slower,
    activeSetSizes: sizes,
    failures,
  };
}

/**
 * Default lag grid for the implied-timescale scan: `count` lags spaced geometrically from 1 frame to twice the
 * model lag (at most the longest countable stretch − 1), rounded and deduplicated.
 */
export function defaultLagGrid(modelLag: number, longestRun: number, count = 20): number[] {
  const maxLag = Math.max(1, Math.min(2 * modelLag, longestRun - 1));
  const out = new Set<number>();
  for (let i = 0; i < count; i++) {
    out.add(Math.max(1, Math.round(maxLag ** (count === 1 ? 1 : i / (count - 1)))));
  }
  out.add(Math.min(modelLag, maxLag));
  return [...out].sort((a, b) => a - b);
}

export interface ChapmanKolmogorovTest {
  /** k = 1…K */
  readonly steps: Int32Array;
  /** k·τ in frames */
  readonly lags: Int32Array;
  /** predicted K(τ)ᵏ per step (active set of the model) */
  readonly predicted: Float64Array[];
  /** estimated K(kτ) on the model's active set, or null where it cannot be estimated */
  readonly estimated: (Float64Array | null)[];
  /** per step and state i: max_j |K(τ)ᵏ_ij − K(kτ)_ij| (null where not estimated) */
  readonly errorPerState: (Float64Array | null)[];
  /** per step: the largest error over all states */
  readonly maxError: (number | null)[];
  /** per step: the estimator used for K(kτ) — the model's, or 'edmd' where the counts on the active set are
   * not strongly connected at kτ (rows still all visited) */
  readonly estimatorUsed: (Estimator | null)[];
}

/**
 * Chapman–Kolmogorov test: a Markov model at lag τ must predict the dynamics at kτ, K(kτ) ≈ K(τ)ᵏ. Compares, for
 * k = 1…steps, the prediction with a model estimated directly at kτ on the same active set, state by state.
 */
export function chapmanKolmogorovTest(
  dtrajs: DiscreteTrajectories | PreparedTrajectories, model: MarkovModel, steps = 5, options: CountOptions = {},
): ChapmanKolmogorovTest {
  if (!Number.isInteger(steps) || steps < 1) throw new GetseiError(`the Chapman–Kolmogorov test needs a positive number of steps, got ${steps}`);
  const prepared = isPrepared(dtrajs) ? dtrajs : prepareTrajectories(dtrajs, { nStates: model.nStates, ...options });
  if (prepared.nStates !== model.nStates) {
    throw new GetseiError(`the trajectories have ${prepared.nStates} states but the model was fitted on ${model.nStates}`);
  }
  const ks = Int32Array.from({ length: steps }, (_, i) => i + 1);
  const lags = Array.from(ks, (k) => k * model.lag);
  const usable = lags.filter((l) => l < prepared.longestRun);
  const counts = usable.length > 0 ? countTransitionsAtLags(prepared, usable) : [];
  const n = model.activeSet.length;
  const predicted: Float64Array[] = [];
  const estimated: (Float64Array | null)[] = [];
  const errorPerState: (Float64Array | null)[] = [];
  const maxError: (number | null)[] = [];
  const used: (Estimator | null)[] = [];
  for (let s = 0; s < steps; s++) {
    const p = matpow(model.transitionMatrix, ks[s]);
    predicted.push(p);
    let est: Float64Array | null = null;
    let which: Estimator | null = null;
    if (s < counts.length) {
      const sub = submatrix(counts[s], model.activeSet);
      try {
        if (isStronglyConnected(sub)) {
          est = estimateTransitionMatrix(sub, model.estimator).transitionMatrix;
          which = model.estimator;
        } else {
          est = edmdTransitionMatrix(sub).transitionMatrix;
          which = 'edmd';
        }
      } catch (err) {
        if (!(err instanceof GetseiError)) throw err;
        est = null;
      }
    }
    estimated.push(est);
    used.push(which);
    if (est === null) {
      errorPerState.push(null);
      maxError.push(null);
      continue;
    }
    const e = new Float64Array(n);
    for (let i = 0; i < n; i++) e[i] = maxAbsDiff(p.subarray(i * n, (i + 1) * n), est.subarray(i * n, (i + 1) * n));
    errorPerState.push(e);
    maxError.push(Math.max(...e));
  }
  return { steps: ks, lags: Int32Array.from(lags), predicted, estimated, errorPerState, maxError, estimatorUsed: used };
}
