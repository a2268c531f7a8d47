/**
 * H5MD trajectories (HDF5; LAMMPS `dump h5md`, MDAnalysis' H5MDWriter, pyh5md) read through h5wasm (HDF5 compiled to
 * WebAssembly; it reads the file from disk, one slice at a time). H5MD 1.1, /particles/GROUP:
 *
 *   position/{step, time, value [frames, atoms, 3]} (value has a `unit` attribute: "nm", "Angstrom", …)
 *   box (attributes dimension = 3, boundary = "periodic" | "none" per axis); box/edges: a fixed dataset ([3]: an
 *       orthogonal box, [3, 3]: box vectors as rows) or a time-dependent group {step, time, value [frames, 3(, 3)]}
 *   species: integers per atom, fixed [atoms] or time-dependent {value [frames, atoms]} (LAMMPS: the atom types)
 *
 * `step` and `time` are per-frame datasets, or scalars for a fixed interval (value i = offset + i · interval, with the
 * `offset` attribute when present). A box sampled at other steps than the positions is matched by step: a frame takes
 * the last box whose step is ≤ its own. The first particles group with a position is read.
 * Elements: --topology/--species when given, else the species integers mapped with --type-map.
 */
import type { Cell } from '../structure/index.ts';
import { InputError, type InputLocation } from '../util/errors.ts';
import { cellOrFail, elementOrFail, sameMatrix } from './common.ts';
import { fileHead, isGzipFile } from './lines.ts';
import type { BinaryTrajectoryReader, RawFrame, ReaderContext } from './types.ts';

type H5wasm = typeof import('h5wasm/node').default;
type H5Dataset = InstanceType<H5wasm['Dataset']>;
type H5Group = InstanceType<H5wasm['Group']>;
type H5File = InstanceType<H5wasm['File']>;

/**
 * h5wasm, loaded on first use: its WebAssembly module takes ~0.5 s and ~500 MiB of address space to start, which
 * reading any other format should not pay.
 */
let library: H5wasm | undefined;
async function h5(): Promise<H5wasm> {
  if (library === undefined) {
    const lib = (await import('h5wasm/node')).default;
    const module = await lib.ready;
    // HDF5 errors become exceptions (caught and named per frame) instead of diagnostics printed on stderr
    module.activate_throwing_error_handler();
    library = lib;
  }
  return library;
}

const WRITE_HINT = 'write the trajectory with LAMMPS `dump h5md`, MDAnalysis or pyh5md, or convert it to extended XYZ with MDAnalysis';
/** Bytes of positions read at once (frames per slice = this / bytes per frame, at least 1). */
const SLICE_BYTES = 4 << 20;

const LENGTH_TO_ANGSTROM: Readonly<Record<string, number>> = { nm: 10, nanometer: 10, angstrom: 1, 'å': 1, a: 1, pm: 0.01, bohr: 0.529177210903 };
const TIME_TO_PS: Readonly<Record<string, number>> = { ps: 1, picosecond: 1, fs: 1e-3, femtosecond: 1e-3, ns: 1e3, nanosecond: 1e3, as: 1e-6 };

function isDataset(e: unknown): e is H5Dataset {
  return library !== undefined && e instanceof library.Dataset;
}
function isGroup(e: unknown): e is H5Group {
  return library !== undefined && e instanceof library.Group;
}

function attribute(obj: H5Dataset | H5Group, name: string): unknown {
  const a = obj.attrs[name] as { value: unknown } | undefined;
  return a?.value;
}

function numbers(v: unknown): number[] {
  if (typeof v === 'number' || typeof v === 'bigint') return [Number(v)];
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number | bigint>, Number);
  if (Array.isArray(v)) return v.flat(3).map(Number);
  return [];
}

function unitFactor(obj: H5Dataset, table: Readonly<Record<string, number>>, what: string, loc: InputLocation): number | undefined {
  const unit = attribute(obj, 'unit');
  if (unit === undefined || unit === null) return undefined;
  const key = String(unit).trim().toLowerCase();
  const f = table[key];
  if (f === undefined) throw new InputError(loc, `the ${what} unit '${String(unit)}' is not one getsei knows (${Object.keys(table).join(', ')})`, WRITE_HINT);
  return f;
}

