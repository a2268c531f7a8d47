/**
 * Gaussian mixture model fitted by expectation–maximisation, as scikit-learn's GaussianMixture does it (the paper
 * clusters its embeddings with that class): k-means start, several restarts keeping the best lower bound, log-space
 * E-step, covariances through the Cholesky factor of the precision, reg_covar added to every diagonal, convergence
 * when the mean log-likelihood changes by less than tol. The fitted model is an immutable value; predict /
 * predictProba / scoreSamples stream over millions of rows without per-row allocation.
 */
import { GetseiError, createRng, sampleIndices, type Rng } from '../util/index.ts';
import { padSquare, precisionCholesky } from './dense.ts';
import { Arena, mixtureKernels, padTo4, type MixtureKernels } from './simd.ts';
import { PointSet, assignNearest, kMeansPlusPlusWith, lloyd } from './kmeans.ts';
import { checkInteger, checkPositive, checkRows, type Rows } from './validate.ts';

/** 'full': one free covariance per state; 'diagonal': axis-aligned; 'spherical': one variance per state. */
export type CovarianceType = 'full' | 'diagonal' | 'spherical';
/**
 * 'kmeans': labels of k-means (k-means++ seeding, then Lloyd) as the starting responsibilities (scikit-learn's
 * default); 'k-means++': the nearest k-means++ seed of every row, without Lloyd.
 */
export type MixtureInit = 'kmeans' | 'k-means++';

export interface GaussianMixtureOptions {
  components: number;
  /** default 'full' */
  covariance?: CovarianceType;
  /** independent starts; the one with the highest final lower bound is kept. Default 5. */
  restarts?: number;
  /** EM iterations per start at most; default 100 */
  maxIter?: number;
  /** stop when the mean log-likelihood per sample changes by less than this; default 1e-3 */
  tol?: number;
  /** added to every covariance diagonal so it stays positive definite; default 1e-6 (in embedding units²) */
  regCovar?: number;
  /** default 0 */
  seed?: number;
  /** default 'kmeans' */
  init?: MixtureInit;
  /** fit on this many rows drawn with the seed (all rows when absent or ≥ n) */
  sampleSize?: number;
}

export interface RestartSummary {
  /** scikit-learn's lower_bound_: mean log-likelihood at the last E-step */
  readonly lowerBound: number;
  readonly iterations: number;
  readonly converged: boolean;
}

/**
 * A fitted mixture. Components are numbered by descending weight (ties: mean vectors compared lexicographically),
 * so the same data and seed always give the same state numbers. Arrays are row-major; treat them as read-only.
 */
export interface GaussianMixtureModel {
  readonly components: number;
  readonly dimension: number;
  readonly covariance: CovarianceType;
  /** [k], sums to 1 */
  readonly weights: Float64Array;
  /** [k × d] */
  readonly means: Float64Array;
  /** [k × d × d], always stored as full matrices (diagonal / spherical ones expanded) */
  readonly covariances: Float64Array;
  /** [k × d × d] upper-triangular U with Σ⁻¹ = U Uᵀ (scikit-learn's precisions_cholesky_ with 'full') */
  readonly precisionsCholesky: Float64Array;
  /** [k] log det U = −½ log det Σ */
  readonly logDetPrecisionCholesky: Float64Array;
  /** mean log-likelihood per sample of the fit data under the final parameters (scikit-learn's score) */
  readonly logLikelihood: number;
  readonly converged: boolean;
  /** EM iterations of the kept start */
  readonly iterations: number;
  /** number of rows the model was fitted on */
  readonly samples: number;
  /** free parameters: k·d means + k − 1 weights + covariance parameters */
  readonly parameters: number;
  /** −2·n·logLikelihood + parameters·ln n */
  readonly bic: number;
  /** −2·n·logLikelihood + 2·parameters */
  readonly aic: number;
  readonly restarts: readonly RestartSummary[];
  /** index into `restarts` of the kept start */
  readonly chosenRestart: number;
}

const LOG_2PI = Math.log(2 * Math.PI);
/** scikit-learn adds 10·eps to every component mass so an empty component does not divide by zero */
const MASS_FLOOR = 10 * Number.EPSILON;

