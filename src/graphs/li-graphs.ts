import type { LiNeighborhoods } from '../features/atom-features.ts';
import type { Standardization } from '../features/standardize.ts';
import type { GraphBatch } from './types.ts';

/** One featurised frame as the graph builder needs it (a view over RUN/frames, ARCHITECTURE §1). */
export interface FrameTables {
  /** per-atom features, row-major [nAtoms × nAtomFeatures] (unstandardised) */
  readonly features: Float32Array;
  readonly liNeighborhoods: LiNeighborhoods;
}

export interface GraphOptions {
  /** edges join graph nodes closer than this (paper: 3.0 Å) */
  readonly edgeCutoffAngstrom: number;
}

/**
 * Node features of a graph node: one-hot element over the species of the input (in `elementOrder`), then the
 * atom's standardised descriptors. The graph of Li c is the centre plus every neighbour entry within the graph
 * radius (periodic images are their own nodes), with the geometry taken from the stored displacements, so edges
 * need no further minimum-image search and small cells stay correct.
 */
export class LiGraphBuilder {
  readonly nFeatures: number;
  private readonly oneHot: Int16Array;

  constructor(
    readonly species: Uint8Array,
    readonly elementOrder: Uint8Array,
    readonly standardization: Standardization,
    readonly options: GraphOptions,
  ) {
    this.oneHot = new Int16Array(256).fill(-1);
    elementOrder.forEach((z, k) => (this.oneHot[z] = k));
    this.nFeatures = elementOrder.length + standardization.mean.length;
  }

  /**
   * Assemble graphs (frame, Li row) into one disjoint GraphBatch. `frames[k]` holds the tables of the frame of
   * graphs whose `frameOf` is k.
   */
  batch(frames: readonly FrameTables[], frameOf: Int32Array, liRow: Int32Array): GraphBatch {
    const nGraphs = frameOf.length;
    const nEl = this.elementOrder.length;
    const { mean, std } = this.standardization;
    const nAtomF = mean.length;
    const F = this.nFeatures;
    const rc2 = this.options.edgeCutoffAngstrom ** 2;
    // sizes first, so every array is allocated once
    const graphNodeStart = new Int32Array(nGraphs + 1);
    for (let g = 0; g < nGraphs; g++) {
      const nb = frames[frameOf[g]].liNeighborhoods;
      graphNodeStart[g + 1] = graphNodeStart[g] + 1 + nb.offsets[liRow[g] + 1] - nb.offsets[liRow[g]];
    }
    const nNodes = graphNodeStart[nGraphs];
    const x = new Float32Array(nNodes * F);
    const nodeGraph = new Int32Array(nNodes);
    const centre = new Int32Array(nGraphs);
    let src: Int32Array = new Int32Array(nNodes * 8);
    let dst: Int32Array = new Int32Array(nNodes * 8);
    let nEdges = 0;
    const px: number[] = [], py: number[] = [], pz: number[] = [];
    for (let g = 0; g < nGraphs; g++) {
      const fr = frames[frameOf[g]];
      const nb = fr.liNeighborhoods;
      const c = liRow[g];
      const first = graphNodeStart[g];
      const size = graphNodeStart[g + 1] - first;
      centre[g] = first;
      px.length = py.length = pz.length = 0;
      for (let k = 0; k < size; k++) {
        const atom = k === 0 ? nb.li[c] : nb.index[nb.offsets[c] + k - 1];
        const node = first + k;
        nodeGraph[node] = g;
        const row = node * F;
        const el = this.oneHot[this.species[atom]];
        if (el >= 0) x[row + el] = 1;
        for (let f = 0; f < nAtomF; f++) x[row + nEl + f] = (fr.features[atom * nAtomF + f] - mean[f]) / std[f];
        if (k === 0) {
          px.push(0); py.push(0); pz.push(0);
        } else {
          const e = nb.offsets[c] + k - 1;
          px.push(nb.vector[3 * e]); py.push(nb.vector[3 * e + 1]); pz.push(nb.vector[3 * e + 2]);
        }
      }
      for (let a = 0; a < size; a++) {
        for (let b = a + 1; b < size; b++) {
          const dx = px[a] - px[b], dy = py[a] - py[b], dz = pz[a] - pz[b];
          if (dx * dx + dy * dy + dz * dz >= rc2) continue;
          if (nEdges + 2 > src.length) {
            src = grow(src);
            dst = grow(dst);
          }
          src[nEdges] = first + a; dst[nEdges] = first + b; nEdges++;
          src[nEdges] = first + b; dst[nEdges] = first + a; nEdges++;
        }
      }
    }
    return {
      nGraphs, nNodes, nFeatures: F, x, edgeSrc: src.slice(0, nEdges), edgeDst: dst.slice(0, nEdges), nodeGraph,
      graphNodeStart, centre,
    };
  }
}

