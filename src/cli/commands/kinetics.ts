import { invokedAs } from '../command-line.ts';
import { existsSync } from 'node:fs';
import { unzipSync } from 'fflate';
import { access, readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Option, type Command } from '@commander-js/extra-typings';
import {
  ESTIMATORS, LOGARITHM_FALLBACKS, MOBILITY_NORMALISATIONS, RATE_MATRIX_METHODS, prepareTrajectories, type CountOptions,
  type DiscreteTrajectories, type Estimator, type LogarithmFallback, type MobilityNormalisation, type PreparedTrajectories,
  type RateMatrixMethod, type StateArray, type UndefinedPolicy,
} from '../../markov/index.ts';
import { kineticsTables, runKinetics, type KineticsReport } from '../../tpt/index.ts';
import { writeFileAtomic, writeJsonAtomic } from '../../util/atomic.ts';
import { GetseiError, InputError } from '../../util/errors.ts';
import { decodeNpy } from '../../util/npy.ts';
import { mergeConfig, parseConfig, type ConfigInput } from '../../pipeline/config.ts';
import { DEFAULT_LAG, lagSettingFrames, parseLagSetting, resolveLag } from '../../pipeline/lag.ts';
import { readManifest } from '../../pipeline/manifest.ts';
import { runPipeline } from '../../pipeline/run.ts';
import { terminalReporter } from '../run-reporter.ts';
import { runSummaryText } from '../summary.ts';
import type { WrittenRunFile } from '../../schema/index.ts';

/** A lag in a list (--lags): frames or a time, never auto. */
function lagFrames(text: string, dtPs: number | null, what: string): number {
  const frames = lagSettingFrames(text, dtPs, what);
  if (frames === undefined) throw new GetseiError(`${what} takes frames or times, not "auto"`);
  return frames;
}

/** Discrete trajectories and what is known about them, from a run folder or from files. */
export interface LoadedTrajectories {
  readonly dtrajs: DiscreteTrajectories;
  readonly segments?: Int32Array;
  /** frame interval in ps, when known */
  readonly dtPs: number | null;
  /** the file the states came from, for messages */
  readonly source: string;
  /** default output folder (the run folder) or null */
  readonly runDir: string | null;
}

function toStateArray(data: ReturnType<typeof decodeNpy>['data'], file: string): StateArray {
  if (data instanceof Int8Array || data instanceof Int16Array || data instanceof Int32Array || data instanceof Uint8Array || data instanceof Uint16Array) {
    return data;
  }
  if (data instanceof BigInt64Array || data instanceof BigUint64Array || data instanceof Uint32Array) {
    const out = new Int32Array(data.length);
    for (let i = 0; i < data.length; i++) {
      const v = Number(data[i]);
      if (v < -1 || v > 0x7fffffff) throw new InputError({ file }, `entry ${i} (${v}) is not a state label (−1 or 0…n−1)`);
      out[i] = v;
    }
    return out;
  }
  throw new InputError({ file }, 'states must be stored as integers (int8/16/32/64 or uint8/16/32)', 'save with dtype=np.int16');
}

async function readBytes(file: string, what: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new GetseiError(`${file}: no such file (${what})`);
    throw err;
  }
}

/**
 * One array of a .npz (np.savez / np.savez_compressed: a zip of KEY.npy files, stored or deflated): the one named
 * by `key` (FILE.npz:KEY), or the only one.
 */
function npzMember(bytes: Uint8Array, file: string, key: string | undefined): Uint8Array {
  let members: Record<string, Uint8Array>;
  try {
    members = unzipSync(bytes, { filter: (f) => f.name.endsWith('.npy') && (key === undefined || f.name === `${key}.npy`) });
  } catch (err) {
    throw new InputError({ file }, `not a readable .npz (zip) archive (${(err as Error).message})`, 'write it with np.savez or np.savez_compressed');
  }
  const names = Object.keys(members);
  if (names.length === 1) return members[names[0]];
  if (key !== undefined) {
    throw new InputError({ file }, `the archive has no array '${key}'`, `give one of its arrays as FILE.npz:KEY (keys: ${npzKeys(bytes).join(', ')})`);
  }
  throw new InputError({ file }, names.length === 0 ? 'the archive holds no .npy array' : `the archive holds ${names.length} arrays`, `give the one with the states as FILE.npz:KEY (keys: ${npzKeys(bytes).join(', ') || 'none'})`);
}

