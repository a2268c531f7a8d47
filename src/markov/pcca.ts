import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { inverse, orderOf } from '../linalg/index.ts';
import { GetseiError } from '../util/errors.ts';

/**
 * PCCA+ (Deuflhard & Weber 2005; Röblitz & Weber 2013): n states lumped into m metastable sets with memberships
 * χ (n × m, rows on the unit simplex). Immutable result.
 */
export interface PccaResult {
  readonly nStates: number;
  readonly nSets: number;
  /** n × m row-major: membership χ_lj of state l in metastable set j; χ ≥ 0, Σ_j χ_lj = 1 */
  readonly memberships: Float64Array;
  /** per state: the set of largest membership (sets ordered by their lowest state) */
  readonly assignment: Int32Array;
  /** per set: its states (by assignment), ascending */
  readonly sets: readonly Int32Array[];
  /** per set: the state the inner simplex algorithm took as its vertex */
  readonly representatives: Int32Array;
  /** the m + 1 leading eigenvalues of the (reversibilised) transition matrix, descending; the gap between the m-th
   * and (m+1)-th says how well m sets are separated */
  readonly eigenvalues: Float64Array;
  /** (1/m) Σ_j χ_jᵀΠχ_j / πᵀχ_j: 1 for crisp sets, 1/m for fully fuzzy ones */
  readonly crispness: number;
  /** stationary weight of each set, πᵀχ_j */
  readonly stationary: Float64Array;
  /** m × m coarse transition matrix (χᵀΠχ)⁻¹ χᵀΠKχ (Kube & Weber 2007) */
  readonly coarseTransitionMatrix: Float64Array;
  /** the pair of sets at the two ends of the slowest process (extremes of the second eigenvector): default TPT
   * source and target */
  readonly slowestPair: readonly [number, number];
}

/**
 * PCCA+ of a transition matrix K (n × n, row-major, row-stochastic) with stationary distribution π into m sets.
 *
 * 1. Reversibilise: K̃_ij = (π_i K_ij + π_j K_ji) / 2π_i (= K for a reversible model), so that the dominant
 *    eigenvectors are real: they are taken from the symmetric Π^½ K̃ Π^−½ and scaled to X = Π^−½ U, XᵀΠX = I,
 *    X₀ = 1.
 * 2. Inner simplex algorithm (Deuflhard & Weber 2005): the rows of X lie near an (m−1)-simplex; its vertices are
 *    found as the row farthest from the origin of the shifted rows, then repeatedly the row farthest from the span
 *    of those already taken (Gram–Schmidt). A = X[vertices]⁻¹, so each vertex has membership 1 in its own set.
 * 3. Feasibility (Röblitz & Weber 2013, §3.3): the first column and row of A are reset so that χ = XA is
 *    non-negative and sums to 1 in every row, and A is rescaled.
 * The optimisation of A for maximal crispness (Röblitz & Weber's step 4) is not done: on nearly decomposable chains
 * the simplex vertices already give crisp sets; `crispness` reports how fuzzy the result is.
 */
