import { perpendicularWidths, type Cell } from '../structure/index.ts';

/**
 * Slabs of the D(z) profile. They are cut along one lattice axis, in its fractional coordinate (wrapped to
 * [0, 1)), so they have equal width, tile the periodic cell exactly and follow a changing cell: the axis is the
 * one whose reciprocal vector (the direction perpendicular to the other two lattice vectors) is most parallel to
 * the interface normal, or c when no normal is given (slab models put the interface normal along c).
 */
export function profileAxis(cell: Cell, normal?: readonly [number, number, number]): 0 | 1 | 2 {
  if (!normal) return 2;
  let best: 0 | 1 | 2 = 2, bestCos = -1;
  for (const a of [0, 1, 2] as const) {
    const b = [cell.inverse[a], cell.inverse[3 + a], cell.inverse[6 + a]];
    const cos = Math.abs(b[0] * normal[0] + b[1] * normal[1] + b[2] * normal[2]) / Math.hypot(b[0], b[1], b[2]);
    if (cos > bestCos + 1e-12) { best = a; bestCos = cos; }
  }
  return best;
}

/** Slab index (0 … nBins − 1) of each atom: ⌊frac_axis · nBins⌋ with frac wrapped to [0, 1). */
export function slabLabels(positions: Float64Array, cell: Cell, axis: 0 | 1 | 2, nBins: number, out: Int32Array): Int32Array {
  const inv = cell.inverse;
  for (let i = 0; i < out.length; i++) {
    const o = 3 * i;
    let f = positions[o] * inv[axis] + positions[o + 1] * inv[3 + axis] + positions[o + 2] * inv[6 + axis];
    f -= Math.floor(f);
    out[i] = Math.min(nBins - 1, Math.floor(f * nBins));
  }
  return out;
}

/** Width of the cell perpendicular to the lattice planes of `axis` (Å): the profile's extent. */
export function profileWidthAngstrom(cell: Cell, axis: 0 | 1 | 2): number {
  return perpendicularWidths(cell)[axis];
}