/** The array names of a .npz, without decompressing any. */
function npzKeys(bytes: Uint8Array): string[] {
  const keys: string[] = [];
  unzipSync(bytes, {
    filter: (f) => {
      if (f.name.endsWith('.npy')) keys.push(f.name.slice(0, -4));
      return false;
    },
  });
  return keys;
}

function decode(bytes: Uint8Array, file: string): ReturnType<typeof decodeNpy> {
  try {
    return decodeNpy(bytes);
  } catch (err) {
    throw new InputError({ file }, (err as Error).message);
  }
}

/** How the axes of a 2-D state array are laid out: rows = trajectories (getsei's states.npy) or rows = frames. */
export type StateLayout = 'atoms-first' | 'frames-first';

const LAYOUT_HINT =
  'give --atoms-first if rows are trajectories ([nLi, nFrames], as getsei writes states.npy) or --frames-first if ' +
  'rows are frames ([nFrames, nLi], e.g. np.save of a per-frame array)';

/** The array transposed from [rows, cols] to [cols, rows], same element type. */
function transposed(states: StateArray, rows: number, cols: number): StateArray {
  const out = new (states.constructor as new (n: number) => StateArray)(states.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = states[r * cols + c];
  return out;
}

/**
 * A 2-D array as trajectories. Its layout cannot be read from the data: with no layout given, an array with more
 * rows than columns is refused (an MD run has more frames than Li atoms, so it is probably [frames, atoms]); one with
 * at most as many rows as columns is read as rows = trajectories, the layout getsei writes.
 */
function matrixOf(states: StateArray, rows: number, cols: number, file: string, layout: StateLayout | undefined): DiscreteTrajectories {
  if (layout === undefined && rows > cols) {
    throw new InputError({ file }, `the state array has shape [${rows}, ${cols}]: more rows than columns, so rows may be frames rather than trajectories`, LAYOUT_HINT);
  }
  if (layout === 'frames-first') return { states: transposed(states, rows, cols), nTrajectories: cols, nFrames: rows };
  return { states, nTrajectories: rows, nFrames: cols };
}

/** Integer states from a CSV/TSV/whitespace table: one row per line (a header line of names is skipped). */
function csvRows(text: string, file: string): { states: Int32Array; rows: number; cols: number } {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length > 0 && /[A-Za-z_]/.test(lines[0]) && !/^[\s,;\d+-]*$/.test(lines[0])) lines.shift();
  if (lines.length === 0) throw new InputError({ file }, 'the table has no rows of states', 'write one row of integer states per line');
  const values: number[] = [];
  let cols = -1;
  lines.forEach((line, r) => {
    const cells = line.trim().split(/\s*[,;\t]\s*|\s+/);
    if (cols >= 0 && cells.length !== cols) throw new InputError({ file, line: r + 1 }, `this row has ${cells.length} values but the first has ${cols}`, 'give every row the same number of states');
    cols = cells.length;
    for (const cell of cells) {
      const v = Number(cell);
      if (!/^[+-]?\d+$/.test(cell) || !Number.isSafeInteger(v)) throw new InputError({ file, line: r + 1 }, `'${cell}' is not an integer state`, 'states are integers ≥ 0, or −1 for undefined');
      values.push(v);
    }
  });
  return { states: Int32Array.from(values), rows: lines.length, cols };
}

/**
 * Discrete trajectories from .npy (integer array of any dtype and byte order, C or Fortran order: 2-D or 1-D = one
 * trajectory), .csv/.tsv (a table of integers) or .json (array of arrays, rows = trajectories). `layout` says
 * whether the rows of a 2-D array are trajectories or frames (see matrixOf).
 */
