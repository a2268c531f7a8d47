/**
 * TICA and VAMP projections from time-lagged covariances (Pérez-Hernández et al. 2013; Noé & Clementi 2015 kinetic
 * map; Wu & Noé 2020 VAMP). Both whiten the instantaneous covariance through its eigen-decomposition, dropping
 * eigenvalues ≤ epsilon × the largest (directions with no variance cannot be whitened), so the projection is defined
 * even for rank-deficient embeddings.
 * - TICA is the reversible estimate: covariances symmetrised about the common mean of x_t and x_{t+τ}
 *   (C0 = (C00 + C11)/2, Cτ = (C01 + C10)/2), eigenvalues λᵢ of C0^{-1/2} Cτ C0^{-1/2}, real, sorted by |λ|.
 * - VAMP keeps the non-reversible covariances: singular values σᵢ of C00^{-1/2} C01 C11^{-1/2}; the projection maps
 *   x_t onto the left singular functions.
 * With kinetic-map scaling each component is multiplied by its λᵢ (σᵢ), so Euclidean distances in the projection
 * reflect kinetic distances at the lag; the dimension is fixed or the smallest reaching a fraction of the kinetic
 * variance Σλᵢ².
 */
import { EigenvalueDecomposition, Matrix, SingularValueDecomposition } from 'ml-matrix';
import { GetseiError } from '../util/errors.ts';
import type { FeatureRows, LaggedCovariances } from './covariance.ts';

export type ProjectionMethod = 'tica' | 'vamp';

export interface ProjectionOptions {
  /** fixed output dimension; wins over kineticVariance */
  dim?: number;
  /** keep the smallest dimension whose Σλᵢ² reaches this fraction of the total (default 0.95) */
  kineticVariance?: number;
  /** scale component i by λᵢ (σᵢ): the kinetic map (default true) */
  kineticMap?: boolean;
  /** relative eigenvalue floor of the whitening (default 1e-6) */
  epsilon?: number;
}

export interface ProjectionModel {
  readonly method: ProjectionMethod;
  /** input dimension */
  readonly d: number;
  /** the mean subtracted before projecting */
  readonly mean: Float64Array;
  /** every eigenvalue (TICA) / singular value (VAMP) of the whitened problem, by decreasing modulus */
  readonly eigenvalues: Float64Array;
  /** kept output dimension */
  readonly dim: number;
  /** d × dim, row-major: y = (x − mean) · components */
  readonly components: Float64Array;
  /** cumulative kinetic variance Σ_{i≤k} λᵢ² / Σ λᵢ², per k */
  readonly cumulativeKineticVariance: Float64Array;
  /** whitening directions dropped as below epsilon */
  readonly droppedDirections: number;
  readonly kineticMap: boolean;
  readonly pairs: number;
}

/** Eigen-decomposition of a symmetric matrix, descending. */
function symEig(a: Float64Array, d: number): { values: Float64Array; vectors: Matrix } {
  const sym = Matrix.from1DArray(d, d, a);
  const m = sym.add(sym.transpose()).mul(0.5);
  const evd = new EigenvalueDecomposition(m, { assumeSymmetric: true });
  const vals = evd.realEigenvalues;
  const order = vals.map((_, i) => i).sort((i, j) => vals[j] - vals[i]);
  const V = evd.eigenvectorMatrix;
  const out = new Matrix(d, d);
  order.forEach((src, dst) => { for (let r = 0; r < d; r++) out.set(r, dst, V.get(r, src)); });
  return { values: Float64Array.from(order, (i) => vals[i]), vectors: out };
}

/** C^{-1/2} on its retained subspace: d × r matrix W with Wᵀ C W = I. */
function whitening(c: Float64Array, d: number, epsilon: number): { W: Matrix; dropped: number } {
  const { values, vectors } = symEig(c, d);
  const top = Math.max(values[0], 0);
  if (!(top > 0)) throw new GetseiError('the features have no variance: nothing to project (use projection.method = "none")');
  const keep = values.filter((v) => v > epsilon * top).length;
  const W = new Matrix(d, keep);
  for (let k = 0; k < keep; k++) {
    const s = 1 / Math.sqrt(values[k]);
    for (let r = 0; r < d; r++) W.set(r, k, vectors.get(r, k) * s);
  }
  return { W, dropped: d - keep };
}

function chooseDim(values: Float64Array, options: ProjectionOptions): { dim: number; cumulative: Float64Array } {
  const sq = Array.from(values, (v) => v * v);
  const total = sq.reduce((a, b) => a + b, 0);
  const cumulative = new Float64Array(values.length);
  let acc = 0;
  sq.forEach((v, i) => { acc += v; cumulative[i] = total > 0 ? acc / total : 1; });
  if (options.dim !== undefined) {
    if (!Number.isInteger(options.dim) || options.dim < 1) throw new GetseiError(`projection.dim must be a positive integer, got ${options.dim}`);
    return { dim: Math.min(options.dim, values.length), cumulative };
  }
  const f = options.kineticVariance ?? 0.95;
  if (!(f > 0 && f <= 1)) throw new GetseiError(`projection.kineticVariance must be in (0, 1], got ${f}`);
  let dim = cumulative.findIndex((c) => c >= f - 1e-12) + 1;
  if (dim === 0) dim = values.length;
  return { dim, cumulative };
}

