import { GetseiError } from '../util/errors.ts';
import {
  commonLength, MAX_STATES, segmentBounds, trajectoryRows, type DiscreteTrajectories, type StateArray,
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

/**
 * Trajectories validated and indexed once, so that counting at many lags reads only what it needs: the typed-array
 * rows, the frame histogram, and the countable runs — maximal stretches [start, end) of one row within one segment
 * (and, under the 'split' policy, without undefined frames), stored as (row, segment, start, end) quadruples.
 */
export interface PreparedTrajectories {
  readonly rows: readonly StateArray[];
  readonly nStates: number;
  readonly bounds: Int32Array | null;
  readonly policy: UndefinedPolicy;
  readonly histogram: StateHistogram;
  readonly runs: Int32Array;
  /** Longest run (bounds the usable lag: a lag ≥ longestRun counts nothing). */
  readonly longestRun: number;
}

function badLabel(v: number, r: number, t: number, nStates: number | undefined): GetseiError {
  const why = v < -1
    ? `state ${v} is negative; states are integers ≥ 0, or −1 for undefined`
    : nStates === undefined
      ? `state ${v} is too large; getsei's dense Markov models allow at most ${MAX_STATES} states (relabel states as 0…n−1)`
      : `state ${v} is not below the declared number of states (${nStates})`;
  return new GetseiError(`trajectory ${r}, frame ${t}: ${why}`);
}

/**
 * Validate, histogram and index the trajectories in one pass over all frames. Throws a GetseiError naming the
 * trajectory and frame of the first bad label. Counting functions accept the result in place of raw trajectories.
 */
export function prepareTrajectories(dtrajs: DiscreteTrajectories, options: CountOptions = {}): PreparedTrajectories {
  const rows = trajectoryRows(dtrajs);
  const policy = options.undefinedPolicy ?? 'split';
  if (policy !== 'split' && policy !== 'pairs') {
    throw new GetseiError(`unknown undefined-frame policy '${String(policy)}'; use 'split' or 'pairs'`);
  }
  const limit = options.nStates ?? MAX_STATES;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_STATES) {
    throw new GetseiError(`the number of states must be an integer in 1…${MAX_STATES}, got ${limit}`);
  }
  let bounds: Int32Array | null = null;
  if (options.segments !== undefined) {
    const len = commonLength(rows);
    if (len === null) throw new GetseiError('per-frame segment ids need all trajectories to have the same number of frames');
    bounds = segmentBounds(options.segments, len);
  }
  // Frame histogram in four interleaved integer tables (frame t mod 4), so that long runs of one state do not
  // serialise on one memory cell; slot 0 = undefined. Flushed into `hist` before any cell could overflow.
  const width = limit + 1;
  const hist = new Float64Array(width);
  const tables = new Uint32Array(4 * width);
  let pending = 0;
  const flushTables = (): void => {
    for (let k = 0; k < 4; k++) for (let e = 0; e < width; e++) hist[e] += tables[k * width + e];
    tables.fill(0);
    pending = 0;
  };
  const runs: number[] = [];
  let longestRun = 0;
  const split = policy === 'split';
  let total = 0;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    total += row.length;
    if (pending + row.length > 2 ** 31) flushTables();
    pending += row.length;
    const nSeg = bounds === null ? 1 : bounds.length - 1;
    for (let s = 0; s < nSeg; s++) {
      const lo = bounds === null ? 0 : bounds[s];
      const hi = bounds === null ? row.length : bounds[s + 1];
      let start = split ? -1 : lo;
      let t = lo;
      while (t < hi) {
        if (t + 4 <= hi) {
          const v0 = row[t];
          const v1 = row[t + 1];
          const v2 = row[t + 2];
          const v3 = row[t + 3];
          if ((v0 | v1 | v2 | v3) >= 0 && v0 < limit && v1 < limit && v2 < limit && v3 < limit) {
            tables[v0 + 1]++;
            tables[width + v1 + 1]++;
            tables[2 * width + v2 + 1]++;
            tables[3 * width + v3 + 1]++;
            if (start < 0) start = t;
            t += 4;
            continue;
          }
        }
        const v = row[t];
        if (v >= 0 && v < limit) {
          tables[v + 1]++;
          if (start < 0) start = t;
        } else if (v === -1) {
          tables[0]++;
          if (split && start >= 0) {
            if (t - start >= 2) runs.push(r, s, start, t);
            if (t - start > longestRun) longestRun = t - start;
            start = -1;
          }
        } else {
          throw badLabel(v, r, t, options.nStates);
        }
        t++;
      }
      if (start >= 0) {
        if (hi - start >= 2) runs.push(r, s, start, hi);
        if (hi - start > longestRun) longestRun = hi - start;
      }
    }
  }
  flushTables();
  let last = limit;
  if (options.nStates === undefined) {
    while (last > 0 && hist[last] === 0) last--;
  }
  const histogram = { frames: hist.slice(1, last + 1), undefinedFrames: hist[0], totalFrames: total };
  return { rows, nStates: last, bounds, policy, histogram, runs: Int32Array.from(runs), longestRun };
}

