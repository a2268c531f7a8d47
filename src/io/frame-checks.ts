import { CellList } from '../neighbors/index.ts';
import { cellVolume, perpendicularWidths, symbolOf } from '../structure/index.ts';
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
  const mx = cell.matrix;
  for (let r = 0; r < 3; r++) {
    if (mx[3 * r] ** 2 + mx[3 * r + 1] ** 2 + mx[3 * r + 2] ** 2 > MAX_CELL_ANGSTROM ** 2) {
      const length = Math.hypot(mx[3 * r], mx[3 * r + 1], mx[3 * r + 2]);
      throw new InputError(
        loc,
        `lattice vector ${'abc'[r]} is ${length.toPrecision(3)} Å long, beyond the ${MAX_CELL_ANGSTROM} Å of any simulation cell`,
        'the cell numbers (or the scale factor) are corrupt: fix the cell of this frame',
      );
    }
  }
  const inv = cell.inverse;
  const i0 = inv[0], i1 = inv[1], i2 = inv[2], i3 = inv[3], i4 = inv[4], i5 = inv[5], i6 = inv[6], i7 = inv[7], i8 = inv[8];
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

type AtomsOfFrame = Pick<RawFrame, 'positions' | 'cell' | 'species'>;

/** Buffers of the overlap search, reused from frame to frame (checkFrame is synchronous; each worker has its own). */
const scratch = { frac: new Float64Array(0), within: new Float64Array(0), bin: new Int32Array(0), order: new Int32Array(0), start: new Int32Array(0) };

/**
 * Two atoms closer than `minDistanceAngstrom` (minimum image) → InputError. A grid of parallelepiped bins in
 * fractional coordinates, each at least the bound across and about one atom big: a pair closer than the bound lies
 * in one bin or two adjacent ones, and an atom looks into a neighbour bin only when it is within the bound of that
 * face (≈ 2–3 bins per atom at 0.5 Å), so the check costs a few distance tests per atom. Every frame of every input
 * comes through here. Cells narrower than three bounds (an atom may then see several images of another) take the
 * general cell list instead.
 */
