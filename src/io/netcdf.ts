/**
 * AMBER NetCDF trajectories (the AMBER convention; written by AMBER, MDAnalysis, mdtraj, LAMMPS `dump netcdf`,
 * ASE) in NetCDF-3, classic or 64-bit offset. The header is parsed with netcdfjs; the frames are then read one
 * record at a time from their byte offsets (netcdfjs itself reads whole variables from a buffer of the whole file,
 * which would hold every frame in memory).
 *
 *   coordinates (frame, atom, spatial) float, `units` "angstrom" (or nm), optional `scale_factor`
 *   cell_lengths (frame, cell_spatial) double Å, cell_angles (frame, cell_angular) double degrees
 *   time (frame) float, `units` "picosecond"; LAMMPS adds atom_types (frame, atom) int
 *
 * In a NetCDF-3 file record r of a record variable starts at the variable's begin + r × (bytes of one record of all
 * record variables), big-endian. The record count in the header is not trusted when the file is shorter (cut while
 * written); a header that says "streaming" (0xFFFFFFFF) counts the records from the file size.
 * netCDF-4 files are HDF5 inside and are not read: convert with `ncks -3` or through MDAnalysis.
 */
import { NetCDFReader } from 'netcdfjs';
import type { Cell } from '../structure/index.ts';
import { InputError, type InputLocation } from '../util/errors.ts';
import { BinaryFile } from './binary-file.ts';
import { cellOrFail, elementOrFail, matrixFromLengthsAngles, PositionSlabs, sameMatrix } from './common.ts';
import type { BinaryTrajectoryReader, RawFrame, ReaderContext } from './types.ts';

const CUT_HINT = 'the file was cut off (e.g. copied while the run was writing it): copy it again, or read only the complete frames with --stop';
const WRITE_HINT = 'write an AMBER NetCDF trajectory (AMBER, MDAnalysis, mdtraj, LAMMPS dump netcdf), or convert the file to extended XYZ with MDAnalysis';
const LENGTH_TO_ANGSTROM: Readonly<Record<string, number>> = { angstrom: 1, angstroms: 1, 'å': 1, nanometer: 10, nanometers: 10, nm: 10 };
const TIME_TO_PS: Readonly<Record<string, number>> = { picosecond: 1, picoseconds: 1, ps: 1, femtosecond: 1e-3, femtoseconds: 1e-3, fs: 1e-3, nanosecond: 1e3, nanoseconds: 1e3, ns: 1e3 };
const littleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const TYPE_BYTES: Readonly<Record<string, number>> = { byte: 1, char: 1, short: 2, int: 4, float: 4, double: 8 };

interface NcVariable {
  name: string;
  dimensions: number[];
  attributes: { name: string; value: unknown }[];
  type: string;
  size: number;
  offset: number;
  record: boolean;
}

function attr(v: NcVariable, name: string): unknown {
  return v.attributes.find((a) => a.name === name)?.value;
}

/** Read `count` values of `type` (big-endian) at `at` of buf; a DataView per type loop, several times faster than Buffer's readers. */
function decode(buf: Buffer, at: number, type: string, count: number, out: Float64Array, scale: number): void {
  decodeView(new DataView(buf.buffer, buf.byteOffset, buf.byteLength), at, type, count, out, scale);
}

/** byte-swapped copy of a record's floats (its own ArrayBuffer, so a Float32Array over it is aligned) */
let swapped = Buffer.from(new ArrayBuffer(0));

function decodeView(view: DataView, at: number, type: string, count: number, out: Float64Array, scale: number): void {
  if (type === 'float' && count >= 64) {
    // many floats: copy, swap to little-endian and widen natively (about twice as fast as a DataView loop)
    const bytes = 4 * count;
    if (swapped.length < bytes) swapped = Buffer.from(new ArrayBuffer(bytes));
    const part = swapped.subarray(0, bytes);
    part.set(new Uint8Array(view.buffer, view.byteOffset + at, bytes));
    if (littleEndianHost) part.swap32();
    out.set(new Float32Array(part.buffer, part.byteOffset, count));
    if (scale !== 1) for (let i = 0; i < count; i++) out[i] *= scale;
    return;
  }
  switch (type) {
    case 'float': for (let i = 0; i < count; i++) out[i] = view.getFloat32(at + 4 * i) * scale; break;
    case 'double': for (let i = 0; i < count; i++) out[i] = view.getFloat64(at + 8 * i) * scale; break;
    case 'int': for (let i = 0; i < count; i++) out[i] = view.getInt32(at + 4 * i) * scale; break;
    case 'short': for (let i = 0; i < count; i++) out[i] = view.getInt16(at + 2 * i) * scale; break;
    default: for (let i = 0; i < count; i++) out[i] = view.getInt8(at + i) * scale; break;
  }
}

