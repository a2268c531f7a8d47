import type { Cell } from '../structure/cell.ts';
import { symbolOf } from '../structure/elements.ts';
import { CellList, type NeighborList } from '../neighbors/cell-list.ts';
import { ACOS_APPROX_ERROR_DEGREES, acosKernel } from './acos-approx.ts';

/** Options of the paper's per-atom descriptors (Methods, "Graph construction"). */
export interface FeatureOptions {
  /** radius of the coordination shell for element counts, mean distance and angles (paper: 4.0 Å) */
  readonly shellAngstrom: number;
}

export const DEFAULT_FEATURE_OPTIONS: FeatureOptions = { shellAngstrom: 4.0 };

/**
 * The layout of a per-atom feature row: mean neighbour distance, one count per species (alphabetical by
 * symbol, as the `getsei features` CSV header), then the five angle-distribution statistics.
 */
export interface FeatureLayout {
  /** atomic numbers of the species counted, in column order */
  readonly countSpecies: Uint8Array;
  readonly names: readonly string[];
  readonly width: number;
}

export function featureLayout(speciesPresent: Iterable<number>): FeatureLayout {
  const zs = [...new Set(speciesPresent)].sort((a, b) => (symbolOf(a) < symbolOf(b) ? -1 : symbolOf(a) > symbolOf(b) ? 1 : 0));
  const names = ['mean_distance', ...zs.map((z) => `count_${symbolOf(z)}`), 'adf_mean', 'adf_std', 'adf_min', 'adf_max', 'adf_median'];
  return { countSpecies: Uint8Array.from(zs), names, width: names.length };
}

let referenceAngleStatistics = false;

/**
 * For tests: compute every row's angle statistics the reference way (sorted, sums in sorted order), so that the
 * certified fast path can be checked to give the same bytes.
 */
export function useReferenceAngleStatistics(on: boolean): void {
  referenceAngleStatistics = on;
}

/** unit roundoff of float64 */
const U = 2 ** -53;

/** An angle in degrees as the reference computes it (the bytes the statistics must reproduce). */
function exactDegrees(cos: number): number {
  return (Math.acos(cos) * 180) / Math.PI;
}

/** The bucket of angle x among p (key ⌊x · scale⌋, the last bucket p for x · scale ≥ p or NaN), as in FeatureRows.write. */
function bucketOf(x: number, scale: number, p: number): number {
  const key = x * scale;
  return key < p ? key | 0 : p;
}

/** Sort a[0…n) in place: nearly sorted input (bucketed angles) finishes in about one pass. */
function insertionSort(a: Float64Array, n: number): void {
  for (let u = 1; u < n; u++) {
    const v = a[u];
    let w = u - 1;
    while (w >= 0 && a[w] > v) {
      a[w + 1] = a[w];
      w--;
    }
    a[w + 1] = v;
  }
}

/**
 * Writes feature rows from one centre's neighbours at a time, with scratch buffers reused from atom to atom, so a
 * frame allocates nothing per atom. The bytes are those of the reference order — distances summed in neighbour
 * order, the angle statistics over the angles sorted ascending (`exactAngleStats`) — but the angle statistics are
 * worked out without sorting: the sums in pair order, min and max directly, the median by selection within one
 * bucket of angles. A sum in another order differs by at most a few units of roundoff, far below float32's
 * resolution, so the float32 it rounds to is the same unless the value lies within that bound of a rounding
 * boundary: each statistic is given with a rigorous error bound and taken only when both ends of the interval round
 * to the same float32; otherwise (about one atom in 10⁵, or any NaN) the row is recomputed the reference way.
 */
class FeatureRows {
  private readonly column = new Int16Array(256).fill(-1);
  private readonly nCount: number;
  /** the shell neighbours of the current atom: displacement and distance */
  private sx = new Float64Array(32);
  private sy = new Float64Array(32);
  private sz = new Float64Array(32);
  private sd = new Float64Array(32);
  /** cosines and (approximate) angles in pair order live in the thread's arc-cosine kernel; bucket counts, the
   * candidates of the median's buckets */
  private readonly kernel = acosKernel();
  private counts = new Int32Array(514);
  /** the angles of each bucket as a linked list: the last one's index, then each one's predecessor */
  private head = new Int32Array(514);
  private next = new Int32Array(512);
  private picked = new Float64Array(512);
  /** scratch of the reference path: bucket of each angle, bucket starts, the angles sorted */
  private bucket = new Int32Array(512);
  private starts = new Int32Array(513);
  private sorted = new Float64Array(512);
  /** rows recomputed the reference way because a statistic was too close to a float32 rounding boundary */
  fallbacks = 0;

