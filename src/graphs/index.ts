export type { GraphBatch } from './types.ts';
export { LiGraphBuilder, FramesGraphSource, PooledGraphSource, SampledGraphSource, type FrameTables, type GraphOptions } from './li-graphs.ts';