async function parseHeader(file: BinaryFile, loc: InputLocation): Promise<NetCDFReader> {
  const magic = (await file.bytes(0, Math.min(4, file.size), loc, 'the magic bytes')).toString('latin1');
  if (magic.startsWith('\x89HDF')) throw new InputError(loc, 'this is a netCDF-4 (HDF5) file; getsei reads the NetCDF-3 files of the AMBER convention', 'convert it with `ncks -3 in.nc out.nc`, or write it with MDAnalysis (NetCDF-3, 64-bit offset)');
  if (magic !== 'CDF\x01' && magic !== 'CDF\x02') {
    throw new InputError(loc, `not a NetCDF-3 file: it starts with ${JSON.stringify(magic)}, not "CDF\\x01"/"CDF\\x02"${magic === 'CDF\x05' ? ' (CDF-5, 64-bit data, is not read)' : ''}`, WRITE_HINT);
  }
  // the header is small; read more of the file only when it is longer than a guess
  for (let bytes = 1 << 16; ; bytes *= 4) {
    const head = Buffer.from(await file.bytes(0, Math.min(bytes, file.size), loc, 'the header'));
    try {
      return new NetCDFReader(head);
    } catch (err) {
      if (bytes >= file.size) throw new InputError(loc, `the NetCDF header cannot be read (${(err as Error).message})`, CUT_HINT);
    }
  }
}

async function* readNetcdf(path: string, ctx: ReaderContext): AsyncGenerator<RawFrame> {
  const file = await BinaryFile.open(path, CUT_HINT);
  const loc0 = { file: ctx.file };
  try {
    const nc = await parseHeader(file, loc0);
    const vars = nc.variables as unknown as NcVariable[];
    const byName = (name: string): NcVariable | undefined => vars.find((v) => v.name === name);
    const coords = byName('coordinates');
    if (coords === undefined || !coords.record || coords.dimensions.length !== 3) {
      throw new InputError(loc0, `no coordinates (frame, atom, spatial) variable (variables: ${vars.map((v) => v.name).join(', ')})`, WRITE_HINT);
    }
    const n = nc.dimensions[coords.dimensions[1]].size;
    const lengthUnit = String(attr(coords, 'units') ?? 'angstrom').toLowerCase();
    const lengthFactor = LENGTH_TO_ANGSTROM[lengthUnit];
    if (lengthFactor === undefined) throw new InputError(loc0, `the coordinates are in '${lengthUnit}', which getsei does not know`, WRITE_HINT);
    const scaleOf = (v: NcVariable): number => (typeof attr(v, 'scale_factor') === 'number' ? (attr(v, 'scale_factor') as number) : 1);
    const lengths = byName('cell_lengths');
    const angles = byName('cell_angles');
    if (lengths === undefined || angles === undefined || !lengths.record || !angles.record) {
      throw new InputError(loc0, 'the file stores no cell_lengths/cell_angles per frame (a non-periodic run)', 'getsei needs the periodic cell: write the trajectory of a periodic run');
    }
    const time = byName('time');
    const timeFactor = time === undefined ? 1 : (TIME_TO_PS[String(attr(time, 'units') ?? 'picosecond').toLowerCase()] ?? 1);

    const recsize = nc.recordDimension.recordStep ?? 0;
    const firstRecord = Math.min(...vars.filter((v) => v.record).map((v) => v.offset));
    const numrecs = nc.recordDimension.length;
    const fitting = recsize > 0 ? Math.floor((file.size - firstRecord) / recsize) : 0;
    const streaming = numrecs === 0xffffffff || numrecs < 0;
    const frames = streaming ? fitting : numrecs;

    const species = await speciesOf(ctx, n, byName('atom_types'), file, loc0);
    const cellBuf = new Float64Array(6), lastCell = new Float64Array(6);
    const cellLengths = cellBuf.subarray(0, 3), cellAngles = cellBuf.subarray(3, 6);
    const one = new Float64Array(1);
    const coordScale = scaleOf(coords) * lengthFactor, lengthsScale = scaleOf(lengths), anglesScale = scaleOf(angles);
    const timeRecord = time !== undefined && time.record;
    const timeScale = time === undefined ? 1 : scaleOf(time) * timeFactor;
    let cell: Cell | undefined;
    const slabs = new PositionSlabs(3 * n);
    for (let index = 0; index < frames; index++) {
      const plan = ctx.plan(index);
      if (plan === 'stop') break;
      if (plan === 'skip') continue;
      const loc = { file: ctx.file, frame: index };
      const base = firstRecord + index * recsize;
      if (base + recsize > file.size) {
        throw new InputError(loc, `the file ends inside this frame (the header gives ${numrecs} frames of ${recsize} bytes from byte ${firstRecord}; the file has ${file.size} bytes)`, CUT_HINT);
      }
      const rec = file.peek(base, recsize) ?? await file.bytes(base, recsize, loc, 'the end of this frame');
      const view = new DataView(rec.buffer, rec.byteOffset, rec.byteLength);
      const positions = slabs.next();
      decodeView(view, coords.offset - firstRecord, coords.type, 3 * n, positions, coordScale);
      decodeView(view, lengths.offset - firstRecord, lengths.type, 3, cellLengths, lengthsScale);
      decodeView(view, angles.offset - firstRecord, angles.type, 3, cellAngles, anglesScale);
      // the cell is rebuilt only when its six numbers change (a constant-volume run: never after the first frame)
      if (cell === undefined || !sameNumbers(cellBuf, lastCell)) {
        const m = matrixFromLengthsAngles(cellBuf[0], cellBuf[1], cellBuf[2], cellBuf[3], cellBuf[4], cellBuf[5]);
        if (!sameMatrix(cell, m)) cell = cellOrFail(m, [true, true, true], loc, `cell lengths/angles ${[...cellBuf].join(' ')}: ${WRITE_HINT}`);
        lastCell.set(cellBuf);
      }
      let timePs: number | undefined;
      if (timeRecord) {
        decodeView(view, time.offset - firstRecord, time.type, 1, one, timeScale);
        timePs = one[0];
      }
      yield { index, species, positions, cell: cell as Cell, timePs };
    }
  } finally {
    await file.close();
  }
}

