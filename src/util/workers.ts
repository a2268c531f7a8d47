import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { GetseiError, InputError, type InputLocation } from './errors.ts';

/**
 * A worker pool (piscina) whose workers run a TypeScript or JavaScript module exporting a default function.
 * When getsei runs from source (under tsx), the worker first registers tsx through `worker-boot.mjs`, because
 * Node 20 workers do not inherit the parent's module loader hooks.
 */
export function createWorkerPool(entry: URL, options: { threads?: number } = {}): Piscina {
  const threads = Math.max(1, options.threads ?? defaultThreads());
  const fromSource = entry.pathname.endsWith('.ts');
  return new Piscina({
    filename: fromSource ? new URL('./worker-boot.mjs', import.meta.url).href : entry.href,
    workerData: { entry: entry.href },
    minThreads: threads,
    maxThreads: threads,
    idleTimeout: 1000,
  });
}

/** Threads to use by default: every core (the main thread mostly waits on the workers). */
export function defaultThreads(): number {
  return availableParallelism();
}

/**
 * A user error as it crosses the thread boundary: structured cloning keeps an Error's message but not its class,
 * exit code or location, so a worker returns this tagged value instead of throwing (see `asWorkerTask`).
 */
export interface WorkerUserError {
  readonly getseiWorkerError: { readonly message: string; readonly exitCode: number; readonly location?: InputLocation };
}

function isWorkerUserError(v: unknown): v is WorkerUserError {
  return typeof v === 'object' && v !== null && 'getseiWorkerError' in v;
}

/**
 * Wrap a worker's task so a GetseiError/InputError it throws (or an async task rejects with) reaches the main thread
 * intact (via `runPoolTask`) rather than as a bare Error; anything else (a getsei bug) still rejects with its stack.
 */
export function asWorkerTask<T, R>(task: (t: T) => Promise<R>): (t: T) => Promise<R | WorkerUserError>;
export function asWorkerTask<T, R>(task: (t: T) => R): (t: T) => R | WorkerUserError;
export function asWorkerTask<T, R>(task: (t: T) => R | Promise<R>): (t: T) => R | WorkerUserError | Promise<R | WorkerUserError> {
  return (t) => {
    try {
      const r = task(t);
      return r instanceof Promise ? r.catch(tagged) : r;
    } catch (err) {
      return tagged(err);
    }
  };
}

function tagged(err: unknown): WorkerUserError {
  if (!(err instanceof GetseiError)) throw err;
  const location = err instanceof InputError ? err.location : undefined;
  return { getseiWorkerError: { message: err.message, exitCode: err.exitCode, location } };
}

/** Rebuild, on the main thread, the error a worker reported, with the worker's exact message. */
function rethrown(e: WorkerUserError['getseiWorkerError']): GetseiError {
  const err = e.location === undefined ? new GetseiError(e.message, { exitCode: e.exitCode }) : new InputError(e.location, '');
  err.message = e.message;
  return err;
}

/**
 * Run one task on the pool. The returned promise is marked handled at once: when the caller stops early (an
 * input error in the main thread, then `pool.destroy()`), the tasks still queued reject with piscina's
 * "Terminating worker thread", which must not surface as an unhandled rejection that hides the real message.
 * A caller that awaits the promise still sees its rejection.
 */
export function runPoolTask<R>(pool: Piscina, task: unknown): Promise<R> {
  const p = (pool.run(task) as Promise<R | WorkerUserError>).then((r) => {
    if (isWorkerUserError(r)) throw rethrown(r.getseiWorkerError);
    return r;
  });
  p.catch(() => undefined);
  return p;
}
