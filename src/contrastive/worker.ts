// Worker entry for the encoder's thread pool: runs one training shard pass or one embedding batch.
import { type EngineTask, runTask } from './engine.ts';

export default function encoderTask(task: EngineTask): ReturnType<typeof runTask> {
  return runTask(task);
}
