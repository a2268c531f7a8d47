export type { GraphBatch } from './types.ts';
export { LiGraphBuilder, type FrameTables, type GraphOptions } from './li-graphs.ts';