function sameNumbers(a: Float64Array, b: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** --topology/--species, else LAMMPS' atom_types of the first frame through --type-map. */
async function speciesOf(ctx: ReaderContext, n: number, types: NcVariable | undefined, file: BinaryFile, loc: InputLocation): Promise<Uint8Array> {
  const given = ctx.givenSpecies;
  if (given !== undefined) {
    if (given.species.length !== n) throw new InputError(loc, `the file has ${n} atoms but ${given.source} gives ${given.species.length}`, 'give the elements of the atoms of this trajectory, in their order');
    return given.species;
  }
  const hint = 'AMBER NetCDF stores no elements: give them with --topology FILE or --species Li:24,… (LAMMPS files with atom_types: --type-map 1=Li,2=S,…)';
  if (types === undefined) throw new InputError(loc, 'no elements given', hint);
  const values = new Float64Array(n);
  const bytes = await file.bytes(types.offset, n * (TYPE_BYTES[types.type] ?? 4), loc, 'the atom types');
  decode(Buffer.from(bytes), 0, types.type, n, values, 1);
  const present = [...new Set(values)].sort((a, b) => a - b);
  const missing = present.filter((v) => ctx.typeMap?.[String(v)] === undefined);
  if (missing.length > 0) throw new InputError(loc, `atom type${missing.length > 1 ? 's' : ''} ${missing.join(', ')} ${missing.length > 1 ? 'have' : 'has'} no element (types in the file: ${present.join(', ')})`, hint);
  const z = new Map(present.map((v) => [v, elementOrFail((ctx.typeMap as Record<string, string>)[String(v)], loc, hint)]));
  return Uint8Array.from(values, (v) => z.get(v) as number);
}

export const netcdfReader: BinaryTrajectoryReader = {
  name: 'amber-netcdf',
  aliases: ['netcdf', 'ncdf', 'nc'],
  extensions: ['.nc', '.ncdf', '.netcdf'],
  description: 'AMBER NetCDF (NetCDF-3 classic/64-bit offset: coordinates, cell lengths/angles, time; LAMMPS dump netcdf)',
  sniff: () => false,
  sniffBytes: (head) => head.length >= 4 && head[0] === 0x43 && head[1] === 0x44 && head[2] === 0x46 && (head[3] === 1 || head[3] === 2),
  readFile: readNetcdf,
};
