import type { GraphBatch } from '../graphs/index.ts';

/**
 * Where the encoder gets its graphs: `count` graphs (e.g. every Li in every training frame), any subset of which can
 * be assembled into one disjoint GraphBatch. Called on the main thread only; the batches are copied to the workers.
 */
export interface GraphSource {
  readonly count: number;
  readonly nFeatures: number;
  batch(indices: Int32Array): GraphBatch;
}
