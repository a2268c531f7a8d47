/**
 * Worker-thread tasks of the states stage (run through src/util/workers.ts): a slice of one EM restart of a mixture
 * on a fit sample shared with the main thread (its start, or a resumption where the last slice ended), or the 2-D map
 * of a sample. Each is the same code the main thread would run, so the results are bit-identical to the sequential
 * ones.
 */
import { asWorkerTask, createRng } from '../util/index.ts';
import { emStart, emSteps, sampleWorkspace, type EmProgress, type EmSlice, type ResolvedMixtureOptions, type Workspace } from './gmm.ts';
import { layoutMap, type MapLayout, type MapLayoutOptions } from './map.ts';

export interface RestartTask {
  readonly kind: 'restart';
  /** the fit sample [n × d], float64 in a SharedArrayBuffer (not copied per task) */
  readonly X: Float64Array;
  readonly n: number;
  readonly d: number;
  /** identifies X, so a worker reuses the workspace it built for the same sample and component count */
  readonly sampleId: string;
  readonly options: ResolvedMixtureOptions;
  readonly restartSeed: number;
  /** EM iterations this task runs at most (the pool balances restarts of unequal length by slices) */
  readonly steps: number;
  /** where the restart's last slice ended; absent: start it (k-means from restartSeed) */
  readonly resume?: EmProgress;
}

export interface MapTask {
  readonly kind: 'map';
  readonly X: Float32Array | Float64Array;
  readonly n: number;
  readonly d: number;
  readonly options: MapLayoutOptions;
}

export type StatesTask = RestartTask | MapTask;

/**
 * Workspaces of the fit samples this worker has run slices of, most recent last: the states stage fits two mixtures
 * at once (its own and the comparison's) and their slices alternate on each worker, so a single cached workspace was
 * rebuilt at almost every slice. Two are kept.
 */
const cached = new Map<string, Workspace>();
const CACHED_WORKSPACES = 2;

function run(task: StatesTask): EmSlice | MapLayout {
  if (task.kind === 'map') return layoutMap(task.X, task.n, task.d, task.options);
  const key = `${task.sampleId}/${task.options.components}`;
  const ws = cached.get(key) ?? sampleWorkspace(task.X, task.n, task.d, task.options.components, null);
  cached.delete(key);
  cached.set(key, ws);
  if (cached.size > CACHED_WORKSPACES) cached.delete(cached.keys().next().value as string);
  const from = task.resume ?? emStart(ws, task.options, createRng(task.restartSeed));
  return emSteps(ws, task.options, from, task.steps);
}

export default asWorkerTask(run);
