import { GetseiError } from '../util/errors.ts';

/** Integer typed arrays that can hold state labels (−1 = undefined needs a signed type). */
export type StateArray = Int8Array | Int16Array | Int32Array | Uint8Array | Uint16Array;

/**
 * Discrete trajectories stored as one 2-D array, rows = trajectories (one per Li atom), C order — the layout of
 * the pipeline's states.npy (int16 [nLi, nFrames], −1 = undefined). No copy is made.
 */
export interface StateMatrix {
  readonly states: StateArray;
  readonly nTrajectories: number;
  readonly nFrames: number;
}

/** Either a 2-D state matrix or a list of trajectories (rows may differ in length). */
export type DiscreteTrajectories = StateMatrix | readonly ArrayLike<number>[];

/** Dense Markov models hold n² numbers per matrix: cap the number of states at a size that stays in memory. */
export const MAX_STATES = 4096;

/** Whether −1 frames split a trajectory (default) or only void the pairs that touch them. */
export type UndefinedPolicy = 'split' | 'pairs';

function isStateMatrix(d: DiscreteTrajectories): d is StateMatrix {
  return !Array.isArray(d) && typeof (d as StateMatrix).nTrajectories === 'number';
}

/** The trajectories as typed-array rows (views into a StateMatrix; number[] rows are converted and checked). */
export function trajectoryRows(dtrajs: DiscreteTrajectories): StateArray[] {
  if (isStateMatrix(dtrajs)) {
    const { states, nTrajectories, nFrames } = dtrajs;
    if (!Number.isInteger(nTrajectories) || !Number.isInteger(nFrames) || nTrajectories < 0 || nFrames < 0) {
      throw new GetseiError(`state matrix shape [${nTrajectories}, ${nFrames}] is not a pair of non-negative integers`);
    }
    if (states.length !== nTrajectories * nFrames) {
      throw new GetseiError(`state matrix has ${states.length} entries, but its shape [${nTrajectories}, ${nFrames}] needs ${nTrajectories * nFrames}`);
    }
    return Array.from({ length: nTrajectories }, (_, i) => states.subarray(i * nFrames, (i + 1) * nFrames));
  }
  return (dtrajs as readonly ArrayLike<number>[]).map((row, i) => {
    if (row instanceof Int8Array || row instanceof Int16Array || row instanceof Int32Array || row instanceof Uint8Array || row instanceof Uint16Array) {
      return row;
    }
    const out = new Int32Array(row.length);
    for (let t = 0; t < row.length; t++) {
      const v = row[t];
      if (!Number.isInteger(v)) {
        throw new GetseiError(`trajectory ${i}, frame ${t}: state ${String(v)} is not an integer; states are integers ≥ 0, or −1 for undefined`);
      }
      out[t] = v;
    }
    return out;
  });
}

/** Frames per state (index = state label) over all trajectories, and the number of undefined (−1) frames. */
export interface StateHistogram {
  readonly frames: Float64Array;
  readonly undefinedFrames: number;
  readonly totalFrames: number;
}

/**
 * Segment boundaries from a per-frame segment id (independent trajectories concatenated along time): each maximal
 * run of equal ids is one segment. Returns the start frame of every segment plus nFrames at the end.
 */
export function segmentBounds(segments: ArrayLike<number> | undefined, nFrames: number): Int32Array {
  if (segments === undefined) return Int32Array.of(0, nFrames);
  if (segments.length !== nFrames) {
    throw new GetseiError(`the segment ids have ${segments.length} entries, but the trajectories have ${nFrames} frames; give one id per frame`);
  }
  const bounds = [0];
  for (let t = 0; t < nFrames; t++) {
    const v = segments[t];
    if (!Number.isInteger(v)) throw new GetseiError(`segment id at frame ${t} (${String(v)}) is not an integer`);
    if (t > 0 && v !== segments[t - 1]) bounds.push(t);
  }
  bounds.push(nFrames);
  return Int32Array.from(bounds);
}

/** All rows must share one length when per-frame segment ids are given. */
export function commonLength(rows: readonly StateArray[]): number | null {
  if (rows.length === 0) return 0;
  const n = rows[0].length;
  for (const r of rows) if (r.length !== n) return null;
  return n;
}
