import type { Piscina } from 'piscina';
import { l2Normalize, l2NormalizeBackward, ntXent } from '../tensor/index.ts';
import { createRng, createWorkerPool, defaultThreads, GetseiError, runPoolTask, shuffle } from '../util/index.ts';
import { adamStep, createAdam } from './adam.ts';
import { type EncoderConfig, resolveEncoderConfig } from './config.ts';
import type { Encoder } from './encoder.ts';
import {
  type BackwardTask, type EngineTask, fits, type ForwardTask, grow, layoutOf, runBackward, runForward, type ShardRef,
} from './engine.ts';
import { createWorkspace, initParams, type ViewCounts, type Workspace, workspaceBytes } from './model.ts';
import type { GraphSource } from './source.ts';
import { checkGraphBatch, hashSeed, viewCapacity } from './views.ts';

export interface TrainOptions {
  /** architecture (nFeatures comes from the source) */
  readonly config?: Partial<Omit<EncoderConfig, 'nFeatures'>>;
  /** seeds the initial weights, the batch order and every augmentation (default 0) */
  readonly seed?: number;
  /** passes over the training graphs (default 20) */
  readonly epochs?: number;
  /** stop after this many optimiser steps in total, even mid-epoch (default: no limit) */
  readonly maxSteps?: number;
  /** graphs per batch; each contributes two views, and all 2·batchSize views are negatives of each other (default 256) */
  readonly batchSize?: number;
  /** Adam learning rate (default 1e-3) */
  readonly learningRate?: number;
  /** InfoNCE temperature σ (paper: 0.5) */
  readonly temperature?: number;
  /** probability of dropping an undirected edge in a view (paper: 0.1) */
  readonly edgeDropRate?: number;
  /** probability of masking a node-feature entry in a view (paper: 0.2) */
  readonly featureMaskRate?: number;
  /** stop when the epoch-mean loss has not improved by more than `minDelta` for this many epochs (default 3) */
  readonly patience?: number;
  /** smallest decrease of the epoch-mean loss that counts as an improvement (default 1e-3) */
  readonly minDelta?: number;
  /** worker threads; 1 runs everything on the calling thread (default: every core) */
  readonly threads?: number;
  /**
   * graphs per unit of parallel work. The gradient is summed over these shards in a fixed order, so results depend
   * on this value but not on the number of threads (default 32)
   */
  readonly shardGraphs?: number;
  readonly onProgress?: (p: TrainProgress) => void;
}

export interface TrainProgress {
  readonly epoch: number;
  readonly step: number;
  readonly stepsTotal: number;
  readonly loss: number;
  readonly graphsPerSecond: number;
}

/** The resolved training settings, as recorded with the weights. */
export type TrainSettings = Required<Omit<TrainOptions, 'config' | 'onProgress' | 'maxSteps'>> & {
  readonly maxSteps: number | null;
};

/** A trained encoder and how it got there. */
export interface TrainedEncoder extends Encoder {
  readonly settings: TrainSettings;
  /** loss of every optimiser step, and mean loss of every epoch (per graph) */
  readonly lossCurve: { readonly steps: Float64Array; readonly epochs: Float64Array };
  readonly epochsRun: number;
  readonly stepsRun: number;
  /** true when the patience criterion ended training before `epochs` */
  readonly stoppedEarly: boolean;
  /** the epoch (0-based) whose weights are returned: the one with the lowest mean loss */
  readonly bestEpoch: number;
  readonly graphsPerSecond: number;
}