/** Free parameters of a k-component mixture in d dimensions. */
export function parameterCount(k: number, d: number, covariance: CovarianceType): number {
  const cov = covariance === 'full' ? (k * d * (d + 1)) / 2 : covariance === 'diagonal' ? k * d : k;
  return cov + k * d + k - 1;
}

/** Mutable parameter set used while fitting. */
export interface Params {
  weights: Float64Array;
  means: Float64Array;
  covariances: Float64Array;
  precChol: Float64Array;
  logDet: Float64Array;
}

function newParams(k: number, d: number): Params {
  return {
    weights: new Float64Array(k),
    means: new Float64Array(k * d),
    covariances: new Float64Array(k * d * d),
    precChol: new Float64Array(k * d * d),
    logDet: new Float64Array(k),
  };
}

/** Rows per kernel block: 64 rows × 32 columns of float64 = 16 kB, which stays in L1. */
const BLOCK_ROWS = 64;

/**
 * Working memory of one fit, inside a WebAssembly memory the SIMD kernels read: the fit sample [n × d] (float64),
 * responsibilities [(n + 4) × k] (4 spare rows for the kernels' 4-row tiles), means, padded precision factors and
 * scratch. Shared by the restarts of a fit.
 */
export class Workspace {
  readonly dp: number;
  readonly kern: MixtureKernels;
  readonly f64: Float64Array;
  /** the sample as a point set, for the k-means start */
  readonly points: PointSet;
  /** byte offsets */
  readonly xAt: number;
  readonly respAt: number;
  readonly meansAt: number;
  readonly upAt: number;
  readonly bufAt: number;
  readonly accAt: number;
  /** views */
  readonly X: Float64Array;
  readonly resp: Float64Array;
  readonly chol: Float64Array;
  readonly nk: Float64Array;
  constructor(readonly n: number, readonly d: number, readonly k: number) {
    const dp = padTo4(d);
    this.dp = dp;
    const arena = new Arena();
    this.points = new PointSet(arena, n, d, Math.max(k, 2 + Math.floor(Math.log(k))));
    this.xAt = this.points.xAt;
    this.respAt = arena.reserve((n + 4) * k * 8);
    this.meansAt = arena.reserve(k * d * 8);
    this.upAt = arena.reserve(k * dp * dp * 8);
    this.bufAt = arena.reserve(BLOCK_ROWS * dp * 8);
    this.accAt = arena.reserve(dp * dp * 8);
    const memory = arena.memory();
    this.kern = mixtureKernels(d, memory);
    this.points.bind(memory, this.kern);
    this.f64 = new Float64Array(memory.buffer);
    this.X = this.points.X;
    this.resp = this.f64.subarray(this.respAt / 8, this.respAt / 8 + n * k);
    this.chol = new Float64Array(d * d);
    this.nk = new Float64Array(k);
  }
}

function illDefined(c: number): GetseiError {
  return new GetseiError(
    `the Gaussian mixture fit failed: the covariance of component ${c} is not positive definite (too few or ` +
      'collinear samples in it). Use fewer states, a larger fit sample, or a larger regCovar',
  );
}

/** Responsibilities of the parameters p into `ws.resp`; returns the mean log-likelihood per sample. */
function eStep(p: Params, ws: Workspace): number {
  const { n, d, k, dp, resp, f64, kern } = ws;
  f64.set(p.means, ws.meansAt / 8);
  for (let c = 0; c < k; c++) padSquare(p.precChol, c * d * d, d, f64, ws.upAt / 8 + c * dp * dp, dp);
  for (let b0 = 0; b0 < n; b0 += BLOCK_ROWS) {
    const b1 = Math.min(n, b0 + BLOCK_ROWS);
    const tiles = Math.ceil((b1 - b0) / 4) * 4;
    for (let c = 0; c < k; c++) {
      kern.centre64(ws.xAt + b0 * d * 8, ws.xAt + b1 * d * 8, ws.meansAt + c * d * 8, ws.bufAt);
      kern.maha(ws.bufAt, ws.bufAt + tiles * dp * 8, ws.upAt + c * dp * dp * 8, ws.respAt + (b0 * k + c) * 8, k * 8);
    }
  }
  const base = new Float64Array(k);
  for (let c = 0; c < k; c++) base[c] = Math.log(p.weights[c]) + p.logDet[c] - 0.5 * d * LOG_2PI;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const o = i * k;
    let max = -Infinity;
    for (let c = 0; c < k; c++) {
      const v = base[c] - 0.5 * resp[o + c];
      resp[o + c] = v;
      if (v > max) max = v;
    }
    let s = 0;
    for (let c = 0; c < k; c++) s += Math.exp(resp[o + c] - max);
    const lse = max + Math.log(s);
    total += lse;
    for (let c = 0; c < k; c++) resp[o + c] = Math.exp(resp[o + c] - lse);
  }
  return total / n;
}

