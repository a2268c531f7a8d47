import { eigenvalues, orderOf, stationaryDistribution, type Eigenvalues } from '../linalg/index.ts';
import { GetseiError } from '../util/errors.ts';
import { isStronglyConnected, largestConnectedSet, submatrix } from './connectivity.ts';
import {
  countTransitions, isPrepared, prepareTrajectories, type CountOptions, type PreparedTrajectories,
} from './counting.ts';
import type { DiscreteTrajectories } from './dtrajs.ts';
import {
  detailedBalanceError, edmdTransitionMatrix, reversibleTransitionMatrix, stationaryError, type Estimator,
  type EstimatorDiagnostics, type TransitionEstimate,
} from './estimators.ts';
import {
  escapeRateMatrix, mobilityRanking, mobilityScores, rateMatrixFromTransitionMatrix, totalEscapeRates,
  type LogarithmFallback, type MobilityNormalisation, type RateMatrixDiagnostics, type RateMatrixMethod,
} from './rates.ts';

export const ESTIMATORS: readonly Estimator[] = ['edmd', 'reversible'];

/** Times are in ps when the frame interval is known, else in frames; rates are per that unit. */
export type TimeUnit = 'ps' | 'frames';

export interface EstimationOptions {
  /** lag τ in frames */
  lag: number;
  /** time between frames in ps (null/undefined: unknown, times are reported in frames) */
  dtPs?: number | null;
  /** 'edmd' (default, eq. 8) or 'reversible' (maximum likelihood under detailed balance) */
  estimator?: Estimator;
  rateMatrixMethod?: RateMatrixMethod;
  /** what to do when K has no real principal logarithm (default 'regularise') */
  logarithmFallback?: LogarithmFallback;
  mobilityNormalisation?: MobilityNormalisation;
  /** relative fixed-point tolerance of the reversible estimator (default 1e-14) */
  reversibleTolerance?: number;
}

export interface MarkovModelOptions extends EstimationOptions, CountOptions {}

/**
 * A fitted Markov (Koopman) model at one lag. Immutable: the object is frozen and its arrays must be treated as
 * read-only. Matrices are row-major n × n over the active set (n = activeSet.length); state labels are the
 * entries of activeSet.
 */
export interface MarkovModel {
  readonly estimator: Estimator;
  /** lag in frames */
  readonly lag: number;
  readonly dtPs: number | null;
  /** lag in timeUnit */
  readonly lagTime: number;
  readonly timeUnit: TimeUnit;
  /** number of state labels in the input (0…nStates−1) */
  readonly nStates: number;
  /** labels of the states of the largest strongly connected set, ascending */
  readonly activeSet: Int32Array;
  /** labels that are outside the active set (reported, never silently dropped) */
  readonly statesOutsideActiveSet: Int32Array;
  /** frames per state label over all trajectories (length nStates) */
  readonly stateFrames: Float64Array;
  /** nStates × nStates counts at the lag, all states */
  readonly fullCountMatrix: Float64Array;
  /** counts on the active set */
  readonly countMatrix: Float64Array;
  /** the Koopman matrix K (eq. 8), row-stochastic */
  readonly transitionMatrix: Float64Array;
  /** π: left eigenvector of K with λ = 1, Σπ = 1 */
  readonly stationary: Float64Array;
  /** eigenvalues of K by decreasing modulus (the first is 1) */
  readonly eigenvalues: Eigenvalues;
  /** tᵢ = −τ / ln|λᵢ| for i ≥ 1, in timeUnit (Infinity when |λᵢ| = 1) */
  readonly impliedTimescales: Float64Array;
  /** R (eq. 4), per timeUnit */
  readonly rateMatrix: Float64Array;
  readonly rateMatrixDiagnostics: RateMatrixDiagnostics;
  /** off-diagonal part of R (rate i → j), zero diagonal */
  readonly escapeRates: Float64Array;
  /** −R_ii per state */
  readonly totalEscapeRates: Float64Array;
  readonly mobility: Float64Array;
  readonly mobilityNormalisation: MobilityNormalisation;
  /** active-set labels, most mobile first */
  readonly mobilityRanking: Int32Array;
  readonly estimatorDiagnostics: EstimatorDiagnostics;
}

export function checkEstimator(estimator: string): Estimator {
  if (!(ESTIMATORS as readonly string[]).includes(estimator)) {
    throw new GetseiError(`unknown estimator '${estimator}'; use one of ${ESTIMATORS.join(', ')}`);
  }
  return estimator as Estimator;
}

export function checkDtPs(dtPs: number | null | undefined): number | null {
  if (dtPs === undefined || dtPs === null) return null;
  if (!(dtPs > 0) || !Number.isFinite(dtPs)) throw new GetseiError(`the frame interval dt must be a positive number of ps, got ${dtPs}`);
  return dtPs;
}

/** Transition matrix of counts on a strongly connected set, by the chosen estimator. */
export function estimateTransitionMatrix(counts: Float64Array, estimator: Estimator, tolerance?: number): TransitionEstimate {
  return estimator === 'edmd' ? edmdTransitionMatrix(counts) : reversibleTransitionMatrix(counts, { tolerance });
}

