import { CellList } from '../neighbors/index.ts';
import { cellVolume, symbolOf } from '../structure/index.ts';
import { InputError } from '../util/errors.ts';
import type { RawFrame } from './types.ts';

/**
 * Physical sanity checks applied by readTrajectory to every frame, whatever the reader, so a new format gets them
 * without writing them again (docs/io.md, "Frame checks").
 */
export interface FrameChecks {
  /** two atoms closer than this (Å, minimum image) are refused as overlapping; 0 turns the check off (default 0.5) */
  readonly minDistanceAngstrom: number;
  /**
   * a coordinate more than this many cell lengths from the cell (fractional |s| > bound) is refused: unwrapped
   * trajectories drift a few cells, never thousands (default 1000)
   */
  readonly maxCellsAway: number;
}

export const DEFAULT_FRAME_CHECKS: FrameChecks = { minDistanceAngstrom: 0.5, maxCellsAway: 1000 };

/** no simulation cell has a lattice vector longer than this (Å; 10 µm); a longer one is a corrupt number */
export const MAX_CELL_ANGSTROM = 1e5;

/** Throw an InputError naming the file, frame and line when the frame is not a physically possible structure. */
export function checkFrame(raw: RawFrame, file: string, checks: FrameChecks = DEFAULT_FRAME_CHECKS): void {
  const loc = { file, frame: raw.index, line: raw.line };
  const { positions, cell } = raw;
  for (let r = 0; r < 3; r++) {
    const length = Math.hypot(cell.matrix[3 * r], cell.matrix[3 * r + 1], cell.matrix[3 * r + 2]);
    if (length > MAX_CELL_ANGSTROM) {
      throw new InputError(
        loc,
        `lattice vector ${'abc'[r]} is ${length.toPrecision(3)} Å long, beyond the ${MAX_CELL_ANGSTROM} Å of any simulation cell`,
        'the cell numbers (or the scale factor) are corrupt: fix the cell of this frame',
      );
    }
  }
  const [i0, i1, i2, i3, i4, i5, i6, i7, i8] = cell.inverse;
  const bound = checks.maxCellsAway;
  const n = positions.length / 3;
  for (let i = 0; i < n; i++) {
    const x = positions[3 * i], y = positions[3 * i + 1], z = positions[3 * i + 2];
    const a = x * i0 + y * i3 + z * i6, b = x * i1 + y * i4 + z * i7, c = x * i2 + y * i5 + z * i8;
    // one test per atom on the hot path (NaN fails every comparison); the message is worked out only on failure
    if (Math.abs(a) <= bound && Math.abs(b) <= bound && Math.abs(c) <= bound) continue;
    if (!Number.isFinite(x) || !Number.isFinite(y) || !Number.isFinite(z)) {
      throw new InputError(loc, `atom ${i + 1} has a non-finite position (${x} ${y} ${z})`, 'fix or remove this frame');
    }
    const d = Math.abs(a) > bound ? 0 : Math.abs(b) > bound ? 1 : 2;
    const s = [a, b, c][d];
    throw new InputError(
      loc,
      `atom ${i + 1} (${symbolOf(raw.species[i])}) is at ${x} ${y} ${z} Å, ${Math.abs(s).toPrecision(3)} cell lengths along lattice vector ${'abc'[d]} from the cell`,
      `no trajectory drifts that far (the bound is ${checks.maxCellsAway} cells); the coordinate is corrupt or in the wrong units: fix or remove this frame`,
    );
  }
  if (checks.minDistanceAngstrom > 0 && n > 1) checkOverlaps(raw, loc, checks.minDistanceAngstrom);
}

/**
 * The overlap part of `checkFrame` alone (the same search, the same message): for a caller that has found on its
 * own, from a neighbour search of its own, that a frame has two atoms closer than the bound (the featurize stage,
 * whose workers see every pair within the graph radius anyway), to report it exactly as the reader would have.
 */
export function checkFrameOverlaps(raw: Pick<RawFrame, 'positions' | 'cell' | 'species' | 'index' | 'line'>, file: string, minDistanceAngstrom: number): void {
  if (minDistanceAngstrom > 0 && raw.positions.length > 3) checkOverlaps(raw, { file, frame: raw.index, line: raw.line }, minDistanceAngstrom);
}

function checkOverlaps(raw: Pick<RawFrame, 'positions' | 'cell' | 'species'>, loc: { file: string; frame: number; line?: number }, minDistanceAngstrom: number): void {
  // bins at about the mean atomic spacing (about one atom per bin, however small the bound), searched only to the
  // bound: a few dozen candidates per atom and no list kept, since every frame of every input goes through here
  const n = raw.positions.length / 3;
  const binAngstrom = Math.max(minDistanceAngstrom, Math.cbrt(cellVolume(raw.cell) / n));
  const search = new CellList(raw.cell, raw.positions, minDistanceAngstrom * (1 + 1e-9), { binAngstrom });
  for (let i = 0; i < n; i++) {
    const nl = search.neighborsOf(i);
    for (let e = 0; e < nl.count; e++) {
      const j = nl.index[e];
      if (j === i && nl.distance[e] > 0) continue; // the centre's own image in a tiny cell is not an overlap
      if (nl.distance[e] >= minDistanceAngstrom) continue;
      const [a, b] = i < j ? [i, j] : [j, i];
      throw new InputError(
        loc,
        `atoms ${a + 1} (${symbolOf(raw.species[a])}) and ${b + 1} (${symbolOf(raw.species[b])}) are ${nl.distance[e].toFixed(3)} Å apart, closer than the ${minDistanceAngstrom} Å no two atoms come`,
        'the coordinates or the cell are wrong (a shifted count line or a wrong scale factor does this); fix the file, or lower the bound with --min-distance (input.minDistanceAngstrom; 0 turns the check off)',
      );
    }
  }
}
