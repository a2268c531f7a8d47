/**
 * Worker-thread tasks of the states stage (run through src/util/workers.ts): one EM restart of a mixture on a
 * fit sample shared with the main thread, or the 2-D map of a sample. Each is the same code the main thread would
 * run, so the results are bit-identical to the sequential ones.
 */
import { asWorkerTask, createRng } from '../util/index.ts';
import { emRestart, sampleWorkspace, type ResolvedMixtureOptions, type RestartResult, type Workspace } from './gmm.ts';
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
}

export interface MapTask {
  readonly kind: 'map';
  readonly X: Float32Array | Float64Array;
  readonly n: number;
  readonly d: number;
  readonly options: MapLayoutOptions;
}

export type StatesTask = RestartTask | MapTask;

let cached: { key: string; ws: Workspace } | undefined;

function run(task: StatesTask): RestartResult | MapLayout {
  if (task.kind === 'map') return layoutMap(task.X, task.n, task.d, task.options);
  const key = `${task.sampleId}/${task.options.components}`;
  if (cached?.key !== key) cached = { key, ws: sampleWorkspace(task.X, task.n, task.d, task.options.components, null) };
  return emRestart(cached.ws, task.options, createRng(task.restartSeed));
}

export default asWorkerTask(run);
