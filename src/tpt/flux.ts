import { orderOf, solve, stationaryDistribution } from '../linalg/index.ts';
import { GetseiError } from '../util/errors.ts';

/** What TPT needs from a Markov model. A MarkovModel satisfies it; so does a bare transition matrix. */
export interface TptInput {
  /** K, row-stochastic, n × n row-major */
  readonly transitionMatrix: Float64Array;
  /** π (computed from K when absent) */
  readonly stationary?: Float64Array;
  /** state label of each row (default 0…n−1) */
  readonly activeSet?: ArrayLike<number>;
  /** τ in timeUnit (default 1) */
  readonly lagTime?: number;
  readonly timeUnit?: string;
  /** number of state labels of the data (0…nStates−1), when known: a label beyond it is named as nonexistent */
  readonly nStates?: number;
}

/**
 * The A → B reactive flux of transition path theory (Metzner, Schütte & Vanden-Eijnden 2009) on a discrete-time
 * chain. Vectors and matrices are over `states` (labels), matrices n × n row-major. Fluxes are probabilities per
 * lag step; rate and mfpt are per / in timeUnit. Immutable (frozen; treat arrays as read-only).
 */
export interface ReactiveFlux {
  readonly states: Int32Array;
  readonly source: Int32Array;
  readonly target: Int32Array;
  readonly intermediate: Int32Array;
  /** row indices of source / target states */
  readonly sourceIndices: Int32Array;
  readonly targetIndices: Int32Array;
  readonly transitionMatrix: Float64Array;
  readonly stationary: Float64Array;
  /** q⁺_i: probability to reach B before A, starting from i */
  readonly forwardCommittor: Float64Array;
  /** q⁻_i: probability to have come from A rather than B (committor of the time-reversed chain) */
  readonly backwardCommittor: Float64Array;
  /** π_i K_ij (i ≠ j): all probability flow at equilibrium */
  readonly equilibriumFlux: Float64Array;
  /** f_ij = π_i q⁻_i K_ij q⁺_j (i ≠ j), eq. 5: flow carried by reactive A → B trajectories */
  readonly grossFlux: Float64Array;
  /** f⁺_ij = max(0, f_ij − f_ji): net reactive flow */
  readonly netFlux: Float64Array;
  /** F = Σ_{i∈A, j∉A} f_ij: reactive trajectories leaving A per lag step */
  readonly totalFlux: number;
  /** k_AB = F / (τ Σ_i π_i q⁻_i), per timeUnit */
  readonly rate: number;
  /** 1 / k_AB, in timeUnit */
  readonly mfpt: number;
  readonly lagTime: number;
  readonly timeUnit: string;
}

/** Check that K is a finite, non-negative, row-stochastic square matrix. */
export function checkTransitionMatrix(k: Float64Array): number {
  const n = orderOf(k);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) {
      const v = k[i * n + j];
      if (!Number.isFinite(v) || v < -1e-15) throw new GetseiError(`transition matrix entry (${i}, ${j}) = ${v} is not a probability`);
      s += v;
    }
    if (Math.abs(s - 1) > 1e-10) throw new GetseiError(`row ${i} of the transition matrix sums to ${s}, not 1`);
  }
  return n;
}

/** Map labels to row indices; errors for empty sets, unknown labels, or overlap. */
export function resolveSets(
  states: Int32Array, source: ArrayLike<number>, target: ArrayLike<number>, nStates?: number,
): { sourceIndices: Int32Array; targetIndices: Int32Array } {
  const where = new Map<number, number>();
  states.forEach((s, i) => where.set(s, i));
  const resolve = (set: ArrayLike<number>, name: string): Int32Array => {
    if (set.length === 0) throw new GetseiError(`the ${name} set is empty; give at least one state`);
    const out = new Set<number>();
    for (let k = 0; k < set.length; k++) {
      const label = set[k];
      const idx = where.get(label);
      if (nStates !== undefined && (label < 0 || label >= nStates)) {
        throw new GetseiError(`${name} state ${label} does not exist: there are ${nStates} states, 0–${nStates - 1} (S0–S${nStates - 1} in the report)`);
      }
      if (idx === undefined) {
        throw new GetseiError(
          `${name} state ${label} is not in the active set (states ${Array.from(states).join(', ')}); ` +
            'choose states of the largest connected set, or use a shorter lag or more data',
        );
      }
      out.add(idx);
    }
    return Int32Array.from([...out].sort((a, b) => a - b));
  };
  const sourceIndices = resolve(source, 'source');
  const targetIndices = resolve(target, 'target');
  const overlap = Array.from(sourceIndices).filter((i) => targetIndices.includes(i));
  if (overlap.length > 0) {
    throw new GetseiError(`source and target sets overlap in state(s) ${overlap.map((i) => states[i]).join(', ')}; they must be disjoint`);
  }
  return { sourceIndices, targetIndices };
}

