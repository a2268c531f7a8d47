import type { GraphBatch } from '../graphs/index.ts';
import { GetseiError } from '../util/index.ts';
import type { Capacity, ViewCounts, Workspace } from './model.ts';

/** The two augmentations of the paper (Methods: "0.1 edges were randomly dropped out, and 0.2 node features …"). */
export interface AugmentOptions {
  /** probability that an undirected edge (both directions together) is removed from a view (paper: 0.1) */
  readonly edgeDropRate: number;
  /** probability that a node-feature entry is set to 0, the training mean after standardisation (paper: 0.2) */
  readonly featureMaskRate: number;
}

/** 32-bit integer finaliser (xor-shift / multiply rounds): a well-mixed hash, so decisions look independent. */
export function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A seed for (a, b, c): used as a counter-based random stream, so a decision never depends on batching order. */
export function hashSeed(a: number, b: number, c: number): number {
  return mix32(mix32(mix32(a | 0) ^ (b | 0)) + (c | 0));
}

const TWO_POW_32 = 4294967296;
const SALT_EDGE = 0x51ed270b, SALT_MASK = 0x2545f491;

/**
 * Check a batch from a graph source before it reaches the kernels: index ranges, no self-loops, consistent graph
 * ranges and finite features. A bad batch is a bug in its producer; the message says which array is wrong.
 */
export function checkGraphBatch(b: GraphBatch, nFeatures: number): void {
  const bad = (what: string): never => {
    throw new GetseiError(`graph batch: ${what}. The graph source produced an inconsistent batch; rebuild the graphs`);
  };
  if (b.nFeatures !== nFeatures) bad(`${b.nFeatures} node features, the encoder expects ${nFeatures}`);
  if (b.x.length !== b.nNodes * b.nFeatures) bad(`x has ${b.x.length} entries, expected ${b.nNodes}×${b.nFeatures}`);
  if (b.edgeSrc.length !== b.edgeDst.length) bad('edgeSrc and edgeDst differ in length');
  if (b.graphNodeStart.length !== b.nGraphs + 1 || b.graphNodeStart[0] !== 0 || b.graphNodeStart[b.nGraphs] !== b.nNodes) {
    bad('graphNodeStart does not run from 0 to nNodes over nGraphs + 1 entries');
  }
  if (b.nodeGraph.length !== b.nNodes || b.centre.length !== b.nGraphs) bad('nodeGraph or centre has the wrong length');
  for (let g = 0; g < b.nGraphs; g++) {
    const s = b.graphNodeStart[g], e = b.graphNodeStart[g + 1];
    if (e <= s) bad(`graph ${g} has no nodes`);
    if (b.centre[g] < s || b.centre[g] >= e) bad(`centre of graph ${g} lies outside its nodes`);
    for (let i = s; i < e; i++) if (b.nodeGraph[i] !== g) bad(`node ${i} is in graph ${g} but nodeGraph says ${b.nodeGraph[i]}`);
  }
  for (let e = 0; e < b.edgeSrc.length; e++) {
    const s = b.edgeSrc[e], d = b.edgeDst[e];
    if (!(s >= 0 && s < b.nNodes && d >= 0 && d < b.nNodes)) bad(`edge ${e} (${s} → ${d}) points outside the batch`);
    if (s === d) bad(`edge ${e} is a self-loop on node ${s}`);
    if (b.nodeGraph[s] !== b.nodeGraph[d]) bad(`edge ${e} joins two different graphs`);
  }
  for (let i = 0; i < b.x.length; i++) {
    if (!Number.isFinite(b.x[i])) bad(`feature ${i % b.nFeatures} of node ${Math.floor(i / b.nFeatures)} is not finite`);
  }
}

/** Workspace sizes for `nViews` copies of a batch (every edge kept, plus a self-loop per node). */
export function viewCapacity(b: GraphBatch, nViews: number): Capacity {
  return { graphs: nViews * b.nGraphs, nodes: nViews * b.nNodes, edges: nViews * (b.edgeSrc.length + b.nNodes) };
}