function grow(a: Int32Array): Int32Array {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}

/**
 * Every Li of a set of loaded frames as a graph source for the encoder: graph g is Li row g mod nLi of frame
 * ⌊g / nLi⌋ (frame-major, the row order of RUN/graphs.npy).
 */
export class FramesGraphSource {
  readonly count: number;
  readonly nFeatures: number;
  constructor(private readonly builder: LiGraphBuilder, private readonly frames: readonly FrameTables[], private readonly nLi: number) {
    this.count = frames.length * nLi;
    this.nFeatures = builder.nFeatures;
  }

  batch(indices: Int32Array): GraphBatch {
    const frameOf = new Int32Array(indices.length);
    const liRow = new Int32Array(indices.length);
    for (let k = 0; k < indices.length; k++) {
      frameOf[k] = Math.floor(indices[k] / this.nLi);
      liRow[k] = indices[k] - frameOf[k] * this.nLi;
    }
    return this.builder.batch(this.frames, frameOf, liRow);
  }
}

/**
 * A fixed set of graphs among frames × nLi (graph g: Li row g mod nLi of frame ⌊g / nLi⌋), built once: the encoder's
 * training sample. Holding the sample's graphs rather than its frames' tables keeps training memory in proportion to
 * the sample, however long the trajectory, and builds each graph once rather than once an epoch. A batch is the one
 * FramesGraphSource would build for the same indices, byte for byte (graphs are built independently).
 */
export class SampledGraphSource {
  readonly nFeatures: number;
  /** per graph of the sample, where its edges start in `graphs` [sample + 1] */
  private readonly edgeStart: Int32Array;

  private constructor(readonly count: number, private readonly sample: Int32Array, private readonly graphs: GraphBatch) {
    this.nFeatures = graphs.nFeatures;
    this.edgeStart = new Int32Array(graphs.nGraphs + 1);
    for (let e = 0, g = 0; g < graphs.nGraphs; g++) {
      while (e < graphs.edgeSrc.length && graphs.nodeGraph[graphs.edgeSrc[e]] === g) e++;
      this.edgeStart[g + 1] = e;
    }
  }

  /**
   * Build the graphs `sample` (ascending, distinct) of `nFrames` frames of `nLi` Li each, reading one frame at a time
   * through `frameTables(k)`; only frames with a sampled graph are read.
   */
  static async build(
    builder: LiGraphBuilder, nFrames: number, nLi: number, sample: Int32Array, frameTables: (k: number) => Promise<FrameTables>,
  ): Promise<SampledGraphSource> {
    for (let i = 1; i < sample.length; i++) if (!(sample[i] > sample[i - 1])) throw new Error('SampledGraphSource: the sample must be ascending and distinct');
    if (sample.length > 0 && (sample[0] < 0 || sample[sample.length - 1] >= nFrames * nLi)) throw new Error('SampledGraphSource: a sampled graph is outside the frames');
    const parts: GraphBatch[] = [];
    for (let i = 0; i < sample.length;) {
      const frame = Math.floor(sample[i] / nLi);
      let j = i + 1;
      while (j < sample.length && Math.floor(sample[j] / nLi) === frame) j++;
      const rows = sample.slice(i, j).map((g) => g - frame * nLi);
      parts.push(builder.batch([await frameTables(frame)], new Int32Array(rows.length), rows));
      i = j;
    }
    const graphs = parts.length === 1 ? parts[0] : concatBatches(parts, builder.nFeatures);
    return new SampledGraphSource(nFrames * nLi, sample, graphs);
  }