/** tᵢ = −τ / ln|λᵢ| for the non-stationary eigenvalues (i ≥ 1). */
export function impliedTimescalesFromEigenvalues(eig: Eigenvalues, lagTime: number): Float64Array {
  const n = eig.re.length;
  const out = new Float64Array(Math.max(0, n - 1));
  for (let i = 1; i < n; i++) {
    const m = Math.hypot(eig.re[i], eig.im[i]);
    out[i - 1] = m >= 1 ? Infinity : m === 0 ? 0 : -lagTime / Math.log(m);
  }
  return out;
}

/**
 * Estimate a Markov model from a full count matrix (nStates × nStates): active set, K, π, eigenvalues, implied
 * timescales, rate matrix, escape rates and mobility. stateFrames (frames per state) is only reported.
 */
export function estimateMarkovModel(fullCounts: Float64Array, options: EstimationOptions, stateFrames?: Float64Array): MarkovModel {
  const { lag } = options;
  if (!Number.isInteger(lag) || lag < 1) throw new GetseiError(`the lag must be a positive whole number of frames, got ${lag}`);
  checkEstimator(options.estimator ?? 'edmd');
  checkDtPs(options.dtPs);
  let total = 0;
  for (const v of fullCounts) total += v;
  if (total === 0) throw new GetseiError(`no transitions were counted at lag ${lag} frames; use a shorter lag`);
  const activeSet = largestConnectedSet(fullCounts);
  if (activeSet.length < 2) {
    throw new GetseiError(
      `at lag ${lag} frames no two states are connected by transitions in both directions, so there is no kinetics to model; ` +
        'use a shorter lag or more data',
    );
  }
  return estimateMarkovModelOnSet(fullCounts, activeSet, options, stateFrames);
}

/**
 * Estimate the model on a given active set (labels, ascending), which must be strongly connected in the counts —
 * used by the bootstrap, where every resample is analysed on the active set of the full data.
 */
export function estimateMarkovModelOnSet(
  fullCounts: Float64Array, activeSet: Int32Array, options: EstimationOptions, stateFrames?: Float64Array,
): MarkovModel {
  const { lag } = options;
  const estimator = checkEstimator(options.estimator ?? 'edmd');
  const dtPs = checkDtPs(options.dtPs);
  const nStates = orderOf(fullCounts);
  const inActive = new Uint8Array(nStates);
  for (const s of activeSet) inActive[s] = 1;
  const outside = Int32Array.from({ length: nStates }, (_, i) => i).filter((i) => !inActive[i]);
  const countMatrix = submatrix(fullCounts, activeSet);
  if (!isStronglyConnected(countMatrix)) {
    throw new GetseiError(`the counts at lag ${lag} frames are not strongly connected on states ${Array.from(activeSet).join(', ')}`);
  }
  const est = estimateTransitionMatrix(countMatrix, estimator, options.reversibleTolerance);
  const k = est.transitionMatrix;
  const pi = est.stationary ?? stationaryDistribution(k);
  const lagTime = dtPs === null ? lag : lag * dtPs;
  const eig = eigenvalues(k);
  const rate = rateMatrixFromTransitionMatrix(k, lagTime, { method: options.rateMatrixMethod, fallback: options.logarithmFallback });
  const escape = totalEscapeRates(rate.rateMatrix);
  const normalisation = options.mobilityNormalisation ?? 'max';
  const mobility = mobilityScores(escape, normalisation, pi);
  const model: MarkovModel = {
    estimator,
    lag,
    dtPs,
    lagTime,
    timeUnit: dtPs === null ? 'frames' : 'ps',
    nStates,
    activeSet,
    statesOutsideActiveSet: outside,
    stateFrames: stateFrames ?? new Float64Array(nStates),
    fullCountMatrix: fullCounts,
    countMatrix,
    transitionMatrix: k,
    stationary: pi,
    eigenvalues: eig,
    impliedTimescales: impliedTimescalesFromEigenvalues(eig, lagTime),
    rateMatrix: rate.rateMatrix,
    rateMatrixDiagnostics: rate.diagnostics,
    escapeRates: escapeRateMatrix(rate.rateMatrix),
    totalEscapeRates: escape,
    mobility,
    mobilityNormalisation: normalisation,
    mobilityRanking: mobilityRanking(mobility, activeSet),
    estimatorDiagnostics: {
      estimator,
      iterations: est.iterations,
      stationaryError: stationaryError(k, pi),
      fixedPointResidual: est.fixedPointResidual,
      detailedBalanceError: detailedBalanceError(k, pi),
    },
  };
  return Object.freeze(model);
}

/** Check that a lag fits the data, with a message that says what to do. */
export function checkLagFits(prepared: PreparedTrajectories, lag: number): void {
  if (lag >= prepared.longestRun) {
    throw new GetseiError(
      `the lag (${lag} frames) is not shorter than the longest stretch of defined frames within one segment ` +
        `(${prepared.longestRun} frames), so no transition can be counted; use a lag below ${prepared.longestRun}`,
    );
  }
}

/**
 * Count transitions at lag τ and estimate the Markov model: fitMarkovModel(dtrajs, {lag, dtPs, estimator}).
 * dtrajs: a StateMatrix (e.g. states.npy) or a list of trajectories; −1 = undefined frame.
 */
export function fitMarkovModel(dtrajs: DiscreteTrajectories | PreparedTrajectories, options: MarkovModelOptions): MarkovModel {
  const prepared = isPrepared(dtrajs) ? dtrajs : prepareTrajectories(dtrajs, options);
  checkLagFits(prepared, options.lag);
  const counts = countTransitions(prepared, options.lag);
  return estimateMarkovModel(counts.counts, options, prepared.histogram.frames);
}
