import {
  eigenvalues, expm, logm, maxAbsDiff, orderOf, principalLogarithmObstruction, regulariseEigenvalues, scale,
} from '../linalg/index.ts';
import { GetseiError } from '../util/errors.ts';

/**
 * What to do when ln K / τ is not a valid rate matrix (some off-diagonal rates negative):
 * - 'qog' (default): replace each row by its Euclidean projection onto {off-diagonals ≥ 0, row sum 0}
 *   (the "quasi-optimal generator" of Kreinin & Sidelnikova 2001) — the nearest valid generator, row by row, to
 *   the principal logarithm.
 * - 'clip': set negative off-diagonals to 0 and put minus the row's off-diagonal sum on the diagonal
 *   (the "diagonal adjustment" of Israel, Rosenthal & Wei 2001).
 * - 'none': return ln K / τ as it is, negative rates included (diagnostics still say so).
 * When no real principal logarithm exists (a real eigenvalue of K ≤ 0), the LogarithmFallback decides what is
 * corrected (see there).
 */
export type RateMatrixMethod = 'qog' | 'clip' | 'none';

export const RATE_MATRIX_METHODS: readonly RateMatrixMethod[] = ['qog', 'clip', 'none'];

export interface RateMatrixDiagnostics {
  readonly method: RateMatrixMethod;
  readonly fallback: LogarithmFallback;
  /** where the returned matrix comes from: the principal logarithm (eq. 4), that of the eigenvalue-regularised K,
   * or the first-order fallback */
  readonly source: 'logm' | 'regularised-logm' | 'first-order';
  /** real eigenvalues ≤ 0 of K that were replaced by their modulus ('regularised-logm' only) */
  readonly regularisedEigenvalues: number;
  /** the correction applied to it ('none' when ln K / τ already was a valid generator) */
  readonly correction: 'none' | 'qog' | 'clip';
  /** what was returned, in words */
  readonly description: string;
  /** whether K has a real principal logarithm */
  readonly logarithmExists: boolean;
  /** why not, when it does not */
  readonly obstruction: string | null;
  /** eigenvalues of K with a non-zero imaginary part (their logarithms are complex; ln K is still real) */
  readonly complexEigenvalues: number;
  /** real eigenvalues of K that are ≤ 0 (these rule out a real principal logarithm) */
  readonly nonPositiveRealEigenvalues: number;
  /** whether the logarithm / τ is a valid generator (off-diagonals ≥ 0 up to rounding, rows summing to 0) */
  readonly isGenerator: boolean;
  /** number of off-diagonal entries of ln K / τ below −1e-10 × its largest entry */
  readonly negativeOffDiagonal: number;
  /** most negative off-diagonal entry of ln K / τ (0 when none), in rate units */
  readonly mostNegativeOffDiagonal: number;
  /** max_i |Σ_j (ln K / τ)_ij| — zero for an exact logarithm of a stochastic matrix */
  readonly maxAbsRowSum: number;
  /** max_ij |expm(logarithm) − K|: how exactly the (regularised) logarithm itself reproduces K (null if none) */
  readonly logarithmReconstructionError: number | null;
  /** max_ij |expm(Rτ) − K| for the returned R */
  readonly reconstructionError: number;
  readonly warnings: readonly string[];
}

export interface RateMatrixResult {
  readonly rateMatrix: Float64Array;
  readonly diagnostics: RateMatrixDiagnostics;
}

