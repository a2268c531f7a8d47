import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { readManifest, writeManifest } from '../pipeline/manifest.ts';
import { removeStaleTemporaries } from '../pipeline/lock.ts';
import type { RunReporter, RunRequest, RunResult, StageName } from '../pipeline/run.ts';
import { CancelledError, cancelFlag } from '../util/cancel.ts';
import { GetseiError } from '../util/errors.ts';

/** What the pipeline thread posts to the main thread. */
export type PipelineMessage =
  | { kind: 'start'; stage: StageName; total?: number; what?: string }
  | { kind: 'tick'; stage: StageName; done: number; total?: number; note?: string }
  | { kind: 'end'; stage: StageName; status: 'done' | 'skipped'; seconds: number }
  | { kind: 'result'; result: RunResult }
  | { kind: 'error'; message: string; exitCode: number; cancelled: boolean };

/** How long the pipeline gets to stop at a checkpoint after Ctrl-C before its thread is terminated. */
export const GRACE_MS = 250;

function startWorker(workerData: unknown): Worker {
  const entry = new URL(`./pipeline-worker.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url);
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, { workerData });
  // from source: a worker does not inherit the parent's tsx hooks, so it registers them first
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(boot, { eval: true, workerData });
}

/** The command line that resumes this run: the same one (finished stages are skipped). */
function resumeCommand(): string {
  return ['getsei', ...process.argv.slice(2).map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`))].join(' ');
}

/**
 * After the pipeline thread stopped or was terminated: no temporary file, stage records that say 'interrupted'
 * (not 'running'), and RUN/.lock released — so the folder holds only whole outputs and resumes.
 */
async function tidy(run: string): Promise<void> {
  await removeStaleTemporaries(run, { includeOwn: true });
  const manifest = await readManifest(run).catch(() => undefined);
  if (manifest !== undefined && Object.values(manifest.stages).some((s) => s.status === 'running')) {
    for (const s of Object.values(manifest.stages)) if (s.status === 'running') s.status = 'interrupted';
    await writeManifest(run, manifest);
  }
  const lock = join(run, '.lock');
  const holder = await readFile(lock, 'utf8').then((t) => (JSON.parse(t) as { pid?: number }).pid, () => undefined);
  if (holder === process.pid) await rm(lock, { force: true });
}

/**
 * Run the pipeline on its own thread so that Ctrl-C (SIGINT, or SIGTERM) is always heard, even while a stage is in a
 * long synchronous numeric loop: the first signal sets a shared flag that every stage checks at its progress ticks;
 * if the pipeline has not stopped within GRACE_MS (or on a second Ctrl-C) its thread — with its worker pools — is
 * terminated. Either way the folder is tidied (see `tidy`) and the error says how to resume.
 */
export async function runPipelineInterruptible(request: Omit<RunRequest, 'reporter' | 'cancel'>, reporter?: RunReporter): Promise<RunResult> {
  const cancel = cancelFlag();
  const worker = startWorker({ request, cancelBuffer: cancel.buffer });
  let stage: StageName | undefined;
  let signalled = false;
  let terminated = false;
  return new Promise<RunResult>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const stopped = async (): Promise<never> => {
      await tidy(request.run);
      throw new CancelledError(
        `interrupted${stage ? ` during the ${stage} stage` : ''}; finished stages are kept and nothing half-written was left in ${request.run}. ` +
          `Resume with: ${resumeCommand()}`,
      );
    };
    const hardStop = () => {
      if (terminated) return;
      terminated = true;
      void worker.terminate().then(stopped).then(resolve, reject);
    };
    const onSignal = () => {
      if (signalled) return hardStop();
      signalled = true;
      process.stderr.write('\ngetsei: stopping (Ctrl-C again to stop at once)…\n');
      cancel.cancel();
      timer = setTimeout(hardStop, GRACE_MS);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const done = () => {
      clearTimeout(timer);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    };
    worker.on('message', (m: PipelineMessage) => {
      if (terminated) return;
      if (m.kind === 'start') { stage = m.stage; reporter?.stageStart(m.stage, m.total, m.what); }
      else if (m.kind === 'tick') reporter?.stageTick(m.stage, m.done, m.total, m.note);
      else if (m.kind === 'end') reporter?.stageEnd(m.stage, m.status, m.seconds);
      else if (m.kind === 'result') { done(); resolve(m.result); }
      else if (m.cancelled) { done(); terminated = true; stopped().then(resolve, reject); }
      else { done(); reject(new GetseiError(m.message, { exitCode: m.exitCode })); }
    });
    worker.on('error', (err) => { done(); reject(err); });
    worker.on('exit', () => { done(); if (!terminated) setImmediate(() => reject(new Error('the pipeline thread exited without a result'))); });
  });
}
