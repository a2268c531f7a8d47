/**
 * VAMP-2 and VAMP-E scores of a discrete state assignment (Wu & Noé 2020), with the states as one-hot basis
 * functions (the constant function is in their span, so no mean is removed and the top singular value is 1).
 * For a reversible chain sampled at equilibrium, K = D^{1/2} P D^{-1/2} and VAMP-2 = Σᵢ λᵢ² = 1 + Σ_{i≥2} λᵢ².
 *
 * Cross-validation follows deeptime's `vamp_score_cv` reading: the singular functions are estimated on training
 * trajectories and scored on held-out ones (A = fᵀC00f, B = fᵀC01g, C = gᵀC11g of the test data,
 * VAMP-2 = ‖A^{-1/2} B C^{-1/2}‖²_F, VAMP-E = tr(2SB − SASC)); the folds are of whole Li trajectories (no pair of
 * a test Li is ever seen in training), assigned with a seed.
 */
import { EigenvalueDecomposition, Matrix, SingularValueDecomposition } from 'ml-matrix';
import { GetseiError } from '../util/errors.ts';
import { createRng, shuffle } from '../util/rng.ts';

export interface StateTrajectories {
  /** [nTrajectories × nFrames], row = trajectory; negative = undefined */
  readonly states: ArrayLike<number>;
  readonly nTrajectories: number;
  readonly nFrames: number;
}

interface Counts { n: number; c01: Float64Array; n0: Float64Array; n1: Float64Array }

/** Transition counts at `lag` of the given trajectories, never across segments or undefined frames. */
function countPairs(dt: StateTrajectories, K: number, lag: number, rows: Iterable<number>, segments?: ArrayLike<number>): Counts {
  const { states, nFrames } = dt;
  const c01 = new Float64Array(K * K), n0 = new Float64Array(K), n1 = new Float64Array(K);
  let n = 0;
  for (const r of rows) {
    for (let t = 0; t + lag < nFrames; t++) {
      const a = states[r * nFrames + t], b = states[r * nFrames + t + lag];
      if (a < 0 || b < 0) continue;
      if (segments !== undefined && segments[t] !== segments[t + lag]) continue;
      if (a >= K || b >= K) throw new GetseiError(`state ${Math.max(a, b)} at trajectory ${r} is outside 0…${K - 1}`);
      c01[a * K + b]++; n0[a]++; n1[b]++; n++;
    }
  }
  return { n, c01, n0, n1 };
}

function invSqrtSym(m: Matrix, eps: number): Matrix {
  const evd = new EigenvalueDecomposition(m.add(m.transpose()).mul(0.5), { assumeSymmetric: true });
  const vals = evd.realEigenvalues, V = evd.eigenvectorMatrix;
  const top = Math.max(0, ...vals);
  const d = Matrix.zeros(vals.length, vals.length);
  vals.forEach((v, i) => { if (v > eps * top && v > 0) d.set(i, i, 1 / Math.sqrt(v)); });
  return V.mmul(d).mmul(V.transpose());
}

export interface VampScores { readonly vamp2: number; readonly vampE: number }

/** Score the test counts with singular functions (rank r) of the training counts. */
function scoreWith(train: Counts, test: Counts, K: number, r: number): VampScores {
  const d0 = Float64Array.from(train.n0, (v) => (v > 0 ? 1 / Math.sqrt(v / train.n) : 0));
  const d1 = Float64Array.from(train.n1, (v) => (v > 0 ? 1 / Math.sqrt(v / train.n) : 0));
  const Kt = new Matrix(K, K);
  for (let a = 0; a < K; a++) for (let b = 0; b < K; b++) Kt.set(a, b, d0[a] * (train.c01[a * K + b] / train.n) * d1[b]);
  const svd = new SingularValueDecomposition(Kt);
  const rank = Math.min(r, K);
  const sigma = svd.diagonal.slice(0, rank);
  const f = new Matrix(K, rank), g = new Matrix(K, rank);
  for (let a = 0; a < K; a++) {
    for (let k = 0; k < rank; k++) {
      f.set(a, k, d0[a] * svd.leftSingularVectors.get(a, k));
      g.set(a, k, d1[a] * svd.rightSingularVectors.get(a, k));
    }
  }
  const C00 = Matrix.zeros(K, K), C11 = Matrix.zeros(K, K), C01 = new Matrix(K, K);
  for (let a = 0; a < K; a++) {
    C00.set(a, a, test.n0[a] / test.n);
    C11.set(a, a, test.n1[a] / test.n);
    for (let b = 0; b < K; b++) C01.set(a, b, test.c01[a * K + b] / test.n);
  }
  const A = f.transpose().mmul(C00).mmul(f), B = f.transpose().mmul(C01).mmul(g), C = g.transpose().mmul(C11).mmul(g);
  const W = invSqrtSym(A, 1e-10).mmul(B).mmul(invSqrtSym(C, 1e-10));
  let vamp2 = 0;
  for (const v of W.to1DArray()) vamp2 += v * v;
  const S = Matrix.diag(sigma);
  const vampE = 2 * S.mmul(B).trace() - S.mmul(A).mmul(S).mmul(C).trace();
  return { vamp2, vampE };
}

