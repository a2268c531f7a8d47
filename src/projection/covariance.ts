/**
 * Streaming time-lagged covariances of per-trajectory feature time series (here: each Li's embedding over frames).
 * Pairs (x_t, x_{t+τ}) are accumulated only within one contiguous segment of one trajectory with both rows defined
 * (finite), so no pair ever spans a segment / independent-trajectory boundary or an undefined frame. Moments are
 * accumulated in float64 about a shift vector (the first row seen), which keeps the centred covariances free of the
 * cancellation of Σ x xᵀ − N μ μᵀ far from the origin.
 */
import { GetseiError } from '../util/errors.ts';

export type FeatureRows = Float32Array | Float64Array;

/** Mutable accumulator; finish it with `laggedCovariances`. */
export interface LaggedCovarianceAccumulator {
  readonly d: number;
  pairs: number;
  shift: Float64Array | null;
  readonly sum0: Float64Array;
  readonly sum1: Float64Array;
  /** Σ (x0−s)(x0−s)ᵀ, Σ (x0−s)(x1−s)ᵀ, Σ (x1−s)(x1−s)ᵀ, row-major d × d */
  readonly s00: Float64Array;
  readonly s01: Float64Array;
  readonly s11: Float64Array;
}

/** Centred, normalised covariances of the pairs: C00 = cov(x_t), C01 = cov(x_t, x_{t+τ}), C11 = cov(x_{t+τ}). */
export interface LaggedCovariances {
  readonly d: number;
  readonly pairs: number;
  readonly mean0: Float64Array;
  readonly mean1: Float64Array;
  readonly c00: Float64Array;
  readonly c01: Float64Array;
  readonly c11: Float64Array;
}

export function createAccumulator(d: number): LaggedCovarianceAccumulator {
  if (!Number.isInteger(d) || d < 1) throw new GetseiError(`the feature dimension must be a positive integer, got ${d}`);
  return {
    d, pairs: 0, shift: null, sum0: new Float64Array(d), sum1: new Float64Array(d),
    s00: new Float64Array(d * d), s01: new Float64Array(d * d), s11: new Float64Array(d * d),
  };
}

function rowFinite(X: FeatureRows, r: number, d: number): boolean {
  for (let j = 0; j < d; j++) if (!Number.isFinite(X[r * d + j])) return false;
  return true;
}

/** Add one pair: row r0 of X0 at time t and row r1 of X1 at time t + τ. */
export function addPair(acc: LaggedCovarianceAccumulator, X0: FeatureRows, r0: number, X1: FeatureRows, r1: number): void {
  const d = acc.d;
  if (acc.shift === null) acc.shift = Float64Array.from(X0.subarray(r0 * d, (r0 + 1) * d));
  const s = acc.shift;
  const a = new Float64Array(d), b = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    a[j] = X0[r0 * d + j] - s[j];
    b[j] = X1[r1 * d + j] - s[j];
    acc.sum0[j] += a[j];
    acc.sum1[j] += b[j];
  }
  for (let i = 0; i < d; i++) {
    const ai = a[i], bi = b[i], o = i * d;
    for (let j = 0; j < d; j++) {
      acc.s00[o + j] += ai * a[j];
      acc.s01[o + j] += ai * b[j];
      acc.s11[o + j] += bi * b[j];
    }
  }
  acc.pairs++;
}

/**
 * Add every pair (t, t + lag) of one trajectory X [T × d] (rows = consecutive frames) whose two frames lie in the
 * same segment (`segments[t] === segments[t + lag]` and no other id in between — segments are contiguous runs) and
 * are both finite. `offset` is the frame index of X's first row in the whole trajectory (for chunked reading).
 */
