import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { GetseiError } from '../util/errors.ts';
import { writeJsonAtomic } from '../util/atomic.ts';
import type { WrittenRunFile } from '../schema/index.ts';
import { packageVersion } from '../util/version.ts';

/** What `RUN/manifest.json` records for one stage: enough to decide whether it is up to date. */
export interface StageRecord {
  /** 'running' after a kill; 'interrupted' after Ctrl-C; anything but 'done' reruns */
  status: 'done' | 'running' | 'failed' | 'interrupted';
  /** hash of the stage's inputs (upstream artifacts or input files) and of its config */
  inputHash: string;
  configHash: string;
  startedAt: string;
  finishedAt?: string;
  seconds?: number;
  seed?: number;
  error?: string;
  /** the getsei command line that ran it (provenance only; not part of any hash) */
  command?: string;
}

export interface InputFile {
  path: string;
  bytes: number;
  sha256: string;
}

export interface Manifest {
  format: 'getsei-run/1';
  getsei: string;
  node: string;
  created: string;
  updated: string;
  inputs: InputFile[];
  /** time between stored frames (ps), when known */
  dtPs: number | null;
  nFrames?: number;
  nLi?: number;
  /** resolved configuration of every stage that ran */
  config: Record<string, unknown>;
  stages: Record<string, StageRecord>;
}

export function manifestPath(run: string): string {
  return join(run, 'manifest.json');
}

export async function readManifest(run: string): Promise<Manifest | undefined> {
  try {
    return JSON.parse(await readFile(manifestPath(run), 'utf8')) as Manifest;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export function newManifest(): Manifest {
  const now = new Date().toISOString();
  return {
    format: 'getsei-run/1', getsei: packageVersion(), node: process.version, created: now, updated: now,
    inputs: [], dtPs: null, config: {}, stages: {},
  };
}

export async function writeManifest(run: string, manifest: Manifest): Promise<void> {
  manifest.updated = new Date().toISOString();
  await writeJsonAtomic(manifestPath(run), manifest satisfies WrittenRunFile<'manifest.json'>);
}

/** Stable hash of any JSON value (object keys sorted). */
export function hashJson(value: unknown): string {
  return createHash('sha256').update(stableStringify(value)).digest('hex').slice(0, 16);
}

function stableStringify(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().filter((k) => o[k] !== undefined).map((k) => `${JSON.stringify(k)}:${stableStringify(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** Path, size and SHA-256 of an input file, streamed. */
export async function describeInput(path: string): Promise<InputFile> {
  const abs = resolve(path);
  let size: number;
  try {
    const info = await stat(abs);
    if (info.isDirectory()) throw new GetseiError(`${path}: is a folder, not a trajectory file; give the files in it (e.g. ${join(path, '*.xyz')})`);
    size = info.size;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new GetseiError(`${path}: no such file; check the path (trajectory files: XDATCAR, .xyz, LAMMPS dump, .gz)`);
    if (code === 'EACCES') throw new GetseiError(`${path}: permission denied; make the file readable`);
    throw err;
  }
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(abs)) hash.update(chunk as Buffer);
  return { path: abs, bytes: size, sha256: hash.digest('hex') };
}
