import type { Cell } from '../structure/index.ts';

/** How wrapped positions become continuous paths. */
export type UnwrapMode = 'minimum-image' | 'none';

/** A step whose fractional component along a lattice direction exceeds this is reported as ambiguous. */
export const AMBIGUOUS_STEP_FRACTION = 0.4;

/** Large steps seen while unwrapping, for one warning line at the end. */
export interface UnwrapWarnings {
  /** atom-steps whose component along some perpendicular exceeded the threshold */
  readonly largeSteps: number;
  /** first selected-frame index (0-based, over everything pushed) where one occurred, or -1 */
  readonly firstFrame: number;
  /** largest step component seen, as a fraction of that perpendicular width */
  readonly largestFraction: number;
}

/**
 * Unwraps positions frame by frame: each step is the minimum image of the difference between consecutive frames
 * (in fractional coordinates of the current cell, so a changing cell is followed), added to the previous unwrapped
 * position. Input that is already unwrapped gives the same steps as long as every step is under half a
 * perpendicular width; mode 'none' takes positions as they are. A new independent trajectory restarts from its
 * own first frame: no step is ever taken across trajectories.
 *
 * Minimum image cannot see a step longer than half a width, so a step whose component exceeds
 * AMBIGUOUS_STEP_FRACTION of a width is counted (mode 'none': more than half a width).
 */
export class Unwrapper {
  private readonly previous: Float64Array;
  private readonly unwrapped: Float64Array;
  private started = false;
  private frames = 0;
  private largeSteps = 0;
  private firstFrame = -1;
  private largestFraction = 0;

  constructor(readonly nAtoms: number, readonly mode: UnwrapMode = 'minimum-image') {
    this.previous = new Float64Array(3 * nAtoms);
    this.unwrapped = new Float64Array(3 * nAtoms);
  }

  /** Unwrapped positions for this frame (a buffer reused by the next call: copy to keep). */
  push(positions: Float64Array, cell: Cell, newTrajectory = false): Float64Array {
    const n = this.nAtoms;
    if (positions.length !== 3 * n) throw new RangeError(`expected ${3 * n} coordinates, got ${positions.length}`);
    const frame = this.frames++;
    if (!this.started || newTrajectory) {
      this.previous.set(positions);
      this.unwrapped.set(positions);
      this.started = true;
      return this.unwrapped;
    }
    const m = cell.matrix;
    const inv = cell.inverse;
    const limit = this.mode === 'none' ? 0.5 : AMBIGUOUS_STEP_FRACTION;
    for (let i = 0; i < n; i++) {
      const o = 3 * i;
      const dx = positions[o] - this.previous[o];
      const dy = positions[o + 1] - this.previous[o + 1];
      const dz = positions[o + 2] - this.previous[o + 2];
      // fractional step: d · inverse
      let fa = dx * inv[0] + dy * inv[3] + dz * inv[6];
      let fb = dx * inv[1] + dy * inv[4] + dz * inv[7];
      let fc = dx * inv[2] + dy * inv[5] + dz * inv[8];
      if (this.mode === 'minimum-image') {
        if (cell.pbc[0]) fa -= Math.round(fa);
        if (cell.pbc[1]) fb -= Math.round(fb);
        if (cell.pbc[2]) fc -= Math.round(fc);
      }
      const big = Math.max(cell.pbc[0] ? Math.abs(fa) : 0, cell.pbc[1] ? Math.abs(fb) : 0, cell.pbc[2] ? Math.abs(fc) : 0);
      if (big > limit) {
        this.largeSteps++;
        if (this.firstFrame < 0) this.firstFrame = frame;
      }
      if (big > this.largestFraction) this.largestFraction = big;
      this.unwrapped[o] += fa * m[0] + fb * m[3] + fc * m[6];
      this.unwrapped[o + 1] += fa * m[1] + fb * m[4] + fc * m[7];
      this.unwrapped[o + 2] += fa * m[2] + fb * m[5] + fc * m[8];
    }
    this.previous.set(positions);
    return this.unwrapped;
  }

  warnings(): UnwrapWarnings {
    return { largeSteps: this.largeSteps, firstFrame: this.firstFrame, largestFraction: this.largestFraction };
  }
}
