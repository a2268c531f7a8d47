import { canonicalSymbol, symbolOf, toFractional } from '../structure/index.ts';
import { GetseiError, InputError } from '../util/errors.ts';
import { sameBytes } from './common.ts';
import { checkFrame, DEFAULT_FRAME_CHECKS, type FrameChecks } from './frame-checks.ts';
import { fileBytes, LineReader } from './lines.ts';
import { detectReader } from './registry.ts';
import { parseSpeciesList, type GivenSpecies } from './species.ts';
import type { FramePlan, RawFrame, ReaderContext, ReadOptions, TextTrajectoryReader, TrajectoryFrame, TrajectoryReader } from './types.ts';

/** start/stop/stride after validation. */
export interface Selection {
  readonly start: number;
  readonly stop?: number;
  readonly stride: number;
}

function wholeNumber(name: string, v: number | undefined, min: number): number | undefined {
  if (v === undefined) return undefined;
  if (!Number.isInteger(v) || v < min) throw new GetseiError(`${name} must be a whole number ≥ ${min}, got ${v}`);
  return v;
}

/** Validate the frame selection and time options; a GetseiError says which option is wrong. */
export function selectionOf(options: ReadOptions = {}): Selection {
  const start = wholeNumber('--start', options.start, 0) ?? 0;
  const stop = wholeNumber('--stop', options.stop, 0);
  const stride = wholeNumber('--stride', options.stride, 1) ?? 1;
  if (options.dtPs !== undefined && !(Number.isFinite(options.dtPs) && options.dtPs > 0)) {
    throw new GetseiError(`--dt must be a positive number of picoseconds, got ${options.dtPs}`);
  }
  for (const [type, symbol] of Object.entries(options.typeMap ?? {})) {
    if (canonicalSymbol(symbol) === undefined) {
      throw new GetseiError(`--type-map: '${symbol}' (for type ${type}) is not an element symbol; write e.g. --type-map 1=Li,2=S`);
    }
  }
  return stop === undefined ? { start, stride } : { start, stop, stride };
}

function describeSelection(sel: Selection): string {
  return `--start ${sel.start}${sel.stop === undefined ? '' : ` --stop ${sel.stop}`} --stride ${sel.stride}`;
}

/** Per-file bookkeeping filled in while reading (for summaries and messages). */
export interface FileProgress {
  path: string;
  format: string;
  /** frames taken from this file */
  selected: number;
  /** frames of the file stepped over or taken before reading stopped */
  seen: number;
  /** true when the file was read to its end (so `seen` is its frame count) */
  complete: boolean;
}

/** The first frame of the whole input, against which every later frame's atoms are checked. */
interface Reference {
  species: Uint8Array;
  file: string;
  frame: number;
}

function checkSameAtoms(ref: Reference, raw: RawFrame, file: string): Uint8Array {
  if (raw.species === ref.species) return ref.species;
  if (sameBytes(raw.species, ref.species)) return ref.species;
  const loc = { file, frame: raw.index, line: raw.line };
  const first = `the first frame (${ref.file}, frame ${ref.frame})`;
  const hint =
    'getsei follows atoms by their position in the list, so every frame must list the same atoms in the same order: ' +
    'split the input where the composition changes, or write the frames with a fixed atom order';
  if (raw.species.length !== ref.species.length) {
    throw new InputError(loc, `this frame has ${raw.species.length} atoms but ${first} has ${ref.species.length}`, hint);
  }
  let i = 0;
  while (raw.species[i] === ref.species[i]) i++;
  throw new InputError(
    loc,
    `the species order changed: atom ${i} (0-based) is ${symbolOf(raw.species[i])} here but ${symbolOf(ref.species[i])} in ${first}`,
    hint,
  );
}

/**
 * The raw frames of one file: text readers get a LineReader (closed when the loop ends), binary ones open the file.
 * A binary reader's generator is handed on as it is: one async-generator hop less per frame.
 */
function framesOf(reader: TrajectoryReader, ctx: ReaderContext): AsyncGenerator<RawFrame> {
  return 'readFile' in reader ? reader.readFile(ctx.file, ctx) : textFramesOf(reader, ctx);
}