export async function loadDiscreteTrajectories(spec: string, layout?: StateLayout): Promise<DiscreteTrajectories> {
  const npz = /^(.*\.npz)(?::([^/\\]+))?$/i.exec(spec);
  const file = npz === null ? spec : npz[1];
  const bytes = await readBytes(file, 'discrete trajectories');
  const lower = file.toLowerCase();
  if (lower.endsWith('.npy') || npz !== null) {
    const { data, shape } = decode(npz === null ? bytes : npzMember(bytes, file, npz[2]), file);
    const states = toStateArray(data, file);
    if (shape.length === 1) return { states, nTrajectories: 1, nFrames: shape[0] };
    if (shape.length === 2) return matrixOf(states, shape[0], shape[1], file, layout);
    throw new InputError({ file }, `states must be a 1-D or 2-D array (trajectories × frames), got shape [${shape.join(', ')}]`);
  }
  if (/\.(csv|tsv)$/.test(lower)) {
    const { states, rows, cols } = csvRows(bytes.toString('utf8'), file);
    return matrixOf(states, rows, cols, file, layout);
  }
  if (lower.endsWith('.json')) {
    let value: unknown;
    try {
      value = JSON.parse(bytes.toString('utf8').replace(/^\uFEFF/, ''));
    } catch (err) {
      throw new InputError({ file }, `not valid JSON (${(err as Error).message})`);
    }
    if (!Array.isArray(value) || value.length === 0) {
      throw new InputError({ file }, 'expected an array of trajectories (arrays of integer states), or one array of states');
    }
    const rows = value.every((v) => typeof v === 'number') ? [value as number[]] : value;
    rows.forEach((r: unknown, i: number) => {
      if (!Array.isArray(r)) throw new InputError({ file }, `trajectory ${i} is not an array of states`);
    });
    if (layout === 'frames-first') {
      const n = (rows[0] as number[]).length;
      if (rows.some((r: number[]) => r.length !== n)) throw new InputError({ file }, '--frames-first needs rows of equal length (one per frame)');
      return Array.from({ length: n }, (_, c) => rows.map((r: number[]) => r[c]));
    }
    return rows as number[][];
  }
  throw new GetseiError(`${file}: unknown discrete-trajectory format; use .npy (integer array), .npz (FILE.npz or FILE.npz:KEY), .csv (table of integers) or .json (array of arrays)`);
}

/** Per-frame segment ids from .npy (1-D integer array) or .json (array of integers). */
export async function loadSegments(file: string): Promise<Int32Array> {
  const bytes = await readBytes(file, 'segment ids');
  let values: ArrayLike<number | bigint>;
  if (file.toLowerCase().endsWith('.json')) {
    let v: unknown;
    try {
      v = JSON.parse(bytes.toString('utf8').replace(/^\uFEFF/, ''));
    } catch (err) {
      throw new InputError({ file }, `not valid JSON (${(err as Error).message})`);
    }
    if (!Array.isArray(v)) throw new InputError({ file }, 'expected an array of segment ids, one per frame');
    values = v as number[];
  } else {
    const { data, shape } = decode(bytes, file);
    if (shape.length !== 1) throw new InputError({ file }, `segment ids must be a 1-D array (one id per frame), got shape [${shape.join(', ')}]`);
    if (data instanceof Float32Array || data instanceof Float64Array) throw new InputError({ file }, 'segment ids must be integers');
    values = data;
  }
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const x = Number(values[i]);
    if (!Number.isInteger(x)) throw new InputError({ file }, `segment id ${i} (${String(values[i])}) is not an integer`);
    out[i] = x;
  }
  return out;
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

/** Frame interval from RUN/manifest.json's top-level dtPs, or null. */
async function manifestDtPs(run: string): Promise<number | null> {
  const file = join(run, 'manifest.json');
  if (!(await exists(file))) return null;
  let m: unknown;
  try {
    m = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new InputError({ file }, `not valid JSON (${(err as Error).message})`);
  }
  const dt = (m as { dtPs?: unknown }).dtPs;
  return typeof dt === 'number' && dt > 0 ? dt : null;
}

