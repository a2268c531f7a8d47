import { GetseiError } from '../util/errors.ts';
import type { ReactiveFlux } from './flux.ts';

/** Reactive flux lumped onto sets of states. Coarse matrices are m × m over `sets`. */
export interface CoarseFlux {
  /** state labels of each coarse set: the source set first, then intermediate sets, the target set last */
  readonly sets: Int32Array[];
  /** index of the source set (always 0) and of the target set (always m − 1) */
  readonly sourceIndex: number;
  readonly targetIndex: number;
  /** Σ π over each set */
  readonly stationary: Float64Array;
  /** π-weighted mean committors of each set */
  readonly forwardCommittor: Float64Array;
  readonly backwardCommittor: Float64Array;
  /** F_IJ = Σ_{i∈I, j∈J} f_ij, I ≠ J */
  readonly grossFlux: Float64Array;
  /** max(0, F_IJ − F_JI) */
  readonly netFlux: Float64Array;
  /** unchanged by lumping */
  readonly totalFlux: number;
}

/**
 * Coarse-grain the reactive flux onto user-given sets of states (labels), e.g. to merge similar environments.
 * Sets must be disjoint and non-empty and contain only states of the model. As in deeptime, the source and target
 * sets stay whole: each given set is cut into its part outside A ∪ B (parts inside A or B join those), and states
 * in no given set become singleton sets. Result order: A, the intermediate sets (given order, then singletons), B.
 */
export function coarseGrainFlux(flux: ReactiveFlux, sets: readonly ArrayLike<number>[]): CoarseFlux {
  const n = flux.states.length;
  const where = new Map<number, number>();
  flux.states.forEach((s, i) => where.set(s, i));
  const owner = new Int32Array(n).fill(-1);
  sets.forEach((set, k) => {
    if (set.length === 0) throw new GetseiError(`coarse-graining set ${k + 1} is empty`);
    for (let e = 0; e < set.length; e++) {
      const idx = where.get(set[e]);
      if (idx === undefined) throw new GetseiError(`coarse-graining set ${k + 1}: state ${set[e]} is not in the active set`);
      if (owner[idx] !== -1 && owner[idx] !== k) {
        throw new GetseiError(`coarse-graining sets ${owner[idx] + 1} and ${k + 1} overlap in state ${set[e]}; sets must be disjoint`);
      }
      owner[idx] = k;
    }
  });
  const role = new Int8Array(n); // 0 intermediate, 1 source, 2 target
  for (const i of flux.sourceIndices) role[i] = 1;
  for (const i of flux.targetIndices) role[i] = 2;
  const groups: number[][] = [Array.from(flux.sourceIndices)];
  sets.forEach((_, k) => {
    const g: number[] = [];
    for (let i = 0; i < n; i++) if (owner[i] === k && role[i] === 0) g.push(i);
    if (g.length > 0) groups.push(g);
  });
  for (let i = 0; i < n; i++) if (owner[i] === -1 && role[i] === 0) groups.push([i]);
  groups.push(Array.from(flux.targetIndices));
  const m = groups.length;
  const map = new Int32Array(n);
  groups.forEach((g, c) => g.forEach((i) => (map[i] = c)));
  const pi = new Float64Array(m);
  const qp = new Float64Array(m);
  const qm = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    const c = map[i];
    pi[c] += flux.stationary[i];
    qp[c] += flux.stationary[i] * flux.forwardCommittor[i];
    qm[c] += flux.stationary[i] * flux.backwardCommittor[i];
  }
  for (let c = 0; c < m; c++) {
    qp[c] /= pi[c];
    qm[c] /= pi[c];
  }
  const gross = new Float64Array(m * m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const a = map[i];
      const b = map[j];
      if (a !== b) gross[a * m + b] += flux.grossFlux[i * n + j];
    }
  }
  const net = new Float64Array(m * m);
  for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) net[a * m + b] = Math.max(0, gross[a * m + b] - gross[b * m + a]);
  return {
    sets: groups.map((g) => Int32Array.from(g, (i) => flux.states[i])),
    sourceIndex: 0,
    targetIndex: m - 1,
    stationary: pi,
    forwardCommittor: qp,
    backwardCommittor: qm,
    grossFlux: gross,
    netFlux: net,
    totalFlux: flux.totalFlux,
  };
}