  constructor(
    private readonly species: Uint8Array,
    layout: FeatureLayout,
    private readonly shell: number,
    private readonly out: Float32Array,
    private readonly width: number,
  ) {
    layout.countSpecies.forEach((z, c) => (this.column[z] = c));
    this.nCount = layout.countSpecies.length;
  }

  /** The row of atom `atom` from its neighbour entries [start, end) (any radius ≥ the shell). */
  write(atom: number, index: Int32Array, vector: Float64Array, distance: Float64Array, start: number, end: number): void {
    const out = this.out, rc = this.shell, row = atom * this.width;
    if (end - start > this.sd.length) this.growShell(end - start);
    const { sx, sy, sz, sd } = this;
    // the list may have been built with a larger radius (the graph radius): keep only the shell
    let sumD = 0, k = 0;
    for (let e = start; e < end; e++) {
      const d = distance[e];
      if (d >= rc) continue;
      sumD += d;
      sx[k] = vector[3 * e];
      sy[k] = vector[3 * e + 1];
      sz[k] = vector[3 * e + 2];
      sd[k] = d;
      k++;
      const col = this.column[this.species[index[e]]];
      if (col >= 0) out[row + 1 + col]++;
    }
    out[row] = k > 0 ? sumD / k : rc;
    const p = (k * (k - 1)) / 2;
    if (p === 0) return;
    if (p > this.next.length) this.growAngles(p);
    this.kernel.reserve(p);
    if (referenceAngleStatistics) return this.exactAngleStats(row, k, p);
    const { cosines, angles } = this.kernel;
    const { counts, head, next } = this;
    // Buckets by angle (key = ⌊angle · p / 180⌋, monotone in the angle), about one angle each: the median's rank
    // falls in one bucket (two for an even count), and only its few angles need sorting.
    const scale = p / 180;
    counts.fill(0, 0, p + 2);
    head.fill(-1, 0, p + 2);
    let q = 0;
    for (let a = 0; a < k; a++) {
      const ax = sx[a], ay = sy[a], az = sz[a], da = sd[a];
      for (let b = a + 1; b < k; b++) {
        const cos = (ax * sx[b] + ay * sy[b] + az * sz[b]) / (da * sd[b]);
        cosines[q++] = cos > 1 ? 1 : cos < -1 ? -1 : cos;
      }
    }
    // the angles within δ of Math.acos's (acos-approx.ts); every statistic below is taken with δ in its bound
    const delta = ACOS_APPROX_ERROR_DEGREES;
    this.kernel.run(p);
    // one pass for the sums, min, max and bucket counts; Σ(x − c)² and Σ(x − c) about c = 90° give the sum of
    // squared deviations as Σ(x − c)² − (Σ(x − c))²/p without a second pass over the angles
    let sum = 0, lo = Infinity, hi = -Infinity, sq = 0, dev = 0;
    for (let u = 0; u < p; u++) {
      const angle = angles[u];
      sum += angle;
      if (angle < lo) lo = angle;
      if (angle > hi) hi = angle;
      const d = angle - 90;
      dev += d;
      sq += d * d;
      const j = bucketOf(angle, scale, p); // NaN counts in the last bucket: such a row goes the reference way below
      counts[j]++;
      next[u] = head[j];
      head[j] = u;
    }
    // mean: |pair-order sum − sorted-order sum| ≤ 2(p − 1)u·Σ, taken with a factor of two to spare, and each angle
    // is within δ of the reference's
    const dS = 4 * p * U * sum;
    const mLo = (sum - dS) / p - delta, mHi = (sum + dS) / p + delta;
    const mean32 = Math.fround(mLo);
    if (mean32 !== Math.fround(mHi)) return this.exactAngleStats(row, k, p);
    // standard deviation: the reference's Σ(x − m)² (sorted order, its own mean m) and ours are each within
    // (3p + 6)u·Σ(x − c)² of the exact sum at the exact mean; the means differ by at most mHi − mLo, which moves the
    // sum by p·(that)² at most (its first order vanishes at the mean); angles within δ move the population standard
    // deviation by δ at most (it is a Euclidean norm of the centred angles over √p), taken as 2δ: composed with the
    // rounding bounds, δ alone could fall short below by a fraction of δ. A spread under 2δ goes the reference way.
    const ss = sq - (dev * dev) / p;
    const dm = mHi - mLo + 4 * U * mHi;
    const dss = 8 * (p + 4) * U * sq + 4 * p * dm * dm;
    const ssLo = ss - dss > 0 ? ss - dss : 0;
    const sdLo = Math.sqrt(ssLo / p) - 2 * delta;
    const std32 = Math.fround(sdLo > 0 ? sdLo : 0);
    if (!(ss + dss >= 0) || std32 !== Math.fround(Math.sqrt((ss + dss) / p) + 2 * delta)) return this.exactAngleStats(row, k, p);
    // the median's ranks r0 ≤ r1 and the buckets j0 ≤ j1 that hold them; their angles gathered and sorted give the
    // approximate order statistics a0 = x'(r0), a1 = x'(r1)
    const r0 = (p - 1) >> 1, r1 = p >> 1;
    let j0 = 0, below = 0;
    while (below + counts[j0] <= r0) below += counts[j0++];
    let j1 = j0, upTo = below + counts[j0];
    while (upTo <= r1) upTo += counts[++j1];
    const picked = this.picked;
    let m = 0;
    for (let j = j0; j <= j1; j++) for (let u = head[j]; u >= 0; u = next[u]) picked[m++] = angles[u];
    insertionSort(picked, m);
    const a0 = picked[r0 - below], a1 = picked[r1 - below];
    // The exact statistics from Math.acos of a few candidates, found through the buckets (the key is monotone in the
    // angle, so the angles in [x, y] lie in the buckets from key(x) to key(y)). An order statistic moves by at most δ
    // when every value does, so the exact x(r0), x(r1) are among the angles with x' in [a0 − 2δ, a1 + 2δ]; those with
    // x' below it are exactly below x(r0) (`under` of them), so x(r) is the (r − under)-th candidate. Likewise the
    // exact min lies among x' ≤ min x' + 2δ and the max among x' ≥ max x' − 2δ.
    const loCut = lo + 2 * delta, hiCut = hi - 2 * delta;
    let exactLo = Infinity, exactHi = -Infinity;
    for (let j = bucketOf(lo, scale, p), end = bucketOf(loCut, scale, p); j <= end; j++) {
      for (let u = head[j]; u >= 0; u = next[u]) if (angles[u] <= loCut) exactLo = Math.min(exactLo, exactDegrees(cosines[u]));
    }
    for (let j = bucketOf(hiCut, scale, p), end = bucketOf(hi, scale, p); j <= end; j++) {
      for (let u = head[j]; u >= 0; u = next[u]) if (angles[u] >= hiCut) exactHi = Math.max(exactHi, exactDegrees(cosines[u]));
    }
    const low = a0 - 2 * delta, high = a1 + 2 * delta;
    const jLow = bucketOf(low, scale, p);
    let under = below;
    for (let j = jLow; j < j0; j++) under -= counts[j];
    m = 0;
    for (let j = jLow, end = bucketOf(high, scale, p); j <= end; j++) {
      for (let u = head[j]; u >= 0; u = next[u]) {
        const x = angles[u];
        if (x < low) under++;
        else if (x <= high) picked[m++] = exactDegrees(cosines[u]);
      }
    }
    insertionSort(picked, m);
    const s = row + 1 + this.nCount;
    out[s] = mean32;
    out[s + 1] = std32;
    out[s + 2] = exactLo;
    out[s + 3] = exactHi;
    out[s + 4] = p % 2 === 1 ? picked[r0 - under] : 0.5 * (picked[r0 - under] + picked[r1 - under]);
  }

