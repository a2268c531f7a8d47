import { GetseiError } from '../util/errors.ts';
import {
  commonLength, segmentBounds, stateHistogram, trajectoryRows, type DiscreteTrajectories, type StateArray,
  type StateHistogram, type UndefinedPolicy,
} from './dtrajs.ts';

export interface CountOptions {
  /** Number of states (labels 0…n−1); default: largest label + 1. */
  nStates?: number;
  /**
   * Per-frame id of the independent trajectory (segment) each frame belongs to, e.g. several MD runs concatenated
   * along time. Every maximal run of equal ids is a segment; no transition is counted across a segment boundary.
   * Needs all trajectories to have the same number of frames.
   */
  segments?: ArrayLike<number>;
  /**
   * 'split' (default): an undefined frame (−1) cuts the trajectory, so no counted pair (t, t+τ) spans an undefined
   * frame — a Li that leaves the classified region starts a new trajectory when it returns. 'pairs': only the two
   * frames of a pair must be defined (deeptime/PyEMMA behaviour).
   */
  undefinedPolicy?: UndefinedPolicy;
}

/** Transition counts C_ij = number of pairs (x_t = i, x_{t+τ} = j), pooled over all trajectories. */
export interface TransitionCounts {
  readonly lag: number;
  readonly nStates: number;
  /** n × n, row-major */
  readonly counts: Float64Array;
  readonly histogram: StateHistogram;
}

/** Prepared input: typed-array rows, validated labels, segment bounds. Shared by the counting functions. */
export interface PreparedTrajectories {
  readonly rows: readonly StateArray[];
  readonly nStates: number;
  readonly bounds: Int32Array | null;
  readonly policy: UndefinedPolicy;
  readonly histogram: StateHistogram;
  /** Longest stretch of frames in which a transition can be counted (bounds the usable lag). */
  readonly longestRun: number;
}

export function prepareTrajectories(dtrajs: DiscreteTrajectories, options: CountOptions = {}): PreparedTrajectories {
  const rows = trajectoryRows(dtrajs);
  const policy = options.undefinedPolicy ?? 'split';
  if (policy !== 'split' && policy !== 'pairs') {
    throw new GetseiError(`unknown undefined-frame policy '${String(policy)}'; use 'split' or 'pairs'`);
  }
  const histogram = stateHistogram(rows, options.nStates);
  let bounds: Int32Array | null = null;
  if (options.segments !== undefined) {
    const len = commonLength(rows);
    if (len === null) throw new GetseiError('per-frame segment ids need all trajectories to have the same number of frames');
    bounds = segmentBounds(options.segments, len);
  }
  let longestRun = 0;
  for (const row of rows) {
    forEachRun(row, bounds, policy, (a, b) => {
      if (b - a > longestRun) longestRun = b - a;
    });
  }
  return { rows, nStates: histogram.frames.length, bounds, policy, histogram, longestRun };
}

/**
 * Calls fn(start, end) for every stretch [start, end) of a row within which pairs may be counted: segments cut
 * by the segment bounds and — under the 'split' policy — by undefined frames.
 */
function forEachRun(row: StateArray, bounds: Int32Array | null, policy: UndefinedPolicy, fn: (a: number, b: number) => void): void {
  const nb = bounds === null ? 1 : bounds.length - 1;
  for (let s = 0; s < nb; s++) {
    const lo = bounds === null ? 0 : bounds[s];
    const hi = bounds === null ? row.length : bounds[s + 1];
    if (policy === 'pairs') {
      fn(lo, hi);
      continue;
    }
    let t = lo;
    while (t < hi) {
      while (t < hi && row[t] < 0) t++;
      const a = t;
      while (t < hi && row[t] >= 0) t++;
      if (t > a) fn(a, t);
    }
  }
}

/** Add the pairs (t, t+lag) of row[a…b) to the n × n matrix c at offset off. */
function countRun(row: StateArray, a: number, b: number, lag: number, n: number, c: Float64Array, off: number, policy: UndefinedPolicy): void {
  const end = b - lag;
  if (policy === 'split') {
    for (let t = a; t < end; t++) c[off + row[t] * n + row[t + lag]]++;
  } else {
    for (let t = a; t < end; t++) {
      const i = row[t];
      const j = row[t + lag];
      if (i >= 0 && j >= 0) c[off + i * n + j]++;
    }
  }
}

/**
 * The hot loop of the module: count pairs of row[a…b) into four interleaved n × n integer tables (t mod 4), so
 * that runs of the same transition — the common case in metastable data — do not serialise on one memory cell.
 * Returns the number of pairs added. 'split' policy only (every frame of the run is defined).
 */
function countRunInterleaved(row: StateArray, a: number, b: number, lag: number, n: number, c: Uint32Array): number {
  const nn = n * n;
  const end = b - lag;
  let t = a;
  for (; t + 3 < end; t += 4) {
    c[row[t] * n + row[t + lag]]++;
    c[nn + row[t + 1] * n + row[t + 1 + lag]]++;
    c[2 * nn + row[t + 2] * n + row[t + 2 + lag]]++;
    c[3 * nn + row[t + 3] * n + row[t + 3 + lag]]++;
  }
  for (; t < end; t++) c[row[t] * n + row[t + lag]]++;
  return Math.max(0, end - a);
}

