import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';

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