/** Estimate a TICA or VAMP projection from accumulated covariances. */
export function estimateProjection(cov: LaggedCovariances, method: ProjectionMethod, options: ProjectionOptions = {}): ProjectionModel {
  const { d } = cov;
  const epsilon = options.epsilon ?? 1e-6;
  const kineticMap = options.kineticMap ?? true;
  let mean: Float64Array, values: Float64Array, basis: Matrix, dropped: number;
  if (method === 'tica') {
    mean = Float64Array.from(cov.mean0, (v, j) => (v + cov.mean1[j]) / 2);
    const c0 = new Float64Array(d * d), ct = new Float64Array(d * d);
    for (let i = 0; i < d; i++) {
      const a0 = cov.mean0[i] - mean[i], a1 = cov.mean1[i] - mean[i];
      for (let j = 0; j < d; j++) {
        const b0 = cov.mean0[j] - mean[j], b1 = cov.mean1[j] - mean[j];
        c0[i * d + j] = (cov.c00[i * d + j] + a0 * b0 + cov.c11[i * d + j] + a1 * b1) / 2;
        ct[i * d + j] = (cov.c01[i * d + j] + a0 * b1 + cov.c01[j * d + i] + b0 * a1) / 2;
      }
    }
    const w = whitening(c0, d, epsilon);
    dropped = w.dropped;
    const r = w.W.columns;
    const M = w.W.transpose().mmul(Matrix.from1DArray(d, d, ct)).mmul(w.W);
    const e = symEig(Float64Array.from(M.to1DArray()), r);
    // order by |λ| (a negative eigenvalue is as fast as its modulus says)
    const order = Array.from(e.values, (_, i) => i).sort((i, j) => Math.abs(e.values[j]) - Math.abs(e.values[i]));
    values = Float64Array.from(order, (i) => e.values[i]);
    const U = new Matrix(r, r);
    order.forEach((src, dst) => { for (let k = 0; k < r; k++) U.set(k, dst, e.vectors.get(k, src)); });
    basis = w.W.mmul(U);
  } else {
    mean = Float64Array.from(cov.mean0);
    const w0 = whitening(cov.c00, d, epsilon), w1 = whitening(cov.c11, d, epsilon);
    dropped = Math.max(w0.dropped, w1.dropped);
    const K = w0.W.transpose().mmul(Matrix.from1DArray(d, d, cov.c01)).mmul(w1.W);
    const svd = new SingularValueDecomposition(K, { autoTranspose: true });
    const r = Math.min(K.rows, K.columns);
    values = Float64Array.from(svd.diagonal.slice(0, r));
    basis = w0.W.mmul(svd.leftSingularVectors.subMatrix(0, K.rows - 1, 0, r - 1));
  }
  const { dim, cumulative } = chooseDim(values, options);
  const components = new Float64Array(d * dim);
  for (let k = 0; k < dim; k++) {
    // sign: the largest-magnitude loading positive, so the projection is reproducible across platforms
    let big = 0;
    for (let r = 0; r < d; r++) if (Math.abs(basis.get(r, k)) > Math.abs(big)) big = basis.get(r, k);
    const s = (big < 0 ? -1 : 1) * (kineticMap ? values[k] : 1);
    for (let r = 0; r < d; r++) components[r * dim + k] = basis.get(r, k) * s;
  }
  return { method, d, mean, eigenvalues: values, dim, components, cumulativeKineticVariance: cumulative, droppedDirections: dropped, kineticMap, pairs: cov.pairs };
}

/** Project rows X [n × d] → Float32Array [n × dim]. */
export function project(model: ProjectionModel, X: FeatureRows, n: number): Float32Array {
  const { d, dim, mean, components } = model;
  if (X.length < n * d) throw new GetseiError(`projecting ${n} rows of ${d} features needs ${n * d} values, got ${X.length}`);
  const out = new Float32Array(n * dim);
  const y = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    y.fill(0);
    for (let r = 0; r < d; r++) {
      const v = X[i * d + r] - mean[r];
      for (let k = 0; k < dim; k++) y[k] += v * components[r * dim + k];
    }
    out.set(y, i * dim);
  }
  return out;
}

/** Implied timescales −τ / ln|λᵢ| in the lag's unit (Infinity for |λ| ≥ 1, 0 for λ = 0). */
export function impliedTimescales(eigenvalues: ArrayLike<number>, lag: number): Float64Array {
  return Float64Array.from(eigenvalues as ArrayLike<number>, (v) => {
    const m = Math.abs(v);
    if (m >= 1) return Infinity;
    return m === 0 ? 0 : -lag / Math.log(m);
  });
}