/** Per-frame values of a step/time dataset: a [frames] array, or a scalar interval (with an optional offset). */
function series(ds: H5Dataset | undefined, frames: number): ((i: number) => number) | undefined {
  if (ds === undefined) return undefined;
  const shape = ds.shape ?? [];
  const values = numbers(ds.value);
  if (shape.length === 0) {
    const offset = numbers(attribute(ds, 'offset'))[0] ?? 0;
    return (i) => offset + i * values[0];
  }
  if (values.length < frames) return undefined;
  return (i) => values[i];
}

/** A time-dependent element: its value dataset and per-frame step and time, or a fixed dataset. */
interface Element {
  value: H5Dataset;
  frames?: number;
  step?: (i: number) => number;
  time?: (i: number) => number;
}

function elementOf(e: unknown, name: string, loc: InputLocation): Element | undefined {
  if (e === null || e === undefined) return undefined;
  if (isDataset(e)) return { value: e };
  if (!isGroup(e)) throw new InputError(loc, `'${name}' is neither a dataset nor a group`, WRITE_HINT);
  const value = e.get('value');
  if (!isDataset(value)) throw new InputError(loc, `'${name}' has no 'value' dataset`, WRITE_HINT);
  const frames = (value.shape ?? [0])[0];
  const stepDs = e.get('step');
  const timeDs = e.get('time');
  return { value, frames, step: series(isDataset(stepDs) ? stepDs : undefined, frames), time: series(isDataset(timeDs) ? timeDs : undefined, frames) };
}