/** Load RUN/states.npy (+ RUN/segments.npy, RUN/manifest.json dtPs), or --dtrajs [--segments]. */
export async function loadInput(
  run: string | undefined,
  opts: { dtrajs?: string; segments?: string; framesFirst?: boolean; atomsFirst?: boolean },
): Promise<LoadedTrajectories> {
  if (opts.framesFirst === true && opts.atomsFirst === true) throw new GetseiError('give either --frames-first or --atoms-first, not both');
  const layout: StateLayout | undefined = opts.framesFirst === true ? 'frames-first' : opts.atomsFirst === true ? 'atoms-first' : undefined;
  if (run !== undefined && opts.dtrajs !== undefined) throw new GetseiError('give either a RUN folder or --dtrajs FILE, not both');
  if (run === undefined && opts.dtrajs === undefined) throw new GetseiError('give a RUN folder (with states.npy) or --dtrajs FILE (.npy or .json)');
  if (opts.dtrajs !== undefined) {
    const file = resolve(opts.dtrajs);
    return {
      dtrajs: await loadDiscreteTrajectories(file, layout),
      segments: opts.segments === undefined ? undefined : await loadSegments(resolve(opts.segments)),
      dtPs: null, source: file, runDir: null,
    };
  }
  const dir = resolve(run as string);
  const statesFile = join(dir, 'states.npy');
  if (!(await exists(statesFile))) {
    throw new GetseiError(`${dir} has no states (${statesFile} is missing); run the states stage (\`getsei run\`) first, or give --dtrajs FILE`);
  }
  if (opts.segments !== undefined) throw new GetseiError('--segments is for --dtrajs input; a run folder uses RUN/segments.npy');
  const segFile = join(dir, 'segments.npy');
  return {
    // getsei writes RUN/states.npy as [nLi, nFrames]
    dtrajs: await loadDiscreteTrajectories(statesFile, 'atoms-first'),
    segments: (await exists(segFile)) ? await loadSegments(segFile) : undefined,
    dtPs: await manifestDtPs(dir),
    source: statesFile,
    runDir: dir,
  };
}

/** Validate and index the trajectories, naming the file in any error. */
export function prepareLoaded(input: LoadedTrajectories, options: CountOptions): PreparedTrajectories {
  try {
    return prepareTrajectories(input.dtrajs, { ...options, segments: input.segments });
  } catch (err) {
    if (err instanceof GetseiError && !(err instanceof InputError)) throw new GetseiError(`${input.source}: ${err.message}`);
    throw err;
  }
}

export function parseStateList(text: string, what: string): number[] {
  const parts = text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (parts.length === 0) throw new GetseiError(`${what}: give state numbers, e.g. 2 or 2,3`);
  return parts.map((p) => {
    const v = Number(p.replace(/^S/i, ''));
    if (!Number.isInteger(v) || v < 0) throw new GetseiError(`${what}: "${p}" is not a state number (0, 1, 2, … or S0, S1, …)`);
    return v;
  });
}

function choice<T extends string>(allowed: readonly T[], what: string): (v: string) => T {
  return (v: string) => {
    if (!(allowed as readonly string[]).includes(v)) throw new GetseiError(`${what} must be one of ${allowed.join(', ')}, got "${v}"`);
    return v as T;
  };
}

function positiveIntArg(what: string): (v: string) => number {
  return (v: string) => {
    const x = Number(v);
    if (!Number.isInteger(x) || x < 1) throw new GetseiError(`${what} must be a positive integer, got "${v}"`);
    return x;
  };
}

function intArg(what: string): (v: string) => number {
  return (v: string) => {
    const x = Number(v);
    if (!Number.isInteger(x)) throw new GetseiError(`${what} must be an integer, got "${v}"`);
    return x;
  };
}

function dtArg(v: string): number {
  const x = Number(v);
  if (!(x > 0) || !Number.isFinite(x)) throw new GetseiError(`--dt must be a positive number of ps per frame, got "${v}"`);
  return x;
}