function resolveSettings(o: TrainOptions): TrainSettings {
  const s: TrainSettings = {
    seed: o.seed ?? 0,
    epochs: o.epochs ?? 20,
    maxSteps: o.maxSteps ?? null,
    batchSize: o.batchSize ?? 256,
    learningRate: o.learningRate ?? 1e-3,
    temperature: o.temperature ?? 0.5,
    edgeDropRate: o.edgeDropRate ?? 0.1,
    featureMaskRate: o.featureMaskRate ?? 0.2,
    patience: o.patience ?? 3,
    minDelta: o.minDelta ?? 1e-3,
    threads: o.threads ?? defaultThreads(),
    shardGraphs: o.shardGraphs ?? 32,
  };
  const check = (ok: boolean, what: string): void => {
    if (!ok) throw new GetseiError(`encoder training: ${what}`);
  };
  const int = (v: number, min: number): boolean => Number.isInteger(v) && v >= min;
  check(int(s.epochs, 1), `epochs must be a positive integer, got ${s.epochs}`);
  check(s.maxSteps === null || int(s.maxSteps, 1), `maxSteps must be a positive integer, got ${s.maxSteps}`);
  check(int(s.batchSize, 2), `batch size must be an integer ≥ 2 (the loss contrasts graphs within a batch), got ${s.batchSize}`);
  check(s.learningRate > 0 && Number.isFinite(s.learningRate), `learning rate must be positive, got ${s.learningRate}`);
  check(s.temperature > 0 && Number.isFinite(s.temperature), `temperature must be positive, got ${s.temperature}`);
  check(s.edgeDropRate >= 0 && s.edgeDropRate < 1, `edge drop rate must lie in [0, 1), got ${s.edgeDropRate}`);
  check(s.featureMaskRate >= 0 && s.featureMaskRate < 1, `feature mask rate must lie in [0, 1), got ${s.featureMaskRate}`);
  check(int(s.patience, 1), `patience must be a positive integer, got ${s.patience}`);
  check(s.minDelta >= 0, `minDelta must be ≥ 0, got ${s.minDelta}`);
  check(int(s.threads, 1), `threads must be a positive integer, got ${s.threads}`);
  check(int(s.shardGraphs, 1), `shardGraphs must be a positive integer, got ${s.shardGraphs}`);
  return Object.freeze(s);
}

interface Slot {
  ref: ShardRef;
  ws: Workspace;
}

/**
 * Train the encoder by contrasting two augmented views of every graph (GraphCL, eq. 1 as symmetric NT-Xent) with
 * Adam. Each step: the batch is split into shards of `shardGraphs` graphs; the shards' forward passes run in
 * parallel on worker threads, the InfoNCE loss and its gradient with respect to the 2·B embeddings are computed on
 * the calling thread (it couples the whole batch), the shards' backward passes run in parallel, and their parameter
 * gradients are summed in shard order. Same seed and shardGraphs → same weights, whatever the thread count.
 */