/** The innermost cause of an HDF5 error stack ("truncated file: eof = …"), not its twenty lines of call sites. */
function hdf5Message(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const causes = [...text.matchAll(/#\d+: .* in [\w.]+\(\): (.*)$/gm)].map((m) => m[1].trim());
  return causes.length > 0 ? causes[causes.length - 1] : text.split('\n')[0];
}

function openH5(lib: H5wasm, path: string, loc: InputLocation): H5File {
  let file: H5File;
  try {
    file = new lib.File(path, 'r');
  } catch (err) {
    throw new InputError(loc, `cannot be opened as HDF5 (${hdf5Message(err)})`, 'check that the file is a complete H5MD file; a file cut while it was written cannot be opened');
  }
  // h5wasm reports an unreadable file by a file id of 0 rather than by throwing
  if ((file as unknown as { file_id: bigint }).file_id === 0n) throw new InputError(loc, 'cannot be opened as HDF5', 'check that the file is a complete, uncut H5MD file');
  return file;
}

/** Where the HDF5 signature may sit: offset 0, or after a user block of 512 · 2^k bytes. */
const SIGNATURE = '\x89HDF\r\n\x1a\n';
async function hasHdf5Signature(path: string): Promise<boolean> {
  const head = await fileHead(path, 4096);
  return [0, 512, 1024, 2048].some((at) => head.length >= at + 8 && head.toString('latin1', at, at + 8) === SIGNATURE);
}

async function* readH5md(path: string, ctx: ReaderContext): AsyncGenerator<RawFrame> {
  const lib = await h5();
  const loc0 = { file: ctx.file };
  if (!(await hasHdf5Signature(path))) {
    throw new InputError(loc0, 'not an HDF5 file (no HDF5 signature at its start)', (await isGzipFile(path)) ? 'decompress it first (gunzip)' : WRITE_HINT);
  }
  const file = openH5(lib, path, loc0);
  try {
    const particles = file.get('particles');
    if (!isGroup(particles)) throw new InputError(loc0, 'this HDF5 file has no /particles group: it is not an H5MD trajectory', `${WRITE_HINT}; a netCDF-4 file (HDF5 inside) can be converted to the NetCDF-3 getsei reads with \`ncks -3 in.nc out.nc\``);
    const groupName = particles.keys().find((k) => {
      const g = particles.get(k);
      return isGroup(g) && g.keys().includes('position');
    });
    if (groupName === undefined) throw new InputError(loc0, `no particles group has a 'position' (groups: ${particles.keys().join(', ') || 'none'})`, WRITE_HINT);
    const group = particles.get(groupName) as H5Group;
    const gpath = `/particles/${groupName}`;
    const position = elementOf(group.get('position'), `${gpath}/position`, loc0) as Element;
    const shape = position.value.shape ?? [];
    if (shape.length !== 3 || shape[2] !== 3) {
      throw new InputError(loc0, `${gpath}/position/value has shape [${shape.join(', ')}], not [frames, atoms, 3]`, WRITE_HINT);
    }
    const [frames, n] = shape;
    const lengthFactor = unitFactor(position.value, LENGTH_TO_ANGSTROM, 'length', loc0) ?? 1;
    const timeDs = group.get('position/time');
    const timeFactor = isDataset(timeDs) ? (unitFactor(timeDs, TIME_TO_PS, 'time', loc0) ?? 1) : 1;

    const boxGroup = group.get('box');
    if (!isGroup(boxGroup)) throw new InputError(loc0, `${gpath} has no box`, 'getsei needs the periodic cell: write the box (H5MD box/edges)');
    const boundary = numbersOrStrings(attribute(boxGroup, 'boundary'));
    const pbc = [0, 1, 2].map((k) => (boundary[k] ?? 'periodic').toLowerCase() !== 'none') as [boolean, boolean, boolean];
    const edges = elementOf(boxGroup.get('edges'), `${gpath}/box/edges`, loc0);
    if (edges === undefined) throw new InputError(loc0, `${gpath}/box has no edges`, 'getsei needs the periodic cell: write the box edges');
    const edgesFactor = unitFactor(edges.value, LENGTH_TO_ANGSTROM, 'box length', loc0) ?? lengthFactor;
    const fixedEdges = edges.frames === undefined ? numbers(edges.value.value) : undefined;

    const species = resolveSpecies(group, gpath, n, ctx, loc0);

    let cell: Cell | undefined;
    let chunk: Float32Array | Float64Array | undefined;
    let chunkStart = 0;
    let chunkFrames = 0;
    let previousParsed = false;
    const perSlice = Math.max(1, Math.floor(SLICE_BYTES / (12 * n)));
    let boxIndex = 0;
    for (let index = 0; index < frames; index++) {
      const plan = ctx.plan(index);
      if (plan === 'stop') break;
      if (plan === 'skip') {
        previousParsed = false;
        continue;
      }
      const loc = { file: ctx.file, frame: index };
      if (chunk === undefined || index < chunkStart || index >= chunkStart + chunkFrames) {
        // read ahead only while frames are taken one after another; a stride reads single frames
        chunkFrames = previousParsed ? Math.min(perSlice, frames - index) : 1;
        chunkStart = index;
        chunk = sliceOf(position.value, [[index, index + chunkFrames]], loc, 'positions');
      }
      previousParsed = true;
      const positions = new Float64Array(3 * n);
      const from = (index - chunkStart) * 3 * n;
      for (let k = 0; k < 3 * n; k++) positions[k] = chunk[from + k] * lengthFactor;

      let m: number[];
      if (fixedEdges !== undefined) {
        m = matrixOf(fixedEdges, edgesFactor, loc, gpath);
      } else {
        const step = position.step?.(index);
        const boxFrames = edges.frames as number;
        if (step !== undefined && edges.step !== undefined) {
          if (edges.step(0) > step) throw new InputError(loc, `the first box is at step ${edges.step(0)}, after this frame's step ${step}`, WRITE_HINT);
          while (boxIndex + 1 < boxFrames && edges.step(boxIndex + 1) <= step) boxIndex++;
          while (boxIndex > 0 && edges.step(boxIndex) > step) boxIndex--;
        } else {
          boxIndex = index;
        }
        if (boxIndex >= boxFrames) throw new InputError(loc, `the box has ${boxFrames} frames, the positions more`, WRITE_HINT);
        const dims = (edges.value.shape ?? []).slice(1);
        m = matrixOf(Array.from(sliceOf(edges.value, [[boxIndex, boxIndex + 1]], loc, 'box edges')), edgesFactor, loc, gpath, dims);
      }
      if (!(sameMatrix(cell, m) && cell?.pbc.every((p, k) => p === pbc[k]))) cell = cellOrFail(m, pbc, loc, WRITE_HINT);
      const t = position.time?.(index);
      const step = position.step?.(index);
      yield { index, species, positions, cell: cell as Cell, timePs: t === undefined ? undefined : t * timeFactor, info: step === undefined ? {} : { step } };
    }
  } finally {
    file.close();
  }
}

function numbersOrStrings(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(String);
  if (typeof v === 'string') return [v];
  return [];
}

function sliceOf(ds: H5Dataset, ranges: [number, number][], loc: InputLocation, what: string): Float32Array | Float64Array {
  let out: unknown;
  try {
    out = ds.slice(ranges);
  } catch (err) {
    throw new InputError(loc, `the ${what} cannot be read (${hdf5Message(err)})`, 'the file is damaged or was cut while it was written');
  }
  if (out instanceof Float32Array || out instanceof Float64Array) return out;
  if (ArrayBuffer.isView(out)) return Float64Array.from(out as unknown as ArrayLike<number>);
  throw new InputError(loc, `the ${what} are not numbers`, WRITE_HINT);
}

/** Box edges as 9 matrix numbers: 3 edge lengths (orthogonal box) or 9 box-vector components (rows). */
function matrixOf(v: readonly number[], factor: number, loc: InputLocation, gpath: string, dims?: number[]): number[] {
  if (v.length === 3 && (dims === undefined || dims.length <= 1)) return [v[0] * factor, 0, 0, 0, v[1] * factor, 0, 0, 0, v[2] * factor];
  if (v.length === 9) return v.map((x) => x * factor);
  throw new InputError(loc, `${gpath}/box/edges has ${v.length} numbers per frame, not 3 (lengths) or 9 (vectors)`, WRITE_HINT);
}

function resolveSpecies(group: H5Group, gpath: string, n: number, ctx: ReaderContext, loc: InputLocation): Uint8Array {
  const given = ctx.givenSpecies;
  if (given !== undefined) {
    if (given.species.length !== n) throw new InputError(loc, `the file has ${n} atoms but ${given.source} gives ${given.species.length}`, 'give the elements of the atoms of this trajectory, in their order');
    return given.species;
  }
  const element = elementOf(group.get('species'), `${gpath}/species`, loc);
  const hint = 'give --type-map 1=Li,2=S,… for the species numbers, or the elements with --topology FILE or --species Li:24,…';
  if (element === undefined) throw new InputError(loc, `${gpath} has no species`, hint);
  const values = element.frames === undefined ? numbers(element.value.value) : numbers(sliceOf(element.value, [[0, 1]], loc, 'species'));
  if (values.length !== n) throw new InputError(loc, `${gpath}/species has ${values.length} values for ${n} atoms`, WRITE_HINT);
  const map = ctx.typeMap;
  const present = [...new Set(values)].sort((a, b) => a - b);
  const missing = present.filter((v) => map?.[String(v)] === undefined);
  if (missing.length > 0) throw new InputError(loc, `the species number${missing.length > 1 ? 's' : ''} ${missing.join(', ')} ${missing.length > 1 ? 'have' : 'has'} no element (species in the file: ${present.join(', ')})`, hint);
  const z = new Map(present.map((v) => [v, elementOrFail((map as Record<string, string>)[String(v)], loc, hint)]));
  return Uint8Array.from(values, (v) => z.get(v) as number);
}

export const h5mdReader: BinaryTrajectoryReader = {
  name: 'h5md',
  aliases: ['hdf5', 'h5'],
  extensions: ['.h5md', '.h5'],
  description: 'H5MD (HDF5: position, box, species, step, time; LAMMPS dump h5md, MDAnalysis)',
  sniff: () => false,
  // the HDF5 signature, at 0 or after a user block of 512 bytes (a netCDF-4 file is HDF5 too: its name decides)
  sniffBytes: (head) => [0, 512].some((at) => head.length >= at + 8 && Buffer.from(head.buffer, head.byteOffset + at, 8).toString('latin1') === SIGNATURE),
  readFile: readH5md,
};
