import type { Piscina } from 'piscina';
import { createWorkerPool, defaultThreads, GetseiError, runPoolTask } from '../util/index.ts';
import type { Encoder } from './encoder.ts';
import { type EmbedTask, runEmbed } from './engine.ts';
import type { GraphSource } from './source.ts';
import { checkGraphBatch } from './views.ts';

export interface EmbedOptions {
  /** graphs per forward pass (default 256); results do not depend on it */
  readonly batchSize?: number;
  /** worker threads; 1 runs on the calling thread (default: every core) */
  readonly threads?: number;
  /** graphs to embed, in output order (default: all of the source, 0 … count − 1) */
  readonly indices?: Int32Array;
  /** called after each batch with the number of graphs embedded so far */
  readonly onProgress?: (done: number, total: number) => void;
  /** a pool from createEmbeddingPool, shared by several calls (null: this thread); default: a pool of `threads` for this call */
  readonly pool?: Piscina | null;
}

/**
 * A worker pool for several embed() calls, to be destroyed by the caller. The pipeline embeds a trajectory in groups
 * of frames; with a pool per group the encoder stage's peak RSS grew with the number of groups (measured: 315 → 387
 * MiB for 4× the frames; one pool: 315 → 293), likely the memory of each pool's threads not going back to the system,
 * and every group paid a pool's start-up. Null for one thread.
 */
export function createEmbeddingPool(threads: number = defaultThreads()): Piscina | null {
  if (threads <= 1) return null;
  const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
  return createWorkerPool(new URL(`./worker.${ext}`, import.meta.url), { threads });
}

/**
 * Embeddings of the source's graphs under a trained encoder, without augmentation: a new Float32Array
 * [nGraphs × embeddingDim], row r for graph indices[r]. Batches are assembled on the calling thread while worker
 * threads run the forward passes; each graph's embedding depends only on the graph (no batch statistics), so the
 * result is the same for every batch size and thread count.
 */
export async function embed(encoder: Encoder, source: GraphSource, options: EmbedOptions = {}): Promise<Float32Array> {
  const { config } = encoder;
  if (source.nFeatures !== config.nFeatures) {
    throw new GetseiError(
      `the encoder was trained on ${config.nFeatures} node features but the graphs have ${source.nFeatures}; ` +
        'featurise with the same settings as the training run, or train a new encoder',
    );
  }
  const batchSize = options.batchSize ?? 256, threads = options.threads ?? defaultThreads();
  if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw new GetseiError(`embedding batch size must be a positive integer, got ${batchSize}`);
  if (!(Number.isInteger(threads) && threads >= 1)) throw new GetseiError(`threads must be a positive integer, got ${threads}`);
  const indices = options.indices ?? Int32Array.from({ length: source.count }, (_, i) => i);
  for (let k = 0; k < indices.length; k++) {
    if (!(indices[k] >= 0 && indices[k] < source.count)) {
      throw new GetseiError(`embedding: graph index ${indices[k]} (position ${k}) is outside the ${source.count} graphs`);
    }
  }
  const E = config.embeddingDim, total = indices.length;
  const out = new Float32Array(total * E);
  const given = options.pool !== undefined;
  const useWorkers = (given ? options.pool !== null : threads > 1) && total > batchSize;
  const params = useWorkers ? new Float32Array(new SharedArrayBuffer(encoder.params.byteLength)) : encoder.params;
  if (useWorkers) params.set(encoder.params);
  const pool = !useWorkers ? null : given ? options.pool as Piscina : createEmbeddingPool(threads);
  let done = 0;
  try {
    // keep a few batches per thread in flight, so batch assembly here overlaps the forward passes there
    const inFlight: Promise<void>[] = [];
    const maxInFlight = 2 * (pool?.options.maxThreads ?? 1);
    for (let start = 0; start < total; start += batchSize) {
      const idx = indices.slice(start, Math.min(total, start + batchSize));
      const batch = source.batch(idx);
      checkGraphBatch(batch, config.nFeatures);
      const t: EmbedTask = { kind: 'embed', config, params, batch };
      const at = start * E;
      const p = (pool ? runPoolTask<Float32Array>(pool, t) : Promise.resolve(runEmbed(t))).then((z) => {
        for (let k = 0; k < z.length; k++) {
          if (!Number.isFinite(z[k])) {
            throw new GetseiError(
              `the embedding of graph ${idx[Math.floor(k / E)]} is not finite; check its node features for extreme values`,
            );
          }
        }
        out.set(z, at);
        done += idx.length;
        options.onProgress?.(done, total);
      });
      p.catch(() => undefined); // a failure is reported by the await below, not as an unhandled rejection
      inFlight.push(p);
      if (inFlight.length >= maxInFlight) await inFlight.shift();
    }
    await Promise.all(inFlight);
  } finally {
    if (!given) await pool?.destroy();
  }
  return out;
}
