import { makeOutputFolder } from '../util/atomic.ts';
import { CancelledError } from '../util/cancel.ts';
import { hashJson, newManifest, readManifest, writeManifest, type Manifest } from './manifest.ts';

/**
 * Run one stage with its bookkeeping: mark it running in RUN/manifest.json, run it, then record its input and
 * config hashes, timings and seed — or the failure (or 'interrupted' after Ctrl-C; either way it reruns next time). `isUpToDate` tells `getsei run` whether to skip it.
 */
export async function runStage<T>(
  run: string,
  name: string,
  keys: { inputHash: string; config: unknown; seed?: number },
  body: (manifest: Manifest) => Promise<T>,
): Promise<T> {
  await makeOutputFolder(run);
  const manifest = (await readManifest(run)) ?? newManifest();
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const configHash = hashJson(keys.config);
  manifest.stages[name] = { status: 'running', inputHash: keys.inputHash, configHash, startedAt, seed: keys.seed };
  manifest.config[name] = keys.config;
  await writeManifest(run, manifest);
  try {
    const result = await body(manifest);
    manifest.stages[name] = {
      status: 'done', inputHash: keys.inputHash, configHash, startedAt, finishedAt: new Date().toISOString(),
      seconds: (performance.now() - t0) / 1000, seed: keys.seed,
    };
    await writeManifest(run, manifest);
    return result;
  } catch (err) {
    manifest.stages[name] = {
      status: err instanceof CancelledError ? 'interrupted' : 'failed', inputHash: keys.inputHash, configHash, startedAt, finishedAt: new Date().toISOString(),
      seconds: (performance.now() - t0) / 1000, seed: keys.seed, error: (err as Error).message,
    };
    // best effort: on a full disk or a folder gone read-only the record stays 'running' (it reruns all the same),
    // and the user sees the error that stopped the stage, not this one
    await writeManifest(run, manifest).catch(() => undefined);
    throw err;
  }
}

export function isUpToDate(manifest: Manifest | undefined, name: string, inputHash: string, config: unknown): boolean {
  const s = manifest?.stages[name];
  return s !== undefined && s.status === 'done' && s.inputHash === inputHash && s.configHash === hashJson(config);
}

/**
 * The hash that downstream stages use as their input hash: this stage's inputs, config and completion time, so a
 * stage that reran (forced, or after its inputs changed) always invalidates everything downstream of it.
 */
export function stageOutputHash(manifest: Manifest, name: string): string {
  const s = manifest.stages[name];
  if (s === undefined || s.status !== 'done') throw new Error(`stage ${name} has not completed`);
  return hashJson([s.inputHash, s.configHash, s.finishedAt]);
}
