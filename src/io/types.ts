import type { Frame } from '../structure/index.ts';
import type { LineReader } from './lines.ts';
import type { GivenSpecies } from './species.ts';

/** How the caller wants the frames of a trajectory read. */
export interface ReadOptions {
  /** reader name or alias ('xdatcar', 'extxyz', 'lammps-dump', …); default: detected from content, then file name */
  format?: string;
  /** first frame to read (0-based, default 0) */
  start?: number;
  /** frame after the last to read (exclusive, default: to the end) */
  stop?: number;
  /** read every stride-th frame from start (default 1) */
  stride?: number;
  /**
   * time between frames as written in the files (ps), before any stride. When given it defines frame times
   * (index × dtPs, counted across consecutive files); times stored in the files stay in `frame.info`.
   */
  dtPs?: number;
  /** LAMMPS numeric atom type → element symbol (from --type-map 1=Li,2=S) */
  typeMap?: Readonly<Record<string, string>>;
  /** atoms closer than this (Å) are refused as overlapping; 0 turns the check off (default 0.5, see frame-checks.ts) */
  minDistanceAngstrom?: number;
  /** several files are independent trajectories rather than consecutive segments of one run (default false) */
  independent?: boolean;
  /** CP2K: the cell file (MOTION/PRINT/CELL) of the positions; default: PROJECT-1.cell beside PROJECT-pos-1.xyz */
  cellFile?: string;
  /** XTC/DCD (formats without elements): a file getsei reads whose first frame gives the species in atom order */
  topology?: string;
  /** XTC/DCD: elements in atom order with counts, "Li:24,P:4,S:20,Cl:4" (instead of topology) */
  species?: string;
}

/** Per-atom extra columns a reader found (extended XYZ I/R properties, LAMMPS dump columns), atom-major. */
export type AtomArrays = Readonly<Record<string, Int32Array | Float64Array>>;

/** Per-frame metadata values. */
export type InfoValue = string | number | boolean;

/** One frame as a reader produces it, before the trajectory layer adds file, segment and step. */
export interface RawFrame extends Frame {
  /** 1-based line where the frame starts in its file, for later error messages (text formats only) */
  readonly line?: number;
  /** extra per-atom columns; a column with k components per atom has k × nAtoms values */
  readonly arrays?: AtomArrays;
}

/** A frame of a trajectory read through `readTrajectory`. */
export interface TrajectoryFrame extends RawFrame {
  /** the file it came from (as given) */
  readonly file: string;
  /** independent-trajectory index: 0 for every frame when files are consecutive segments of one run */
  readonly segment: number;
  /** 0-based index in the selected output sequence */
  readonly step: number;
}

/** What a reader is asked to do with the frame it is about to read. */
export type FramePlan = 'parse' | 'skip' | 'stop';

export interface ReaderContext {
  /** the file as the user named it (for messages) */
  readonly file: string;
  readonly typeMap?: Readonly<Record<string, string>>;
  /** a companion cell file (CP2K --cell), when given */
  readonly cellFile?: string;
  /** species from --topology or --species, for formats that store none (XTC, DCD) */
  readonly givenSpecies?: GivenSpecies;
  /**
   * Called once for each frame in file order (index in this file, 0-based) before its atom lines are parsed:
   * 'skip' frames are stepped over without parsing their numbers, 'stop' ends reading the file.
   */
  readonly plan: (indexInFile: number) => FramePlan;
}

/** What every trajectory format declares: a name and how to recognise it. */
interface ReaderDescription {
  /** canonical name, used by --format */
  readonly name: string;
  /** other names accepted by --format */
  readonly aliases: readonly string[];
  /** file name endings (lower case, with the dot; '.gz' is stripped first) */
  readonly extensions: readonly string[];
  /** file names this format uses without a telling extension (e.g. XDATCAR), tested on the base name */
  readonly fileNamePattern?: RegExp;
  /** one line for help texts */
  readonly description: string;
  /** true when these first lines of a (decompressed) file look like this format (binary files: their first bytes as text) */
  sniff(head: readonly string[]): boolean;
  /** binary formats: true when the file's first bytes (up to 1024, not decompressed) are this format's magic */
  sniffBytes?(head: Uint8Array): boolean;
}

/** A text format, parsed line by line from a (possibly gzip-compressed) stream. */
export interface TextTrajectoryReader extends ReaderDescription {
  /** frames in file order; calls ctx.plan(i) before each frame and yields only the 'parse' ones */
  read(lines: LineReader, ctx: ReaderContext): AsyncGenerator<RawFrame>;
}

/** A binary format with random access (ASE .traj): the reader opens the file itself and seeks to the frames it needs. */
export interface BinaryTrajectoryReader extends ReaderDescription {
  /** frames in file order; calls ctx.plan(i) before each frame and yields only the 'parse' ones */
  readFile(path: string, ctx: ReaderContext): AsyncGenerator<RawFrame>;
}

/** A trajectory format: a name, how to recognise it, and a streaming parser. */
export type TrajectoryReader = TextTrajectoryReader | BinaryTrajectoryReader;
