/**
 * Exact kinetics of the planted type-level process: the transition matrix at any lag, implied timescales, and
 * transition path theory (committors, fluxes, pathways). Written independently of src/markov/ and src/tpt/ on
 * purpose: the truth must not be computed by the code it scores.
 *
 * Matrices are row-major Float64Arrays [n × n]; state sets are arrays of state indices.
 */
import { EigenvalueDecomposition, Matrix, solve } from 'ml-matrix';

export interface GeneratorSpectrum {
  readonly size: number;
  readonly stationary: Float64Array;
  /** eigenvalues of Q, descending; the first is 0 (ps⁻¹) */
  readonly eigenvalues: Float64Array;
  /** orthonormal eigenvectors of the symmetrised generator D^½ Q D^−½ (D = diag π), as columns, row-major */
  readonly symmetricEigenvectors: Float64Array;
}

/**
 * Spectral decomposition of a reversible generator. Detailed balance (π_i Q_ij = π_j Q_ji) makes
 * S = D^½ Q D^−½ symmetric, so its eigendecomposition S = V Λ Vᵀ is real and orthogonal, and
 * exp(Qτ) = D^−½ V exp(Λτ) Vᵀ D^½ exactly. Throws a RangeError when Q is not reversible with respect to π.
 */
export function generatorSpectrum(generator: Float64Array, stationary: Float64Array): GeneratorSpectrum {
  const n = stationary.length;
  const sq = Array.from(stationary, Math.sqrt);
  const scale = Math.max(...Array.from(generator, Math.abs));
  const s = Matrix.zeros(n, n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const a = (sq[i] * generator[i * n + j]) / sq[j];
      const b = (sq[j] * generator[j * n + i]) / sq[i];
      if (Math.abs(a - b) > 1e-9 * scale) throw new RangeError(`the generator is not reversible: π_${i} Q_${i}${j} ≠ π_${j} Q_${j}${i}`);
      s.set(i, j, (a + b) / 2);
    }
  }
  const evd = new EigenvalueDecomposition(s, { assumeSymmetric: true });
  const order = evd.realEigenvalues.map((v, k) => [v, k]).sort((x, y) => y[0] - x[0]).map((x) => x[1]);
  const eigenvalues = Float64Array.from(order, (k) => evd.realEigenvalues[k]);
  const symmetricEigenvectors = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < n; c++) symmetricEigenvectors[i * n + c] = evd.eigenvectorMatrix.get(i, order[c]);
  }
  return { size: n, stationary: Float64Array.from(stationary), eigenvalues, symmetricEigenvectors };
}

/** The exact transition matrix T(τ) = exp(Qτ) at lag `lagPs` (row-stochastic; round-off negatives set to 0). */
export function transitionMatrixAt(spectrum: GeneratorSpectrum, lagPs: number): Float64Array {
  const { size: n, stationary: pi, eigenvalues: lam, symmetricEigenvectors: V } = spectrum;
  const e = Float64Array.from(lam, (l) => Math.exp(l * lagPs));
  const T = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let k = 0; k < n; k++) acc += V[i * n + k] * e[k] * V[j * n + k];
      T[i * n + j] = Math.max(0, acc * Math.sqrt(pi[j] / pi[i]));
    }
  }
  return T;
}

/** Implied timescales t_k = −1/λ_k (ps) of the non-stationary eigenvalues, slowest first. They do not depend on lag. */
export function impliedTimescalesPs(spectrum: GeneratorSpectrum): Float64Array {
  return Float64Array.from(spectrum.eigenvalues.subarray(1), (l) => -1 / l);
}

export interface Pathway {
  /** states from a source state to a target state */
  readonly states: readonly number[];
  /** net flux carried (the bottleneck flux when it was taken out) */
  readonly flux: number;
  /** flux / total flux */
  readonly share: number;
  /** the edge [from, to] that limits it */
  readonly bottleneck: readonly [number, number];
}

export interface ReactiveFlux {
  readonly source: readonly number[];
  readonly target: readonly number[];
  readonly forwardCommittor: Float64Array;
  readonly backwardCommittor: Float64Array;
  /** f_ij = π_i q⁻_i M_ij q⁺_j, i ≠ j (row-major) */
  readonly grossFlux: Float64Array;
  /** max(0, f_ij − f_ji) */
  readonly netFlux: Float64Array;
  /** net flux out of the source */
  readonly totalFlux: number;
  /** totalFlux / Σ_i π_i q⁻_i */
  readonly rate: number;
  readonly pathways: readonly Pathway[];
}

/**
 * Transition path theory for a continuous-time chain (M = Q; fluxes and rate per ps) or a discrete-time chain
 * (M = T(τ); fluxes and rate per lag step). The forward committor solves Σ_j M_ij q⁺_j = 0 off A ∪ B with q⁺ = 0
 * on A and 1 on B (for T this is q⁺ = T q⁺, since its rows sum to 1); the backward committor solves the same with
 * the time-reversed M̃_ij = π_j M_ji / π_i, q⁻ = 1 on A and 0 on B. Then f_ij = π_i q⁻_i M_ij q⁺_j (the paper's eq. 5).
 */
