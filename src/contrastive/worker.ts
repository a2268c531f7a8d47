// Worker entry for the encoder's thread pool: runs one training shard pass or one embedding batch.
import { asWorkerTask } from '../util/workers.ts';
import { type EngineTask, runTask } from './engine.ts';

export default asWorkerTask((task: EngineTask): ReturnType<typeof runTask> => runTask(task));