/** Parameters from responsibilities (M-step), constrained to the covariance type, plus the precision factors. */
function mStep(p: Params, ws: Workspace, covariance: CovarianceType, regCovar: number): void {
  const { n, d, k, dp, X, resp, nk, f64, kern } = ws;
  nk.fill(MASS_FLOOR);
  // each N_c summed over the rows in order (as one loop over i·k + c did, without its modulo)
  for (let i = 0, o = 0; i < n; i++, o += k) for (let c = 0; c < k; c++) nk[c] += resp[o + c];
  const meansView = f64.subarray(ws.meansAt / 8, ws.meansAt / 8 + k * d);
  meansView.fill(0);
  kern.weightedSum(ws.xAt, ws.xAt + n * d * 8, ws.respAt, k * 8, ws.meansAt);
  let mass = 0;
  for (let c = 0; c < k; c++) mass += nk[c];
  for (let c = 0; c < k; c++) {
    p.weights[c] = nk[c] / mass;
    for (let a = 0; a < d; a++) meansView[c * d + a] /= nk[c];
  }
  p.means.set(meansView);
  const cov = p.covariances;
  const acc = f64.subarray(ws.accAt / 8, ws.accAt / 8 + dp * dp);
  for (let c = 0; c < k; c++) {
    const co = c * d * d;
    if (covariance === 'full') {
      // Σ_c = Σᵢ rᵢ (xᵢ − μ)(xᵢ − μ)ᵀ / N_c: the centred two-pass form scikit-learn uses (no x xᵀ − μ μᵀ cancellation)
      acc.fill(0);
      for (let b0 = 0; b0 < n; b0 += BLOCK_ROWS) {
        const b1 = Math.min(n, b0 + BLOCK_ROWS);
        kern.scaledCentre64(ws.xAt + b0 * d * 8, ws.xAt + b1 * d * 8, ws.meansAt + c * d * 8, ws.respAt + (b0 * k + c) * 8, k * 8, ws.bufAt);
        kern.scatter(ws.bufAt, ws.bufAt + (b1 - b0) * dp * 8, ws.accAt);
      }
      for (let a = 0; a < d; a++) {
        for (let b = a; b < d; b++) {
          const v = acc[a * dp + b] / nk[c];
          cov[co + a * d + b] = v;
          cov[co + b * d + a] = v;
        }
        cov[co + a * d + a] += regCovar;
      }
    } else {
      // diagonal variances by the centred two-pass sum; spherical = their mean
      cov.fill(0, co, co + d * d);
      const v = acc;
      v.fill(0, 0, d);
      for (let i = 0; i < n; i++) {
        const r = resp[i * k + c];
        if (r === 0) continue;
        for (let a = 0; a < d; a++) {
          const u = X[i * d + a] - p.means[c * d + a];
          v[a] += r * u * u;
        }
      }
      let avg = 0;
      for (let a = 0; a < d; a++) {
        v[a] = v[a] / nk[c] + regCovar;
        avg += v[a] / d;
      }
      for (let a = 0; a < d; a++) cov[co + a * d + a] = covariance === 'diagonal' ? v[a] : avg;
    }
    const ld = precisionCholesky(cov, co, d, p.precChol, co, ws.chol);
    if (Number.isNaN(ld)) throw illDefined(c);
    p.logDet[c] = ld;
  }
}