function confidenceArg(v: string): number {
  const x = Number(v);
  if (!(x > 0 && x < 1)) throw new GetseiError(`--confidence must be between 0 and 1, got "${v}"`);
  return x;
}

/** Options shared by `getsei kinetics` and `getsei paths`. */
export function addModelOptions(cmd: Command) {
  return cmd
    .argument('[RUN]', 'run folder: reads RUN/states.npy (int16 [nLi, nFrames], −1 = undefined), RUN/segments.npy and RUN/manifest.json (dtPs) if present')
    .option('--dtrajs <file>', 'discrete trajectories instead of a run folder: .npy (any integer dtype, byte order, C or Fortran order; 2-D or 1-D), .npz (FILE.npz:KEY, or the only array), .csv (table of integers) or .json (array of arrays)')
    .option('--atoms-first', 'with --dtrajs: rows of a 2-D array are trajectories ([nLi, nFrames]); needed when it has more rows than columns')
    .option('--frames-first', 'with --dtrajs: rows of a 2-D array are frames ([nFrames, nLi]); the array is transposed')
    .option('--segments <file>', 'with --dtrajs: per-frame independent-segment ids (.npy or .json, one per frame); no transition is counted across a segment boundary')
    .addOption(new Option('--lag <lag>', 'lag τ: frames (800), time (80ps, 0.08ns, 800fs; needs dt) or auto (default: the shortest lag where the implied timescales level off)').argParser((v) => parseLagSetting(v)))
    .addOption(new Option('--dt <ps>', 'time between frames in ps (default: the run manifest\'s dtPs; unknown → times in frames)').argParser(dtArg))
    .addOption(new Option('--estimator <name>', 'edmd: row-normalised counts (eq. 8); reversible: maximum likelihood under detailed balance').default('edmd' as Estimator).argParser(choice(ESTIMATORS, '--estimator')))
    .addOption(new Option('--undefined <policy>', 'split: an undefined frame (−1) cuts the trajectory; pairs: only pairs touching it are dropped').default('split' as UndefinedPolicy).argParser(choice(['split', 'pairs'] as const, '--undefined')))
    .addOption(new Option('--rate-method <m>', 'when ln K / τ is not a generator: qog (nearest generator), clip (zero negative rates), none').default('qog' as RateMatrixMethod).argParser(choice(RATE_MATRIX_METHODS, '--rate-method')))
    .addOption(new Option('--log-fallback <f>', 'when K has a real eigenvalue ≤ 0 (no real ln K): regularise (use |λ|) or first-order ((K − I)/τ)').default('regularise' as LogarithmFallback).argParser(choice(LOGARITHM_FALLBACKS, '--log-fallback')))
    .addOption(new Option('--mobility <norm>', 'mobility = total escape rate normalised by: max (most mobile = 1), sum, stationary (π-weighted share), none').default('max' as MobilityNormalisation).argParser(choice(MOBILITY_NORMALISATIONS, '--mobility')))
    .addOption(new Option('--bootstrap <n>', 'bootstrap resamples of the trajectories for error bars (0 = off)').default(0).argParser((v) => {
      const x = Number(v);
      if (!Number.isInteger(x) || x < 0) throw new GetseiError(`--bootstrap must be a non-negative integer, got "${v}"`);
      return x;
    }))
    .addOption(new Option('--seed <s>', 'seed of the bootstrap resampling').default(0).argParser(intArg('--seed')))
    .addOption(new Option('--confidence <c>', 'central interval of the bootstrap (lower/upper)').default(0.95).argParser(confidenceArg))
    .option('--source <states>', 'TPT source states, comma-separated (e.g. 2 or 2,3); default: the least mobile state')
    .option('--target <states>', 'TPT target states, comma-separated; default: the most mobile state')
    .addOption(new Option('--pathways <k>', 'number of dominant pathways').default(5).argParser(positiveIntArg('--pathways')))
    .option('-o, --out <file>', 'output JSON (default RUN/kinetics.json or RUN/paths.json); CSV tables are written beside it as <name>.<table>.csv');
}