  /** The reference computation of the five angle statistics: angles sorted, sums in sorted order. */
  private exactAngleStats(row: number, k: number, p: number): void {
    this.fallbacks++;
    const { sx, sy, sz, sd, bucket, starts, sorted, out } = this;
    const angles = this.kernel.angles;
    // Bucket by cosine (uniform for isotropic neighbours; the angle falls as the cosine rises), so that an
    // insertion sort finishes in about one pass: far cheaper than a general sort of ~70 angles per atom.
    starts.fill(0, 0, p + 1);
    const half = p / 2;
    let q = 0;
    for (let a = 0; a < k; a++) {
      const ax = sx[a], ay = sy[a], az = sz[a], da = sd[a];
      for (let b = a + 1; b < k; b++) {
        let cos = (ax * sx[b] + ay * sy[b] + az * sz[b]) / (da * sd[b]);
        cos = cos > 1 ? 1 : cos < -1 ? -1 : cos;
        angles[q] = exactDegrees(cos);
        const t = (1 - cos) * half;
        const key = t < p ? t | 0 : p - 1; // cos = −1, or NaN (two atoms at one point: caught downstream)
        bucket[q++] = key;
        starts[key + 1]++;
      }
    }
    for (let u = 0; u < p; u++) starts[u + 1] += starts[u];
    for (let u = 0; u < p; u++) sorted[starts[bucket[u]]++] = angles[u];
    insertionSort(sorted, p);
    let sum = 0;
    for (let u = 0; u < p; u++) sum += sorted[u];
    const mean = sum / p;
    let ss = 0;
    for (let u = 0; u < p; u++) ss += (sorted[u] - mean) * (sorted[u] - mean);
    const s = row + 1 + this.nCount;
    out[s] = mean;
    out[s + 1] = Math.sqrt(ss / p);
    out[s + 2] = sorted[0];
    out[s + 3] = sorted[p - 1];
    out[s + 4] = p % 2 === 1 ? sorted[(p - 1) >> 1] : 0.5 * (sorted[p / 2 - 1] + sorted[p / 2]);
  }

