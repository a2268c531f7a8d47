import { GetseiError } from './errors.ts';

/** Exit status of a run stopped by Ctrl-C (128 + SIGINT), as shells report it. */
export const INTERRUPTED_EXIT_CODE = 130;

/** Thrown at a checkpoint once the user asked getsei to stop: writers drop their temporary files, pools shut down. */
export class CancelledError extends GetseiError {
  constructor(message = 'interrupted') {
    super(message, { exitCode: INTERRUPTED_EXIT_CODE });
    this.name = 'CancelledError';
  }
}

/**
 * A stop request that a busy thread can see: one Int32 in shared memory, set by the thread that received the signal
 * and read with `Atomics.load` at every checkpoint — also inside synchronous numeric loops (via their progress
 * callbacks), where no event (an AbortSignal, a message) could be delivered.
 */
export interface CancelFlag {
  readonly buffer: SharedArrayBuffer;
  cancel(): void;
  cancelled(): boolean;
  /** throws CancelledError once cancelled */
  check(): void;
}

export function cancelFlag(buffer: SharedArrayBuffer = new SharedArrayBuffer(4)): CancelFlag {
  const cell = new Int32Array(buffer, 0, 1);
  const cancelled = () => Atomics.load(cell, 0) !== 0;
  return {
    buffer,
    cancel: () => { Atomics.store(cell, 0, 1); },
    cancelled,
    check: () => { if (cancelled()) throw new CancelledError(); },
  };
}