/** Add the pairs (t, t+lag) of row[a…b) to the n × n matrix c at offset off, skipping pairs that touch −1. */
function countRunChecked(row: StateArray, a: number, b: number, lag: number, n: number, c: Float64Array, off: number): void {
  const end = b - lag;
  for (let t = a; t < end; t++) {
    const i = row[t];
    const j = row[t + lag];
    if (i >= 0 && j >= 0) c[off + i * n + j]++;
  }
}

/**
 * The hot loop of the module: count pairs of row[a…b) (all frames defined) into four interleaved n × n integer
 * tables (t mod 4), so that runs of the same transition — the common case in metastable data — do not serialise
 * on one memory cell. Returns the number of pairs added.
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
 * Run-length encoding of the countable runs: maximal blocks of one state. In metastable data a Li stays in a state
 * for many frames, so there are far fewer blocks than frames, and counting at a lag becomes interval arithmetic
 * over blocks (see countRunBlocks). Built only when it pays: null when the blocks are more than `maxFraction` of the
 * frames (flickering states), in which case the frame-by-frame loop is used.
 */
interface RunLengths {
  /** start frame and state of each block, runs after one another */
  readonly start: Int32Array;
  readonly state: Int32Array;
  /** for run q (in units of 4 of `runs`), its blocks are [first[q], first[q + 1]) */
  readonly first: Int32Array;
}

function runLengthEncode(prepared: PreparedTrajectories, maxFraction: number): RunLengths | null {
  const { runs, rows } = prepared;
  let frames = 0;
  for (let q = 0; q < runs.length; q += 4) frames += runs[q + 3] - runs[q + 2];
  // a look at the first ~65 000 frames decides quickly whether states persist long enough to be worth encoding
  let sampled = 0;
  let sampledBlocks = 0;
  for (let q = 0; q < runs.length && sampled < 65536; q += 4) {
    const row = rows[runs[q]];
    const b = Math.min(runs[q + 3], runs[q + 2] + 65536);
    sampledBlocks++;
    for (let t = runs[q + 2] + 1; t < b; t++) if (row[t] !== row[t - 1]) sampledBlocks++;
    sampled += b - runs[q + 2];
  }
  if (sampled === 0 || sampledBlocks > sampled * maxFraction) return null;
  const cap = Math.floor(frames * maxFraction) + runs.length;
  let start = new Int32Array(Math.min(cap, 1 << 16));
  let state = new Int32Array(start.length);
  const first = new Int32Array(runs.length / 4 + 1);
  let nb = 0;
  const push = (t: number, v: number): boolean => {
    if (nb === start.length) {
      if (nb >= cap) return false;
      const grow = Math.min(cap, 2 * nb);
      const s2 = new Int32Array(grow);
      s2.set(start);
      start = s2;
      const v2 = new Int32Array(grow);
      v2.set(state);
      state = v2;
    }
    start[nb] = t;
    state[nb] = v;
    nb++;
    return true;
  };
  for (let q = 0; q < runs.length; q += 4) {
    first[q / 4] = nb;
    const row = rows[runs[q]];
    const a = runs[q + 2];
    const b = runs[q + 3];
    let prev = row[a];
    if (!push(a, prev)) return null;
    for (let t = a + 1; t < b; t++) {
      const v = row[t];
      if (v !== prev) {
        if (!push(t, v)) return null;
        prev = v;
      }
    }
  }
  first[runs.length / 4] = nb;
  return { start: start.subarray(0, nb), state: state.subarray(0, nb), first };
}

/**
 * Pairs (t, t+lag) of one run [a, b) from its blocks: for each block k, the frames t of the block with t + lag < b
 * are shifted by the lag, and the overlap of the shifted interval with each block m is added to C[s_k, s_m]. A
 * pointer walks the blocks m monotonically, so the cost is about twice the number of blocks, whatever the lag.
 */