export interface RestartResult {
  params: Params;
  lowerBound: number;
  iterations: number;
  converged: boolean;
}

/** Resolved options of one fit (after defaults and checks). */
export interface ResolvedMixtureOptions {
  components: number;
  covariance: CovarianceType;
  restarts: number;
  maxIter: number;
  tol: number;
  regCovar: number;
  seed: number;
  init: MixtureInit;
}

/** An EM run between two slices of its iterations: the parameters after `iterations` steps, the last lower bound. */
export interface EmProgress {
  params: Params;
  lowerBound: number;
  iterations: number;
}

/** A slice's end: the run's result when `finished` (converged or at maxIter), else where to resume it. */
export interface EmSlice extends RestartResult {
  finished: boolean;
  /** |change of the lower bound| in the slice's last iteration: how far the run is from converging */
  change: number;
}

/** One EM run on the workspace's sample from a k-means start drawn with `rng`. */
export function emRestart(ws: Workspace, o: ResolvedMixtureOptions, rng: Rng): RestartResult {
  const { params, lowerBound, iterations, converged } = emSteps(ws, o, emStart(ws, o, rng), Infinity);
  return { params, lowerBound, iterations, converged };
}

/** The start of an EM run: a k-means (or k-means++) start drawn with `rng`, and the M-step from it. */
export function emStart(ws: Workspace, o: ResolvedMixtureOptions, rng: Rng): EmProgress {
  const { n, k } = ws;
  const seeds = kMeansPlusPlusWith(ws.points, k, rng);
  let labels: Int32Array;
  if (o.init === 'kmeans') labels = lloyd(ws.points, k, seeds.centers, 300, 1e-4).labels;
  else {
    labels = new Int32Array(n);
    assignNearest(ws.points, seeds.centers, k, labels, new Float64Array(n));
  }
  ws.resp.fill(0);
  for (let i = 0; i < n; i++) ws.resp[i * k + labels[i]] = 1;
  const p = newParams(k, ws.d);
  mStep(p, ws, o.covariance, o.regCovar);
  return { params: p, lowerBound: -Infinity, iterations: 0 };
}

/**
 * At most `steps` EM iterations from `from` (its params are updated in place), until the lower bound changes by
 * less than tol or maxIter is reached. Every iteration depends only on the parameters and the sample, so a run cut
 * into slices, each resumed where the last ended, on any thread, gives the bytes of the run in one piece.
 */
export function emSteps(ws: Workspace, o: ResolvedMixtureOptions, from: EmProgress, steps: number): EmSlice {
  const p = from.params;
  let { lowerBound, iterations } = from;
  let change = Infinity;
  for (let s = 0; s < steps && iterations < o.maxIter; s++) {
    const prev = lowerBound;
    lowerBound = eStep(p, ws);
    mStep(p, ws, o.covariance, o.regCovar);
    iterations++;
    change = Math.abs(lowerBound - prev);
    if (change < o.tol) return { params: p, lowerBound, iterations, converged: true, finished: true, change };
  }
  return { params: p, lowerBound, iterations, converged: false, finished: iterations >= o.maxIter, change };
}

/** Defaults and range checks for the mixture options. */
export function resolveMixtureOptions(options: GaussianMixtureOptions): ResolvedMixtureOptions {
  const o: ResolvedMixtureOptions = {
    components: options.components,
    covariance: options.covariance ?? 'full',
    restarts: options.restarts ?? 5,
    maxIter: options.maxIter ?? 100,
    tol: options.tol ?? 1e-3,
    regCovar: options.regCovar ?? 1e-6,
    seed: options.seed ?? 0,
    init: options.init ?? 'kmeans',
  };
  checkInteger('the number of states (mixture components)', o.components, 1, 32767);
  if (!['full', 'diagonal', 'spherical'].includes(o.covariance)) {
    throw new GetseiError(`covariance must be 'full', 'diagonal' or 'spherical' (got '${o.covariance}')`);
  }
  if (!['kmeans', 'k-means++'].includes(o.init)) throw new GetseiError(`init must be 'kmeans' or 'k-means++' (got '${o.init}')`);
  checkInteger('restarts', o.restarts, 1);
  checkInteger('maxIter', o.maxIter, 1);
  checkPositive('tol', o.tol, true);
  checkPositive('regCovar', o.regCovar, true);
  if (!Number.isInteger(o.seed)) throw new GetseiError(`seed must be an integer (got ${o.seed})`);
  return o;
}

