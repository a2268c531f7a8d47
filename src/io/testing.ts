/** Helpers shared by the io tests: temporary trajectory files and collecting frames. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readTrajectory } from './trajectory.ts';
import type { ReadOptions, TrajectoryFrame } from './types.ts';

/** A temporary folder and a function that writes files into it; call `remove` when done. */
export function scratch(): { dir: string; write: (name: string, text: string, gzip?: boolean) => string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'getsei-io-'));
  return {
    dir,
    write: (name, text, gzip = false) => {
      const path = join(dir, name);
      writeFileSync(path, gzip ? gzipSync(text) : text);
      return path;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export async function collect(files: readonly string[], options: ReadOptions = {}): Promise<TrajectoryFrame[]> {
  const out: TrajectoryFrame[] = [];
  for await (const frame of readTrajectory(files, options)) out.push(frame);
  return out;
}

/** Largest absolute difference between two equal-length arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
