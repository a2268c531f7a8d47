export type { GraphBatch } from './types.ts';
export { LiGraphBuilder, FramesGraphSource, type FrameTables, type GraphOptions } from './li-graphs.ts';
