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
 * The neighbours of one centre while it is visited: entries [0, count) of arrays that the search reuses for the
 * next centre (copy what must outlive the visit). Entries are in the order of `neighborList`.
 */
export interface Neighborhood {
  readonly count: number;
  readonly index: Int32Array;
  /** displacement from the centre (Å), xyz interleaved */
  readonly vector: Float64Array;
  readonly distance: Float64Array;
}

/** Scratch of one centre's neighbours, grown on demand and reused from centre to centre. */
class NeighborhoodBuffer implements Neighborhood {
  count = 0;
  index = new Int32Array(64);
  vector = new Float64Array(192);
  distance = new Float64Array(64);

  grow(): void {
    const cap = 2 * this.index.length;
    const index = new Int32Array(cap), vector = new Float64Array(3 * cap), distance = new Float64Array(cap);
    index.set(this.index);
    vector.set(this.vector);
    distance.set(this.distance);
    this.index = index;
    this.vector = vector;
    this.distance = distance;
  }
}

/**
 * Per lattice direction, the bins a centre's search visits: for bin b and step k ∈ [0, 2·reach], the wrapped bin
 * `wrap[b·span + k]` (−1 where a non-periodic direction ends) and its lattice shift `shift[b·span + k]`.
 */
interface BinSteps {
  readonly span: number;
  readonly wrap: Int32Array;
  readonly shift: Int32Array;
}

function binSteps(bins: number, reach: number, periodic: boolean): BinSteps {
  const span = 2 * reach + 1;
  const wrap = new Int32Array(bins * span), shift = new Int32Array(bins * span);
  for (let b = 0; b < bins; b++) {
    for (let k = 0; k < span; k++) {
      const c = b + k - reach;
      const s = Math.floor(c / bins);
      wrap[b * span + k] = !periodic && (c < 0 || c >= bins) ? -1 : c - s * bins;
      shift[b * span + k] = s;
    }
  }
  return { span, wrap, shift };
}

/**
 * Visit every centre's neighbours within the cutoff (periodic images included), one centre at a time, without
 * building the whole list: cell lists in fractional space, for any triclinic cell.
 * Bins per direction: floor(width / binAngstrom) (≥ 1; binAngstrom defaults to the cutoff), where width is the
 * perpendicular width; a centre's search reaches ceil(cutoff · bins / width) bins either way, each bin offset
 * beyond the cell carrying its lattice shift, so every image within the cutoff is found exactly once, however
 * small the cell. Non-periodic directions are binned over the atoms' extent and never shifted.
 * Neighbours come bin offset by bin offset (z outermost, then y, then x), atoms of a bin in index order.
 *
 * @param positions cartesian Å, xyz interleaved (need not be wrapped)
 * @param visit called once per centre, in order; `hood` is valid during the call only
 */
