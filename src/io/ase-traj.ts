/**
 * ASE trajectories (`.traj`, written by ase.io.Trajectory): the ULM container as ASE's ulm.py documents it.
 *
 *   0: "- of Ulm" (magic), 8: tag ("ASE-Trajectory", space padded to 16 bytes),
 *   24: version, 32: number of items, 40: byte offset of the item-offset table (int64 little endian),
 *   then per item (= frame) some 8-byte aligned arrays and, at the item's offset, an int64 length and that many
 *   bytes of JSON. In the JSON an array is a key ending in "." whose value is {"ndarray": [shape, dtype, offset]};
 *   a nested object (the calculator) is a key ending in "." holding a plain object.
 *
 * ASE writes `numbers` and `pbc` only in the first item unless they change (then every later item has its own),
 * `positions` and `cell` in every item, and `info` when the Atoms have one. Constraints, momenta and calculator
 * results are ignored. Items written on a big-endian machine say `"_little_endian": false`.
 * The file is read by seeking: frames that are skipped are never read, memory holds one frame.
 */
import type { Cell } from '../structure/index.ts';
import { InputError, type InputLocation } from '../util/errors.ts';
import { BinaryFile } from './binary-file.ts';
import { cellOrFail, sameBytes, sameMatrix, TIME_KEYS } from './common.ts';
import type { BinaryTrajectoryReader, InfoValue, RawFrame, ReaderContext } from './types.ts';

const MAGIC = '- of Ulm';
const TAG = 'ASE-Trajectory';
const HEADER_BYTES = 48;
/** ULM versions whose layout this reader knows (1: first, 2: big-endian flag, 3: magic "- of Ulm"); ASE writes 3. */
const MAX_VERSION = 3;

const CUT_HINT =
  'the file was cut off (e.g. copied while the run was writing it): copy it again, or read only the complete frames with --stop';
const WRITE_HINT = 'write the trajectory with ase.io.Trajectory (ASE ≥ 3.11), or convert it with `ase convert old.traj new.traj`';

/** A reference to an array stored in the file. */
interface ArrayRef {
  shape: number[];
  dtype: string;
  offset: number;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const DTYPE_BYTES: Readonly<Record<string, number>> = {
  float64: 8, float32: 4, int64: 8, int32: 4, int16: 2, int8: 1, uint64: 8, uint32: 4, uint16: 2, uint8: 1, bool: 1,
};

/** int64 little endian as a JS number (offsets and counts stay far below 2^53). */
function int64(buf: Buffer, at: number): number {
  return Number(buf.readBigInt64LE(at));
}

function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function arrayRef(v: Json | undefined, name: string, loc: InputLocation): ArrayRef {
  const spec = isObject(v) ? v.ndarray : undefined;
  if (!Array.isArray(spec) || spec.length !== 3 || !Array.isArray(spec[0]) || typeof spec[1] !== 'string' || typeof spec[2] !== 'number') {
    throw new InputError(loc, `the entry '${name}' is not an array reference`, WRITE_HINT);
  }
  const shape = spec[0].map(Number);
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0)) throw new InputError(loc, `the array '${name}' has shape [${shape.join(', ')}]`, WRITE_HINT);
  return { shape, dtype: spec[1], offset: spec[2] };
}

/**
 * Read a stored array as float64 numbers (any numeric dtype), honouring the item's byte order. The dtype may carry
 * numpy's byte-order prefix ('<f8' style names are not what ASE writes, but a name is all that is needed).
 */
async function readArray(file: BinaryFile, ref: ArrayRef, littleEndian: boolean, loc: InputLocation, name: string): Promise<Float64Array> {
  const bytesPer = DTYPE_BYTES[ref.dtype];
  if (bytesPer === undefined) throw new InputError(loc, `the array '${name}' has dtype ${ref.dtype}, which getsei does not read`, WRITE_HINT);
  const count = ref.shape.reduce((a, b) => a * b, 1);
  const buf = await file.bytes(ref.offset, count * bytesPer, loc, `the end of the array '${name}'`);
  if (ref.dtype === 'float64' && littleEndian) return new Float64Array(Uint8Array.prototype.slice.call(buf).buffer);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const out = new Float64Array(count);
  const le = littleEndian;
  for (let i = 0; i < count; i++) {
    const at = i * bytesPer;
    switch (ref.dtype) {
      case 'float64': out[i] = view.getFloat64(at, le); break;
      case 'float32': out[i] = view.getFloat32(at, le); break;
      case 'int64': out[i] = Number(view.getBigInt64(at, le)); break;
      case 'uint64': out[i] = Number(view.getBigUint64(at, le)); break;
      case 'int32': out[i] = view.getInt32(at, le); break;
      case 'uint32': out[i] = view.getUint32(at, le); break;
      case 'int16': out[i] = view.getInt16(at, le); break;
      case 'uint16': out[i] = view.getUint16(at, le); break;
      case 'int8': out[i] = view.getInt8(at); break;
      default: out[i] = view.getUint8(at); break; // uint8, bool
    }
  }
  return out;
}