async function* textFramesOf(reader: TextTrajectoryReader, ctx: ReaderContext): AsyncGenerator<RawFrame> {
  const lines = await LineReader.open(ctx.file);
  try {
    yield* reader.read(lines, ctx);
  } finally {
    lines.close();
  }
}

/**
 * The species given for formats that store none: --species, or the first frame of --topology (any format getsei
 * reads, detected from its content; --type-map applies to it). Resolved once per read.
 */
async function givenSpeciesOf(options: ReadOptions): Promise<GivenSpecies | undefined> {
  if (options.species !== undefined && options.topology !== undefined) {
    throw new GetseiError('give the elements with --species or with --topology, not both');
  }
  if (options.species !== undefined) return { species: parseSpeciesList(options.species), source: '--species' };
  const file = options.topology;
  if (file === undefined) return undefined;
  const reader = await detectReader(file);
  const plan = (i: number): FramePlan => (i === 0 ? 'parse' : 'stop');
  for await (const raw of framesOf(reader, { file, typeMap: options.typeMap, plan })) return { species: raw.species, source: `--topology ${file}` };
  throw new InputError({ file }, 'this topology file has no frame', 'give a structure file (extended XYZ, LAMMPS dump, XDATCAR, ASE .traj) of the same atoms');
}

/**
 * Frames of one or more files with selection, atom-order checks, segment labels and times. `progress` (when given)
 * receives one entry per file opened. Internal engine of readTrajectory and summarizeTrajectory.
 */
export async function* readFrames(files: readonly string[], options: ReadOptions = {}, progress?: FileProgress[]): AsyncGenerator<TrajectoryFrame> {
  const sel = selectionOf(options);
  if (files.length === 0) throw new GetseiError('no trajectory files given');
  const { start, stop, stride } = sel;
  const independent = options.independent === true;
  const checks: FrameChecks = { ...DEFAULT_FRAME_CHECKS, ...(options.minDistanceAngstrom === undefined ? {} : { minDistanceAngstrom: options.minDistanceAngstrom }) };
  const givenSpecies = await givenSpeciesOf(options);
  let reference: Reference | undefined;
  let step = 0;
  let offset = 0;
  const perFile: FileProgress[] = progress ?? [];
  for (let fi = 0; fi < files.length; fi++) {
    const file = files[fi];
    const base = independent ? 0 : offset;
    if (!independent && stop !== undefined && base >= stop) break;
    const reader = await detectReader(file, options.format);
    const entry: FileProgress = { path: file, format: reader.name, selected: 0, seen: 0, complete: false };
    perFile.push(entry);
    let stopped = false;
    const plan = (i: number): FramePlan => {
      const g = base + i;
      if (stop !== undefined && g >= stop) {
        stopped = true;
        return 'stop';
      }
      entry.seen = i + 1;
      return g >= start && (g - start) % stride === 0 ? 'parse' : 'skip';
    };
    for await (const raw of framesOf(reader, { file, typeMap: options.typeMap, cellFile: options.cellFile, givenSpecies, plan })) {
      reference ??= { species: raw.species, file, frame: raw.index };
      const species = checkSameAtoms(reference, raw, file);
      checkFrame(raw, file, checks);
      const timePs = options.dtPs !== undefined ? (base + raw.index) * options.dtPs : raw.timePs;
      entry.selected++;
      // every field named, one object shape for all frames: a spread of the reader's frame cost ≈ 3 µs a frame,
      // as much as reading a small NetCDF frame (absent optional fields are undefined)
      yield {
        index: raw.index, line: raw.line, species, positions: raw.positions, cell: raw.cell, timePs, info: raw.info, arrays: raw.arrays,
        file, segment: independent ? fi : 0, step: step++,
      };
    }
    entry.complete = !stopped;
    offset += entry.seen;
  }
  if (step === 0) {
    const counts = perFile.map((p) => `${p.path}: ${p.seen}`).join(', ');
    const total = independent ? `per file ${counts}` : `${offset} in all (${counts})`;
    throw new InputError(
      { file: files.join(', ') },
      `the frame selection (${describeSelection(sel)}) contains no frames; the input has ${total} frames`,
      independent ? 'with --independent the selection applies to each file: choose --start below the frame count of a file' : 'choose --start below the number of frames',
    );
  }
}