export function forEachNeighborhood(
  cell: Cell,
  positions: Float64Array,
  cutoffAngstrom: number,
  visit: (centre: number, hood: Neighborhood) => void,
  options: { centers?: Int32Array; binAngstrom?: number } = {},
): void {
  if (!(cutoffAngstrom > 0)) throw new RangeError(`cutoff must be positive, got ${cutoffAngstrom}`);
  const binAngstrom = options.binAngstrom ?? cutoffAngstrom;
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

  const bins = [1, 1, 1], reach = [0, 0, 0], binWidth = [0, 0, 0];
  for (let d = 0; d < 3; d++) {
    const extent = widths[d] * (hi[d] - lo[d]);
    bins[d] = Math.max(1, Math.min(1024, Math.floor(extent / binAngstrom)));
    reach[d] = Math.ceil((cutoffAngstrom * bins[d]) / extent);
    if (!pbc[d]) reach[d] = Math.min(reach[d], bins[d] - 1);
    binWidth[d] = extent / bins[d];
  }
  const [nbx, nby, nbz] = bins;
  const nBins = nbx * nby * nbz;
  const binOf = new Int32Array(n);
  const binStart = new Int32Array(nBins + 1);
  const binCoord = (f: number, d: number): number => {
    const b = Math.floor(((f - lo[d]) / (hi[d] - lo[d])) * bins[d]);
    return b < 0 ? 0 : b >= bins[d] ? bins[d] - 1 : b;
  };
  // Bins a centre's search skips: the k-th bin beyond its own along d lies at least (k − 1 + gap) bin widths away
  // (perpendicular to the faces, so for any triclinic cell), gap being the centre's distance to its own bin's face
  // in bin widths. With bins much wider than the cutoff (the overlap check) most of the 27 neighbour bins go.
  // The margin keeps every bin that rounding could bring within the cutoff: the neighbours found are the same.
  const cutoffMargin = cutoffAngstrom * (1 + 1e-9) + 1e-9;
  const binsWithin = (gap: number, d: number): number => {
    let k = 0;
    while (k < reach[d] && (k + gap) * binWidth[d] < cutoffMargin) k++;
    return k;
  };
  const gapBelow = (f: number, d: number, b: number): number => {
    const t = ((f - lo[d]) / (hi[d] - lo[d])) * bins[d] - b;
    return t < 0 ? 0 : t > 1 ? 1 : t;
  };
  for (let i = 0; i < n; i++) {
    const b = binCoord(frac[3 * i], 0) + nbx * (binCoord(frac[3 * i + 1], 1) + nby * binCoord(frac[3 * i + 2], 2));
    binOf[i] = b;
    binStart[b + 1]++;
  }
  for (let b = 0; b < nBins; b++) binStart[b + 1] += binStart[b];
  // Wrapped cartesian positions in bin order (the inner loop reads them front to back), so that image
  // displacements are r_j + shift − r_i.
  const binAtom = new Int32Array(n);
  const px = new Float64Array(n), py = new Float64Array(n), pz = new Float64Array(n);
  const fill = binStart.slice(0, nBins);
  for (let i = 0; i < n; i++) {
    const p = fill[binOf[i]]++;
    const a = frac[3 * i], b = frac[3 * i + 1], c = frac[3 * i + 2];
    binAtom[p] = i;
    px[p] = a * m[0] + b * m[3] + c * m[6];
    py[p] = a * m[1] + b * m[4] + c * m[7];
    pz[p] = a * m[2] + b * m[5] + c * m[8];
  }
  const slot = new Int32Array(n);
  for (let p = 0; p < n; p++) slot[binAtom[p]] = p;

  const sx = binSteps(nbx, reach[0], pbc[0]), sy = binSteps(nby, reach[1], pbc[1]), sz = binSteps(nbz, reach[2], pbc[2]);
  const rc2 = cutoffAngstrom * cutoffAngstrom;
  const hood = new NeighborhoodBuffer();
  const nCenters = options.centers?.length ?? n;
  for (let c = 0; c < nCenters; c++) {
    const i = options.centers === undefined ? c : options.centers[c];
    const bi = binOf[i];
    const bx = bi % nbx, by = Math.floor(bi / nbx) % nby, bz = Math.floor(bi / (nbx * nby));
    const home = slot[i];
    const xi = px[home], yi = py[home], zi = pz[home];
    const gx = gapBelow(frac[3 * i], 0, bx), gy = gapBelow(frac[3 * i + 1], 1, by), gz = gapBelow(frac[3 * i + 2], 2, bz);
    const kx0 = bx * sx.span + reach[0], ky0 = by * sy.span + reach[1], kz0 = bz * sz.span + reach[2];
    const kxLo = kx0 - binsWithin(gx, 0), kxHi = kx0 + binsWithin(1 - gx, 0);
    const kyLo = ky0 - binsWithin(gy, 1), kyHi = ky0 + binsWithin(1 - gy, 1);
    const kzLo = kz0 - binsWithin(gz, 2), kzHi = kz0 + binsWithin(1 - gz, 2);
    let count = 0;
    for (let kz = kzLo; kz <= kzHi; kz++) {
      const wz = sz.wrap[kz];
      if (wz < 0) continue;
      const shz = sz.shift[kz];
      for (let ky = kyLo; ky <= kyHi; ky++) {
        const wy = sy.wrap[ky];
        if (wy < 0) continue;
        const shy = sy.shift[ky];
        for (let kx = kxLo; kx <= kxHi; kx++) {
          const wx = sx.wrap[kx];
          if (wx < 0) continue;
          const shx = sx.shift[kx];
          // lattice shift of this bin image
          const tx = shx * m[0] + shy * m[3] + shz * m[6];
          const ty = shx * m[1] + shy * m[4] + shz * m[7];
          const tz = shx * m[2] + shy * m[5] + shz * m[8];
          const isHome = shx === 0 && shy === 0 && shz === 0;
          const b = wx + nbx * (wy + nby * wz);
          for (let p = binStart[b], end = binStart[b + 1]; p < end; p++) {
            if (isHome && p === home) continue;
            const vx = px[p] + tx - xi, vy = py[p] + ty - yi, vz = pz[p] + tz - zi;
            const r2 = vx * vx + vy * vy + vz * vz;
            if (r2 >= rc2) continue;
            if (count === hood.index.length) hood.grow();
            hood.index[count] = binAtom[p];
            hood.vector[3 * count] = vx;
            hood.vector[3 * count + 1] = vy;
            hood.vector[3 * count + 2] = vz;
            hood.distance[count] = Math.sqrt(r2);
            count++;
          }
        }
      }
    }
    hood.count = count;
    visit(i, hood);
  }
}

/**
 * The periodic neighbour list of `forEachNeighborhood`, kept whole in CSR form.
 *
 * @param centers atoms to list neighbours for (default: all)
 */
export function neighborList(
  cell: Cell,
  positions: Float64Array,
  cutoffAngstrom: number,
  centers?: Int32Array,
): NeighborList {
  const centerList = centers ?? Int32Array.from({ length: positions.length / 3 }, (_, i) => i);
  const offsets = new Int32Array(centerList.length + 1);
  let cap = Math.max(16, centerList.length * 32);
  let index: Int32Array = new Int32Array(cap);
  let vector: Float64Array = new Float64Array(3 * cap);
  let distance: Float64Array = new Float64Array(cap);
  let count = 0;
  let c = 0;
  forEachNeighborhood(cell, positions, cutoffAngstrom, (_, h) => {
    if (count + h.count > cap) {
      while (count + h.count > cap) cap *= 2;
      index = grown(index, cap);
      vector = grown(vector, 3 * cap);
      distance = grown(distance, cap);
    }
    index.set(h.index.subarray(0, h.count), count);
    vector.set(h.vector.subarray(0, 3 * h.count), 3 * count);
    distance.set(h.distance.subarray(0, h.count), count);
    count += h.count;
    offsets[++c] = count;
  }, { centers: centerList });
  return {
    cutoffAngstrom,
    centers: centerList,
    offsets,
    index: index.slice(0, count),
    vector: vector.slice(0, 3 * count),
    distance: distance.slice(0, count),
  };
}

function grown<T extends Int32Array | Float64Array>(a: T, n: number): T {
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a);
  return b;
}
