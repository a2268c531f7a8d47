import type { GraphBatch } from '../graphs/index.ts';
import { type EncoderConfig, type ModelLayout, modelLayout } from './config.ts';
import { backward, type Capacity, createWorkspace, forward, type ViewCounts, type Workspace } from './model.ts';
import { type AugmentOptions, viewCapacity, writeViews } from './views.ts';

/**
 * The units of work of training and embedding, identical whether run on the main thread or on a worker: a shard
 * of graphs lives in a workspace (a SharedArrayBuffer when workers are used), so the forward pass, the central
 * loss and the backward pass can run in different threads on the same memory.
 */
export interface ShardRef {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  readonly capacity: Capacity;
}

export interface ForwardTask {
  readonly kind: 'forward';
  readonly config: EncoderConfig;
  readonly params: Float32Array;
  readonly shard: ShardRef;
  readonly batch: GraphBatch;
  readonly augment: { readonly options: AugmentOptions; readonly seed: number; readonly keys: Int32Array };
}

export interface BackwardTask {
  readonly kind: 'backward';
  readonly config: EncoderConfig;
  readonly params: Float32Array;
  readonly shard: ShardRef;
  readonly counts: ViewCounts;
}

export interface EmbedTask {
  readonly kind: 'embed';
  readonly config: EncoderConfig;
  readonly params: Float32Array;
  readonly batch: GraphBatch;
}

export type EngineTask = ForwardTask | BackwardTask | EmbedTask;

/** Layouts are derived from the config, cached per config object (one per training or embedding run). */
const layouts = new WeakMap<EncoderConfig, ModelLayout>();
export function layoutOf(config: EncoderConfig): ModelLayout {
  let l = layouts.get(config);
  if (!l) {
    l = modelLayout(config);
    layouts.set(config, l);
  }
  return l;
}

function shardWorkspace(config: EncoderConfig, shard: ShardRef): Workspace {
  return createWorkspace(config, layoutOf(config), shard.capacity, 'f32', shard.buffer);
}

/** Two augmented views of each graph → forward pass; the embeddings are left in the shard's `z`. */
export function runForward(t: ForwardTask): ViewCounts {
  const ws = shardWorkspace(t.config, t.shard);
  const counts = writeViews(t.batch, ws, 2, t.augment);
  forward(t.config, layoutOf(t.config), t.params, ws, counts);
  return counts;
}

/** Backward pass from the shard's `dz` (written by the main thread) into the shard's `grads`. */
export function runBackward(t: BackwardTask): void {
  backward(t.config, layoutOf(t.config), t.params, shardWorkspace(t.config, t.shard), t.counts);
}

/** A workspace kept between embedding batches of one thread (for one architecture), grown when a batch does not fit. */
let embedWs: { ws: Workspace; configKey: string } | null = null;

/** Embeddings of the batch's graphs (no augmentation), a new Float32Array [nGraphs × embeddingDim]. */
export function runEmbed(t: EmbedTask): Float32Array {
  const need = viewCapacity(t.batch, 1);
  const configKey = JSON.stringify(t.config);
  if (!embedWs || embedWs.configKey !== configKey || !fits(embedWs.ws.capacity, need)) {
    const cap = embedWs?.configKey === configKey ? embedWs.ws.capacity : undefined;
    embedWs = { ws: createWorkspace(t.config, layoutOf(t.config), grow(cap, need), 'f32'), configKey };
  }
  const ws = embedWs.ws;
  const counts = writeViews(t.batch, ws, 1);
  forward(t.config, layoutOf(t.config), t.params, ws, counts);
  return ws.z.slice(0, counts.nGraphs * t.config.embeddingDim) as Float32Array;
}

export function fits(cap: Capacity | undefined, need: Capacity): boolean {
  return !!cap && cap.graphs >= need.graphs && cap.nodes >= need.nodes && cap.edges >= need.edges;
}

/** A capacity covering `need` with 25 % headroom, so batches of slightly varying size do not reallocate. */
export function grow(cap: Capacity | undefined, need: Capacity): Capacity {
  const g = (a: number | undefined, b: number): number => Math.max(a ?? 0, Math.ceil(b * 1.25));
  return { graphs: g(cap?.graphs, need.graphs), nodes: g(cap?.nodes, need.nodes), edges: g(cap?.edges, need.edges) };
}

export function runTask(t: EngineTask): ViewCounts | Float32Array | null {
  switch (t.kind) {
    case 'forward':
      return runForward(t);
    case 'backward':
      runBackward(t);
      return null;
    case 'embed':
      return runEmbed(t);
  }
}