export function pccaPlus(k: ArrayLike<number>, stationary: ArrayLike<number>, m: number): PccaResult {
  const n = orderOf(k);
  if (!Number.isInteger(m) || m < 2 || m > n) throw new GetseiError(`PCCA+ needs 2 ≤ number of sets ≤ number of states (${n}), got ${m}`);
  if (stationary.length !== n) throw new GetseiError(`PCCA+: the stationary distribution has ${stationary.length} entries, the matrix ${n} states`);
  for (let i = 0; i < n; i++) {
    if (!(stationary[i] > 0)) throw new GetseiError(`PCCA+ needs every state to have positive stationary weight; state ${i} has ${stationary[i]}`);
  }
  let z = 0;
  for (let i = 0; i < n; i++) z += stationary[i];
  const pi = Float64Array.from(stationary, (p) => p / z);
  const sq = pi.map(Math.sqrt);
  const s = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) s[i * n + j] = (pi[i] * k[i * n + j] + pi[j] * k[j * n + i]) / (2 * sq[i] * sq[j]);
  }
  const evd = new EigenvalueDecomposition(Matrix.from1DArray(n, n, s), { assumeSymmetric: true });
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => evd.realEigenvalues[b] - evd.realEigenvalues[a]);
  const vectors = evd.eigenvectorMatrix;
  // X: n × m, column c = U[:, order[c]] / √π; column 0 made exactly 1 (the eigenvector of λ = 1 is √π)
  const x = new Float64Array(n * m);
  for (let c = 0; c < m; c++) {
    for (let l = 0; l < n; l++) x[l * m + c] = c === 0 ? 1 : vectors.get(l, order[c]) / sq[l];
  }
  const reps = innerSimplexVertices(x, n, m);
  const a = inverse(Float64Array.from({ length: m * m }, (_, e) => x[reps[Math.floor(e / m)] * m + (e % m)]), 'PCCA+ simplex vertices (the leading eigenvectors are degenerate)');
  makeFeasible(a, x, n, m);
  const chi = new Float64Array(n * m);
  for (let l = 0; l < n; l++) {
    let rs = 0;
    for (let j = 0; j < m; j++) {
      let v = 0;
      for (let c = 0; c < m; c++) v += x[l * m + c] * a[c * m + j];
      chi[l * m + j] = Math.max(0, v);
      rs += chi[l * m + j];
    }
    for (let j = 0; j < m; j++) chi[l * m + j] /= rs;
  }
  // order the sets by their lowest state (argmax, ties to the lower set), so the labelling is deterministic
  const raw = Int32Array.from({ length: n }, (_, l) => argmaxRow(chi, l, m));
  const firstState = Array.from({ length: m }, (_, j) => {
    const l = raw.indexOf(j);
    return l < 0 ? n + reps[j] : l;
  });
  const perm = Array.from({ length: m }, (_, j) => j).sort((p, q) => firstState[p] - firstState[q]);
  const memberships = new Float64Array(n * m);
  for (let l = 0; l < n; l++) for (let j = 0; j < m; j++) memberships[l * m + j] = chi[l * m + perm[j]];
  const assignment = Int32Array.from({ length: n }, (_, l) => argmaxRow(memberships, l, m));
  const sets = Array.from({ length: m }, (_, j) => Int32Array.from({ length: n }, (_, l) => l).filter((l) => assignment[l] === j));
  const weight = new Float64Array(m);
  let crisp = 0;
  for (let j = 0; j < m; j++) {
    let self = 0;
    for (let l = 0; l < n; l++) {
      weight[j] += pi[l] * memberships[l * m + j];
      self += pi[l] * memberships[l * m + j] ** 2;
    }
    crisp += weight[j] > 0 ? self / weight[j] : 0;
  }
  // coarse K: (χᵀΠχ)⁻¹ χᵀΠKχ
  const overlap = new Float64Array(m * m);
  const flow = new Float64Array(m * m);
  const kchi = new Float64Array(n * m);
  for (let l = 0; l < n; l++) for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) kchi[l * m + j] += k[l * n + i] * memberships[i * m + j];
  for (let p = 0; p < m; p++) {
    for (let q = 0; q < m; q++) {
      for (let l = 0; l < n; l++) {
        overlap[p * m + q] += memberships[l * m + p] * pi[l] * memberships[l * m + q];
        flow[p * m + q] += memberships[l * m + p] * pi[l] * kchi[l * m + q];
      }
    }
  }
  const oi = inverse(overlap, 'PCCA+ membership overlap');
  const coarse = new Float64Array(m * m);
  for (let p = 0; p < m; p++) for (let q = 0; q < m; q++) for (let r = 0; r < m; r++) coarse[p * m + q] += oi[p * m + r] * flow[r * m + q];
  // the slowest process runs between the sets at the extremes of the second eigenvector (π-weighted set means)
  const mean2 = Array.from({ length: m }, (_, j) => {
    let acc = 0;
    for (let l = 0; l < n; l++) acc += pi[l] * memberships[l * m + j] * x[l * m + 1];
    return weight[j] > 0 ? acc / weight[j] : 0;
  });
  const lo = mean2.indexOf(Math.min(...mean2));
  const hi = mean2.indexOf(Math.max(...mean2));
  return Object.freeze({
    nStates: n,
    nSets: m,
    memberships,
    assignment,
    sets,
    representatives: Int32Array.from(perm, (j) => reps[j]),
    eigenvalues: Float64Array.from(order.slice(0, Math.min(n, m + 1)), (i) => evd.realEigenvalues[i]),
    crispness: crisp / m,
    stationary: weight,
    coarseTransitionMatrix: coarse,
    slowestPair: [Math.min(lo, hi), Math.max(lo, hi)] as const,
  });
}

function argmaxRow(a: Float64Array, l: number, m: number): number {
  let best = 0;
  for (let j = 1; j < m; j++) if (a[l * m + j] > a[l * m + best]) best = j;
  return best;
}

/** Vertices of the simplex spanned by the rows of X (n × m): farthest row, then farthest from the span so far. */
function innerSimplexVertices(x: Float64Array, n: number, m: number): number[] {
  const norm = (v: Float64Array, l: number): number => {
    let s = 0;
    for (let c = 0; c < m; c++) s += v[l * m + c] ** 2;
    return s;
  };
  let first = 0;
  for (let l = 1; l < n; l++) if (norm(x, l) > norm(x, first)) first = l;
  const v = x.slice();
  for (let l = 0; l < n; l++) for (let c = 0; c < m; c++) v[l * m + c] -= x[first * m + c];
  const reps = [first];
  for (let j = 1; j < m; j++) {
    let best = -1;
    for (let l = 0; l < n; l++) if (best < 0 || norm(v, l) > norm(v, best)) best = l;
    reps.push(best);
    const len = Math.sqrt(norm(v, best));
    if (!(len > 0)) throw new GetseiError(`PCCA+: the states span fewer than ${m} metastable directions; ask for fewer sets`);
    const q = Float64Array.from({ length: m }, (_, c) => v[best * m + c] / len);
    for (let l = 0; l < n; l++) {
      let d = 0;
      for (let c = 0; c < m; c++) d += q[c] * v[l * m + c];
      for (let c = 0; c < m; c++) v[l * m + c] -= d * q[c];
    }
  }
  return reps;
}

/**
 * Make A feasible (Röblitz & Weber 2013): with X₀ = 1, χ = XA sums to 1 in each row iff A's first row sums to 1 and
 * its other rows to 0, and χ_lj ≥ 0 iff A_0j ≥ −min_l Σ_{c≥1} X_lc A_cj. Set A_c0 = −Σ_{j≥1} A_cj (c ≥ 1), then
 * A_0j to that minimum bound, then divide A by the first row's sum.
 */
function makeFeasible(a: Float64Array, x: Float64Array, n: number, m: number): void {
  for (let c = 1; c < m; c++) {
    let s = 0;
    for (let j = 1; j < m; j++) s += a[c * m + j];
    a[c * m] = -s;
  }
  let total = 0;
  for (let j = 0; j < m; j++) {
    let min = Infinity;
    for (let l = 0; l < n; l++) {
      let v = 0;
      for (let c = 1; c < m; c++) v += x[l * m + c] * a[c * m + j];
      if (v < min) min = v;
    }
    a[j] = -min;
    total += a[j];
  }
  for (let e = 0; e < m * m; e++) a[e] /= total;
}