/**
 * A value that ASE may store inline (a JSON list, or jsonio's {"__ndarray__": [shape, dtype, flat]}) or as an array
 * (key with a trailing "."): as flat numbers, or undefined when the item has neither.
 */
async function numbersOf(item: JsonObject, key: string, file: BinaryFile, le: boolean, loc: InputLocation): Promise<number[] | Float64Array | undefined> {
  if (`${key}.` in item) return readArray(file, arrayRef(item[`${key}.`], key, loc), le, loc, key);
  const v = item[key];
  if (v === undefined || v === null) return undefined;
  const inline = isObject(v) && Array.isArray(v.__ndarray__) ? v.__ndarray__[2] : v;
  const flat = Array.isArray(inline) ? (inline.flat(3) as Json[]) : [inline];
  return flat.map((x) => (typeof x === 'boolean' ? Number(x) : typeof x === 'number' ? x : NaN));
}

/** The header of a ULM file: version, items, where each item's JSON starts. */
async function readHeader(file: BinaryFile): Promise<number[]> {
  const loc = { file: file.path };
  if (await file.isGzip()) {
    throw new InputError(loc, 'this ASE trajectory is gzip-compressed; getsei reads .traj files by seeking to each frame', 'decompress it first (gunzip)');
  }
  const magic = (await file.bytes(0, Math.min(8, file.size), loc, 'the magic bytes')).toString('latin1');
  if (magic.length === 8 && magic !== MAGIC) {
    const old = magic === 'AFFormat' ? ' (the ULM format of ASE before 3.14)' : magic.startsWith('PickleTr') || magic.charCodeAt(0) === 0x80 ? ' (an old pickle trajectory)' : '';
    throw new InputError(loc, `not an ASE trajectory: the file starts with ${JSON.stringify(magic)}, not "${MAGIC}"${old}`, WRITE_HINT);
  }
  if (file.size < HEADER_BYTES) {
    throw new InputError(loc, `the file has ${file.size} bytes, fewer than the ${HEADER_BYTES} of an ASE trajectory header`, `${CUT_HINT}; ${WRITE_HINT}`);
  }
  const head = await file.bytes(0, HEADER_BYTES, loc, 'the header');
  const tag = head.toString('latin1', 8, 24).trim();
  if (tag !== TAG) {
    throw new InputError(loc, `this ULM file is tagged "${tag}", not "${TAG}" (it is not a trajectory, e.g. a GPAW file)`, 'give the .traj file of the MD run');
  }
  const version = int64(head, 24);
  if (version < 1 || version > MAX_VERSION) {
    throw new InputError(loc, `ULM version ${version} is not one getsei knows (1–${MAX_VERSION})`, 'convert it with the ASE that wrote it to extended XYZ (ase convert in.traj out.extxyz)');
  }
  const nItems = int64(head, 32);
  const table = int64(head, 40);
  if (nItems < 0) throw new InputError(loc, `the header gives ${nItems} frames`, CUT_HINT);
  const offsets = await file.bytes(table, 8 * nItems, loc, 'the table of frame offsets');
  return Array.from({ length: nItems }, (_, i) => int64(offsets, 8 * i));
}

/** One item's JSON and its byte order. */
async function readItem(file: BinaryFile, offset: number, loc: InputLocation): Promise<{ item: JsonObject; littleEndian: boolean }> {
  const size = int64(await file.bytes(offset, 8, loc, 'the start of this frame'), 0);
  const text = (await file.bytes(offset + 8, size, loc, 'the end of this frame')).toString('utf8');
  let item: Json;
  try {
    item = JSON.parse(text) as Json;
  } catch (err) {
    throw new InputError(loc, `the frame's data cannot be parsed (${(err as Error).message})`, `the file is damaged: ${CUT_HINT}`);
  }
  if (!isObject(item)) throw new InputError(loc, "the frame's data is not an object", WRITE_HINT);
  return { item, littleEndian: item._little_endian !== false };
}

/** What ASE writes once in the first item (and again in every item when it changes). */
interface Header {
  species: Uint8Array;
  pbc: [boolean, boolean, boolean];
}

