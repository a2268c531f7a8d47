import { type Cell, perpendicularWidths } from '../structure/cell.ts';

/**
 * A neighbour list in CSR form: the neighbours of centre c are entries [offsets[c], offsets[c + 1]).
 * Each entry is one periodic image of atom `index[e]`, at displacement `vector[3e..3e+2]` (Å) from the centre
 * and distance `distance[e]`. When the cutoff exceeds half a perpendicular cell width, several images of the same
 * atom (even of the centre itself) are separate entries, as in ASE's neighbour list.
 */
export interface NeighborList {
  readonly cutoffAngstrom: number;
  /** the atoms whose neighbours are listed, in order */
  readonly centers: Int32Array;
  readonly offsets: Int32Array;
  readonly index: Int32Array;
  readonly vector: Float64Array;
  readonly distance: Float64Array;
}

/**
 * Periodic neighbour search with cell lists in fractional space, for any triclinic cell.
 * Bins per direction: floor(width / cutoff) (≥ 1), where width is the perpendicular width; a centre's search
 * reaches ceil(cutoff · bins / width) bins either way, each bin offset beyond the cell carrying its lattice
 * shift, so every image within the cutoff is found exactly once, however small the cell.
 * Non-periodic directions are binned over the atoms' extent and never shifted.
 *
 * @param positions cartesian Å, xyz interleaved (need not be wrapped)
 * @param centers atoms to list neighbours for (default: all)
 */