/**
 * Committor of a chain with matrix k: q = 0 on `zero`, 1 on `one`, q_i = Σ_j k_ij q_j elsewhere, i.e.
 * (I − K_II) q_I = K_I,one · 1 on the other states I.
 */
export function committor(k: Float64Array, zero: Int32Array, one: Int32Array): Float64Array {
  const n = orderOf(k);
  const q = new Float64Array(n);
  const role = new Int8Array(n); // 0 intermediate, 1 zero, 2 one
  for (const i of zero) role[i] = 1;
  for (const i of one) {
    role[i] = 2;
    q[i] = 1;
  }
  const inter = Int32Array.from({ length: n }, (_, i) => i).filter((i) => role[i] === 0);
  const m = inter.length;
  if (m === 0) return q;
  const a = new Float64Array(m * m);
  const b = new Float64Array(m);
  for (let r = 0; r < m; r++) {
    const i = inter[r];
    for (let c = 0; c < m; c++) a[r * m + c] = (r === c ? 1 : 0) - k[i * n + inter[c]];
    let s = 0;
    for (const j of one) s += k[i * n + j];
    b[r] = s;
  }
  const x = solve(a, b, 'committor equations (some states cannot reach the source or target set)');
  for (let r = 0; r < m; r++) q[inter[r]] = Math.min(1, Math.max(0, x[r]));
  return q;
}

/**
 * Transition path theory for source set A and target set B (state labels of the active set): forward and
 * backward committors, equilibrium, gross (eq. 5) and net flux, total flux, rate and mean first passage time.
 * The backward committor is the forward committor of the time-reversed chain K̃_ij = π_j K_ji / π_i, so
 * non-reversible (EDMD) models are treated exactly; for a reversible K it equals 1 − q⁺.
 */
export function reactiveFlux(input: TptInput, source: ArrayLike<number>, target: ArrayLike<number>): ReactiveFlux {
  const k = input.transitionMatrix;
  const n = checkTransitionMatrix(k);
  const states = input.activeSet === undefined ? Int32Array.from({ length: n }, (_, i) => i) : Int32Array.from(input.activeSet);
  if (states.length !== n) throw new GetseiError(`the model has ${n} states but ${states.length} labels`);
  const lagTime = input.lagTime ?? 1;
  if (!(lagTime > 0) || !Number.isFinite(lagTime)) throw new GetseiError(`the lag time must be a positive number, got ${lagTime}`);
  const { sourceIndices, targetIndices } = resolveSets(states, source, target, input.nStates);
  const pi = input.stationary ?? stationaryDistribution(k);
  if (pi.length !== n || pi.some((p) => !(p > 0))) throw new GetseiError('the stationary distribution must be positive on every state');
  const qPlus = committor(k, sourceIndices, targetIndices);
  const reversed = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) reversed[i * n + j] = (pi[j] * k[j * n + i]) / pi[i];
  const qMinus = committor(reversed, targetIndices, sourceIndices);
  const eq = new Float64Array(n * n);
  const gross = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i === j) continue;
      eq[i * n + j] = pi[i] * k[i * n + j];
      gross[i * n + j] = pi[i] * qMinus[i] * k[i * n + j] * qPlus[j];
    }
  }
  const net = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) net[i * n + j] = Math.max(0, gross[i * n + j] - gross[j * n + i]);
  const inA = new Uint8Array(n);
  for (const i of sourceIndices) inA[i] = 1;
  let total = 0;
  for (const i of sourceIndices) for (let j = 0; j < n; j++) if (!inA[j]) total += gross[i * n + j];
  let reactiveDensity = 0;
  for (let i = 0; i < n; i++) reactiveDensity += pi[i] * qMinus[i];
  const rate = total / (lagTime * reactiveDensity);
  const inB = new Uint8Array(n);
  for (const i of targetIndices) inB[i] = 1;
  const result: ReactiveFlux = {
    states,
    source: Int32Array.from(sourceIndices, (i) => states[i]),
    target: Int32Array.from(targetIndices, (i) => states[i]),
    intermediate: states.filter((_, i) => !inA[i] && !inB[i]),
    sourceIndices,
    targetIndices,
    transitionMatrix: k,
    stationary: pi,
    forwardCommittor: qPlus,
    backwardCommittor: qMinus,
    equilibriumFlux: eq,
    grossFlux: gross,
    netFlux: net,
    totalFlux: total,
    rate,
    mfpt: rate > 0 ? 1 / rate : Infinity,
    lagTime,
    timeUnit: input.timeUnit ?? 'frames',
  };
  return Object.freeze(result);
}
