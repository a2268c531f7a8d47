import type { Cell } from '../structure/cell.ts';
import { symbolOf } from '../structure/elements.ts';
import { neighborList, type NeighborList } from '../neighbors/cell-list.ts';

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
  const width = layout.width;
  const nCount = layout.countSpecies.length;
  const column = new Int16Array(256).fill(-1);
  layout.countSpecies.forEach((z, c) => (column[z] = c));
  const out = new Float32Array(n * width);
  const rc = options.shellAngstrom;
  let angles = new Float64Array(64);
  for (let c = 0; c < n; c++) {
    const row = c * width;
    let start = list.offsets[c];
    const end = list.offsets[c + 1];
    // the list may have been built with a larger radius (the graph radius): keep only the shell
    let sumD = 0, k = 0;
    const first = start;
    for (let e = first; e < end; e++) {
      const d = list.distance[e];
      if (d >= rc) continue;
      sumD += d;
      k++;
      const col = column[species[list.index[e]]];
      if (col >= 0) out[row + 1 + col]++;
    }
    out[row] = k > 0 ? sumD / k : rc;
    const nPairs = (k * (k - 1)) / 2;
    if (nPairs === 0) continue;
    if (angles.length < nPairs) angles = new Float64Array(2 * nPairs);
    let p = 0;
    for (; start < end; start++) {
      const da = list.distance[start];
      if (da >= rc) continue;
      const ax = list.vector[3 * start], ay = list.vector[3 * start + 1], az = list.vector[3 * start + 2];
      for (let e = start + 1; e < end; e++) {
        const db = list.distance[e];
        if (db >= rc) continue;
        let cos = (ax * list.vector[3 * e] + ay * list.vector[3 * e + 1] + az * list.vector[3 * e + 2]) / (da * db);
        cos = cos > 1 ? 1 : cos < -1 ? -1 : cos;
        angles[p++] = (Math.acos(cos) * 180) / Math.PI;
      }
    }
    const a = angles.subarray(0, p).sort();
    let sum = 0;
    for (let i = 0; i < p; i++) sum += a[i];
    const mean = sum / p;
    let ss = 0;
    for (let i = 0; i < p; i++) ss += (a[i] - mean) * (a[i] - mean);
    const s = row + 1 + nCount;
    out[s] = mean;
    out[s + 1] = Math.sqrt(ss / p);
    out[s + 2] = a[0];
    out[s + 3] = a[p - 1];
    out[s + 4] = p % 2 === 1 ? a[(p - 1) >> 1] : 0.5 * (a[p / 2 - 1] + a[p / 2]);
  }
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
}

/**
 * Features of every atom plus the Li neighbourhoods within `graphRadiusAngstrom`, from one neighbour search
 * with the larger of the two radii.
 */
export function frameFeatures(
  cell: Cell,
  species: Uint8Array,
  positions: Float64Array,
  layout: FeatureLayout,
  li: Int32Array,
  options: FeatureOptions & { graphRadiusAngstrom: number },
): FrameFeatures {
  const radius = Math.max(options.shellAngstrom, options.graphRadiusAngstrom);
  const list = neighborList(cell, positions, radius);
  const features = atomFeatures(species, layout, list, options);
  const offsets = new Int32Array(li.length + 1);
  let total = 0;
  for (let c = 0; c < li.length; c++) {
    const i = li[c];
    for (let e = list.offsets[i]; e < list.offsets[i + 1]; e++) if (list.distance[e] < options.graphRadiusAngstrom) total++;
  }
  const index = new Int32Array(total);
  const vector = new Float32Array(3 * total);
  let k = 0;
  for (let c = 0; c < li.length; c++) {
    const i = li[c];
    for (let e = list.offsets[i]; e < list.offsets[i + 1]; e++) {
      if (list.distance[e] >= options.graphRadiusAngstrom) continue;
      index[k] = list.index[e];
      vector[3 * k] = list.vector[3 * e];
      vector[3 * k + 1] = list.vector[3 * e + 1];
      vector[3 * k + 2] = list.vector[3 * e + 2];
      k++;
    }
    offsets[c + 1] = k;
  }
  return { features, liNeighborhoods: { li, offsets, index, vector } };
}