export function reactiveFlux(
  kind: 'generator' | 'transition',
  matrix: Float64Array,
  stationary: Float64Array,
  source: readonly number[],
  target: readonly number[],
  options: { maxPathways?: number } = {},
): ReactiveFlux {
  const n = stationary.length;
  checkSets(n, source, target);
  const M = Float64Array.from(matrix);
  if (kind === 'transition') for (let i = 0; i < n; i++) M[i * n + i] -= 1;
  const reversed = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) reversed[i * n + j] = (stationary[j] * M[j * n + i]) / stationary[i];
  const forwardCommittor = committor(M, n, source, target);
  const backwardCommittor = committor(reversed, n, target, source);
  const grossFlux = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i !== j) grossFlux[i * n + j] = stationary[i] * backwardCommittor[i] * M[i * n + j] * forwardCommittor[j];
    }
  }
  const netFlux = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) netFlux[i * n + j] = Math.max(0, grossFlux[i * n + j] - grossFlux[j * n + i]);
  let totalFlux = 0;
  for (const i of source) for (let j = 0; j < n; j++) totalFlux += netFlux[i * n + j];
  let reactivePopulation = 0;
  for (let i = 0; i < n; i++) reactivePopulation += stationary[i] * backwardCommittor[i];
  return {
    source: [...source],
    target: [...target],
    forwardCommittor,
    backwardCommittor,
    grossFlux,
    netFlux,
    totalFlux,
    rate: totalFlux / reactivePopulation,
    pathways: dominantPathways(netFlux, n, source, target, totalFlux, options.maxPathways ?? 10, equilibriumFlux(M, stationary)),
  };
}

/** π_i M_ij for i ≠ j: the flux through each edge at equilibrium (symmetric under detailed balance). */
function equilibriumFlux(M: Float64Array, stationary: Float64Array): Float64Array {
  const n = stationary.length;
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) out[i * n + j] = stationary[i] * M[i * n + j];
  return out;
}

function checkSets(n: number, source: readonly number[], target: readonly number[]): void {
  if (source.length === 0 || target.length === 0) throw new RangeError('source and target must each name at least one state');
  for (const s of [...source, ...target]) if (!(Number.isInteger(s) && s >= 0 && s < n)) throw new RangeError(`no state ${s}`);
  if (source.some((s) => target.includes(s))) throw new RangeError('source and target must not share a state');
}

/** q = 0 on `zero`, 1 on `one`, and Σ_j M_ij q_j = 0 elsewhere. */
function committor(M: Float64Array, n: number, zero: readonly number[], one: readonly number[]): Float64Array {
  const q = new Float64Array(n);
  for (const b of one) q[b] = 1;
  const free = Array.from({ length: n }, (_, i) => i).filter((i) => !zero.includes(i) && !one.includes(i));
  if (free.length === 0) return q;
  const A = Matrix.zeros(free.length, free.length);
  const rhs = Matrix.zeros(free.length, 1);
  free.forEach((i, r) => {
    free.forEach((j, c) => A.set(r, c, M[i * n + j]));
    let b = 0;
    for (const j of one) b -= M[i * n + j];
    rhs.set(r, 0, b);
  });
  const x = solve(A, rhs);
  free.forEach((i, r) => {
    q[i] = Math.min(1, Math.max(0, x.get(r, 0)));
  });
  return q;
}

/**
 * Pathway decomposition of a net flux: repeatedly take the path from the source to the target whose smallest
 * edge flux is largest (a widest path, found by a max-min Dijkstra), record it with that bottleneck flux, and
 * subtract the flux along it; stop when no path carries more than 1e-12 of the total or after `maxPathways`.
 *
 * The bottleneck of a path is its edge of least remaining net flux. Along a stretch without branches every edge
 * carries the same net flux, so that minimum is shared; the tie (edges within 1e-9 of it) goes to the edge with the
 * least equilibrium flux π_i M_ij (when given): the rate-limiting hop, whose resistance 1/(π_i M_ij) is largest.
 */
export function dominantPathways(
  netFlux: Float64Array,
  n: number,
  source: readonly number[],
  target: readonly number[],
  totalFlux: number,
  maxPathways: number,
  equilibrium?: Float64Array,
): Pathway[] {
  const f = Float64Array.from(netFlux);
  const out: Pathway[] = [];
  while (out.length < maxPathways) {
    const width = new Float64Array(n).fill(-1);
    const prev = new Int32Array(n).fill(-1);
    const done = new Uint8Array(n);
    for (const s of source) width[s] = Infinity;
    for (;;) {
      let u = -1;
      for (let i = 0; i < n; i++) if (!done[i] && width[i] > 0 && (u < 0 || width[i] > width[u])) u = i;
      if (u < 0) break;
      done[u] = 1;
      if (target.includes(u)) continue;
      for (let v = 0; v < n; v++) {
        const w = Math.min(width[u], f[u * n + v]);
        if (!done[v] && !source.includes(v) && w > width[v]) {
          width[v] = w;
          prev[v] = u;
        }
      }
    }
    let best = -1;
    for (const t of target) if (width[t] > 0 && (best < 0 || width[t] > width[best])) best = t;
    if (best < 0 || width[best] <= 1e-12 * totalFlux) break;
    const states = [best];
    while (prev[states[0]] >= 0) states.unshift(prev[states[0]]);
    const flux = width[best];
    let bottleneck: [number, number] = [states[0], states[1]];
    for (let k = 1; k + 1 < states.length; k++) {
      const e = states[k] * n + states[k + 1], b = bottleneck[0] * n + bottleneck[1];
      const tie = Math.abs(f[e] - f[b]) <= 1e-9 * flux;
      if ((!tie && f[e] < f[b]) || (tie && equilibrium !== undefined && equilibrium[e] < equilibrium[b])) {
        bottleneck = [states[k], states[k + 1]];
      }
    }
    for (let k = 0; k + 1 < states.length; k++) f[states[k] * n + states[k + 1]] -= flux;
    out.push({ states, flux, share: flux / totalFlux, bottleneck });
  }
  return out;
}
