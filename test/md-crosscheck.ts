/**
 * Test helper: trajectories written by real MD tools (test/python/md_write.py: MDAnalysis, mdtraj) and what
 * MDAnalysis reads back from them, for the binary readers' cross-checks.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { DEBIAN_PYTHON } from './helpers.ts';

const SCRIPT = new URL('./python/md_write.py', import.meta.url).pathname;

export interface ReferenceFrame {
  positions: number[];
  /** rows a, b, c (Å) */
  box: number[];
  time: number;
}

export type MdFormat = 'xtc' | 'xtc-mdtraj' | 'dcd' | 'dcd-mdtraj' | 'h5md' | 'ncdf';

export interface MdJob {
  format: MdFormat;
  path: string;
  atoms: number;
  frames: number;
  options?: Record<string, unknown>;
}

/** Write each job's trajectory (one Python start for all); returns per job the frames as MDAnalysis reads them. */
export function writeWithMdTools(jobs: readonly MdJob[]): ReferenceFrame[][] {
  const r = spawnSync(DEBIAN_PYTHON, ['-W', 'ignore', SCRIPT, JSON.stringify(jobs)], { encoding: 'utf8', maxBuffer: 1 << 28 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as ReferenceFrame[][];
}
