import { neighborList } from '../neighbors/index.ts';
import { type Cell, cellVolume, perpendicularWidths, symbolOf } from '../structure/index.ts';
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

function checkOverlaps(raw: RawFrame, loc: { file: string; frame: number; line?: number }, minDistanceAngstrom: number): void {
  const pair = closestPairBelow(raw.cell, raw.positions, minDistanceAngstrom);
  if (pair === null) return;
  const [a, b, distance] = pair;
  throw new InputError(
    loc,
    `atoms ${a + 1} (${symbolOf(raw.species[a])}) and ${b + 1} (${symbolOf(raw.species[b])}) are ${distance.toFixed(3)} Å apart, closer than the ${minDistanceAngstrom} Å no two atoms come`,
    'the coordinates or the cell are wrong (a shifted count line or a wrong scale factor does this); fix the file, or lower the bound with --min-distance (input.minDistanceAngstrom; 0 turns the check off)',
  );
}

/** scratch of closestPairBelow, grown as needed and reused frame after frame (the check runs on every frame read) */
let scratchFrac = new Float64Array(0);
let scratchBinOf = new Int32Array(0);
let scratchBinAtoms = new Int32Array(0);
let scratchBinStart = new Int32Array(0);

/**
 * A pair (i < j, and their distance) closer than `limitAngstrom` under the minimum image, or null.
 * Bins in fractional space, at least the limit wide (perpendicular width) and about eight per atom: the fastest of
 * 4, 8, 27 and 64 per atom on the bundled example (few empty bins to visit, few pairs to test). With ≥ 3 bins along
 * every periodic direction, at most one image of an atom lies within the limit of another, and it is in one of the 27
 * bins around it; half of that stencil visits each pair of bins once. This replaces a full neighbour list per frame
 * (no output arrays, no square roots, scratch reused): the check was most of the reading time of the binary MD
 * formats (BENCHMARKS.md). Cells too small for three bins use the neighbour list, which handles several images.
 */
export function closestPairBelow(cell: Cell, positions: Float64Array, limitAngstrom: number): [number, number, number] | null {
  const n = positions.length / 3;
  const binWidth = Math.max(limitAngstrom, Math.cbrt(cellVolume(cell) / (8 * n)));
  const widths = perpendicularWidths(cell);
  const { pbc, inverse: inv, matrix: m } = cell;
  const bins = [1, 1, 1];
  for (let d = 0; d < 3; d++) {
    bins[d] = Math.max(1, Math.min(1024, Math.floor(widths[d] / binWidth)));
    if (pbc[d] && bins[d] < 3) return closestPairByNeighborList(cell, positions, limitAngstrom);
  }
  const [nbx, nby, nbz] = bins;
  const nBins = nbx * nby * nbz;
  if (scratchFrac.length < 3 * n) {
    scratchFrac = new Float64Array(3 * n);
    scratchBinOf = new Int32Array(n);
    scratchBinAtoms = new Int32Array(n);
  }
  if (scratchBinStart.length < nBins + 1) scratchBinStart = new Int32Array(nBins + 1);
  const frac = scratchFrac, binOf = scratchBinOf, binAtoms = scratchBinAtoms, start = scratchBinStart;
  start.fill(0, 0, nBins + 1);
  for (let i = 0; i < n; i++) {
    const x = positions[3 * i], y = positions[3 * i + 1], z = positions[3 * i + 2];
    let b = 0;
    for (let d = 2; d >= 0; d--) {
      let f = x * inv[d] + y * inv[3 + d] + z * inv[6 + d];
      if (pbc[d]) {
        f -= Math.floor(f);
        if (f >= 1) f = 0; // -1e-17 wraps to 1.0 in floating point
      }
      frac[3 * i + d] = f;
      // a non-periodic direction clamps to its edge bins: monotone, so neighbours stay in adjacent bins
      const c = Math.floor(f * bins[d]);
      b = b * bins[d] + (c < 0 ? 0 : c >= bins[d] ? bins[d] - 1 : c);
    }
    binOf[i] = b;
    start[b + 1]++;
  }
  for (let b = 0; b < nBins; b++) start[b + 1] += start[b];
  for (let i = 0; i < n; i++) binAtoms[start[binOf[i]]++] = i;
  for (let b = nBins; b > 0; b--) start[b] = start[b - 1];
  start[0] = 0;

  const limit2 = limitAngstrom * limitAngstrom;
  const [m0, m1, m2, m3, m4, m5, m6, m7, m8] = m;
  const [px, py, pz] = pbc;
  for (let i = 0; i < n; i++) {
    const bi = binOf[i];
    const bx = bi % nbx, by = Math.floor(bi / nbx) % nby, bz = Math.floor(bi / (nbx * nby));
    // half the stencil: i's own bin (pairs j > i) and the 13 bins after it in (z, y, x) order, so each pair of
    // neighbouring bins is visited once, with the lattice shift of the wrap
    for (let k = 13; k < 27; k++) {
      let cx = bx + (k % 3) - 1, cy = by + (Math.floor(k / 3) % 3) - 1, cz = bz + Math.floor(k / 9) - 1;
      let sx = 0, sy = 0, sz = 0;
      if (cx < 0 || cx >= nbx) {
        if (!px) continue;
        sx = cx < 0 ? -1 : 1;
        cx -= sx * nbx;
      }
      if (cy < 0 || cy >= nby) {
        if (!py) continue;
        sy = cy < 0 ? -1 : 1;
        cy -= sy * nby;
      }
      if (cz < 0 || cz >= nbz) {
        if (!pz) continue;
        sz = cz < 0 ? -1 : 1;
        cz -= sz * nbz;
      }
      const b = cx + nbx * (cy + nby * cz);
      for (let q = start[b], end = start[b + 1]; q < end; q++) {
        const j = binAtoms[q];
        if (k === 13 && j <= i) continue;
        const u = frac[3 * j] + sx - frac[3 * i], v = frac[3 * j + 1] + sy - frac[3 * i + 1], w = frac[3 * j + 2] + sz - frac[3 * i + 2];
        const dx = u * m0 + v * m3 + w * m6, dy = u * m1 + v * m4 + w * m7, dz = u * m2 + v * m5 + w * m8;
        const r2 = dx * dx + dy * dy + dz * dz;
        if (r2 < limit2) return i < j ? [i, j, Math.sqrt(r2)] : [j, i, Math.sqrt(r2)];
      }
    }
  }
  return null;
}

/** closestPairBelow for cells under three bins wide, where an atom's own images (or several of another's) can be near */
function closestPairByNeighborList(cell: Cell, positions: Float64Array, limitAngstrom: number): [number, number, number] | null {
  const n = positions.length / 3;
  const nl = neighborList(cell, positions, Math.max(limitAngstrom, Math.cbrt(cellVolume(cell) / n)));
  for (let c = 0; c < nl.centers.length; c++) {
    const i = nl.centers[c];
    for (let e = nl.offsets[c]; e < nl.offsets[c + 1]; e++) {
      const j = nl.index[e];
      if (j === i && nl.distance[e] > 0) continue; // the centre's own image in a tiny cell is not an overlap
      if (nl.distance[e] < limitAngstrom) return i < j ? [i, j, nl.distance[e]] : [j, i, nl.distance[e]];
    }
  }
  return null;
}