/** Where to write: --out, else the run folder's default name. */
export function outputPath(out: string | undefined, loaded: LoadedTrajectories, defaultName: string): string {
  if (out !== undefined) return resolve(out);
  if (loaded.runDir === null) throw new GetseiError(`with --dtrajs, give the output file with -o FILE.json`);
  return join(loaded.runDir, defaultName);
}

/**
 * Write the JSON report and its CSV tables (<stem>.<table>.csv beside it). Returns the files written. The JSON has the
 * shape of the run folder's file of that name (the schema's type), so `-o FILE.json` opens like RUN/kinetics.json.
 */
export async function writeReport<N extends 'kinetics.json' | 'paths.json'>(file: string, report: WrittenRunFile<N>, tables: Record<string, string>): Promise<string[]> {
  await writeJsonAtomic(file, report);
  const stem = basename(file).replace(/\.json$/i, '');
  const written = [file];
  for (const [name, csv] of Object.entries(tables)) {
    const f = join(dirname(file), `${stem}.${name}.csv`);
    await writeFileAtomic(f, csv);
    written.push(f);
  }
  return written;
}

const fmt = (x: number | null): string => (x === null ? '∞' : Number(x.toPrecision(4)).toString());

function summary(r: KineticsReport): string {
  const unit = r.timeUnit === 'ps' ? 'ps' : 'frames';
  const lines = [
    `Markov model (${r.estimator}) at lag ${r.lagFrames} frames${r.dt === null ? '' : ` = ${fmt(r.lag)} ps`}: ` +
      `${r.activeSet.length} active states [${r.activeSet.join(', ')}]` +
      (r.statesOutsideActiveSet.length > 0 ? `, outside: [${r.statesOutsideActiveSet.map((s) => s.state).join(', ')}]` : ''),
    `implied timescales (${unit}): ${r.impliedTimescales.atLag.map(fmt).join(', ')}`,
    `mobility ranking (most → least mobile): ${r.mobilityRanking.join(' > ')}`,
    `rate matrix: ${r.rateMatrixDiagnostics.description}, ` +
      `‖expm(Rτ) − K‖max = ${r.rateMatrixDiagnostics.reconstructionError.toExponential(2)} (rates per ${r.timeUnit})`,
    `Chapman–Kolmogorov max error, k = 1…${r.ckTest.steps.length}: ${r.ckTest.maxError.map((e) => (e === null ? 'n/a' : e.toFixed(3))).join(', ')}`,
  ];
  for (const w of r.warnings) lines.push(`warning: ${w.message}`);
  return `${lines.join('\n')}\n`;
}

