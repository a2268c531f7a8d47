import type { GraphBatch } from '../graphs/index.ts';
import { createRng } from '../util/index.ts';
import type { GraphSource } from './source.ts';

export interface SyntheticOptions {
  readonly count: number;
  readonly seed: number;
  /** planted environment types (default 4) */
  readonly nTypes?: number;
  /**
   * Strength of the type signal: the shift of the type-specific feature means of the neighbours, in units of the
   * per-node noise (default 0.5).
   */
  readonly signal?: number;
  /**
   * Scale of per-graph nuisance that no type carries and that the augmentations partly hide: one random node
   * gets large random values in the nuisance features (default 3).
   */
  readonly nuisance?: number;
}

export interface SyntheticSource extends GraphSource {
  /** planted type of each graph */
  readonly types: Int32Array;
}

const N_ELEMENTS = 3, N_SIGNAL = 4, N_NUISANCE = 4;
/** features per node: element one-hot, type-signal features, nuisance features */
export const SYNTHETIC_FEATURES = N_ELEMENTS + N_SIGNAL + N_NUISANCE;

/**
 * A GraphSource of random Li-centred-like graphs with planted types, for tests and benchmarks. Sizes follow the real
 * Li6PS5Cl graphs (11–17 nodes, mean 14; 18 undirected edges = 36 directed). The type shows only as small shifts of
 * the neighbours' feature means and of their element mix, buried in per-node noise and in a large per-graph
 * nuisance carried by one node, so a random encoder's embeddings are dominated by noise and nuisance while an
 * encoder trained to be invariant to feature masking and edge dropping can pick the type out. All graphs are built
 * at construction; batch() copies them.
 */
export function createSyntheticSource(opts: SyntheticOptions): SyntheticSource {
  const nTypes = opts.nTypes ?? 4, signal = opts.signal ?? 0.5, nuisance = opts.nuisance ?? 3;
  const F = SYNTHETIC_FEATURES;
  const rng = createRng(opts.seed);
  // type signatures: a random ±1 pattern over the signal features and a preferred element per type
  const signature = Float64Array.from({ length: nTypes * N_SIGNAL }, () => (rng.next() < 0.5 ? -1 : 1));
  const types = new Int32Array(opts.count);
  const nodeStart = new Int32Array(opts.count + 1);
  const xs: number[] = [], es: number[] = [], ed: number[] = [], edgeStart = [0];
  for (let g = 0; g < opts.count; g++) {
    const t = rng.int(nTypes);
    types[g] = t;
    const n = 11 + rng.int(7);
    nodeStart[g + 1] = nodeStart[g] + n;
    const spike = 1 + rng.int(n - 1);
    for (let i = 0; i < n; i++) {
      const el = i === 0 ? 0 : rng.next() < 0.25 ? 1 + (t % 2) : 1 + rng.int(2);
      for (let k = 0; k < N_ELEMENTS; k++) xs.push(k === el ? 1 : 0);
      for (let k = 0; k < N_SIGNAL; k++) xs.push(rng.normal() + (i === 0 ? 0 : signal * signature[t * N_SIGNAL + k]));
      for (let k = 0; k < N_NUISANCE; k++) xs.push(0.3 * rng.normal() + (i === spike ? nuisance * rng.normal() : 0));
    }
    // 18 distinct undirected edges: the centre's shell first, then random pairs
    const seen = new Set<number>();
    const addEdge = (a: number, b: number): void => {
      const key = Math.min(a, b) * 64 + Math.max(a, b);
      if (a === b || seen.has(key)) return;
      seen.add(key);
      es.push(a, b);
      ed.push(b, a);
    };
    for (let i = 1; i < n && seen.size < 6; i++) addEdge(0, i);
    while (seen.size < 18) addEdge(rng.int(n), rng.int(n));
    edgeStart.push(es.length);
  }
  const x = Float32Array.from(xs), src = Int32Array.from(es), dst = Int32Array.from(ed);
  return {
    count: opts.count,
    nFeatures: F,
    types,
    batch(indices: Int32Array): GraphBatch {
      const nGraphs = indices.length;
      const graphNodeStart = new Int32Array(nGraphs + 1);
      let nEdges = 0;
      for (let k = 0; k < nGraphs; k++) {
        const g = indices[k];
        graphNodeStart[k + 1] = graphNodeStart[k] + nodeStart[g + 1] - nodeStart[g];
        nEdges += edgeStart[g + 1] - edgeStart[g];
      }
      const nNodes = graphNodeStart[nGraphs];
      const bx = new Float32Array(nNodes * F), nodeGraph = new Int32Array(nNodes), centre = new Int32Array(nGraphs);
      const edgeSrc = new Int32Array(nEdges), edgeDst = new Int32Array(nEdges);
      let e = 0;
      for (let k = 0; k < nGraphs; k++) {
        const g = indices[k], o = graphNodeStart[k];
        bx.set(x.subarray(nodeStart[g] * F, nodeStart[g + 1] * F), o * F);
        nodeGraph.fill(k, o, graphNodeStart[k + 1]);
        centre[k] = o;
        for (let q = edgeStart[g]; q < edgeStart[g + 1]; q++, e++) {
          edgeSrc[e] = src[q] + o;
          edgeDst[e] = dst[q] + o;
        }
      }
      return { nGraphs, nNodes, nFeatures: F, x: bx, edgeSrc, edgeDst, nodeGraph, graphNodeStart, centre };
    },
  };
}

/** Adjusted Rand index (Hubert & Arabie 1985) between two labelings: 1 for identical partitions, ≈ 0 for chance. */
export function adjustedRandIndex(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  const table = new Map<string, number>(), ra = new Map<number, number>(), rb = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const key = `${a[i]},${b[i]}`;
    table.set(key, (table.get(key) ?? 0) + 1);
    ra.set(a[i], (ra.get(a[i]) ?? 0) + 1);
    rb.set(b[i], (rb.get(b[i]) ?? 0) + 1);
  }
  const c2 = (x: number): number => (x * (x - 1)) / 2;
  const sum = (m: Map<unknown, number>): number => [...m.values()].reduce((s, v) => s + c2(v), 0);
  const index = sum(table), sa = sum(ra), sb = sum(rb);
  const expected = (sa * sb) / c2(n), max = (sa + sb) / 2;
  return max === expected ? 1 : (index - expected) / (max - expected);
}