export interface VampScoreOptions {
  /** singular functions scored (default: all K, the constant included) */
  dim?: number;
  /** segment id per frame: no pair spans two */
  segments?: ArrayLike<number>;
}

/** VAMP-2 / VAMP-E of the assignment on all its data (training = test). */
export function vampScore(dt: StateTrajectories, K: number, lag: number, options: VampScoreOptions = {}): VampScores {
  checkLag(lag, dt.nFrames);
  const all = countPairs(dt, K, lag, range(dt.nTrajectories), options.segments);
  if (all.n === 0) throw new GetseiError(`no state pairs at lag ${lag} frames: the trajectories are shorter than the lag`);
  return scoreWith(all, all, K, options.dim ?? K);
}

export interface VampScoreCv {
  readonly mean: VampScores;
  /** standard deviation over folds */
  readonly std: VampScores;
  readonly folds: readonly VampScores[];
}

/** VAMP scores cross-validated over `folds` folds of whole trajectories (seeded). */
export function vampScoreCv(
  dt: StateTrajectories, K: number, lag: number, options: VampScoreOptions & { folds?: number; seed?: number } = {},
): VampScoreCv {
  checkLag(lag, dt.nFrames);
  const nFolds = Math.min(options.folds ?? 5, dt.nTrajectories);
  if (nFolds < 2) throw new GetseiError(`cross-validated VAMP scores need at least 2 trajectories (Li), got ${dt.nTrajectories}`);
  const order = shuffle(createRng(options.seed ?? 0), range(dt.nTrajectories));
  const folds: VampScores[] = [];
  for (let k = 0; k < nFolds; k++) {
    const test = order.filter((_, i) => i % nFolds === k), train = order.filter((_, i) => i % nFolds !== k);
    const cTrain = countPairs(dt, K, lag, train, options.segments), cTest = countPairs(dt, K, lag, test, options.segments);
    if (cTrain.n === 0 || cTest.n === 0) continue;
    folds.push(scoreWith(cTrain, cTest, K, options.dim ?? K));
  }
  if (folds.length === 0) throw new GetseiError(`no state pairs at lag ${lag} frames in any fold`);
  const avg = (f: (s: VampScores) => number): number => folds.reduce((a, s) => a + f(s), 0) / folds.length;
  const sd = (f: (s: VampScores) => number): number => {
    const m = avg(f);
    return Math.sqrt(folds.reduce((a, s) => a + (f(s) - m) ** 2, 0) / folds.length);
  };
  return {
    mean: { vamp2: avg((s) => s.vamp2), vampE: avg((s) => s.vampE) },
    std: { vamp2: sd((s) => s.vamp2), vampE: sd((s) => s.vampE) },
    folds,
  };
}

/** VAMP scores straight from an expected (or observed) count matrix C[a][b] at the lag (for hand-checked cases). */
export function vampScoreOfCounts(counts: ArrayLike<number>, K: number, dim = K): VampScores {
  const c01 = Float64Array.from(counts as ArrayLike<number>);
  const n0 = new Float64Array(K), n1 = new Float64Array(K);
  let n = 0;
  for (let a = 0; a < K; a++) for (let b = 0; b < K; b++) { n0[a] += c01[a * K + b]; n1[b] += c01[a * K + b]; n += c01[a * K + b]; }
  const c = { n, c01, n0, n1 };
  return scoreWith(c, c, K, dim);
}

function checkLag(lag: number, nFrames: number): void {
  if (!Number.isInteger(lag) || lag < 1 || lag >= nFrames) throw new GetseiError(`the VAMP lag must be a whole number of frames in 1…${nFrames - 1}, got ${lag}`);
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
