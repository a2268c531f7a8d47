export type { GraphBatch } from './types.ts';
export { LiGraphBuilder, FramesGraphSource, PooledGraphSource, type FrameTables, type GraphOptions } from './li-graphs.ts';