/** Add the four interleaved tables into the output and clear them. */
function flush(scratch: Uint32Array, out: Float64Array): void {
  const nn = out.length;
  for (let k = 0; k < 4; k++) for (let e = 0; e < nn; e++) out[e] += scratch[k * nn + e];
  scratch.fill(0);
}

function checkLag(lag: number): void {
  if (!Number.isInteger(lag) || lag < 1) throw new GetseiError(`the lag must be a positive whole number of frames, got ${lag}`);
}

/**
 * Count transitions at several lags in one pass over the data (each row is read once while it is in cache).
 * Returns one n × n count matrix per lag.
 */
export function countTransitionsAtLags(prepared: PreparedTrajectories, lags: readonly number[]): Float64Array[] {
  for (const lag of lags) checkLag(lag);
  const n = prepared.nStates;
  const out = lags.map(() => new Float64Array(n * n));
  if (prepared.policy === 'pairs') {
    for (const row of prepared.rows) {
      forEachRun(row, prepared.bounds, prepared.policy, (a, b) => {
        for (let k = 0; k < lags.length; k++) countRun(row, a, b, lags[k], n, out[k], 0, prepared.policy);
      });
    }
    return out;
  }
  // integer tables are flushed long before a cell could overflow 2³²
  const scratch = lags.map(() => new Uint32Array(4 * n * n));
  const pending = new Float64Array(lags.length);
  for (const row of prepared.rows) {
    forEachRun(row, prepared.bounds, prepared.policy, (a, b) => {
      for (let k = 0; k < lags.length; k++) {
        if (pending[k] + (b - a) > 2 ** 31) {
          flush(scratch[k], out[k]);
          pending[k] = 0;
        }
        pending[k] += countRunInterleaved(row, a, b, lags[k], n, scratch[k]);
      }
    });
  }
  for (let k = 0; k < lags.length; k++) flush(scratch[k], out[k]);
  return out;
}

/**
 * Sliding-window transition counts at lag τ (frames), pooled over all trajectories: C_ij = #{(r, t): x_r(t) = i,
 * x_r(t+τ) = j}, never across an undefined frame (policy 'split') or a segment boundary. This is GₙᵀGₙ₊τ of eq. 8
 * for the one-hot dictionary of eq. 6.
 */
export function countTransitions(dtrajs: DiscreteTrajectories | PreparedTrajectories, lag: number, options: CountOptions = {}): TransitionCounts {
  checkLag(lag);
  const prepared = isPrepared(dtrajs) ? dtrajs : prepareTrajectories(dtrajs, options);
  const [counts] = countTransitionsAtLags(prepared, [lag]);
  return { lag, nStates: prepared.nStates, counts, histogram: prepared.histogram };
}

export function isPrepared(d: DiscreteTrajectories | PreparedTrajectories): d is PreparedTrajectories {
  return !Array.isArray(d) && (d as PreparedTrajectories).rows !== undefined && (d as PreparedTrajectories).policy !== undefined;
}

/** Counts of each resampling unit (one trajectory within one segment), for the bootstrap. */
export interface UnitCounts {
  readonly nStates: number;
  readonly nUnits: number;
  /** nUnits × n × n; units without any counted pair are left out */
  readonly counts: Float64Array;
  /** trajectory (row) index and segment index of each unit */
  readonly trajectory: Int32Array;
  readonly segment: Int32Array;
}

/**
 * Transition counts per resampling unit: one Li trajectory within one independent segment. Summing all units
 * gives countTransitions(). Units with no counted pair are dropped (they carry no information).
 */
export function countTransitionsByUnit(prepared: PreparedTrajectories, lag: number): UnitCounts {
  checkLag(lag);
  const n = prepared.nStates;
  const nn = n * n;
  const bounds = prepared.bounds ?? null;
  const nSeg = bounds === null ? 1 : bounds.length - 1;
  const blocks: Float64Array[] = [];
  const traj: number[] = [];
  const seg: number[] = [];
  for (let r = 0; r < prepared.rows.length; r++) {
    const row = prepared.rows[r];
    for (let s = 0; s < nSeg; s++) {
      const lo = bounds === null ? 0 : bounds[s];
      const hi = bounds === null ? row.length : bounds[s + 1];
      const sub = row.subarray(lo, hi);
      const c = new Float64Array(nn);
      let any = false;
      forEachRun(sub, null, prepared.policy, (a, b) => {
        if (b - a > lag) {
          countRun(sub, a, b, lag, n, c, 0, prepared.policy);
          any = true;
        }
      });
      if (any && c.some((x) => x > 0)) {
        blocks.push(c);
        traj.push(r);
        seg.push(s);
      }
    }
  }
  const counts = new Float64Array(blocks.length * nn);
  blocks.forEach((b, u) => counts.set(b, u * nn));
  return { nStates: n, nUnits: blocks.length, counts, trajectory: Int32Array.from(traj), segment: Int32Array.from(seg) };
}
