import { Option, type Command, type OptionValues } from '@commander-js/extra-typings';
import { formatNames, type ReadOptions } from '../io/index.ts';
import { canonicalSymbol } from '../structure/index.ts';
import { GetseiError } from '../util/errors.ts';

/** The options every command that reads a trajectory shares (inspect, featurize, run). */

function wholeNumber(flag: string, min: number) {
  return (value: string): number => {
    const v = Number(value);
    if (value.trim() === '' || !Number.isInteger(v) || v < min) {
      throw new GetseiError(`${flag} must be a whole number ≥ ${min}, got "${value}"`);
    }
    return v;
  };
}

function picoseconds(value: string): number {
  const v = Number(value);
  if (value.trim() === '' || !Number.isFinite(v) || v <= 0) {
    throw new GetseiError(`--dt must be a positive number of picoseconds, got "${value}"`);
  }
  return v;
}

function nonNegativeAngstrom(value: string): number {
  const v = Number(value);
  if (value.trim() === '' || !Number.isFinite(v) || v < 0) {
    throw new GetseiError(`--min-distance must be a number of Å ≥ 0, got "${value}"`);
  }
  return v;
}

/** "1=Li,2=S" → { '1': 'Li', '2': 'S' }, with element symbols checked and canonicalised ("li" → "Li"). */
export function parseTypeMap(value: string): Record<string, string> {
  const map: Record<string, string> = {};
  for (const part of value.split(',')) {
    const m = /^\s*(\d+)\s*[=:]\s*([A-Za-z]+)\s*$/.exec(part);
    const symbol = m === null ? undefined : canonicalSymbol(m[2]);
    if (m === null || symbol === undefined) {
      throw new GetseiError(`--type-map: cannot read '${part.trim()}'; write TYPE=ELEMENT pairs separated by commas, e.g. --type-map 1=Li,2=S`);
    }
    if (map[m[1]] !== undefined && map[m[1]] !== symbol) {
      throw new GetseiError(`--type-map: type ${m[1]} is given twice (${map[m[1]]} and ${symbol})`);
    }
    map[m[1]] = symbol;
  }
  return map;
}

/**
 * Add --format, --start, --stop, --stride, --dt, --type-map and --independent to a command. The return type is
 * spelled out: letting TypeScript infer seven chained generic option types makes type-checking explode.
 */
export function addTrajectoryOptions<Args extends unknown[], Opts extends OptionValues, Global extends OptionValues>(
  cmd: Command<Args, Opts, Global>,
): Command<Args, Opts & TrajectoryCliOptions, Global> {
  (cmd as unknown as Command)
    .addOption(new Option('--format <name>', `trajectory format: ${formatNames()} (default: recognised from the file's first lines, then its name)`))
    .addOption(
      new Option('--start <frame>', 'first frame to read, 0-based (default 0); over several files it counts through them in order, or with --independent within each file')
        .argParser(wholeNumber('--start', 0)),
    )
    .addOption(new Option('--stop <frame>', 'read only frames before this one, 0-based and exclusive (default: to the end)').argParser(wholeNumber('--stop', 0)))
    .addOption(new Option('--stride <n>', 'read every n-th frame from --start (default 1)').argParser(wholeNumber('--stride', 1)))
    .addOption(
      new Option(
        '--dt <ps>',
        'time between frames as written in the files, in ps, before --stride (default: from the times the file stores — extended XYZ time/time_fs, ' +
          'LAMMPS ITEM: TIME with units; XDATCAR stores none). When given it overrides the file times',
      ).argParser(picoseconds),
    )
    .addOption(new Option('--type-map <map>', 'LAMMPS numeric atom types to elements, e.g. 1=Li,2=S,3=P (needed when the dump has no element column)').argParser(parseTypeMap))
    .addOption(new Option('--topology <file>', 'XTC/DCD (no elements stored): a file getsei reads (extended XYZ, LAMMPS dump, XDATCAR, .traj) whose first frame lists the same atoms in the same order'))
    .addOption(new Option('--species <list>', 'XTC/DCD: the elements in atom order with counts, e.g. Li:24,P:4,S:20,Cl:4 (instead of --topology)'))
    .addOption(new Option('--cell <file>', 'CP2K: the cell file (MOTION/PRINT/CELL) of a -pos-1.xyz trajectory (default: PROJECT-1.cell beside it)'))
    .addOption(
      new Option('--min-distance <angstrom>', 'refuse frames with two atoms closer than this, in Å (default 0.5; 0 turns the check off)').argParser(nonNegativeAngstrom),
    )
    .addOption(
      new Option('--independent', 'the files are independent trajectories, not consecutive segments of one run (default: consecutive); --start/--stop/--stride then apply to each file'),
    );
  return cmd as unknown as Command<Args, Opts & TrajectoryCliOptions, Global>;
}

/** The values addTrajectoryOptions parses, as commander hands them over. */
export interface TrajectoryCliOptions {
  format?: string;
  start?: number;
  stop?: number;
  stride?: number;
  dt?: number;
  typeMap?: Record<string, string>;
  independent?: boolean;
  cell?: string;
  topology?: string;
  species?: string;
  minDistance?: number;
}

/** Parsed command-line options → the io layer's ReadOptions (only the keys that were given). */
export function trajectoryOptionsFrom(opts: TrajectoryCliOptions): ReadOptions {
  const read: ReadOptions = {};
  if (opts.format !== undefined) read.format = opts.format;
  if (opts.start !== undefined) read.start = opts.start;
  if (opts.stop !== undefined) read.stop = opts.stop;
  if (opts.stride !== undefined) read.stride = opts.stride;
  if (opts.dt !== undefined) read.dtPs = opts.dt;
  if (opts.typeMap !== undefined) read.typeMap = opts.typeMap;
  if (opts.independent === true) read.independent = true;
  if (opts.cell !== undefined) read.cellFile = opts.cell;
  if (opts.topology !== undefined) read.topology = opts.topology;
  if (opts.species !== undefined) read.species = opts.species;
  if (opts.minDistance !== undefined) read.minDistanceAngstrom = opts.minDistance;
  return read;
}