async function headerOf(item: JsonObject, file: BinaryFile, le: boolean, loc: InputLocation): Promise<Header> {
  const numbers = await numbersOf(item, 'numbers', file, le, loc);
  if (numbers === undefined) throw new InputError(loc, 'the frame has no atomic numbers', WRITE_HINT);
  const species = new Uint8Array(numbers.length);
  for (let i = 0; i < numbers.length; i++) {
    const z = numbers[i];
    if (!Number.isInteger(z) || z < 1 || z > 118) throw new InputError(loc, `atom ${i} has atomic number ${z}, which is no element`, 'fix the numbers of the Atoms that were written');
    species[i] = z;
  }
  const flags = await numbersOf(item, 'pbc', file, le, loc);
  const pbc = (flags === undefined ? [1, 1, 1] : Array.from(flags)).map((f) => f !== 0) as [boolean, boolean, boolean];
  if (pbc.length !== 3) throw new InputError(loc, `pbc has ${pbc.length} flags, not 3`, WRITE_HINT);
  return { species, pbc };
}

/** Scalar entries of atoms.info; times (`time`, `time_fs`, … as in extended XYZ) become timePs. */
function infoOf(item: JsonObject, loc: InputLocation): { info?: Record<string, InfoValue>; timePs?: number } {
  const raw = item.info;
  if (!isObject(raw)) return {};
  const info: Record<string, InfoValue> = {};
  let timePs: number | undefined;
  for (const [key, v] of Object.entries(raw)) {
    if (typeof v !== 'number' && typeof v !== 'string' && typeof v !== 'boolean') continue;
    info[key] = v;
    const factor = TIME_KEYS[key];
    if (factor !== undefined) {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new InputError(loc, `info['${key}'] = ${JSON.stringify(v)} is not a number`, 'fix the time stored in atoms.info');
      timePs = v * factor;
    }
  }
  return { info, timePs };
}

async function* readAseTraj(path: string, ctx: ReaderContext): AsyncGenerator<RawFrame> {
  const file = await BinaryFile.open(path, CUT_HINT);
  try {
    const offsets = await readHeader(file);
    let first: Header | undefined;
    let previous: Header | undefined;
    let cell: Cell | undefined;
    for (let index = 0; index < offsets.length; index++) {
      const plan = ctx.plan(index);
      if (plan === 'stop') break;
      if (plan === 'skip') continue;
      const loc = { file: ctx.file, frame: index };
      const { item, littleEndian } = await readItem(file, offsets[index], loc);
      let header: Header;
      if ('numbers.' in item || 'numbers' in item) {
        header = await headerOf(item, file, littleEndian, loc);
        if (previous !== undefined && sameBytes(previous.species, header.species) && previous.pbc.every((p, k) => p === header.pbc[k])) header = previous;
      } else {
        if (first === undefined) {
          const floc = { file: ctx.file, frame: 0 };
          const head = await readItem(file, offsets[0], floc);
          first = await headerOf(head.item, file, head.littleEndian, floc);
        }
        header = first;
      }
      if (index === 0) first = header;
      previous = header;
      const n = header.species.length;

      const positions = await numbersOf(item, 'positions', file, littleEndian, loc);
      if (positions === undefined) throw new InputError(loc, 'the frame has no positions', WRITE_HINT);
      if (positions.length !== 3 * n) {
        throw new InputError(loc, `the frame has ${positions.length / 3} positions but ${n} atomic numbers`, `the file is damaged: ${CUT_HINT}`);
      }
      const xyz = positions instanceof Float64Array ? positions : Float64Array.from(positions);
      for (let i = 0; i < xyz.length; i++) {
        if (!Number.isFinite(xyz[i])) throw new InputError(loc, `atom ${Math.floor(i / 3)} has a non-finite coordinate (${xyz[i]})`, 'fix or remove this frame');
      }
      const m = await numbersOf(item, 'cell', file, littleEndian, loc);
      if (m === undefined || m.length !== 9) throw new InputError(loc, `the frame has no 3×3 cell${m === undefined ? '' : ` (${m.length} numbers)`}`, WRITE_HINT);
      if (!(sameMatrix(cell, m) && cell?.pbc === header.pbc)) {
        cell = cellOrFail(m, header.pbc, loc, 'getsei needs a cell: set atoms.cell (and pbc) before writing the trajectory');
      }
      const { info, timePs } = infoOf(item, loc);
      yield { index, species: header.species, positions: xyz, cell: cell as Cell, timePs, info };
    }
  } finally {
    await file.close();
  }
}

export const aseTrajReader: BinaryTrajectoryReader = {
  name: 'ase-traj',
  aliases: ['traj', 'ase', 'ulm'],
  extensions: ['.traj'],
  description: 'ASE trajectory (.traj, ULM binary: positions, numbers, cell, pbc, info)',
  sniff: (head) => head.length > 0 && head[0].startsWith(MAGIC) && head[0].slice(8, 24).trim() === TAG,
  readFile: readAseTraj,
};
