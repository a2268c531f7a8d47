import { GetseiError } from '../util/errors.ts';
import { segmentBounds, type StateMatrix } from './dtrajs.ts';

/**
 * Core-set (milestoning) trajectories (Buchete & Hummer 2008; Schütte et al. 2011): a Li keeps the label of the
 * last core it was in until it enters another core, so that recrossings of a state boundary (sub-lag flicker) are
 * not counted as transitions. Frames before the first core of a stretch are undefined (−1); the memory is reset at
 * every segment boundary and at every undefined input frame, so that no transition is inferred across them.
 */
export interface MilestonedTrajectories extends StateMatrix {
  readonly states: Int16Array;
  /** frames in a core / defined input frames */
  readonly fractionInCores: number;
  readonly framesInCores: number;
  /** defined frames left undefined because no core had been visited yet in their stretch */
  readonly framesBeforeFirstCore: number;
}

/**
 * Milestone a state matrix (int labels, −1 undefined) with a per-frame core mask of the same layout (1: the frame
 * is in the core of its state). segments: per-frame segment ids (as for counting), optional.
 */
export function milestoneTrajectories(
  dtrajs: StateMatrix, coreMask: ArrayLike<number>, segments?: ArrayLike<number>,
): MilestonedTrajectories {
  const { states, nTrajectories, nFrames } = dtrajs;
  if (coreMask.length !== nTrajectories * nFrames) {
    throw new GetseiError(`the core mask has ${coreMask.length} entries, the trajectories ${nTrajectories} × ${nFrames}`);
  }
  const bounds = segments === undefined ? Int32Array.of(0, nFrames) : segmentBounds(segments, nFrames);
  const out = new Int16Array(nTrajectories * nFrames);
  let inCores = 0;
  let before = 0;
  let defined = 0;
  for (let r = 0; r < nTrajectories; r++) {
    let seg = 1;
    let last = -1;
    for (let t = 0; t < nFrames; t++) {
      if (t === bounds[seg]) {
        seg++;
        last = -1;
      }
      const i = r * nFrames + t;
      const s = states[i];
      if (s < 0) {
        last = -1;
        out[i] = -1;
        continue;
      }
      defined++;
      if (coreMask[i]) {
        last = s;
        inCores++;
      } else if (last < 0) {
        before++;
      }
      out[i] = last;
    }
  }
  return Object.freeze({
    states: out, nTrajectories, nFrames, fractionInCores: defined > 0 ? inCores / defined : 0,
    framesInCores: inCores, framesBeforeFirstCore: before,
  });
}

/**
 * Core mask from state posteriors (nTrajectories × nFrames × nStates, C order): a frame is in the core of its state
 * when that state's posterior is at least `threshold`.
 */
export function posteriorCoreMask(dtrajs: StateMatrix, posteriors: ArrayLike<number>, nStates: number, threshold: number): Uint8Array {
  const n = dtrajs.nTrajectories * dtrajs.nFrames;
  if (posteriors.length !== n * nStates) throw new GetseiError(`the posteriors have ${posteriors.length} entries, expected ${n} frames × ${nStates} states`);
  if (!(threshold > 0 && threshold <= 1)) throw new GetseiError(`the core posterior threshold must be in (0, 1], got ${threshold}`);
  const mask = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const s = dtrajs.states[i];
    if (s >= 0 && posteriors[i * nStates + s] >= threshold) mask[i] = 1;
  }
  return mask;
}

/**
 * Core mask from the states alone, when no posteriors are stored: a frame is in the core of its state when it lies
 * in a stretch of at least `minDwellFrames` consecutive frames of that state (within one segment). Short visits —
 * the flicker across a state boundary — are then never cores.
 */
export function dwellCoreMask(dtrajs: StateMatrix, minDwellFrames: number, segments?: ArrayLike<number>): Uint8Array {
  if (!Number.isInteger(minDwellFrames) || minDwellFrames < 1) throw new GetseiError(`the core minimum dwell must be a positive whole number of frames, got ${minDwellFrames}`);
  const { states, nTrajectories, nFrames } = dtrajs;
  const bounds = segments === undefined ? Int32Array.of(0, nFrames) : segmentBounds(segments, nFrames);
  const mask = new Uint8Array(nTrajectories * nFrames);
  for (let r = 0; r < nTrajectories; r++) {
    for (let b = 0; b + 1 < bounds.length; b++) {
      let start = bounds[b];
      for (let t = bounds[b] + 1; t <= bounds[b + 1]; t++) {
        if (t < bounds[b + 1] && states[r * nFrames + t] === states[r * nFrames + start]) continue;
        if (states[r * nFrames + start] >= 0 && t - start >= minDwellFrames) mask.fill(1, r * nFrames + start, r * nFrames + t);
        start = t;
      }
    }
  }
  return mask;
}