/** The rows to fit on: a seeded draw of `sampleSize` rows (ascending), or null for all rows. */
export function fitSampleRows(n: number, sampleSize: number | undefined, seed: number): Int32Array | null {
  if (sampleSize !== undefined) checkInteger('sampleSize', sampleSize, 1);
  if (sampleSize === undefined || sampleSize >= n) return null;
  return sampleIndices(createRng(seed).fork(), n, sampleSize);
}

/** A workspace holding the fit sample (rows `rows` of X, or all n rows when null). */
export function sampleWorkspace(X: Rows, n: number, d: number, k: number, rows: Int32Array | null): Workspace {
  const m = rows === null ? n : rows.length;
  if (m < k) throw new GetseiError(`cannot fit ${k} states to ${m} samples: use fewer states or more samples`);
  const ws = new Workspace(m, d, k);
  if (rows === null) ws.X.set(X.subarray(0, n * d));
  else for (let t = 0; t < m; t++) ws.X.set(X.subarray(rows[t] * d, rows[t] * d + d), t * d);
  return ws;
}

/** The per-restart seeds derived from the fit seed (the same in the sequential and the parallel fit). */
export function restartSeeds(seed: number, restarts: number): Int32Array {
  const rng = createRng(seed);
  rng.fork(); // the sample draw's stream (see fitSample)
  return Int32Array.from({ length: restarts }, () => rng.int(2 ** 31));
}

/** Pick the start with the highest lower bound (first on ties, as scikit-learn) and build the ordered model. */
export function finishFit(ws: Workspace, o: ResolvedMixtureOptions, results: readonly RestartResult[]): GaussianMixtureModel {
  const { n, d } = ws;
  let best = 0;
  for (let r = 1; r < results.length; r++) if (results[r].lowerBound > results[best].lowerBound) best = r;
  const p = results[best].params;
  const k = o.components;
  // deterministic numbering: descending weight, then lexicographic mean
  const order = Array.from({ length: k }, (_, c) => c).sort((a, b) => {
    if (p.weights[a] !== p.weights[b]) return p.weights[b] - p.weights[a];
    for (let t = 0; t < d; t++) if (p.means[a * d + t] !== p.means[b * d + t]) return p.means[a * d + t] - p.means[b * d + t];
    return a - b;
  });
  const q = newParams(k, d);
  order.forEach((src, dst) => {
    q.weights[dst] = p.weights[src];
    q.logDet[dst] = p.logDet[src];
    q.means.set(p.means.subarray(src * d, (src + 1) * d), dst * d);
    q.covariances.set(p.covariances.subarray(src * d * d, (src + 1) * d * d), dst * d * d);
    q.precChol.set(p.precChol.subarray(src * d * d, (src + 1) * d * d), dst * d * d);
  });
  const logLikelihood = eStep(q, ws);
  const parameters = parameterCount(k, d, o.covariance);
  return {
    components: k,
    dimension: d,
    covariance: o.covariance,
    weights: q.weights,
    means: q.means,
    covariances: q.covariances,
    precisionsCholesky: q.precChol,
    logDetPrecisionCholesky: q.logDet,
    logLikelihood,
    converged: results[best].converged,
    iterations: results[best].iterations,
    samples: n,
    parameters,
    bic: -2 * n * logLikelihood + parameters * Math.log(n),
    aic: -2 * n * logLikelihood + 2 * parameters,
    restarts: results.map((r) => ({ lowerBound: r.lowerBound, iterations: r.iterations, converged: r.converged })),
    chosenRestart: best,
  };
}

/**
 * Fit a Gaussian mixture to the n × d rows of X (on a seeded sample of `sampleSize` rows when given). Throws a
 * GetseiError for bad options, non-finite data, fewer rows than components, or a covariance that cannot be made
 * positive definite.
 */