/** Euclidean projection of a row onto {x_j ≥ 0 for j ≠ i, Σ x = 0} (Kreinin & Sidelnikova's QOG step). */
function projectRow(row: Float64Array, i: number): Float64Array {
  const n = row.length;
  // x_j = max(0, a_j − μ) (j ≠ i), x_i = a_i − μ, with μ the root of a_i − μ + Σ_{j≠i} max(0, a_j − μ) = 0;
  // the left side decreases strictly in μ, so try the k largest off-diagonals as the positive ones.
  const off = Array.from(row).filter((_, j) => j !== i).sort((a, b) => b - a);
  let acc = row[i];
  let mu = acc; // k = 0: no positive off-diagonals
  for (let k = 0; k <= off.length; k++) {
    mu = acc / (k + 1);
    const upper = k === 0 ? Infinity : off[k - 1];
    const lower = k === off.length ? -Infinity : off[k];
    if (upper > mu && mu >= lower) break;
    if (k < off.length) acc += off[k];
  }
  const out = new Float64Array(n);
  let s = 0;
  for (let j = 0; j < n; j++) {
    if (j === i) continue;
    out[j] = Math.max(0, row[j] - mu);
    s += out[j];
  }
  out[i] = -s;
  return out;
}

function clipRow(row: Float64Array, i: number): Float64Array {
  const out = new Float64Array(row.length);
  let s = 0;
  for (let j = 0; j < row.length; j++) {
    if (j === i) continue;
    out[j] = Math.max(0, row[j]);
    s += out[j];
  }
  out[i] = -s;
  return out;
}

/** Apply a row-wise correction to make a valid generator. */
export function toGenerator(r: Float64Array, method: 'qog' | 'clip'): Float64Array {
  const n = orderOf(r);
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const row = r.subarray(i * n, (i + 1) * n);
    out.set(method === 'qog' ? projectRow(row, i) : clipRow(row, i), i * n);
  }
  return out;
}

/**
 * What to do when K has no real principal logarithm (a real eigenvalue ≤ 0 — at long lags the fast, unresolved
 * processes have |λ| ≈ 0 and sampling noise pushes some below zero):
 * - 'regularise' (default): replace each real eigenvalue λ ≤ 0 by max(|λ|, 1e-6) in K = V Λ V⁻¹ and take the
 *   principal logarithm of the result. The regularised modes get the rate −ln|λ|/τ, the same timescale the implied
 *   timescales report for them, and the change to K is of the size of those eigenvalues (small when they are noise).
 * - 'first-order': R = (K − I)/τ, always a valid generator but accurate only when K is close to I.
 */
export type LogarithmFallback = 'regularise' | 'first-order';

export const LOGARITHM_FALLBACKS: readonly LogarithmFallback[] = ['regularise', 'first-order'];

export interface RateMatrixOptions {
  method?: RateMatrixMethod;
  fallback?: LogarithmFallback;
}

/** Check ln K / τ (or its regularised version) for generator properties and apply the correction. */
function correctLogarithm(raw: Float64Array, method: RateMatrixMethod, warnings: string[]) {
  const n = orderOf(raw);
  let scaleMax = 0;
  for (const v of raw) scaleMax = Math.max(scaleMax, Math.abs(v));
  const negTol = 1e-10 * scaleMax;
  let negativeOffDiagonal = 0;
  let mostNegative = 0;
  let anyNegative = false;
  let maxAbsRowSum = 0;
  for (let i = 0; i < n; i++) {
    let rs = 0;
    for (let j = 0; j < n; j++) {
      const v = raw[i * n + j];
      rs += v;
      if (i === j) continue;
      if (v < 0) anyNegative = true;
      if (v < -negTol) negativeOffDiagonal++;
      if (v < mostNegative) mostNegative = v;
    }
    maxAbsRowSum = Math.max(maxAbsRowSum, Math.abs(rs));
  }
  const isGenerator = negativeOffDiagonal === 0 && maxAbsRowSum <= 1e-8 * Math.max(scaleMax, 1e-300) * n;
  let r = raw;
  let correction: 'none' | 'qog' | 'clip' = 'none';
  if (!isGenerator && method !== 'none') {
    r = toGenerator(raw, method);
    correction = method;
    warnings.push(
      `the logarithm is not a valid rate matrix (${negativeOffDiagonal} negative off-diagonal rates, most negative ${mostNegative.toPrecision(3)}); ` +
        `returned the ${method === 'qog' ? 'nearest generator (QOG projection)' : 'clipped generator'}`,
    );
  } else if (!isGenerator) {
    warnings.push(`the logarithm is not a valid rate matrix (${negativeOffDiagonal} negative off-diagonal rates); returned as is (method 'none')`);
  } else if (anyNegative) {
    // rounding-level negatives of an exact generator: clean them so that R is a generator exactly
    r = toGenerator(raw, 'clip');
  }
  return { r, correction, isGenerator, negativeOffDiagonal, mostNegative, maxAbsRowSum };
}

