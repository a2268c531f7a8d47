import { hostname } from 'node:os';
import { open, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { makeOutputFolder, temporaryWriter } from '../util/atomic.ts';
import { GetseiError, outputWriteError } from '../util/errors.ts';

/** What RUN/.lock holds: who is running in the folder. */
interface LockInfo {
  pid: number;
  host: string;
  startedAt: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

/**
 * Take RUN/.lock (created exclusively) so two getsei processes never write one run folder at once; returns the
 * release function. A lock left by a process that no longer exists on this host (killed, crashed) is stale and
 * taken over; a lock from another host is honoured, since its pid cannot be checked from here.
 */
export async function acquireRunLock(run: string): Promise<() => Promise<void>> {
  await makeOutputFolder(run);
  const path = join(run, '.lock');
  const mine: LockInfo = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await open(path, 'wx');
      try {
        await fh.writeFile(JSON.stringify(mine) + '\n');
      } finally {
        await fh.close();
      }
      await removeStaleTemporaries(run);
      return async () => { await rm(path, { force: true }); };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        await rm(path, { force: true }).catch(() => undefined);
        throw outputWriteError(err, path) ?? err;
      }
    }
    let held: Partial<LockInfo> = {};
    try {
      held = JSON.parse(await readFile(path, 'utf8')) as Partial<LockInfo>;
    } catch {
      // empty or half-written: its writer died between creating and writing it
    }
    const sameHost = held.host === undefined || held.host === mine.host;
    if (sameHost && (typeof held.pid !== 'number' || !alive(held.pid))) {
      await rm(path, { force: true }); // stale: its process is gone
      continue;
    }
    throw new GetseiError(
      `${run} is in use by another getsei (pid ${held.pid} on ${held.host}, since ${held.startedAt}): two runs writing one folder would corrupt it. ` +
        `Wait for that run to finish or choose another --out; if no getsei is running there, delete ${path}`,
    );
  }
  throw new GetseiError(`${run}: could not take ${path} (another getsei keeps recreating it); choose another --out`);
}

/**
 * What a killed getsei left half-written in RUN, removed once the lock is ours: temporary files of atomic writes
 * whose writer is gone, and the frame store's `frames.partial` (only featurize writes it, under the lock). Final
 * names are never touched: they always hold a whole file (the old one or the new one). `includeOwn`: this process's
 * own temporaries too (after its pipeline thread was stopped).
 */
export async function removeStaleTemporaries(run: string, options: { includeOwn?: boolean } = {}): Promise<string[]> {
  const removed: string[] = [];
  const visit = async (dir: string, top: boolean): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const writer = temporaryWriter(entry.name);
      const stale = writer !== undefined && (writer === process.pid ? options.includeOwn === true : !alive(writer));
      if (stale || (top && entry.isDirectory() && entry.name.endsWith('.partial'))) {
        await rm(path, { recursive: true, force: true });
        removed.push(path);
      } else if (entry.isDirectory() && !(top && entry.name === 'frames')) {
        await visit(path, false); // the finished frame store was written inside frames.partial: nothing to sweep there
      }
    }
  };
  await visit(run, true);
  return removed;
}
