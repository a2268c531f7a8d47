import { basename } from 'node:path';
import { InputError } from '../util/errors.ts';
import { fileHead, headLines } from './lines.ts';
import type { TrajectoryReader } from './types.ts';
import { xdatcarReader } from './xdatcar.ts';
import { extxyzReader } from './extxyz.ts';
import { lammpsDumpReader } from './lammps-dump.ts';
import { aseTrajReader } from './ase-traj.ts';
import { cp2kReader } from './cp2k.ts';
import { xtcReader } from './xtc.ts';
import { dcdReader } from './dcd.ts';
import { h5mdReader } from './h5md.ts';
import { netcdfReader } from './netcdf.ts';

/** Bytes handed to each binary reader's sniffBytes (HDF5 may put its signature at 512 after a user block). */
const MAGIC_BYTES = 1024;

/** Lines handed to each reader's sniff. */
const SNIFF_LINES = 12;

const readers: TrajectoryReader[] = [];

/** Add a format (or replace one of the same name). Later stages and plugins may register more. */
export function registerReader(reader: TrajectoryReader): void {
  const at = readers.findIndex((r) => r.name === reader.name);
  if (at >= 0) readers[at] = reader;
  else readers.push(reader);
}

/** Every registered format, in registration order. */
export function listReaders(): readonly TrajectoryReader[] {
  return readers;
}

/** Names for messages: "xdatcar, extxyz, lammps-dump". */
export function formatNames(): string {
  return readers.map((r) => r.name).join(', ');
}

function byName(name: string): TrajectoryReader | undefined {
  const key = name.trim().toLowerCase();
  return readers.find((r) => r.name === key || r.aliases.some((a) => a.toLowerCase() === key));
}

/** The reader a file name points to (extension after stripping .gz, or a known base name), if any. */
export function readerForPath(path: string): TrajectoryReader | undefined {
  let base = basename(path).toLowerCase();
  if (base.endsWith('.gz')) base = base.slice(0, -3);
  return (
    readers.find((r) => r.extensions.some((e) => base.endsWith(e))) ??
    readers.find((r) => r.fileNamePattern !== undefined && r.fileNamePattern.test(base))
  );
}

/**
 * The reader for a format name or alias, else for a file name (extension, then base-name pattern). Synchronous: it
 * does not look inside the file; `detectReader` does.
 */
export function getReader(nameOrPath: string): TrajectoryReader {
  const reader = byName(nameOrPath) ?? readerForPath(nameOrPath);
  if (reader === undefined) {
    throw new InputError(
      { file: nameOrPath },
      'not a known trajectory format or file name',
      `give --format with one of: ${formatNames()}`,
    );
  }
  return reader;
}

/**
 * The reader for one file: the --format override when given; else the one binary format whose magic bytes match;
 * else the one format whose sniff accepts the first lines; else the file name. The content decides before the name because names lie (a .xyz that is a LAMMPS dump).
 */
export async function detectReader(path: string, format?: string): Promise<TrajectoryReader> {
  if (format !== undefined) {
    const reader = byName(format);
    if (reader === undefined) {
      throw new InputError({ file: path }, `unknown format '${format}'`, `give --format with one of: ${formatNames()}`);
    }
    return reader;
  }
  const magic = await fileHead(path, MAGIC_BYTES);
  const byMagic = readers.filter((r) => r.sniffBytes?.(magic) === true);
  if (byMagic.length === 1) return byMagic[0];
  if (byMagic.length > 1) return readerForPath(path) ?? byMagic[0];
  const head = await headLines(path, SNIFF_LINES);
  if (head.length === 0 || head.every((l) => l.trim() === '')) {
    throw new InputError({ file: path }, 'the file is empty', 'give a trajectory file with at least one frame');
  }
  const sniffed = readers.filter((r) => r.sniff(head));
  if (sniffed.length === 1) return sniffed[0];
  const named = readerForPath(path);
  if (named !== undefined) return named;
  if (sniffed.length > 1) return sniffed[0];
  throw new InputError(
    { file: path, line: 1 },
    'cannot tell the trajectory format from the file name or its first lines',
    `give --format with one of: ${formatNames()}`,
  );
}

registerReader(xdatcarReader);
registerReader(extxyzReader);
registerReader(lammpsDumpReader);
registerReader(aseTrajReader);
registerReader(cp2kReader);
registerReader(xtcReader);
registerReader(dcdReader);
registerReader(h5mdReader);
registerReader(netcdfReader);