/**
 * Stream the frames of a trajectory. Several files are consecutive segments of one run (start/stop/stride count
 * over the concatenation), or with `independent` separate trajectories (the selection applies to each file and
 * `segment` is the file's index). Every frame has the same atoms in the same order as the first one (else an
 * InputError). Positions are cartesian Å as the file gives them (not wrapped). Memory does not grow with the
 * number of frames; only the frames the caller keeps stay alive.
 */
export function readTrajectory(files: readonly string[], options: ReadOptions = {}): AsyncGenerator<TrajectoryFrame> {
  return readFrames(files, options);
}

/**
 * Time between SELECTED frames (ps): dtPs × stride when dtPs is given, else the difference of the first two frame
 * times stored in a file (× stride), else undefined (the files store no times: XDATCAR, plain LAMMPS dumps).
 */
export async function frameIntervalPs(files: readonly string[], options: ReadOptions = {}): Promise<number | undefined> {
  const { stride } = selectionOf(options);
  if (options.dtPs !== undefined) return options.dtPs * stride;
  const givenSpecies = await givenSpeciesOf(options);
  for (const file of files) {
    const reader = await detectReader(file, options.format);
    const times: RawFrame[] = [];
    const plan = (i: number): FramePlan => (i < 2 ? 'parse' : 'stop');
    for await (const raw of framesOf(reader, { file, typeMap: options.typeMap, cellFile: options.cellFile, givenSpecies, plan })) times.push(raw);
    if (times.length === 0) continue;
    const t0 = times[0].timePs;
    if (t0 === undefined) return undefined;
    if (times.length < 2) continue;
    const t1 = times[1].timePs as number;
    if (!(t1 > t0)) {
      throw new InputError(
        { file, frame: 1, line: times[1].line },
        `the time stored in the file does not increase from frame 0 to frame 1 (${t0} → ${t1} ps)`,
        'give the time between frames with --dt PS',
      );
    }
    return (t1 - t0) * stride;
  }
  return undefined;
}

/** frameIntervalPs, or a clear error when the time per frame is unknown and the caller needs it. */
export async function requireFrameIntervalPs(files: readonly string[], options: ReadOptions = {}): Promise<number> {
  const dt = await frameIntervalPs(files, options);
  if (dt === undefined) {
    throw new GetseiError(
      `the time between frames is unknown: ${files.join(', ')} store no frame times; ` +
        'give it with --dt PS (picoseconds between frames as written, before --stride)',
    );
  }
  return dt;
}

/** What `getsei inspect` prints: the shape of the input and what a user should check before a run. */
export interface TrajectorySummary {
  /** the format name, or "mixed (a, b)" */
  format: string;
  /** per file: format, frames selected from it, frames in it (when read to the end), size on disk */
  files: { path: string; format: string; frames: number; framesInFile?: number; bytes: number }[];
  /** selected frames */
  frames: number;
  atoms: number;
  /** atoms per element symbol, in order of first appearance */
  species: Record<string, number>;
  liCount: number;
  /** true when the cell of some selected frame differs from the first */
  cellChanges: boolean;
  /** the first frame's lattice vectors as rows (9 numbers, Å) */
  firstCell: number[];
  /** boundary along a, b, c of the first frame: periodic, or not (a slab normal, a cluster); neighbours are never
   * searched through a non-periodic face */
  boundary: ('periodic' | 'non-periodic')[];
  /** time between selected frames (ps), when known */
  frameIntervalPs?: number;
  /** where frameIntervalPs comes from: --dt, or the times stored in the file */
  frameIntervalSource?: 'dt' | 'file';
  /** the selection as applied */
  selection: Selection & { independent: boolean };
  /** number of independent trajectories that contributed frames (1 for consecutive files) */
  segments: number;
  /** things a user should look at: unwrapped coordinates, jumps, irregular times, no Li, changing boundaries */
  warnings: string[];
}

/** Fractional coordinates more than this far outside [0, 1) count as "far outside the cell" (unwrapped). */
const FAR_OUTSIDE = 0.5;
/**
 * A move along a lattice direction of more than half the cell between consecutive frames is a jump, unless both
 * positions lie in the cell and the move through the face (minimum image) is at most a quarter cell: that is an atom
 * of a wrapped trajectory crossing the boundary.
 */