export function fitGaussianMixture(X: Rows, n: number, d: number, options: GaussianMixtureOptions): GaussianMixtureModel {
  checkRows(X, n, d, 'embeddings');
  const o = resolveMixtureOptions(options);
  const ws = sampleWorkspace(X, n, d, o.components, fitSampleRows(n, options.sampleSize, o.seed));
  const results = Array.from(restartSeeds(o.seed, o.restarts), (s) => emRestart(ws, o, createRng(s)));
  return finishFit(ws, o, results);
}

/** Rows per block when streaming over many rows (bounded scratch, no per-row allocation); a multiple of 4. */
const STREAM_ROWS = 1024;

/**
 * Scratch for streaming rows through a model: a copy of one block of rows (in X's own precision), the centred
 * block, the means and padded precision factors, and the block's squared distances [STREAM_ROWS × k].
 */
class Streamer {
  readonly kern: MixtureKernels;
  readonly f64: Float64Array;
  readonly f32: Float32Array;
  readonly xAt: number;
  readonly bufAt: number;
  readonly meansAt: number;
  readonly upAt: number;
  readonly outAt: number;
  readonly base: Float64Array;
  readonly out: Float64Array;
  constructor(readonly model: GaussianMixtureModel, readonly single: boolean) {
    const { components: k, dimension: d } = model;
    const dp = padTo4(d);
    const arena = new Arena();
    this.xAt = arena.reserve(STREAM_ROWS * d * 8);
    this.bufAt = arena.reserve(STREAM_ROWS * dp * 8);
    this.meansAt = arena.reserve(k * d * 8);
    this.upAt = arena.reserve(k * dp * dp * 8);
    this.outAt = arena.reserve(STREAM_ROWS * k * 8);
    const memory = arena.memory();
    this.kern = mixtureKernels(d, memory);
    this.f64 = new Float64Array(memory.buffer);
    this.f32 = new Float32Array(memory.buffer);
    this.f64.set(model.means, this.meansAt / 8);
    for (let c = 0; c < k; c++) padSquare(model.precisionsCholesky, c * d * d, d, this.f64, this.upAt / 8 + c * dp * dp, dp);
    this.base = new Float64Array(k);
    for (let c = 0; c < k; c++) this.base[c] = Math.log(model.weights[c]) + model.logDetPrecisionCholesky[c] - 0.5 * d * LOG_2PI;
    this.out = this.f64.subarray(this.outAt / 8, this.outAt / 8 + STREAM_ROWS * k);
  }

  /** Squared Mahalanobis distances of rows [r0, r1) (at most STREAM_ROWS) to every component into out[(r − r0)·k + c]. */
  squaredDistances(X: Rows, r0: number, r1: number): void {
    const { components: k, dimension: d } = this.model;
    const dp = padTo4(d);
    const rows = r1 - r0;
    const tiles = Math.ceil(rows / 4) * 4;
    const src = X.subarray(r0 * d, r1 * d);
    if (this.single) this.f32.set(src, this.xAt / 4);
    else this.f64.set(src, this.xAt / 8);
    const width = this.single ? 4 : 8;
    for (let c = 0; c < k; c++) {
      // centre the rows on μ_c (the kernel reads float32 rows directly), then ‖(x − μ_c) U_c‖² per row
      if (this.single) this.kern.centre32(this.xAt, this.xAt + rows * d * width, this.meansAt + c * d * 8, this.bufAt);
      else this.kern.centre64(this.xAt, this.xAt + rows * d * width, this.meansAt + c * d * 8, this.bufAt);
      this.kern.maha(this.bufAt, this.bufAt + tiles * dp * 8, this.upAt + c * dp * dp * 8, this.outAt + c * 8, k * 8);
    }
    const out = this.out;
    for (let i = 0; i < rows * k; i++) {
      if (!Number.isFinite(out[i])) {
        throw new GetseiError(`embedding row ${r0 + Math.floor(i / k)} holds a non-finite value; recompute the embeddings`);
      }
    }
  }