  private growShell(k: number): void {
    this.sx = new Float64Array(2 * k);
    this.sy = new Float64Array(2 * k);
    this.sz = new Float64Array(2 * k);
    this.sd = new Float64Array(2 * k);
  }

  private growAngles(p: number): void {
    this.counts = new Int32Array(2 * p + 2);
    this.head = new Int32Array(2 * p + 2);
    this.next = new Int32Array(2 * p);
    this.picked = new Float64Array(2 * p);
    this.bucket = new Int32Array(2 * p);
    this.starts = new Int32Array(2 * p + 1);
    this.sorted = new Float64Array(2 * p);
  }
}

/**
 * The paper's node features for every atom of a frame, row-major Float32Array [nAtoms × layout.width]:
 * - mean distance (Å) to the neighbours within the shell;
 * - number of neighbours of each element within the shell;
 * - mean, standard deviation (population), minimum, maximum and median of the angles j–i–k (degrees) over all
 *   unique pairs of neighbours j < k within the shell.
 * Edge cases (docs/features.md): with no neighbour the mean distance is the shell radius (its limit as the last
 * neighbour leaves the shell); with fewer than two neighbours there is no angle and all five angle statistics are 0.
 * Periodic images are neighbours in their own right, so small cells are handled as ASE does.
 */
export function atomFeatures(
  species: Uint8Array,
  layout: FeatureLayout,
  list: NeighborList,
  options: FeatureOptions = DEFAULT_FEATURE_OPTIONS,
): Float32Array {
  const n = list.centers.length;
  const out = new Float32Array(n * layout.width);
  const rows = new FeatureRows(species, layout, options.shellAngstrom, out, layout.width);
  for (let c = 0; c < n; c++) rows.write(c, list.index, list.vector, list.distance, list.offsets[c], list.offsets[c + 1]);
  return out;
}

