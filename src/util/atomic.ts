import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';

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
 * the new one, never half of it.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = temporaryName(path);
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}