  /** log(w_c N(x | μ_c, Σ_c)) of rows [r0, r1) into out[(r − r0)·k + c]. */
  weightedLogDensity(X: Rows, r0: number, r1: number): void {
    this.squaredDistances(X, r0, r1);
    const k = this.model.components;
    const out = this.out;
    for (let i = 0; i < (r1 - r0) * k; i++) out[i] = this.base[i % k] - 0.5 * out[i];
  }
}

function rowCount(model: GaussianMixtureModel, X: Rows, n: number | undefined): number {
  const d = model.dimension;
  if (n === undefined) {
    if (X.length % d !== 0) throw new GetseiError(`the embeddings have ${X.length} values, not a multiple of the model's dimension ${d}`);
    return X.length / d;
  }
  checkInteger('the row count', n, 0);
  if (X.length < n * d) throw new GetseiError(`expected ${n} rows × ${d} columns but got ${X.length} values`);
  return n;
}

/**
 * Run `each(r0, r1, out)` over blocks of rows with the block's weighted log densities in `out[(r − r0)·k + c]`
 * (or squared Mahalanobis distances when `distances`).
 */
function stream(
  model: GaussianMixtureModel, X: Rows, rows: number, each: (r0: number, r1: number, out: Float64Array) => void, distances = false,
): void {
  const s = new Streamer(model, X instanceof Float32Array);
  for (let r0 = 0; r0 < rows; r0 += STREAM_ROWS) {
    const r1 = Math.min(rows, r0 + STREAM_ROWS);
    if (distances) s.squaredDistances(X, r0, r1);
    else s.weightedLogDensity(X, r0, r1);
    each(r0, r1, s.out);
  }
}

/**
 * Squared Mahalanobis distance (x − μ_c)ᵀ Σ_c⁻¹ (x − μ_c) of every row to every component, streamed in blocks:
 * `each(r0, r1, out)` sees out[(r − r0)·k + c] (the buffer is reused; copy what you keep).
 */
export function streamSquaredMahalanobis(
  model: GaussianMixtureModel, X: Rows, each: (r0: number, r1: number, out: Float64Array) => void, n?: number,
): void {
  stream(model, X, rowCount(model, X, n), each, true);
}

/** The most probable state of each row (int16, as RUN/states.npy stores it); ties go to the lower state. */
export function predict(model: GaussianMixtureModel, X: Rows, n?: number): Int16Array {
  const rows = rowCount(model, X, n);
  const k = model.components;
  const labels = new Int16Array(rows);
  stream(model, X, rows, (r0, r1, out) => {
    for (let i = 0; i < r1 - r0; i++) {
      let best = 0;
      for (let c = 1; c < k; c++) if (out[i * k + c] > out[i * k + best]) best = c;
      labels[r0 + i] = best;
    }
  });
  return labels;
}

/** log Σ_c exp(v[o + c]) over k entries, shifted by the maximum so it never overflows. */
function logSumExp(v: ArrayLike<number>, o: number, k: number): number {
  let max = -Infinity;
  for (let c = 0; c < k; c++) if (v[o + c] > max) max = v[o + c];
  let s = 0;
  for (let c = 0; c < k; c++) s += Math.exp(v[o + c] - max);
  return max + Math.log(s);
}

/** Posterior state probabilities, [n × k] row-major. */
export function predictProba(model: GaussianMixtureModel, X: Rows, n?: number): Float64Array {
  const rows = rowCount(model, X, n);
  const k = model.components;
  const proba = new Float64Array(rows * k);
  stream(model, X, rows, (r0, r1, out) => {
    for (let i = 0; i < r1 - r0; i++) {
      const o = i * k;
      const lse = logSumExp(out, o, k);
      for (let c = 0; c < k; c++) proba[(r0 + i) * k + c] = Math.exp(out[o + c] - lse);
    }
  });
  return proba;
}

/** Log density log p(x) of each row under the mixture (scikit-learn's score_samples). */
export function scoreSamples(model: GaussianMixtureModel, X: Rows, n?: number): Float64Array {
  const rows = rowCount(model, X, n);
  const k = model.components;
  const scores = new Float64Array(rows);
  stream(model, X, rows, (r0, r1, out) => {
    for (let i = 0; i < r1 - r0; i++) {
      scores[r0 + i] = logSumExp(out, i * k, k);
    }
  });
  return scores;
}