export function registerKinetics(program: Command): void {
  const cmd = program
    .command('kinetics')
    .summary('EDMD/Koopman Markov model of discrete trajectories (RUN or --dtrajs)')
    .description(
      'Fit the EDMD/Koopman Markov model of the Li states (eqs. 4, 6–8): transition and rate matrices, stationary ' +
        'populations, eigenvalues, implied timescales over lags, escape rates, mobility ranking, Chapman–Kolmogorov ' +
        'test, optional bootstrap error bars (with TPT rate and pathway fluxes for --source/--target, default least → ' +
        'most mobile). Writes RUN/kinetics.json (or -o FILE.json) and CSV tables beside it. On a folder made by `getsei run`, without -o, the settings go into RUN/config.json and the pipeline reruns kinetics, paths, stability and the report, so the folder stays on one lag.',
    );
  addModelOptions(cmd)
    .option('--lags <list>', 'lags of the implied-timescale scan, comma-separated frames or times (1,2,5 or 1ps,10ps); default 20 geometric lags from 1 frame to 2τ')
    .addOption(new Option('--ck-steps <k>', 'Chapman–Kolmogorov test: compare K(τ)^k with K(kτ) for k = 1…K').default(5).argParser(positiveIntArg('--ck-steps')))
    .action(async (run, opts, command) => {
      const loaded = await loadInput(run, opts);
      const given = (name: string): boolean => command.getOptionValueSource(name) === 'cli';
      if (loaded.runDir !== null && opts.out === undefined && (await rerunPipelineStages(loaded.runDir, opts, given, 'kinetics'))) return;
      const dtPs = opts.dt ?? loaded.dtPs;
      const prepared = prepareLoaded(loaded, { undefinedPolicy: opts.undefined });
      const { lag, choice: lagChoice } = resolveLag(opts.lag ?? DEFAULT_LAG, prepared, { dtPs, estimator: opts.estimator });
      const lags = opts.lags?.split(',').filter((s) => s.trim() !== '').map((s) => lagFrames(s, dtPs, '--lags'));
      const report = runKinetics(prepared, {
        lag, dtPs, estimator: opts.estimator, rateMatrixMethod: opts.rateMethod, logarithmFallback: opts.logFallback,
        mobilityNormalisation: opts.mobility,
        lags, ckSteps: opts.ckSteps,
        bootstrap: opts.bootstrap > 0 ? { nSamples: opts.bootstrap, seed: opts.seed, confidence: opts.confidence } : undefined,
        source: opts.source === undefined ? undefined : parseStateList(opts.source, '--source'),
        target: opts.target === undefined ? undefined : parseStateList(opts.target, '--target'),
        pathways: opts.pathways,
      });
      const file = outputPath(opts.out, loaded, 'kinetics.json');
      const written = await writeReport<'kinetics.json'>(file, { ...report, lagChoice }, kineticsTables(report));
      process.stdout.write(`${summary(report)}→ ${written[0]} (+ ${written.length - 1} CSV tables)\n`);
    });
}

/** Options of `kinetics` / `paths` that the run configuration has a key for, and where each goes. */
const CONFIG_KEYS: Record<string, [section: 'kinetics' | 'paths', key: string]> = {
  lag: ['kinetics', 'lag'], estimator: ['kinetics', 'estimator'], bootstrap: ['kinetics', 'bootstrap'], seed: ['kinetics', 'seed'],
  source: ['paths', 'source'], target: ['paths', 'target'], pathways: ['paths', 'pathways'],
};

/**
 * `kinetics RUN` / `paths RUN` without -o on a folder `getsei run` made (its manifest records stages): the settings
 * go into RUN/config.json and the pipeline reruns kinetics and what follows it (paths, stability, report) as far as
 * they changed — so the folder never holds a kinetics.json, a paths.json and a report at different lags. A setting
 * the configuration has no key for is refused here (give -o FILE.json to write a separate result). Returns false
 * when RUN is not a pipeline folder (the command then writes its files as before).
 */
export async function rerunPipelineStages(runDir: string, opts: Record<string, unknown>, given: (name: string) => boolean, what: string): Promise<boolean> {
  const manifest = await readManifest(runDir);
  if (manifest?.stages?.kinetics === undefined || !existsSync(join(runDir, 'config.json'))) return false;
  const unsupported = Object.keys(opts).filter((k) => given(k) && !(k in CONFIG_KEYS));
  if (unsupported.length > 0) {
    const flags = unsupported.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ');
    throw new GetseiError(
      `${runDir} is a pipeline run folder: ${what} there reruns its stages from RUN/config.json, which has no setting for ${flags}; ` +
        `write a separate result with -o FILE.json`,
    );
  }
  const overrides: Record<string, Record<string, unknown>> = { kinetics: {}, paths: {} };
  for (const [name, [section, key]] of Object.entries(CONFIG_KEYS)) {
    if (!given(name)) continue;
    const v = opts[name];
    overrides[section][key] = name === 'source' || name === 'target' ? parseStateList(v as string, `--${name}`) : v;
  }
  const file = join(runDir, 'config.json');
  let current: unknown;
  try {
    current = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new InputError({ file }, `not valid JSON (${(err as Error).message})`, `rerun \`getsei run FILES -o ${runDir}\``);
  }
  const config = parseConfig(mergeConfig(current as ConfigInput, overrides), file);
  const result = await runPipeline({ run: runDir, files: [], config, reporter: terminalReporter(), command: invokedAs() });
  process.stdout.write(runSummaryText(runDir, result));
  return true;
}