function checkOverlaps(raw: AtomsOfFrame, loc: { file: string; frame: number; line?: number }, minDistanceAngstrom: number): void {
  const { cell, positions } = raw;
  const n = positions.length / 3;
  const width = perpendicularWidths(cell);
  const pbc = cell.pbc;
  if ((pbc[0] && width[0] < 3 * minDistanceAngstrom) || (pbc[1] && width[1] < 3 * minDistanceAngstrom) || (pbc[2] && width[2] < 3 * minDistanceAngstrom)) {
    checkOverlapsNarrowCell(raw, loc, minDistanceAngstrom);
    return;
  }
  const binAngstrom = Math.max(minDistanceAngstrom, Math.cbrt(cellVolume(cell) / n));
  if (scratch.frac.length < 3 * n) { scratch.frac = new Float64Array(3 * n); scratch.within = new Float64Array(3 * n); }
  if (scratch.order.length < n) { scratch.order = new Int32Array(n); scratch.bin = new Int32Array(n); }
  const { frac, within, bin, order } = scratch;
  // fractional coordinates, wrapped into [0, 1) along periodic axes; open axes are binned over the atoms' extent
  const inv = cell.inverse;
  const p0 = pbc[0], p1 = pbc[1], p2 = pbc[2];
  let min0 = 0, min1 = 0, min2 = 0, max0 = 1, max1 = 1, max2 = 1;
  if (!p0) { min0 = Infinity; max0 = -Infinity; }
  if (!p1) { min1 = Infinity; max1 = -Infinity; }
  if (!p2) { min2 = Infinity; max2 = -Infinity; }
  for (let i = 0; i < 3 * n; i += 3) {
    const x = positions[i], y = positions[i + 1], z = positions[i + 2];
    let a = x * inv[0] + y * inv[3] + z * inv[6], b = x * inv[1] + y * inv[4] + z * inv[7], c = x * inv[2] + y * inv[5] + z * inv[8];
    if (p0) a -= Math.floor(a); else { min0 = Math.min(min0, a); max0 = Math.max(max0, a); }
    if (p1) b -= Math.floor(b); else { min1 = Math.min(min1, b); max1 = Math.max(max1, b); }
    if (p2) c -= Math.floor(c); else { min2 = Math.min(min2, c); max2 = Math.max(max2, c); }
    frac[i] = a; frac[i + 1] = b; frac[i + 2] = c;
  }
  // bins at least the bound across (and about one atom big), at most 1024 along an axis
  const binsAlong = (span: number, w: number): number => Math.min(1024, Math.max(1, Math.floor((span * w) / binAngstrom)));
  const span0 = Math.max(max0 - min0, 1e-12), span1 = Math.max(max1 - min1, 1e-12), span2 = Math.max(max2 - min2, 1e-12);
  const nx = binsAlong(span0, width[0]), ny = binsAlong(span1, width[1]), nz = binsAlong(span2, width[2]);
  const per0 = nx / span0, per1 = ny / span1, per2 = nz / span2;
  // the perpendicular thickness of a bin along each axis (Å)
  const face0 = width[0] * span0 / nx, face1 = width[1] * span1 / ny, face2 = width[2] * span2 / nz;
  const nBins = nx * ny * nz;
  if (scratch.start.length < 2 * nBins + 1) scratch.start = new Int32Array(2 * nBins + 1);
  const start = scratch.start;
  start.fill(0, 0, nBins + 1);
  for (let i = 0; i < n; i++) {
    const u0 = (frac[3 * i] - min0) * per0, u1 = (frac[3 * i + 1] - min1) * per1, u2 = (frac[3 * i + 2] - min2) * per2;
    const b0 = Math.min(nx - 1, Math.floor(u0)), b1 = Math.min(ny - 1, Math.floor(u1)), b2 = Math.min(nz - 1, Math.floor(u2));
    // where in its bin the atom is, in [0, 1] per axis
    within[3 * i] = u0 - b0; within[3 * i + 1] = u1 - b1; within[3 * i + 2] = u2 - b2;
    const id = (b0 * ny + b1) * nz + b2;
    bin[i] = id;
    start[id + 1]++;
  }
  for (let b = 0; b < nBins; b++) start[b + 1] += start[b];
  // counting sort; start[nBins + 1 …] is the fill pointer of each bin
  for (let b = 0; b < nBins; b++) start[nBins + 1 + b] = start[b];
  for (let i = 0; i < n; i++) order[start[nBins + 1 + bin[i]]++] = i;

  const m = cell.matrix;
  const d = minDistanceAngstrom, limit2 = d * d;
  for (let i = 0; i < n; i++) {
    const fi = 3 * i;
    const id = bin[i];
    const b2 = id % nz, b1 = ((id - b2) / nz) % ny, b0 = (id - b2 - b1 * nz) / (ny * nz);
    // look into a neighbour bin only across a face nearer than the bound (open axes: not beyond the outer bins)
    const u0 = within[fi], u1 = within[fi + 1], u2 = within[fi + 2];
    const x0 = u0 * face0 < d && (p0 || b0 > 0) ? -1 : 0, x1 = (1 - u0) * face0 < d && (p0 || b0 < nx - 1) ? 1 : 0;
    const y0 = u1 * face1 < d && (p1 || b1 > 0) ? -1 : 0, y1 = (1 - u1) * face1 < d && (p1 || b1 < ny - 1) ? 1 : 0;
    const z0 = u2 * face2 < d && (p2 || b2 > 0) ? -1 : 0, z1 = (1 - u2) * face2 < d && (p2 || b2 < nz - 1) ? 1 : 0;
    for (let ox = x0; ox <= x1; ox++) {
      // a wrapped bin index and the lattice shift (−1, 0, 1) the wrap stands for
      let bx = b0 + ox, sx = 0;
      if (bx < 0) { bx += nx; sx = -1; } else if (bx >= nx) { bx -= nx; sx = 1; }
      for (let oy = y0; oy <= y1; oy++) {
        let by = b1 + oy, sy = 0;
        if (by < 0) { by += ny; sy = -1; } else if (by >= ny) { by -= ny; sy = 1; }
        for (let oz = z0; oz <= z1; oz++) {
          let bz = b2 + oz, sz = 0;
          if (bz < 0) { bz += nz; sz = -1; } else if (bz >= nz) { bz -= nz; sz = 1; }
          const b = (bx * ny + by) * nz + bz;
          for (let e = start[b]; e < start[b + 1]; e++) {
            const j = order[e];
            // each pair once, from its lower index: that atom is within the bound of every face between them too
            if (j <= i) continue;
            const fj = 3 * j;
            const da = frac[fj] - frac[fi] + sx, db = frac[fj + 1] - frac[fi + 1] + sy, dc = frac[fj + 2] - frac[fi + 2] + sz;
            const vx = da * m[0] + db * m[3] + dc * m[6], vy = da * m[1] + db * m[4] + dc * m[7], vz = da * m[2] + db * m[5] + dc * m[8];
            const r2 = vx * vx + vy * vy + vz * vz;
            if (r2 < limit2) overlapError(raw, loc, i, j, Math.sqrt(r2), d);
          }
        }
      }
    }
  }
}

function overlapError(raw: AtomsOfFrame, loc: { file: string; frame: number; line?: number }, i: number, j: number, distance: number, minDistanceAngstrom: number): never {
  const [a, b] = i < j ? [i, j] : [j, i];
  throw new InputError(
    loc,
    `atoms ${a + 1} (${symbolOf(raw.species[a])}) and ${b + 1} (${symbolOf(raw.species[b])}) are ${distance.toFixed(3)} Å apart, closer than the ${minDistanceAngstrom} Å no two atoms come`,
    'the coordinates or the cell are wrong (a shifted count line or a wrong scale factor does this); fix the file, or lower the bound with --min-distance (input.minDistanceAngstrom; 0 turns the check off)',
  );
}

/** The overlap check in a cell narrower than three bounds: the general cell list, every image within the bound. */
function checkOverlapsNarrowCell(raw: AtomsOfFrame, loc: { file: string; frame: number; line?: number }, minDistanceAngstrom: number): void {
  const n = raw.positions.length / 3;
  const binAngstrom = Math.max(minDistanceAngstrom, Math.cbrt(cellVolume(raw.cell) / n));
  const search = new CellList(raw.cell, raw.positions, minDistanceAngstrom * (1 + 1e-9), { binAngstrom });
  for (let i = 0; i < n; i++) {
    const nl = search.neighborsOf(i);
    for (let e = 0; e < nl.count; e++) {
      const j = nl.index[e];
      if (j === i && nl.distance[e] > 0) continue; // the centre's own image in a tiny cell is not an overlap
      if (nl.distance[e] < minDistanceAngstrom) overlapError(raw, loc, i, j, nl.distance[e], minDistanceAngstrom);
    }
  }
}
