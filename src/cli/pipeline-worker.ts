import { parentPort, workerData } from 'node:worker_threads';
import { runPipeline, type RunReporter, type RunRequest } from '../pipeline/run.ts';
import { cancelFlag } from '../util/cancel.ts';
import { GetseiError } from '../util/errors.ts';
import type { PipelineMessage } from './interruptible.ts';

/**
 * The thread `getsei run` runs the pipeline on (see interruptible.ts): progress goes to the main thread as messages,
 * and the shared cancel flag is checked at every progress tick.
 */
const { request, cancelBuffer } = workerData as { request: Omit<RunRequest, 'reporter' | 'cancel'>; cancelBuffer: SharedArrayBuffer };
const post = (m: PipelineMessage) => parentPort?.postMessage(m);
const reporter: RunReporter = {
  stageStart: (stage, total, what) => post({ kind: 'start', stage, total, what }),
  stageTick: (stage, done, total, note) => post({ kind: 'tick', stage, done, total, note }),
  stageEnd: (stage, status, seconds) => post({ kind: 'end', stage, status, seconds }),
};
try {
  post({ kind: 'result', result: await runPipeline({ ...request, reporter, cancel: cancelFlag(cancelBuffer) }) });
} catch (err) {
  if (!(err instanceof GetseiError)) throw err; // a getsei bug: reaches the main thread with its stack
  post({ kind: 'error', message: err.message, exitCode: err.exitCode, cancelled: err.name === 'CancelledError' });
}
