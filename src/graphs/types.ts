/**
 * A batch of Li-centred graphs as one disjoint graph (edge indices offset per graph), the only thing the encoder
 * sees. Nodes of graph g are the contiguous range [graphNodeStart[g], graphNodeStart[g + 1]).
 */
export interface GraphBatch {
  readonly nGraphs: number;
  readonly nNodes: number;
  readonly nFeatures: number;
  /** standardised node features, row-major [nNodes × nFeatures] */
  readonly x: Float32Array;
  /** directed edges (each undirected edge appears in both directions), batch-global node indices; no self-loops */
  readonly edgeSrc: Int32Array;
  readonly edgeDst: Int32Array;
  /** graph of each node [nNodes] */
  readonly nodeGraph: Int32Array;
  /** CSR offsets of each graph's nodes [nGraphs + 1] */
  readonly graphNodeStart: Int32Array;
  /** batch-global index of each graph's centre Li [nGraphs] */
  readonly centre: Int32Array;
}
