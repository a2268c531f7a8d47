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
 * The neighbours of one centre: entries [0, count) of arrays that the search reuses for the next centre (copy
 * what must outlive it). Entries are in the order of `neighborList`.
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

/** The bin of fractional coordinate f along a direction binned over [lo, hi) (clamped into the grid). */
function binCoordinate(f: number, lo: number, hi: number, bins: number): number {
  const b = Math.floor(((f - lo) / (hi - lo)) * bins);
  return b < 0 ? 0 : b >= bins ? bins - 1 : b;
}

/** How far (in bin widths, 0..1) a coordinate lies above the lower face of its bin b. */
function gapBelow(f: number, lo: number, hi: number, bins: number, b: number): number {
  const t = ((f - lo) / (hi - lo)) * bins - b;
  return t < 0 ? 0 : t > 1 ? 1 : t;
}

/**
 * How many bins beyond its own, on one side, a centre's search visits: the k-th lies at least (k − 1 + gap) bin
 * widths away, perpendicular to the faces (so for any triclinic cell), gap being the centre's distance to its own
 * bin's face on that side; bins beyond the cutoff hold no neighbour and are skipped.
 */
function binsWithin(gap: number, binWidth: number, reach: number, cutoffMargin: number): number {
  let k = 0;
  while (k < reach && (k + gap) * binWidth < cutoffMargin) k++;
  return k;
}

/**
 * Periodic neighbour search with cell lists in fractional space, for any triclinic cell: bin the atoms once, then
 * ask for one centre's neighbours at a time (`neighborsOf`), so that no whole list is built.
 * Bins per direction: floor(width / binAngstrom) (≥ 1; binAngstrom defaults to the cutoff), where width is the
 * perpendicular width; a centre's search reaches ceil(cutoff · bins / width) bins either way, each bin offset
 * beyond the cell carrying its lattice shift, so every image within the cutoff is found exactly once, however
 * small the cell. Non-periodic directions are binned over the atoms' extent and never shifted. Neighbours come bin
 * offset by bin offset (z outermost, then y, then x), atoms of a bin in index order; bins whose nearest face is
 * beyond the cutoff are skipped (with bins much wider than the cutoff, as in the overlap check, most of the 27 go).
 * A class rather than a visitor callback: optimised code then holds no per-frame closure, whose collection would
 * throw the code away every few frames.
 */
export class CellList {
  private readonly m: Float64Array;
  private readonly frac: Float64Array;
  private readonly lo = [0, 0, 0];
  private readonly hi = [1, 1, 1];
  private readonly bins = [1, 1, 1];
  private readonly reach = [0, 0, 0];
  private readonly binWidth = [0, 0, 0];
  private readonly binOf: Int32Array;
  private readonly binStart: Int32Array;
  private readonly binAtom: Int32Array;
  /** wrapped cartesian positions in bin order (the inner loop reads them front to back) */
  private readonly px: Float64Array;
  private readonly py: Float64Array;
  private readonly pz: Float64Array;
  /** where each atom sits in bin order */
  private readonly slot: Int32Array;
  private readonly steps: [BinSteps, BinSteps, BinSteps];
  private readonly rc2: number;
  /** a little more than the cutoff: every bin that rounding could bring within it is kept */
  private readonly cutoffMargin: number;
  private readonly hood = new NeighborhoodBuffer();

  /** @param positions cartesian Å, xyz interleaved (need not be wrapped) */
  constructor(cell: Cell, positions: Float64Array, cutoffAngstrom: number, options: { binAngstrom?: number } = {}) {
    if (!(cutoffAngstrom > 0)) throw new RangeError(`cutoff must be positive, got ${cutoffAngstrom}`);
    const binAngstrom = options.binAngstrom ?? cutoffAngstrom;
    const n = positions.length / 3;
    const m = cell.matrix;
    const inv = cell.inverse;
    const widths = perpendicularWidths(cell);
    const pbc = cell.pbc;
    const { lo, hi, bins, reach, binWidth } = this;
    this.m = m;

    // Fractional coordinates, wrapped into [0, 1) along periodic directions.
    const frac = new Float64Array(3 * n);
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
    this.frac = frac;
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
    for (let i = 0; i < n; i++) {
      const b = binCoordinate(frac[3 * i], lo[0], hi[0], nbx)
        + nbx * (binCoordinate(frac[3 * i + 1], lo[1], hi[1], nby) + nby * binCoordinate(frac[3 * i + 2], lo[2], hi[2], nbz));
      binOf[i] = b;
      binStart[b + 1]++;
    }
    for (let b = 0; b < nBins; b++) binStart[b + 1] += binStart[b];
    // wrapped cartesian positions, so that image displacements are r_j + shift − r_i
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
    this.binOf = binOf;
    this.binStart = binStart;
    this.binAtom = binAtom;
    this.px = px;
    this.py = py;
    this.pz = pz;
    this.slot = slot;
    this.steps = [binSteps(nbx, reach[0], pbc[0]), binSteps(nby, reach[1], pbc[1]), binSteps(nbz, reach[2], pbc[2])];
    this.rc2 = cutoffAngstrom * cutoffAngstrom;
    this.cutoffMargin = cutoffAngstrom * (1 + 1e-9) + 1e-9;
  }

  /** The neighbours of atom i, in the order of `neighborList`; valid until the next call. */
  neighborsOf(i: number): Neighborhood {
    const { m, frac, lo, hi, bins, reach, binWidth, binStart, binAtom, px, py, pz, rc2, cutoffMargin, hood } = this;
    const [sx, sy, sz] = this.steps;
    const nbx = bins[0], nby = bins[1];
    const bi = this.binOf[i];
    const bx = bi % nbx, by = Math.floor(bi / nbx) % nby, bz = Math.floor(bi / (nbx * nby));
    const home = this.slot[i];
    const xi = px[home], yi = py[home], zi = pz[home];
    const gx = gapBelow(frac[3 * i], lo[0], hi[0], nbx, bx);
    const gy = gapBelow(frac[3 * i + 1], lo[1], hi[1], nby, by);
    const gz = gapBelow(frac[3 * i + 2], lo[2], hi[2], bins[2], bz);
    const kx0 = bx * sx.span + reach[0], ky0 = by * sy.span + reach[1], kz0 = bz * sz.span + reach[2];
    const kxLo = kx0 - binsWithin(gx, binWidth[0], reach[0], cutoffMargin), kxHi = kx0 + binsWithin(1 - gx, binWidth[0], reach[0], cutoffMargin);
    const kyLo = ky0 - binsWithin(gy, binWidth[1], reach[1], cutoffMargin), kyHi = ky0 + binsWithin(1 - gy, binWidth[1], reach[1], cutoffMargin);
    const kzLo = kz0 - binsWithin(gz, binWidth[2], reach[2], cutoffMargin), kzHi = kz0 + binsWithin(1 - gz, binWidth[2], reach[2], cutoffMargin);
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
    return hood;
  }
}

/**
 * The periodic neighbour list of `CellList`, kept whole in CSR form.
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
  const search = new CellList(cell, positions, cutoffAngstrom);
  for (let c = 0; c < centerList.length; c++) {
    const h = search.neighborsOf(centerList[c]);
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

function grown<T extends Int32Array | Float64Array>(a: T, n: number): T {
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a);
  return b;
}