/** Neighbours of the Li atoms within the graph radius: what a Li-centred graph view needs (ARCHITECTURE §1). */
export interface LiNeighborhoods {
  /** atom indices of the Li atoms, ascending */
  readonly li: Int32Array;
  /** CSR over Li: neighbours of li[c] are [offsets[c], offsets[c + 1]) */
  readonly offsets: Int32Array;
  readonly index: Int32Array;
  /** displacement from the centre Li (Å), float32 xyz */
  readonly vector: Float32Array;
}

export interface FrameFeatures {
  readonly features: Float32Array;
  readonly liNeighborhoods: LiNeighborhoods;
  /** with `overlapAngstrom`: whether two distinct atoms (any image) are closer than it */
  readonly overlap?: boolean;
}

/**
 * Features of every atom plus the Li neighbourhoods within `graphRadiusAngstrom`, from one neighbour search
 * with the larger of the two radii, atom by atom (the whole list is never built).
 *
 * @param li distinct atom indices: the centres of the neighbourhoods, in this order
 */
export function frameFeatures(
  cell: Cell,
  species: Uint8Array,
  positions: Float64Array,
  layout: FeatureLayout,
  li: Int32Array,
  options: FeatureOptions & {
    graphRadiusAngstrom: number;
    /** also report whether two distinct atoms are closer than this (Å; 0: not asked; at most the search radius) */
    overlapAngstrom?: number;
  },
): FrameFeatures {
  const n = species.length;
  const radius = Math.max(options.shellAngstrom, options.graphRadiusAngstrom);
  const graphRadius = options.graphRadiusAngstrom;
  const features = new Float32Array(n * layout.width);
  const rows = new FeatureRows(species, layout, options.shellAngstrom, features, layout.width);
  const liSlot = new Int32Array(n).fill(-1);
  li.forEach((atom, c) => (liSlot[atom] = c));
  // the Li neighbourhoods in visiting (atom) order, then put in the order of `li`
  const first = new Int32Array(li.length), count = new Int32Array(li.length);
  let cap = 32 * li.length + 16;
  let index = new Int32Array(cap), vector = new Float32Array(3 * cap);
  let total = 0;
  const overlapAngstrom = options.overlapAngstrom ?? 0;
  if (overlapAngstrom > radius) throw new RangeError(`the overlap bound ${overlapAngstrom} Å exceeds the search radius ${radius} Å`);
  let overlap = false;
  const search = new CellList(cell, positions, radius);
  for (let atom = 0; atom < n; atom++) {
    const hood = search.neighborsOf(atom);
    rows.write(atom, hood.index, hood.vector, hood.distance, 0, hood.count);
    if (overlapAngstrom > 0 && !overlap) {
      // as the reader's check: any image of another atom; the centre's own images are not an overlap
      for (let e = 0; e < hood.count; e++) if (hood.distance[e] < overlapAngstrom && hood.index[e] !== atom) overlap = true;
    }
    const c = liSlot[atom];
    if (c < 0) continue;
    if (total + hood.count > cap) {
      cap = 2 * (total + hood.count);
      const i2 = new Int32Array(cap), v2 = new Float32Array(3 * cap);
      i2.set(index);
      v2.set(vector);
      index = i2;
      vector = v2;
    }
    first[c] = total;
    for (let e = 0; e < hood.count; e++) {
      if (hood.distance[e] >= graphRadius) continue;
      index[total] = hood.index[e];
      vector[3 * total] = hood.vector[3 * e];
      vector[3 * total + 1] = hood.vector[3 * e + 1];
      vector[3 * total + 2] = hood.vector[3 * e + 2];
      total++;
    }
    count[c] = total - first[c];
  }
  const offsets = new Int32Array(li.length + 1);
  for (let c = 0; c < li.length; c++) offsets[c + 1] = offsets[c] + count[c];
  const outIndex = new Int32Array(total), outVector = new Float32Array(3 * total);
  for (let c = 0; c < li.length; c++) {
    outIndex.set(index.subarray(first[c], first[c] + count[c]), offsets[c]);
    outVector.set(vector.subarray(3 * first[c], 3 * (first[c] + count[c])), 3 * offsets[c]);
  }
  return { features, liNeighborhoods: { li, offsets, index: outIndex, vector: outVector }, overlap };
}