export async function trainEncoder(
  source: GraphSource, trainIndices: Int32Array, options: TrainOptions = {},
): Promise<TrainedEncoder> {
  const s = resolveSettings(options);
  for (let k = 0; k < trainIndices.length; k++) {
    const g = trainIndices[k];
    if (!(Number.isInteger(g) && g >= 0 && g < source.count)) {
      throw new GetseiError(`encoder training: training index ${g} (position ${k}) is outside the ${source.count} graphs`);
    }
  }
  if (trainIndices.length < 2) {
    throw new GetseiError(`encoder training needs at least 2 graphs, got ${trainIndices.length}; use more training frames`);
  }
  const config = resolveEncoderConfig({ ...options.config, nFeatures: source.nFeatures });
  const layout = layoutOf(config);
  const nP = layout.nParams;
  const rng = createRng(s.seed);
  const useWorkers = s.threads > 1;
  const shared = (bytes: number): ArrayBuffer | SharedArrayBuffer =>
    useWorkers ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
  const params = new Float32Array(shared(nP * 4));
  params.set(initParams(layout, rng.fork()));
  const orderRng = rng.fork();
  const adam = createAdam(nP);
  const gradSum = new Float64Array(nP);
  const B = Math.min(s.batchSize, trainIndices.length);
  const E = config.embeddingDim;
  const z = new Float32Array(2 * B * E), u = new Float32Array(2 * B * E), du = new Float32Array(2 * B * E);
  const ut = new Float32Array(2 * B * E), norms = new Float32Array(2 * B), sim = new Float32Array(4 * B * B);
  const slots: Slot[] = [];
  const slotFor = (k: number, need: ReturnType<typeof viewCapacity>): Slot => {
    const old = slots[k];
    if (old && fits(old.ref.capacity, need)) return old;
    const capacity = grow(old?.ref.capacity, need);
    const buffer = shared(workspaceBytes(config, layout, capacity, 'f32'));
    slots[k] = { ref: { buffer, capacity }, ws: createWorkspace(config, layout, capacity, 'f32', buffer) };
    return slots[k];
  };

  const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
  const pool: Piscina | null = useWorkers
    ? createWorkerPool(new URL(`./worker.${ext}`, import.meta.url), { threads: s.threads })
    : null;
  const run = <R>(t: EngineTask, local: () => R): Promise<R> => (pool ? runPoolTask<R>(pool, t) : Promise.resolve(local()));
  const stepLoss: number[] = [], epochLoss: number[] = [];
  const augment = { edgeDropRate: s.edgeDropRate, featureMaskRate: s.featureMaskRate };

  const step = async (idx: Int32Array, stepSeed: number): Promise<number> => {
    const n = idx.length;
    const nShards = Math.ceil(n / s.shardGraphs);
    const forwards: Promise<ViewCounts>[] = [];
    for (let k = 0; k < nShards; k++) {
      const keys = idx.slice(k * s.shardGraphs, Math.min(n, (k + 1) * s.shardGraphs));
      const batch = source.batch(keys);
      checkGraphBatch(batch, config.nFeatures);
      const slot = slotFor(k, viewCapacity(batch, 2));
      const t: ForwardTask = {
        kind: 'forward', config, params, shard: slot.ref, batch, augment: { options: augment, seed: stepSeed, keys },
      };
      forwards.push(run(t, () => runForward(t)));
    }
    const counts = await Promise.all(forwards);
    // the shard's view rows [0, g) are first views and [g, 2g) second views; globally rows [0, n) and [n, 2n)
    const copyRows = (toGlobal: boolean, a: Float32Array, k: number): void => {
      const g = counts[k].nGraphs / 2, first = k * s.shardGraphs, local = toGlobal ? slots[k].ws.z : slots[k].ws.dz;
      for (let v = 0; v < 2; v++) {
        const from = v * g * E, to = (v * n + first) * E;
        if (toGlobal) a.set(local.subarray(from, from + g * E), to);
        else local.set(a.subarray(to, to + g * E), from);
      }
    };
    for (let k = 0; k < nShards; k++) copyRows(true, z, k);
    l2Normalize(z, 2 * n, E, u, norms);
    const loss = ntXent(u, n, E, s.temperature, sim, ut, du);
    l2NormalizeBackward(u, norms, du, 2 * n, E, z);
    for (let k = 0; k < nShards; k++) copyRows(false, z, k);
    await Promise.all(counts.map((c, k) => {
      const t: BackwardTask = { kind: 'backward', config, params, shard: slots[k].ref, counts: c };
      return run(t, () => runBackward(t));
    }));
    gradSum.fill(0);
    for (let k = 0; k < nShards; k++) {
      const gk = slots[k].ws.grads;
      for (let i = 0; i < nP; i++) gradSum[i] += gk[i];
    }
    if (!Number.isFinite(loss)) {
      throw new GetseiError(
        `encoder training produced a non-finite loss at step ${stepLoss.length + 1}; lower the learning rate or ` +
          'check the node features for extreme values',
      );
    }
    adamStep(adam, params, gradSum, s.learningRate);
    return loss;
  };

  const nTrain = trainIndices.length;
  const stepsPerEpoch = Math.floor(nTrain / B) + (nTrain % B >= 2 ? 1 : 0);
  const stepsTotal = Math.min(s.epochs * stepsPerEpoch, s.maxSteps ?? Infinity);
  let best = Infinity, bestEpoch = 0, bestParams = params.slice(), wait = 0, stoppedEarly = false;
  let graphs = 0;
  const t0 = performance.now();
  try {
    for (let epoch = 0; epoch < s.epochs && stepLoss.length < stepsTotal; epoch++) {
      const order = shuffle(orderRng, trainIndices.slice());
      let sum = 0, count = 0;
      for (let start = 0; start + 2 <= nTrain && stepLoss.length < stepsTotal; start += B) {
        const idx = order.subarray(start, Math.min(nTrain, start + B));
        const loss = await step(idx, hashSeed(s.seed, stepLoss.length, 0x5eed));
        stepLoss.push(loss);
        sum += loss * idx.length;
        count += idx.length;
        graphs += idx.length;
        options.onProgress?.({
          epoch, step: stepLoss.length, stepsTotal, loss, graphsPerSecond: graphs / ((performance.now() - t0) / 1000),
        });
      }
      const mean = sum / count;
      epochLoss.push(mean);
      if (mean < best - s.minDelta || epoch === 0) {
        best = Math.min(best, mean);
        bestEpoch = epoch;
        bestParams = params.slice();
        wait = 0;
      } else if (++wait >= s.patience) {
        stoppedEarly = epoch + 1 < s.epochs && stepLoss.length < stepsTotal;
        break;
      }
    }
  } finally {
    await pool?.destroy();
  }
  return Object.freeze({
    config,
    params: bestParams,
    settings: s,
    lossCurve: Object.freeze({ steps: Float64Array.from(stepLoss), epochs: Float64Array.from(epochLoss) }),
    epochsRun: epochLoss.length,
    stepsRun: stepLoss.length,
    stoppedEarly,
    bestEpoch,
    graphsPerSecond: graphs / ((performance.now() - t0) / 1000),
  });
}