function countRunBlocks(rl: RunLengths, k0: number, k1: number, b: number, lag: number, n: number, c: Float64Array): void {
  const { start, state } = rl;
  const end = b - lag;
  let m = k0;
  for (let k = k0; k < k1; k++) {
    const lo = start[k];
    if (lo >= end) break;
    const hiBlock = k + 1 < k1 ? start[k + 1] : b;
    const hi = hiBlock < end ? hiBlock : end;
    let cur = lo + lag;
    const stop = hi + lag;
    while ((m + 1 < k1 ? start[m + 1] : b) <= cur) m++;
    const row = state[k] * n;
    let mm = m;
    while (cur < stop) {
      const mEnd = mm + 1 < k1 ? start[mm + 1] : b;
      const segEnd = mEnd < stop ? mEnd : stop;
      c[row + state[mm]] += segEnd - cur;
      cur = segEnd;
      mm++;
    }
  }
}

/**
 * Count transitions at several lags in one pass over the runs (each run is read for all lags while it is in
 * cache). With two or more lags and persistent states (blocks of one state at most a quarter of the frames), the
 * runs are run-length encoded once and every lag is counted from the blocks. Returns one n × n count matrix per lag.
 */
export function countTransitionsAtLags(prepared: PreparedTrajectories, lags: readonly number[]): Float64Array[] {
  for (const lag of lags) checkLag(lag);
  const n = prepared.nStates;
  const out = lags.map(() => new Float64Array(n * n));
  const { runs, rows } = prepared;
  if (prepared.policy === 'pairs') {
    for (let q = 0; q < runs.length; q += 4) {
      const row = rows[runs[q]];
      for (let k = 0; k < lags.length; k++) countRunChecked(row, runs[q + 2], runs[q + 3], lags[k], n, out[k], 0);
    }
    return out;
  }
  const rl = lags.length >= 2 ? runLengthEncode(prepared, 0.25) : null;
  if (rl !== null) {
    for (let q = 0; q < runs.length; q += 4) {
      const k0 = rl.first[q / 4];
      const k1 = rl.first[q / 4 + 1];
      for (let k = 0; k < lags.length; k++) countRunBlocks(rl, k0, k1, runs[q + 3], lags[k], n, out[k]);
    }
    return out;
  }
  const scratch = lags.map(() => new Uint32Array(4 * n * n));
  const pending = new Float64Array(lags.length);
  for (let q = 0; q < runs.length; q += 4) {
    const row = rows[runs[q]];
    const a = runs[q + 2];
    const b = runs[q + 3];
    for (let k = 0; k < lags.length; k++) {
      if (pending[k] + (b - a) > 2 ** 31) {
        flush(scratch[k], out[k]);
        pending[k] = 0;
      }
      pending[k] += countRunInterleaved(row, a, b, lags[k], n, scratch[k]);
    }
  }
  for (let k = 0; k < lags.length; k++) flush(scratch[k], out[k]);
  return out;
}

export function isPrepared(d: DiscreteTrajectories | PreparedTrajectories): d is PreparedTrajectories {
  return !Array.isArray(d) && (d as PreparedTrajectories).runs instanceof Int32Array && (d as PreparedTrajectories).policy !== undefined;
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
  const { runs, rows } = prepared;
  const blocks: Float64Array[] = [];
  const traj: number[] = [];
  const seg: number[] = [];
  let current: Float64Array | null = null;
  let any = false;
  const close = (): void => {
    if (current !== null && any) blocks.push(current);
    else if (current !== null) {
      traj.pop();
      seg.pop();
    }
  };
  for (let q = 0; q < runs.length; q += 4) {
    const r = runs[q];
    const s = runs[q + 1];
    if (current === null || traj[traj.length - 1] !== r || seg[seg.length - 1] !== s) {
      close();
      current = new Float64Array(nn);
      any = false;
      traj.push(r);
      seg.push(s);
    }
    const a = runs[q + 2];
    const b = runs[q + 3];
    if (b - a <= lag) continue;
    if (prepared.policy === 'pairs') {
      countRunChecked(rows[r], a, b, lag, n, current, 0);
      if (current.some((x) => x > 0)) any = true;
    } else {
      const end = b - lag;
      const row = rows[r];
      for (let t = a; t < end; t++) current[row[t] * n + row[t + lag]]++;
      any = true;
    }
  }
  close();
  const counts = new Float64Array(blocks.length * nn);
  blocks.forEach((b, u) => counts.set(b, u * nn));
  return { nStates: n, nUnits: blocks.length, counts, trajectory: Int32Array.from(traj), segment: Int32Array.from(seg) };
}