export function addTrajectory(
  acc: LaggedCovarianceAccumulator, X: FeatureRows, T: number, lag: number,
  segments?: ArrayLike<number>, offset = 0,
): void {
  const d = acc.d;
  if (X.length < T * d) throw new GetseiError(`a trajectory of ${T} frames × ${d} features needs ${T * d} values, got ${X.length}`);
  if (!Number.isInteger(lag) || lag < 1) throw new GetseiError(`the projection lag must be a positive number of frames, got ${lag}`);
  // frame index where each frame's segment ends (exclusive), so a pair is inside one segment iff t + lag < end
  const end = segmentEnds(T, segments, offset);
  // S00 and S11 receive the same addends at (i, j) and (j, i) (a_i a_j = a_j a_i exactly), so while they are
  // symmetric only their upper triangles need summing, mirrored at the end: the same values as addPair's, in
  // two thirds of the multiply-adds. An accumulator that is not exactly symmetric (after a merge) takes addPair.
  const symmetric = isSymmetric(acc.s00, d) && isSymmetric(acc.s11, d);
  const a = new Float64Array(d), b = new Float64Array(d);
  const { sum0, sum1, s00, s01, s11 } = acc;
  for (let t = 0; t + lag < T; t++) {
    if (t + lag >= end[t]) continue;
    if (!rowFinite(X, t, d) || !rowFinite(X, t + lag, d)) continue;
    if (!symmetric) {
      addPair(acc, X, t, X, t + lag);
      continue;
    }
    if (acc.shift === null) acc.shift = Float64Array.from(X.subarray(t * d, (t + 1) * d));
    const sh = acc.shift;
    const r0 = t * d, r1 = (t + lag) * d;
    for (let j = 0; j < d; j++) {
      a[j] = X[r0 + j] - sh[j];
      b[j] = X[r1 + j] - sh[j];
      sum0[j] += a[j];
      sum1[j] += b[j];
    }
    for (let i = 0; i < d; i++) {
      const ai = a[i], bi = b[i], o = i * d;
      for (let j = 0; j < i; j++) s01[o + j] += ai * b[j];
      for (let j = i; j < d; j++) {
        s00[o + j] += ai * a[j];
        s01[o + j] += ai * b[j];
        s11[o + j] += bi * b[j];
      }
    }
    acc.pairs++;
  }
  if (symmetric) {
    for (let i = 0; i < d; i++) {
      for (let j = i + 1; j < d; j++) {
        s00[j * d + i] = s00[i * d + j];
        s11[j * d + i] = s11[i * d + j];
      }
    }
  }
}

function isSymmetric(S: Float64Array, d: number): boolean {
  for (let i = 0; i < d; i++) for (let j = i + 1; j < d; j++) if (S[i * d + j] !== S[j * d + i]) return false;
  return true;
}

function segmentEnds(T: number, segments: ArrayLike<number> | undefined, offset: number): Int32Array {
  const end = new Int32Array(T).fill(T);
  if (segments === undefined) return end;
  if (segments.length < offset + T) throw new GetseiError(`the segment ids cover ${segments.length} frames, the trajectory needs ${offset + T}`);
  let e = T;
  for (let t = T - 1; t >= 0; t--) {
    if (t < T - 1 && segments[offset + t] !== segments[offset + t + 1]) e = t + 1;
    end[t] = e;
  }
  return end;
}

/** Merge b into a (for per-fold or per-worker partial sums); both must use the same shift or a must be empty. */
export function mergeAccumulators(a: LaggedCovarianceAccumulator, b: LaggedCovarianceAccumulator): void {
  if (a.d !== b.d) throw new GetseiError(`cannot merge covariances of dimension ${a.d} and ${b.d}`);
  if (b.pairs === 0 || b.shift === null) return;
  if (a.shift === null) a.shift = Float64Array.from(b.shift);
  const d = a.d;
  // re-centre b's moments on a's shift: Σ(x−sa) = Σ(x−sb) + n(sb−sa)
  const delta = Float64Array.from(b.shift, (v, j) => v - (a.shift as Float64Array)[j]);
  const n = b.pairs;
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      const k = i * d + j;
      a.s00[k] += b.s00[k] + b.sum0[i] * delta[j] + delta[i] * b.sum0[j] + n * delta[i] * delta[j];
      a.s01[k] += b.s01[k] + b.sum0[i] * delta[j] + delta[i] * b.sum1[j] + n * delta[i] * delta[j];
      a.s11[k] += b.s11[k] + b.sum1[i] * delta[j] + delta[i] * b.sum1[j] + n * delta[i] * delta[j];
    }
  }
  for (let j = 0; j < d; j++) {
    a.sum0[j] += b.sum0[j] + n * delta[j];
    a.sum1[j] += b.sum1[j] + n * delta[j];
  }
  a.pairs += n;
}

/** The centred covariances (divided by the number of pairs N, as deeptime's Covariance with bessel=False). */
export function laggedCovariances(acc: LaggedCovarianceAccumulator): LaggedCovariances {
  const { d, pairs: n } = acc;
  if (n < 2 || acc.shift === null) {
    throw new GetseiError(`only ${n} time-lagged pairs: the trajectories are too short for the projection lag (shorten projection.lag or use projection.method = "none")`);
  }
  const m0 = Float64Array.from(acc.sum0, (v) => v / n), m1 = Float64Array.from(acc.sum1, (v) => v / n);
  const c00 = new Float64Array(d * d), c01 = new Float64Array(d * d), c11 = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      const k = i * d + j;
      c00[k] = acc.s00[k] / n - m0[i] * m0[j];
      c01[k] = acc.s01[k] / n - m0[i] * m1[j];
      c11[k] = acc.s11[k] / n - m1[i] * m1[j];
    }
  }
  const s = acc.shift;
  return {
    d, pairs: n, mean0: Float64Array.from(m0, (v, j) => v + s[j]), mean1: Float64Array.from(m1, (v, j) => v + s[j]), c00, c01, c11,
  };
}