export function neighborList(
  cell: Cell,
  positions: Float64Array,
  cutoffAngstrom: number,
  centers?: Int32Array,
): NeighborList {
  if (!(cutoffAngstrom > 0)) throw new RangeError(`cutoff must be positive, got ${cutoffAngstrom}`);
  const n = positions.length / 3;
  const m = cell.matrix;
  const inv = cell.inverse;
  const widths = perpendicularWidths(cell);
  const pbc = cell.pbc;

  // Fractional coordinates, wrapped into [0, 1) along periodic directions.
  const frac = new Float64Array(3 * n);
  const lo = [0, 0, 0], hi = [1, 1, 1];
  for (let i = 0; i < n; i++) {
    const x = positions[3 * i], y = positions[3 * i + 1], z = positions[3 * i + 2];
    for (let d = 0; d < 3; d++) {
      let f = x * inv[d] + y * inv[3 + d] + z * inv[6 + d];
      if (pbc[d]) {
        f -= Math.floor(f);
        if (f >= 1) f = 0; // -1e-17 wraps to 1.0 in floating point
      }
      frac[3 * i + d] = f;
    }
  }
  for (let d = 0; d < 3; d++) {
    if (pbc[d]) continue;
    lo[d] = Infinity;
    hi[d] = -Infinity;
    for (let i = 0; i < n; i++) {
      lo[d] = Math.min(lo[d], frac[3 * i + d]);
      hi[d] = Math.max(hi[d], frac[3 * i + d]);
    }
    hi[d] = Math.max(hi[d], lo[d]) + 1e-9;
  }
  // Wrapped cartesian positions, so that image displacements are r_j + shift − r_i.
  const cart = new Float64Array(3 * n);
  for (let i = 0; i < n; i++) {
    const a = frac[3 * i], b = frac[3 * i + 1], c = frac[3 * i + 2];
    cart[3 * i] = a * m[0] + b * m[3] + c * m[6];
    cart[3 * i + 1] = a * m[1] + b * m[4] + c * m[7];
    cart[3 * i + 2] = a * m[2] + b * m[5] + c * m[8];
  }

  const bins = [1, 1, 1], reach = [0, 0, 0];
  for (let d = 0; d < 3; d++) {
    const extent = widths[d] * (hi[d] - lo[d]);
    bins[d] = Math.max(1, Math.min(1024, Math.floor(extent / cutoffAngstrom)));
    reach[d] = Math.ceil((cutoffAngstrom * bins[d]) / extent);
    if (!pbc[d]) reach[d] = Math.min(reach[d], bins[d] - 1);
  }
  const [nbx, nby, nbz] = bins;
  const nBins = nbx * nby * nbz;
  const binOf = new Int32Array(n);
  const binCount = new Int32Array(nBins + 1);
  const binCoord = (f: number, d: number): number => {
    const b = Math.floor(((f - lo[d]) / (hi[d] - lo[d])) * bins[d]);
    return b < 0 ? 0 : b >= bins[d] ? bins[d] - 1 : b;
  };
  for (let i = 0; i < n; i++) {
    const b = binCoord(frac[3 * i], 0) + nbx * (binCoord(frac[3 * i + 1], 1) + nby * binCoord(frac[3 * i + 2], 2));
    binOf[i] = b;
    binCount[b + 1]++;
  }
  for (let b = 0; b < nBins; b++) binCount[b + 1] += binCount[b];
  const binAtoms = new Int32Array(n);
  const fill = binCount.slice(0, nBins);
  for (let i = 0; i < n; i++) binAtoms[fill[binOf[i]]++] = i;

  const centerList = centers ?? Int32Array.from({ length: n }, (_, i) => i);
  const rc2 = cutoffAngstrom * cutoffAngstrom;
  const offsets = new Int32Array(centerList.length + 1);
  let cap = Math.max(16, centerList.length * 32);
  let index: Int32Array = new Int32Array(cap);
  let vector: Float64Array = new Float64Array(3 * cap);
  let distance: Float64Array = new Float64Array(cap);
  let count = 0;

  for (let c = 0; c < centerList.length; c++) {
    const i = centerList[c];
    const bi = binOf[i];
    const bx = bi % nbx, by = Math.floor(bi / nbx) % nby, bz = Math.floor(bi / (nbx * nby));
    const xi = cart[3 * i], yi = cart[3 * i + 1], zi = cart[3 * i + 2];
    for (let dz = -reach[2]; dz <= reach[2]; dz++) {
      const cz = bz + dz;
      if (!pbc[2] && (cz < 0 || cz >= nbz)) continue;
      const sz = Math.floor(cz / nbz), wz = cz - sz * nbz;
      for (let dy = -reach[1]; dy <= reach[1]; dy++) {
        const cy = by + dy;
        if (!pbc[1] && (cy < 0 || cy >= nby)) continue;
        const sy = Math.floor(cy / nby), wy = cy - sy * nby;
        for (let dx = -reach[0]; dx <= reach[0]; dx++) {
          const cx = bx + dx;
          if (!pbc[0] && (cx < 0 || cx >= nbx)) continue;
          const sx = Math.floor(cx / nbx), wx = cx - sx * nbx;
          // lattice shift of this bin image
          const tx = sx * m[0] + sy * m[3] + sz * m[6];
          const ty = sx * m[1] + sy * m[4] + sz * m[7];
          const tz = sx * m[2] + sy * m[5] + sz * m[8];
          const isHome = sx === 0 && sy === 0 && sz === 0;
          const b = wx + nbx * (wy + nby * wz);
          for (let p = binCount[b], end = binCount[b + 1]; p < end; p++) {
            const j = binAtoms[p];
            if (isHome && j === i) continue;
            const vx = cart[3 * j] + tx - xi, vy = cart[3 * j + 1] + ty - yi, vz = cart[3 * j + 2] + tz - zi;
            const r2 = vx * vx + vy * vy + vz * vz;
            if (r2 >= rc2) continue;
            if (count === cap) {
              cap *= 2;
              index = growInt(index, cap);
              vector = growFloat(vector, 3 * cap);
              distance = growFloat(distance, cap);
            }
            index[count] = j;
            vector[3 * count] = vx;
            vector[3 * count + 1] = vy;
            vector[3 * count + 2] = vz;
            distance[count] = Math.sqrt(r2);
            count++;
          }
        }
      }
    }
    offsets[c + 1] = count;
  }
  return {
    cutoffAngstrom,
    centers: centerList,
    offsets,
    index: index.slice(0, count),
    vector: vector.slice(0, 3 * count),
    distance: distance.slice(0, count),
  };
}

function growInt(a: Int32Array, n: number): Int32Array {
  const b = new Int32Array(n);
  b.set(a);
  return b;
}

function growFloat(a: Float64Array, n: number): Float64Array {
  const b = new Float64Array(n);
  b.set(a);
  return b;
}