/**
 * Continuous-time rate matrix from the Koopman/transition matrix (eq. 4): R = ln K / τ with the principal matrix
 * logarithm, lagTime in the caller's time unit (rates come out per that unit). Diagnoses whether the logarithm
 * exists (else applies the LogarithmFallback) and whether it is a generator (else applies the RateMatrixMethod
 * correction), and reports ‖expm(Rτ) − K‖ for what is returned.
 */
export function rateMatrixFromTransitionMatrix(k: Float64Array, lagTime: number, options: RateMatrixOptions | RateMatrixMethod = {}): RateMatrixResult {
  const opts = typeof options === 'string' ? { method: options } : options;
  const method = opts.method ?? 'qog';
  const fallback = opts.fallback ?? 'regularise';
  if (!(lagTime > 0) || !Number.isFinite(lagTime)) throw new GetseiError(`the lag time must be a positive number, got ${lagTime}`);
  if (!RATE_MATRIX_METHODS.includes(method)) {
    throw new GetseiError(`unknown rate-matrix method '${String(method)}'; use one of ${RATE_MATRIX_METHODS.join(', ')}`);
  }
  if (!LOGARITHM_FALLBACKS.includes(fallback)) {
    throw new GetseiError(`unknown logarithm fallback '${String(fallback)}'; use one of ${LOGARITHM_FALLBACKS.join(', ')}`);
  }
  const n = orderOf(k);
  const eig = eigenvalues(k);
  let complexEigenvalues = 0;
  let nonPositive = 0;
  for (let i = 0; i < n; i++) {
    const re = eig.re[i];
    const im = eig.im[i];
    if (Math.abs(im) > 1e-12 * Math.max(1, Math.abs(re))) complexEigenvalues++;
    else if (re <= 1e-12) nonPositive++;
  }
  const obstruction = principalLogarithmObstruction(eig);
  const warnings: string[] = [];
  const common = { method, fallback, complexEigenvalues, nonPositiveRealEigenvalues: nonPositive, obstruction, logarithmExists: obstruction === null };
  let regularised = 0;
  if (obstruction !== null) {
    const reg = fallback === 'regularise' ? regulariseEigenvalues(k) : null;
    let log: Float64Array | null = null;
    if (reg !== null) {
      try {
        log = logm(reg.matrix);
      } catch (err) {
        if (!(err instanceof GetseiError)) throw err;
      }
    }
    if (reg === null || log === null) {
      const r = scale(k.map((v, idx) => v - (idx % (n + 1) === 0 ? 1 : 0)), 1 / lagTime);
      warnings.push(`no real principal logarithm of K (${obstruction}); returned the first-order generator (K − I)/τ` +
        (fallback === 'regularise' ? ' (the eigenvalue regularisation failed)' : ''));
      return {
        rateMatrix: r,
        diagnostics: {
          ...common, source: 'first-order', correction: 'none', regularisedEigenvalues: 0,
          description: 'first-order generator (K − I)/τ (K has no real principal logarithm)',
          isGenerator: false, negativeOffDiagonal: 0, mostNegativeOffDiagonal: 0, maxAbsRowSum: 0,
          logarithmReconstructionError: null, reconstructionError: maxAbsDiff(expm(scale(r, lagTime)), k), warnings,
        },
      };
    }
    regularised = reg.changed;
    warnings.push(`no real principal logarithm of K (${obstruction}); ${reg.changed} real eigenvalue(s) ≤ 0 were replaced by their modulus before taking the logarithm`);
    return finish(log, 'regularised-logm');
  }
  return finish(logm(k), 'logm');

  function finish(log: Float64Array, source: 'logm' | 'regularised-logm'): RateMatrixResult {
    const c = correctLogarithm(scale(log, 1 / lagTime), method, warnings);
    const of = source === 'logm' ? 'ln K / τ' : 'ln K′ / τ (K′: K with real eigenvalues ≤ 0 replaced by their modulus)';
    return {
      rateMatrix: c.r,
      diagnostics: {
        ...common, source, correction: c.correction, regularisedEigenvalues: regularised,
        description: c.correction === 'qog' ? `nearest generator (QOG projection) to ${of}`
          : c.correction === 'clip' ? `${of} with negative off-diagonal rates set to 0 (diagonal adjusted)`
            : c.isGenerator ? (source === 'logm' ? 'principal logarithm ln K / τ' : of) : `${of} (not a valid generator)`,
        isGenerator: c.isGenerator, negativeOffDiagonal: c.negativeOffDiagonal, mostNegativeOffDiagonal: c.mostNegative,
        maxAbsRowSum: c.maxAbsRowSum, logarithmReconstructionError: maxAbsDiff(expm(log), k),
        reconstructionError: maxAbsDiff(expm(scale(c.r, lagTime)), k), warnings,
      },
    };
  }
}

