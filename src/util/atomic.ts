import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { outputWriteError } from './errors.ts';
import { assertFiniteOutput } from './finite.ts';

/** A sibling temporary name, so that rename() stays on one file system; it carries the writer's pid. */
export function temporaryName(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
}

const TEMPORARY = /^\..+\.tmp-(\d+)-[0-9a-f]{8}$/;

/** The pid of the process that was writing this temporary file (a name from `temporaryName`), else undefined. */
export function temporaryWriter(name: string): number | undefined {
  const m = TEMPORARY.exec(name);
  return m === null ? undefined : Number(m[1]);
}

/**
 * Write a file atomically: write to a temporary sibling, then rename. A crash leaves either the old file or
 * the new one, never half of it. A read-only folder or a full disk is one clear error naming the path (outputWriteError).
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await makeOutputFolder(dirname(path));
  const tmp = temporaryName(path);
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw outputWriteError(err, path) ?? err;
  }
}

/** mkdir -p, with a read-only folder or a full disk reported as one clear line. */
export async function makeOutputFolder(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw outputWriteError(await trueMkdirError(dir, err), dir) ?? err;
  }
}

/**
 * A recursive mkdir on a read-only file system reports ENOENT (libuv walks up and retries); the plain mkdir of the
 * first missing folder below the deepest existing one says what is really wrong (EROFS, EACCES, ENOSPC).
 */
async function trueMkdirError(dir: string, err: unknown): Promise<unknown> {
  if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return err;
  let missing = dir;
  while (dirname(missing) !== missing && !existsSync(dirname(missing))) missing = dirname(missing);
  try {
    await mkdir(missing);
    await rm(missing, { recursive: true, force: true });
    return err;
  } catch (plain) {
    return plain;
  }
}

/** JSON written atomically; a NaN or infinity anywhere in `value` is an error naming the file and field (finite.ts). */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  assertFiniteOutput(path, value);
  await writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}