/**
 * Write `nViews` views of the batch into the workspace: view v of graph g is view-graph g + v·nGraphs with nodes
 * shifted by v·nNodes. Each view gets the GAT self-loops and, when `augment` is given, its own edge dropping and
 * feature masking. Randomness is counter-based on (seed, keys[g], v) and node positions within the graph, so a
 * graph's views do not depend on which other graphs share its batch or on how a batch is split over threads.
 * An edge and its reverse share one decision (edges are dropped as undirected pairs), so views stay undirected.
 */
export function writeViews(
  b: GraphBatch, ws: Workspace, nViews: number,
  augment?: { options: AugmentOptions; seed: number; keys: Int32Array },
): ViewCounts {
  const { nGraphs, nNodes, nFeatures: F } = b;
  const cap = ws.capacity;
  if (cap.graphs < nViews * nGraphs || cap.nodes < nViews * nNodes || cap.edges < nViews * (b.edgeSrc.length + nNodes)) {
    throw new Error('writeViews: workspace too small for this batch');
  }
  const dropP = augment ? augment.options.edgeDropRate * TWO_POW_32 : 0;
  const maskP = augment ? augment.options.featureMaskRate * TWO_POW_32 : 0;
  const { segStart, src, x } = ws;
  const nV = nViews * nNodes;
  for (let v = 0; v < nViews; v++) {
    for (let g = 0; g <= nGraphs; g++) ws.graphNodeStart[v * nGraphs + g] = b.graphNodeStart[g] + v * nNodes;
    for (let g = 0; g < nGraphs; g++) ws.centre[v * nGraphs + g] = b.centre[g] + v * nNodes;
  }
  // per-view keys for the random decisions of each graph
  const gkey = (g: number, v: number): number => (augment ? hashSeed(augment.seed, augment.keys[g], v) : 0);
  const kept = (e: number, v: number): boolean => {
    if (dropP === 0) return true;
    const s = b.edgeSrc[e], d = b.edgeDst[e], g = b.nodeGraph[s], base = b.graphNodeStart[g];
    const lo = Math.min(s, d) - base, hi = Math.max(s, d) - base;
    return hashSeed(gkey(g, v) ^ SALT_EDGE, lo, hi) >= dropP;
  };
  // CSR by destination: count (self-loop + kept incoming edges), prefix-sum, fill using segStart as cursor, shift back
  segStart.fill(0, 0, nV + 1);
  for (let i = 0; i < nV; i++) segStart[i + 1] = 1;
  for (let v = 0; v < nViews; v++) {
    for (let e = 0; e < b.edgeSrc.length; e++) if (kept(e, v)) segStart[b.edgeDst[e] + v * nNodes + 1]++;
  }
  for (let i = 0; i < nV; i++) segStart[i + 1] += segStart[i];
  for (let i = 0; i < nV; i++) src[segStart[i]++] = i;
  for (let v = 0; v < nViews; v++) {
    const o = v * nNodes;
    for (let e = 0; e < b.edgeSrc.length; e++) if (kept(e, v)) src[segStart[b.edgeDst[e] + o]++] = b.edgeSrc[e] + o;
  }
  for (let i = nV; i > 0; i--) segStart[i] = segStart[i - 1];
  segStart[0] = 0;
  // features, masked entry by entry
  for (let v = 0; v < nViews; v++) {
    const o = v * nNodes * F;
    if (maskP === 0) {
      for (let k = 0; k < nNodes * F; k++) x[o + k] = b.x[k];
      continue;
    }
    for (let g = 0; g < nGraphs; g++) {
      const key = gkey(g, v) ^ SALT_MASK, base = b.graphNodeStart[g] * F;
      for (let k = base; k < b.graphNodeStart[g + 1] * F; k++) {
        x[o + k] = hashSeed(key, k - base, 0) < maskP ? 0 : b.x[k];
      }
    }
  }
  return { nGraphs: nViews * nGraphs, nNodes: nV };
}