/** Off-diagonal part of R (the escape-rate matrix: rate of going from i to j), zero diagonal. */
export function escapeRateMatrix(r: Float64Array): Float64Array {
  const n = orderOf(r);
  const out = r.slice();
  for (let i = 0; i < n; i++) out[i * n + i] = 0;
  return out;
}

/** Total escape rate of each state, −R_ii = Σ_{j≠i} R_ij (inverse mean residence time). */
export function totalEscapeRates(r: Float64Array): Float64Array {
  const n = orderOf(r);
  return Float64Array.from({ length: n }, (_, i) => -r[i * n + i]);
}

/**
 * Normalisation of the mobility score, the paper's "normalised escape rate":
 * - 'max' (default): k_i / max_j k_j — the most mobile state scores 1 (how Fig. 3c reads);
 * - 'sum': k_i / Σ_j k_j — shares of the summed escape rate;
 * - 'stationary': π_i k_i / Σ_j π_j k_j — each state's share of the equilibrium escape flux (weights rarely
 *   visited states down);
 * - 'none': the total escape rates themselves.
 */
export type MobilityNormalisation = 'max' | 'sum' | 'stationary' | 'none';

export const MOBILITY_NORMALISATIONS: readonly MobilityNormalisation[] = ['max', 'sum', 'stationary', 'none'];

export function mobilityScores(escape: Float64Array, normalisation: MobilityNormalisation = 'max', stationary?: Float64Array): Float64Array {
  if (!MOBILITY_NORMALISATIONS.includes(normalisation)) {
    throw new GetseiError(`unknown mobility normalisation '${String(normalisation)}'; use one of ${MOBILITY_NORMALISATIONS.join(', ')}`);
  }
  const k = escape.map((v) => Math.max(0, v));
  if (normalisation === 'none') return k;
  if (normalisation === 'stationary') {
    if (stationary === undefined || stationary.length !== k.length) throw new GetseiError("mobility normalisation 'stationary' needs the stationary distribution");
    const w = k.map((v, i) => v * stationary[i]);
    const z = w.reduce((a, b) => a + b, 0);
    return z > 0 ? w.map((v) => v / z) : w;
  }
  const z = normalisation === 'max' ? Math.max(0, ...k) : k.reduce((a, b) => a + b, 0);
  return z > 0 ? k.map((v) => v / z) : k;
}

/** State labels ordered from most to least mobile (ties: lower label first). */
export function mobilityRanking(mobility: Float64Array, labels: ArrayLike<number>): Int32Array {
  const idx = Array.from({ length: mobility.length }, (_, i) => i);
  idx.sort((a, b) => mobility[b] - mobility[a] || labels[a] - labels[b]);
  return Int32Array.from(idx, (i) => labels[i]);
}