const WRAP_TOLERANCE = 0.01;
const MAX_WRAP_MOVE = 0.25;

interface Example {
  count: number;
  frames: number;
  first?: string;
}

const fmt = (v: number): string => v.toFixed(3);
const pbcText = (pbc: readonly boolean[]): string => pbc.map((p) => (p ? 'T' : 'F')).join(' ');

/**
 * Read the selected frames once and describe them. Also checks what a user should know before a long run:
 * coordinates far outside the cell (unwrapped: fine, later stages use minimum image), atoms jumping more than half a
 * cell between consecutive frames, irregular or restarting frame times, boundaries that change, no Li.
 */
export async function summarizeTrajectory(files: readonly string[], options: ReadOptions = {}): Promise<TrajectorySummary> {
  const sel = selectionOf(options);
  const progress: FileProgress[] = [];
  const warnings: string[] = [];
  let first: TrajectoryFrame | undefined;
  let cellChanges = false;
  const segmentsSeen = new Set<number>();
  const unwrapped: Example = { count: 0, frames: 0 };
  const jumps: Example = { count: 0, frames: 0 };
  let prevFrac: Float64Array | undefined;
  let frac: Float64Array = new Float64Array(0);
  let prev: TrajectoryFrame | undefined;
  let timeRestart: string | undefined;
  const irregular: Example = { count: 0, frames: 0 };
  let timeSteps = 0;
  let boundaryChange: string | undefined;
  let interval: number | undefined;
  try {
    interval = await frameIntervalPs(files, options);
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    warnings.push(err.message);
  }

  for await (const frame of readFrames(files, options, progress)) {
    first ??= frame;
    segmentsSeen.add(frame.segment);
    if (frame.cell !== first.cell && frame.cell.matrix.some((v, i) => v !== first?.cell.matrix[i])) cellChanges = true;
    if (frame.cell.pbc.some((p, k) => p !== first?.cell.pbc[k])) {
      boundaryChange ??= `${frame.file}, frame ${frame.index} has pbc ${pbcText(frame.cell.pbc)} but the first frame has ${pbcText(first.cell.pbc)}`;
    }
    if (frac.length !== frame.positions.length) frac = new Float64Array(frame.positions.length);
    toFractional(frame.cell, frame.positions, frac);
    const where = `${frame.file}, frame ${frame.index}`;

    let outside = 0;
    for (let i = 0; i < frac.length; i += 3) {
      for (let k = 0; k < 3; k++) {
        const f = frac[i + k];
        if (frame.cell.pbc[k] && (f < -FAR_OUTSIDE || f >= 1 + FAR_OUTSIDE)) {
          if (unwrapped.first === undefined) {
            unwrapped.first = `${where}, atom ${i / 3} at fractional (${fmt(frac[i])}, ${fmt(frac[i + 1])}, ${fmt(frac[i + 2])})`;
          }
          outside++;
          break;
        }
      }
    }
    if (outside > 0) {
      unwrapped.count += outside;
      unwrapped.frames++;
    }

    const sameRun = prev !== undefined && prev.segment === frame.segment;
    if (sameRun && prevFrac !== undefined) {
      let jumped = 0;
      for (let i = 0; i < frac.length; i += 3) {
        for (let k = 0; k < 3; k++) {
          const a = prevFrac[i + k], b = frac[i + k];
          const move = b - a;
          if (!frame.cell.pbc[k] || Math.abs(move) <= 0.5) continue;
          const inCell = a >= -WRAP_TOLERANCE && a <= 1 + WRAP_TOLERANCE && b >= -WRAP_TOLERANCE && b <= 1 + WRAP_TOLERANCE;
          if (inCell && Math.abs(move - Math.round(move)) <= MAX_WRAP_MOVE) continue;
          if (jumps.first === undefined) {
            jumps.first = `atom ${i / 3} moved ${fmt(move)} of lattice vector ${'abc'[k]} from ${prev?.file}, frame ${prev?.index} to ${where}`;
          }
          jumped++;
          break;
        }
      }
      if (jumped > 0) {
        jumps.count += jumped;
        jumps.frames++;
      }
    }
    if (sameRun && prev?.timePs !== undefined && frame.timePs !== undefined) {
      const dt = frame.timePs - prev.timePs;
      if (dt <= 0 && prev.file !== frame.file && timeRestart === undefined) {
        timeRestart = `the times stored in ${frame.file} (${frame.timePs} ps) do not continue those of ${prev.file} (${prev.timePs} ps)`;
      } else if (interval !== undefined) {
        timeSteps++;
        if (Math.abs(dt - interval) > 1e-4 * interval) {
          irregular.count++;
          irregular.first ??= `${dt} ps before ${where}`;
        }
      }
    }
    prev = frame;
    const spare = prevFrac ?? new Float64Array(frac.length);
    prevFrac = frac;
    frac = spare;
  }
  if (first === undefined) throw new GetseiError('no frames were read');

  const species: Record<string, number> = {};
  for (const z of first.species) {
    const s = symbolOf(z);
    species[s] = (species[s] ?? 0) + 1;
  }
  const liCount = species.Li ?? 0;

  if (timeRestart !== undefined) {
    warnings.push(`${timeRestart}; the files are read as consecutive segments in the order given (use --independent if they are separate runs)`);
  }
  if (irregular.count > 0) {
    warnings.push(
      `frame times are irregular: ${irregular.count} of ${timeSteps} steps between selected frames differ from ${interval} ps ` +
        `(first: ${irregular.first}); later stages assume a constant time per frame`,
    );
  }
  if (liCount === 0) {
    warnings.push('no Li atoms: getsei studies Li transport and `featurize` will refuse this input (check element symbols or --type-map)');
  }
  if (unwrapped.count > 0) {
    warnings.push(
      `coordinates are unwrapped: in ${unwrapped.frames} frame(s), atoms lie more than half a cell outside the cell ` +
        `(first: ${unwrapped.first}); this is fine, getsei uses minimum-image distances`,
    );
  }
  if (jumps.count > 0) {
    warnings.push(
      `${jumps.count} time(s) in ${jumps.frames} frame(s) an atom jumped more than half a cell between consecutive frames ` +
        `(first: ${jumps.first}): frames may be too far apart, atoms reordered, or coordinates wrapped inconsistently`,
    );
  }
  if (boundaryChange !== undefined) {
    warnings.push(`the periodic boundaries change between frames (first: ${boundaryChange}); each frame's neighbours follow its own boundaries`);
  }

  const formats = [...new Set(progress.map((p) => p.format))];
  const fileEntries = await Promise.all(
    progress.map(async (p) => ({
      path: p.path,
      format: p.format,
      frames: p.selected,
      ...(p.complete ? { framesInFile: p.seen } : {}),
      bytes: await fileBytes(p.path),
    })),
  );
  const summary: TrajectorySummary = {
    format: formats.length === 1 ? formats[0] : `mixed (${formats.join(', ')})`,
    files: fileEntries,
    frames: progress.reduce((a, p) => a + p.selected, 0),
    atoms: first.species.length,
    species,
    liCount,
    cellChanges,
    firstCell: Array.from(first.cell.matrix),
    boundary: first.cell.pbc.map((p) => (p ? 'periodic' : 'non-periodic')),
    selection: { ...sel, independent: options.independent === true },
    segments: segmentsSeen.size,
    warnings,
  };
  if (interval !== undefined) {
    summary.frameIntervalPs = interval;
    summary.frameIntervalSource = options.dtPs !== undefined ? 'dt' : 'file';
  }
  return summary;
}

/** Throw the clear error featurize needs when the input has no Li. */
export function assertHasLithium(summary: TrajectorySummary): void {
  if (summary.liCount > 0) return;
  const composition = Object.entries(summary.species).map(([s, n]) => `${s} ${n}`).join(', ');
  throw new InputError(
    { file: summary.files.map((f) => f.path).join(', ') },
    `the trajectory has no Li atoms (it has ${composition})`,
    'getsei studies Li transport: give a trajectory with Li, and check the element symbols (LAMMPS dumps: --type-map 1=Li,…)',
  );
}