  /** The graphs `indices` (each one of the sample), in this order. */
  batch(indices: Int32Array): GraphBatch {
    const { graphs, edgeStart } = this, F = this.nFeatures;
    const at = Int32Array.from(indices, (g) => this.positionOf(g));
    let nNodes = 0, nEdges = 0;
    for (const p of at) {
      nNodes += graphs.graphNodeStart[p + 1] - graphs.graphNodeStart[p];
      nEdges += edgeStart[p + 1] - edgeStart[p];
    }
    const nGraphs = indices.length;
    const x = new Float32Array(nNodes * F);
    const edgeSrc = new Int32Array(nEdges), edgeDst = new Int32Array(nEdges);
    const nodeGraph = new Int32Array(nNodes), graphNodeStart = new Int32Array(nGraphs + 1), centre = new Int32Array(nGraphs);
    let n0 = 0, e0 = 0;
    for (let g = 0; g < nGraphs; g++) {
      const p = at[g], from = graphs.graphNodeStart[p], size = graphs.graphNodeStart[p + 1] - from, shift = n0 - from;
      x.set(graphs.x.subarray(from * F, (from + size) * F), n0 * F);
      nodeGraph.fill(g, n0, n0 + size);
      for (let e = edgeStart[p]; e < edgeStart[p + 1]; e++, e0++) {
        edgeSrc[e0] = graphs.edgeSrc[e] + shift;
        edgeDst[e0] = graphs.edgeDst[e] + shift;
      }
      centre[g] = graphs.centre[p] + shift;
      n0 += size;
      graphNodeStart[g + 1] = n0;
    }
    return { nGraphs, nNodes, nFeatures: F, x, edgeSrc, edgeDst, nodeGraph, graphNodeStart, centre };
  }

  private positionOf(g: number): number {
    const s = this.sample;
    let lo = 0, hi = s.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (s[mid] < g) lo = mid + 1;
      else if (s[mid] > g) hi = mid - 1;
      else return mid;
    }
    throw new Error(`SampledGraphSource: graph ${g} is not in the sample`);
  }
}

/**
 * Several graph sources as one, graph indices running source after source: the runs of a shared model
 * (`getsei compare --shared-model`) train one encoder though their atom counts differ. A batch keeps the order of
 * its indices, so it is the concatenation of one sub-batch per run of consecutive indices from the same source.
 */
export class PooledGraphSource {
  readonly count: number;
  readonly nFeatures: number;
  private readonly starts: number[];

  constructor(private readonly sources: readonly Pick<FramesGraphSource, 'count' | 'nFeatures' | 'batch'>[]) {
    this.starts = [];
    let n = 0;
    for (const s of sources) {
      if (s.nFeatures !== sources[0].nFeatures) throw new Error('PooledGraphSource: the sources have different node features');
      this.starts.push(n);
      n += s.count;
    }
    this.count = n;
    this.nFeatures = sources[0].nFeatures;
  }

  private sourceOf(g: number): number {
    let k = this.sources.length - 1;
    while (this.starts[k] > g) k--;
    return k;
  }

  batch(indices: Int32Array): GraphBatch {
    const parts: GraphBatch[] = [];
    for (let i = 0; i < indices.length;) {
      const k = this.sourceOf(indices[i]);
      let j = i + 1;
      while (j < indices.length && this.sourceOf(indices[j]) === k) j++;
      parts.push(this.sources[k].batch(indices.slice(i, j).map((g) => g - this.starts[k])));
      i = j;
    }
    return parts.length === 1 ? parts[0] : concatBatches(parts, this.nFeatures);
  }
}

/** Disjoint union of batches, in order: node, edge and graph indices offset by what comes before. */
function concatBatches(parts: readonly GraphBatch[], F: number): GraphBatch {
  const sum = (f: (b: GraphBatch) => number): number => parts.reduce((a, b) => a + f(b), 0);
  const nGraphs = sum((b) => b.nGraphs), nNodes = sum((b) => b.nNodes), nEdges = sum((b) => b.edgeSrc.length);
  const x = new Float32Array(nNodes * F);
  const edgeSrc = new Int32Array(nEdges), edgeDst = new Int32Array(nEdges);
  const nodeGraph = new Int32Array(nNodes), graphNodeStart = new Int32Array(nGraphs + 1), centre = new Int32Array(nGraphs);
  let n0 = 0, e0 = 0, g0 = 0;
  for (const b of parts) {
    x.set(b.x, n0 * F);
    for (let e = 0; e < b.edgeSrc.length; e++) {
      edgeSrc[e0 + e] = b.edgeSrc[e] + n0;
      edgeDst[e0 + e] = b.edgeDst[e] + n0;
    }
    for (let v = 0; v < b.nNodes; v++) nodeGraph[n0 + v] = b.nodeGraph[v] + g0;
    for (let g = 0; g < b.nGraphs; g++) {
      graphNodeStart[g0 + g + 1] = b.graphNodeStart[g + 1] + n0;
      centre[g0 + g] = b.centre[g] + n0;
    }
    n0 += b.nNodes; e0 += b.edgeSrc.length; g0 += b.nGraphs;
  }
  return { nGraphs, nNodes, nFeatures: F, x, edgeSrc, edgeDst, nodeGraph, graphNodeStart, centre };
}
