/**
 * Gaussian mixtures fitted on a worker pool: every (state count, restart) pair runs, as slices of its EM iterations
 * (RestartScheduler), on the same shared fit sample, so the restarts of one count and the counts of a score table run
 * at once on every core. The slices are the sequential code (`emStart`, `emSteps`) with the same restart seeds and
 * the best start is picked on the main thread by `finishFit`, so the models are bit-identical to
 * `fitGaussianMixture`'s (tested).
 */
import { randomUUID } from 'node:crypto';
import type { Piscina } from 'piscina';
import { GetseiError, runPoolTask } from '../util/index.ts';
import {
  finishFit, fitSampleRows, resolveMixtureOptions, restartSeeds, sampleWorkspace,
  type EmSlice, type GaussianMixtureModel, type GaussianMixtureOptions, type RestartResult,
} from './gmm.ts';
import { checkRows, type Rows } from './validate.ts';
import type { RestartTask } from './worker.ts';

/**
 * EM work per pool task, in sample rows × components × dimension² (4 iterations, ≈ 0.3 s, for the pipeline's
 * 50 000 × 32-d fit with 6 components; small fits run whole in one task): long enough that copying the parameters
 * (≈ 100 KB) both ways is a small part of a task, short enough to balance restarts over the threads.
 */
const SLICE_WORK = 1.5e9;

/** Entry of the states worker pool (src/util/workers.ts `createWorkerPool`). */
export function statesWorkerEntry(): URL {
  const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
  return new URL(`./worker.${ext}`, import.meta.url);
}

/**
 * The EM restarts of every fit on one pool, run as chains of slices of EM iterations. Restarts converge after very
 * different numbers of iterations (24 to 58 on the example), and whole restarts on 2 threads could leave one thread
 * idle while the other ran two, the longest last. At most two slices a thread are handed to the pool: first every
 * restart's first slice, in the order added, then the next slice of the restart furthest from converging (largest
 * change of its lower bound), so a long restart keeps a thread while the short ones share the others. One scheduler
 * serves every fit on the pool (the states stage runs two at once: its own mixture and the comparison's). The bytes
 * of a restart do not depend on the order or the thread (emSteps). Measured on the example (states stage, 2 threads,
 * alternating runs against whole restarts): the paper's 32-d mixture alone 8.1 → 7.2 s; with the default comparison
 * beside it 8.3 → 8.4 s (no change beyond the noise). Other orders measured on the first: the next slice always to
 * the restart that has run the most iterations, 8.6–8.8 s (a long restart that starts last waits for the others);
 * slices in turn, 7.0–8.6 s.
 */
class RestartScheduler {
  private readonly ready: { task: RestartTask; last?: EmSlice; settle: (r: RestartResult | Error) => void }[] = [];
  private inFlight = 0;
  constructor(private readonly pool: Piscina) {}

  add(task: RestartTask): Promise<RestartResult> {
    const p = new Promise<RestartResult>((resolve, reject) => {
      this.ready.push({ task, settle: (r) => (r instanceof Error ? reject(r) : resolve(r)) });
    });
    this.pump();
    return p;
  }

  private pump(): void {
    const priority = (c: (typeof this.ready)[number]): number => (c.last === undefined ? Infinity : c.last.change);
    // two slices a thread: one running, one queued in the pool, so a thread never waits for the main thread (busy
    // with its own share of the stage) to hand it the next
    while (this.inFlight < 2 * Math.max(1, this.pool.options.maxThreads) && this.ready.length > 0) {
      let next = 0;
      for (let i = 1; i < this.ready.length; i++) if (priority(this.ready[i]) > priority(this.ready[next])) next = i;
      const c = this.ready.splice(next, 1)[0];
      const last = c.last;
      const task: RestartTask = last === undefined ? c.task : { ...c.task, resume: { params: last.params, lowerBound: last.lowerBound, iterations: last.iterations } };
      this.inFlight++;
      runPoolTask<EmSlice>(this.pool, task).then((r) => {
        this.inFlight--;
        if (r.finished) c.settle({ params: r.params, lowerBound: r.lowerBound, iterations: r.iterations, converged: r.converged });
        else {
          c.last = r;
          this.ready.push(c);
        }
        this.pump();
      }, (err: unknown) => {
        this.inFlight--;
        c.settle(err instanceof Error ? err : new Error(String(err)));
        this.pump();
      });
    }
  }
}

const schedulers = new WeakMap<Piscina, RestartScheduler>();

function schedulerOf(pool: Piscina): RestartScheduler {
  let s = schedulers.get(pool);
  if (s === undefined) schedulers.set(pool, (s = new RestartScheduler(pool)));
  return s;
}

/**
 * Fit one mixture per count on the pool, with the options of `fitGaussianMixture` (same seed → same sample and
 * restarts for every count). Returns the models by count. `slice.stepsPerTask`: EM iterations per pool task (default
 * from SLICE_WORK; the models do not depend on it).
 */
export async function fitGaussianMixturesOnPool(
  X: Rows, n: number, d: number, counts: readonly number[], options: Omit<GaussianMixtureOptions, 'components'>, pool: Piscina,
  slice: { readonly stepsPerTask?: number } = {},
): Promise<Map<number, GaussianMixtureModel>> {
  checkRows(X, n, d, 'embeddings');
  const resolved = counts.map((components) => resolveMixtureOptions({ ...options, components }));
  const seed = resolved[0]?.seed ?? 0;
  const rows = fitSampleRows(n, options.sampleSize, seed);
  const m = rows === null ? n : rows.length;
  for (const o of resolved) {
    if (m < o.components) throw new GetseiError(`cannot fit ${o.components} states to ${m} samples: use fewer states or more samples`);
  }
  // the fit sample once, in shared memory: the tasks read it without a copy
  const shared = new Float64Array(new SharedArrayBuffer(m * d * 8));
  if (rows === null) shared.set(X.subarray(0, n * d));
  else for (let t = 0; t < m; t++) shared.set(X.subarray(rows[t] * d, rows[t] * d + d), t * d);
  const sampleId = randomUUID();
  const pending = resolved.map((o) => Array.from(restartSeeds(o.seed, o.restarts), (restartSeed) => {
    const steps = slice.stepsPerTask ?? Math.max(1, Math.floor(SLICE_WORK / (m * o.components * d * d)));
    const p = schedulerOf(pool).add({ kind: 'restart', X: shared, n: m, d, sampleId, options: o, restartSeed, steps });
    p.catch(() => undefined); // awaited below; a failure must not surface first as an unhandled rejection
    return p;
  }));
  const models = new Map<number, GaussianMixtureModel>();
  for (const [i, o] of resolved.entries()) {
    const results = await Promise.all(pending[i]);
    models.set(o.components, finishFit(sampleWorkspace(shared, m, d, o.components, null), o, results));
  }
  return models;
}
