/**
 * The one place the report reads a run folder: RUN/states.json, kinetics.json, paths.json, stability.json and
 * manifest.json (each optional) → ReportInput. Tolerant by design: a field with an unexpected shape is left out and
 * named in the report's warnings rather than failing the whole report; only unreadable JSON or an empty run folder
 * is an error.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { GetseiError } from '../util/errors.ts';
import { readKineticQuality } from './kinetic-quality.ts';
import { runFileProblems } from '../schema/index.ts';
import type {
  BootstrapPart, CkTestPart, FrameViewPart, Interval, KineticsPart, PathsPart, Pathway, ProvenancePart, RateMatrixDiagnostics,
  ReportInput, RepresentativeEnvironment, StabilityPart, StateDescriptors, StatesPart, TimeUnit, TransportPart, ZProfilePart,
} from './types.ts';

type Obj = Record<string, unknown>;

/** The paper's coordination shell (Methods), used when states.json does not say which radius it used. */
const DEFAULT_SHELL_ANGSTROM = 4;

export interface LoadedRun {
  input: ReportInput;
  /** the result files that were read */
  found: string[];
  /** fields left out because of their shape (also in input.warnings) */
  problems: string[];
  /** where a getsei result file (its `format` says so) departs from its schema (src/pipeline/schema.ts) */
  schemaProblems: string[];
}

/** The writer's `format` of each result file: a file that carries it is checked against the file's schema. */
const WRITER_FORMATS = {
  'manifest.json': 'getsei-run/1', 'states.json': 'getsei-states/1', 'kinetics.json': 'getsei-kinetics', 'paths.json': 'getsei-paths', 'stability.json': 'getsei-stability',
} as const;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function numArr(v: unknown): number[] | undefined {
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) return undefined;
  return v as number[];
}

/** Numbers where JSON may hold null for "undefined here" (the engine writes NaN/Infinity as null): null → NaN. */
function numArrNullable(v: unknown): number[] | undefined {
  if (!Array.isArray(v) || !v.every((x) => x === null || (typeof x === 'number' && Number.isFinite(x)))) return undefined;
  return v.map((x) => (x === null ? Number.NaN : (x as number)));
}

function matNullable(v: unknown): number[][] | undefined {
  if (!Array.isArray(v) || v.length === 0) return undefined;
  const rows = v.map(numArrNullable);
  if (rows.some((r) => r === undefined || r.length !== v.length)) return undefined;
  return rows as number[][];
}

function mat(v: unknown): number[][] | undefined {
  if (!Array.isArray(v) || v.length === 0) return undefined;
  const rows = v.map(numArr);
  if (rows.some((r) => r === undefined || r.length !== v.length)) return undefined;
  return rows as number[][];
}

/** First present key of an object (the pipeline may name a field in one of several ways). */
function pick(o: Obj, ...keys: string[]): unknown {
  for (const k of keys) if (o[k] !== undefined && o[k] !== null) return o[k];
  return undefined;
}

class Reader {
  readonly problems: string[] = [];
  constructor(readonly file: string) {}
  /** Note that `field` was present but unusable; returns undefined for chaining. */
  bad(field: string, what: string): undefined {
    this.problems.push(`${this.file}: "${field}" ${what}; left out of the report`);
    return undefined;
  }
  /** An optional field: absent → undefined silently; present but wrong → undefined and a problem. */
  opt<T>(o: Obj, field: string, parse: (v: unknown) => T | undefined, what: string, ...aliases: string[]): T | undefined {
    const v = pick(o, field, ...aliases);
    if (v === undefined) return undefined;
    return parse(v) ?? this.bad(field, what);
  }
}

async function readJson(run: string, name: string): Promise<Obj | undefined> {
  const path = join(run, name);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new GetseiError(`cannot read ${path}: ${(err as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new GetseiError(`${path} is not valid JSON (${(err as Error).message}); re-run the stage that writes it, e.g. \`getsei run … --force ${name.replace('.json', '')}\``);
  }
  if (!isObj(value)) throw new GetseiError(`${path} should hold a JSON object, found ${Array.isArray(value) ? 'an array' : typeof value}`);
  return value;
}

function eigenvalues(v: unknown): KineticsPart['eigenvalues'] {
  if (isObj(v)) {
    // {re: [...], im: [...]}
    const re = numArr(v.re);
    const im = numArr(v.im) ?? re?.map(() => 0);
    if (!re || !im || im.length !== re.length) return undefined;
    return re.map((x, i) => (im[i] === 0 ? x : { re: x, im: im[i] }));
  }
  if (!Array.isArray(v)) return undefined;
  const out: NonNullable<KineticsPart['eigenvalues']> = [];
  for (const e of v) {
    if (typeof e === 'number' && Number.isFinite(e)) out.push(e);
    else if (isObj(e) && num(e.re) !== undefined) out.push({ re: e.re as number, im: num(e.im) ?? 0 });
    else if (Array.isArray(e) && e.length === 2 && num(e[0]) !== undefined && num(e[1]) !== undefined) out.push({ re: e[0] as number, im: e[1] as number });
    else return undefined;
  }
  return out;
}

function scan(v: unknown): KineticsPart['impliedTimescalesScan'] {
  if (!isObj(v)) return undefined;
  // lagTimes (in the time unit) before lags (which the kinetics engine gives in frames)
  const lags = numArr(pick(v, 'lagTimes', 'lags', 'lag'));
  const ts = pick(v, 'timescales', 'impliedTimescales', 'values');
  if (!lags || !Array.isArray(ts) || ts.length !== lags.length) return undefined;
  const rows: (number | null)[][] = [];
  for (const r of ts) {
    if (!Array.isArray(r)) return undefined;
    rows.push(r.map((x) => (typeof x === 'number' && Number.isFinite(x) ? x : null)));
  }
  return { lags, timescales: rows };
}

function matrices(v: unknown, n: number): number[][][] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out = v.map(mat);
  return out.every((m) => m !== undefined && m.length === n) ? (out as number[][][]) : undefined;
}

function band(v: unknown): { lower: number[]; upper: number[] } | undefined {
  if (!isObj(v)) return undefined;
  const lower = numArrNullable(pick(v, 'lower', 'lo'));
  const upper = numArrNullable(pick(v, 'upper', 'hi'));
  return lower && upper && lower.length === upper.length ? { lower, upper } : undefined;
}

function interval(v: unknown): { lower: number; upper: number } | undefined {
  if (!isObj(v)) return undefined;
  const lower = num(pick(v, 'lower', 'lo'));
  const upper = num(pick(v, 'upper', 'hi'));
  return lower !== undefined && upper !== undefined ? { lower, upper } : undefined;
}

/** The kinetics engine's mobility normalisations, in words for captions. */
const MOBILITY_WORDS: Record<string, string> = {
  max: 'total escape rate divided by the largest',
  sum: 'share of the summed escape rate',
  stationary: 'share of the equilibrium escape flux πᵢkᵢ',
  none: 'total escape rate, not normalised',
};

/** What the returned rate matrix is, in words: the kinetics engine's description, else built from source + correction. */
function rateMethodWords(v: Obj): string {
  const described = str(v.description);
  if (described !== undefined) return described;
  const given = str(pick(v, 'method', 'fallback', 'chosen'));
  const source = str(v.source);
  if (source === undefined) return given ?? 'principal matrix logarithm';
  const base = source === 'logm' ? 'principal matrix logarithm ln K / τ' : 'first-order estimate (K − I) / τ';
  const correction = str(v.correction);
  const fix = correction === 'qog' ? ', projected row by row onto the nearest valid generator (QOG)'
    : correction === 'clip' ? ', negative off-diagonal rates set to zero' : '';
  return `${base}${fix}${given ? ` (method "${given}")` : ''}`;
}

/** The kinetics engine's bootstrap summary ({lower, upper} per quantity, TPT under "tpt") → bands. */
function bootstrapPart(v: Obj): BootstrapPart {
  const tpt = isObj(v.tpt) ? v.tpt : v;
  return {
    samples: num(pick(v, 'nSucceeded', 'samples', 'nSamples', 'n', 'resamples')) ?? 0,
    level: num(pick(v, 'level', 'confidence')) ?? 0.95,
    stationary: band(v.stationary),
    escapeRates: band(v.totalEscapeRates) ?? band(v.escapeRates),
    mobility: band(v.mobility),
    rate: interval(tpt.rate),
    totalFlux: interval(tpt.totalFlux),
    pathwayFlux: band(pick(v, 'pathwayFlux', 'pathwayFluxes')),
  };
}

/** Bootstrap intervals of the reported pathways, matched by their state sequence to the bootstrap's pathways. */
function pathwayBand(boot: unknown, pathways: Pathway[]): { lower: number[]; upper: number[] } | undefined {
  const list = isObj(boot) && isObj(boot.tpt) && Array.isArray(boot.tpt.pathways) ? boot.tpt.pathways.filter(isObj) : undefined;
  if (!list || pathways.length === 0) return undefined;
  const lower: number[] = [];
  const upper: number[] = [];
  for (const w of pathways) {
    const match = list.find((b) => JSON.stringify(b.states) === JSON.stringify(w.states));
    const iv = match ? interval(match.flux) : undefined;
    if (!iv) return undefined;
    lower.push(iv.lower);
    upper.push(iv.upper);
  }
  return { lower, upper };
}

function kinetics(o: Obj, r: Reader): KineticsPart | undefined {
  const transitionMatrix = mat(o.transitionMatrix);
  if (!transitionMatrix) return r.bad('transitionMatrix', 'is missing or not a square matrix of numbers, so the kinetics part');
  const n = transitionMatrix.length;
  const stationary = numArr(o.stationary);
  if (!stationary || stationary.length !== n) return r.bad('stationary', `is missing or not ${n} numbers, so the kinetics part`);
  const dt = num(pick(o, 'dt', 'dtPs'));
  const unitRaw = str(pick(o, 'timeUnit', 'units', 'unit'));
  const timeUnit: TimeUnit = unitRaw === 'ps' ? 'ps' : unitRaw === 'frames' || unitRaw === 'frame' ? 'frames' : dt !== undefined ? 'ps' : 'frames';
  // lagTime is the lag in the time unit; the kinetics engine's "lag" is in frames
  const lagRaw = pick(o, 'lagTime', 'lag', 'lagPs', 'lagFrames');
  const lag = num(lagRaw) ?? (isObj(lagRaw) ? num(pick(lagRaw, 'value', 'ps', 'frames')) : undefined);
  if (lag === undefined) return r.bad('lag', 'is missing or not a number, so the kinetics part');
  const activeSet = r.opt(o, 'activeSet', (v) => { const a = numArr(v); return a && a.length === n ? a : undefined; }, `is not ${n} state ids`) ?? transitionMatrix.map((_, i) => i);
  const sq = (v: unknown): number[][] | undefined => { const m = mat(v); return m && m.length === n ? m : undefined; };
  const vec = (v: unknown): number[] | undefined => { const a = numArr(v); return a && a.length === n ? a : undefined; };
  const k: KineticsPart = { timeUnit, lag, dt: dt ?? null, activeSet, transitionMatrix, stationary };
  // the pipeline writes lagChoice as {lag, rule, explanation}; a plain string is accepted too
  const lc = pick(o, 'lagChoice', 'lagRule');
  const lagChoice = isObj(lc) ? str(lc.explanation) : str(lc);
  if (lagChoice !== undefined) k.lagChoice = lagChoice;
  k.countMatrix = r.opt(o, 'countMatrix', sq, `is not a ${n}×${n} matrix`);
  k.eigenvalues = r.opt(o, 'eigenvalues', eigenvalues, 'is not a list of (complex) numbers');
  const its = o.impliedTimescales;
  if (Array.isArray(its)) k.impliedTimescales = numArr(its) ?? r.bad('impliedTimescales', 'is not a list of numbers');
  else if (its !== undefined) {
    k.impliedTimescalesScan = scan(its) ?? r.bad('impliedTimescales', 'is neither a list of timescales nor {lags, timescales}');
    // {atLag: [...]}: the timescales at the chosen lag; null (|λ| = 1) entries dropped
    const atLag = isObj(its) ? numArrNullable(its.atLag) : undefined;
    if (atLag) k.impliedTimescales = atLag.filter((t) => Number.isFinite(t) && t > 0);
  }
  k.impliedTimescalesScan = r.opt(o, 'impliedTimescalesScan', scan, 'is not {lags, timescales}') ?? k.impliedTimescalesScan;
  k.rateMatrix = r.opt(o, 'rateMatrix', sq, `is not a ${n}×${n} matrix`);
  k.rateMatrixDiagnostics = r.opt(o, 'rateMatrixDiagnostics', (v): RateMatrixDiagnostics | undefined => {
    if (!isObj(v)) return undefined;
    const valid = pick(v, 'valid', 'isGenerator', 'ok');
    const messages = [pick(v, 'messages', 'notes', 'message', 'warnings'), v.obstruction].flat().filter((m): m is string => typeof m === 'string');
    return {
      valid: typeof valid === 'boolean' ? valid && (v.source === undefined || v.source === 'logm') : true,
      method: rateMethodWords(v),
      reconstructionError: num(pick(v, 'reconstructionError', 'error', 'residual')),
      messages,
    };
  }, 'is not an object');
  const esc = o.escapeRates;
  if (esc !== undefined) {
    const m = sq(esc);
    if (m) {
      // an escape-rate matrix (off-diagonal R): rebuild R when it is not given, total escape = row sum
      const totals = m.map((row, i) => row.reduce((a, x, j) => a + (i === j ? 0 : x), 0));
      k.escapeRates = totals;
      k.rateMatrix ??= m.map((row, i) => row.map((x, j) => (i === j ? -totals[i] : x)));
    } else {
      k.escapeRates = vec(esc) ?? r.bad('escapeRates', `is neither ${n} numbers nor a ${n}×${n} matrix`);
    }
  }
  const totals = r.opt(o, 'totalEscapeRates', vec, `is not ${n} numbers`);
  if (totals) k.escapeRates = totals;
  k.mobility = r.opt(o, 'mobility', (v) => vec(v) ?? (isObj(v) ? vec(pick(v, 'scores', 'score', 'values')) : undefined), `is not ${n} numbers`);
  const mob = o.mobility;
  if (isObj(mob)) k.mobilityNormalisation = str(pick(mob, 'normalisation', 'normalization'));
  k.mobilityNormalisation ??= str(pick(o, 'mobilityNormalisation', 'mobilityNormalization'));
  if (k.mobilityNormalisation !== undefined) k.mobilityNormalisation = MOBILITY_WORDS[k.mobilityNormalisation] ?? k.mobilityNormalisation;
  k.mobilityRanking = r.opt(o, 'mobilityRanking', (v) => { const a = numArr(v); return a && a.length === n ? a : undefined; }, `is not ${n} state ids`);
  k.ckTest = r.opt(o, 'ckTest', (v): CkTestPart | undefined => {
    if (!isObj(v)) return undefined;
    const steps = numArr(pick(v, 'steps', 'k', 'lagMultiples'));
    const predicted = Array.isArray(v.predicted) ? v.predicted.map(matNullable) : undefined;
    const estimated = Array.isArray(v.estimated) ? v.estimated.map(matNullable) : undefined;
    if (!steps || !predicted || !estimated || predicted.length !== steps.length || estimated.length !== steps.length) return undefined;
    // a step whose estimate failed (null) is left out rather than the whole test
    const keep = steps.map((_, i) => predicted[i]?.length === n && estimated[i]?.length === n);
    const ck: CkTestPart = {
      steps: steps.filter((_, i) => keep[i]),
      predicted: predicted.filter((_, i) => keep[i]) as number[][][],
      estimated: estimated.filter((_, i) => keep[i]) as number[][][],
    };
    const lo = matrices(pick(v, 'estimatedLower', 'lower'), n);
    const hi = matrices(pick(v, 'estimatedUpper', 'upper'), n);
    if (lo && hi && lo.length === steps.length && hi.length === steps.length) {
      ck.estimatedLower = lo.filter((_, i) => keep[i]);
      ck.estimatedUpper = hi.filter((_, i) => keep[i]);
    }
    return ck.steps.length > 0 ? ck : undefined;
  }, 'is not {steps, predicted, estimated} with one matrix per step');
  k.bootstrap = r.opt(o, 'bootstrap', (v): BootstrapPart | undefined => {
    if (!isObj(v)) return undefined;
    return bootstrapPart(v);
  }, 'is not an object');
  return k;
}

function idList(v: unknown): number[] | undefined {
  if (typeof v === 'number' && Number.isInteger(v)) return [v];
  const a = numArr(v);
  return a && a.length > 0 ? a : undefined;
}

function paths(o: Obj, r: Reader, k: KineticsPart | undefined): PathsPart | undefined {
  const source = idList(o.source);
  const target = idList(o.target);
  if (!source || !target) return r.bad('source/target', 'are missing, so the paths part');
  const netFlux = mat(o.netFlux);
  const grossFlux = mat(pick(o, 'grossFlux', 'reactiveFlux'));
  const equilibriumFlux = mat(o.equilibriumFlux);
  if (!netFlux || !grossFlux || !equilibriumFlux) return r.bad('equilibriumFlux/grossFlux/netFlux', 'are missing or not square matrices, so the paths part');
  const n = netFlux.length;
  const forwardCommittor = numArr(o.forwardCommittor);
  const backwardCommittor = numArr(o.backwardCommittor);
  if (!forwardCommittor || forwardCommittor.length !== n || !backwardCommittor || backwardCommittor.length !== n) {
    return r.bad('forwardCommittor/backwardCommittor', `are missing or not ${n} numbers, so the paths part`);
  }
  const totalFlux = num(o.totalFlux);
  const rate = num(o.rate);
  if (totalFlux === undefined || rate === undefined) return r.bad('totalFlux/rate', 'are missing, so the paths part');
  const pathways: Pathway[] = [];
  if (Array.isArray(o.pathways)) {
    for (const [i, w] of o.pathways.entries()) {
      if (!isObj(w)) { r.bad(`pathways[${i}]`, 'is not an object'); continue; }
      const states = numArr(pick(w, 'states', 'path'));
      const flux = num(w.flux);
      const b = w.bottleneck;
      const bottleneck = Array.isArray(b) && num(b[0]) !== undefined && num(b[1]) !== undefined ? [b[0] as number, b[1] as number] as [number, number]
        : isObj(b) && num(b.from) !== undefined && num(b.to) !== undefined ? [b.from as number, b.to as number] as [number, number] : undefined;
      if (!states || flux === undefined || !bottleneck) { r.bad(`pathways[${i}]`, 'lacks states, flux or bottleneck'); continue; }
      pathways.push({ states, flux, fraction: num(pick(w, 'fraction', 'share')) ?? (totalFlux > 0 ? flux / totalFlux : 0), bottleneck });
    }
  }
  const p: PathsPart = { source, target, forwardCommittor, backwardCommittor, equilibriumFlux, grossFlux, netFlux, totalFlux, rate, pathways };
  const unit = str(pick(o, 'timeUnit', 'units', 'unit'));
  if (unit === 'ps') p.timeUnit = 'ps';
  else if (unit === 'frames' || unit === 'frame') p.timeUnit = 'frames';
  const active = numArr(o.activeSet);
  if (active && active.length === n) p.activeSet = active;
  else if (!k || k.activeSet.length !== n) p.activeSet = forwardCommittor.map((_, i) => i);
  p.mfpt = num(o.mfpt);
  const d = o.pathwayDiversity;
  if (isObj(d)) {
    const entropy = num(pick(d, 'entropy', 'shannon'));
    const eff = num(pick(d, 'effectiveNumber', 'effective', 'effectivePathways'));
    if (entropy !== undefined || eff !== undefined) p.pathwayDiversity = { entropy: entropy ?? Math.log(eff as number), effectiveNumber: eff ?? Math.exp(entropy as number) };
    else r.bad('pathwayDiversity', 'has neither entropy nor effectiveNumber');
  } else if (num(d) !== undefined) {
    // a bare number is read as the Shannon entropy (nats) of the pathway shares
    p.pathwayDiversity = { entropy: d as number, effectiveNumber: Math.exp(d as number) };
  }
  return p;
}

/**
 * The pipeline's per-state descriptors: one object per state with the means of the centre Li's features under
 * `mean` (count_<El>, mean_distance, adf_mean … adf_median in degrees, li_density in Å⁻³, z_fraction).
 */
function featureDescriptors(rows: Obj[], shellAngstrom: number): StateDescriptors | undefined {
  const means = rows.map((row) => (isObj(row.mean) ? row.mean : undefined));
  if (means.some((m) => m === undefined)) return undefined;
  const m = means as Obj[];
  // Li first (the centre's own kind), the other elements in the order the features stage gives them
  const elements = Object.keys(m[0]).filter((key) => key.startsWith('count_')).map((key) => key.slice(6))
    .sort((a, b) => Number(b === 'Li') - Number(a === 'Li'));
  if (elements.length === 0) return undefined;
  const col = (key: string, scale = 1): number[] | undefined => {
    const vals = m.map((x) => num(x[key]));
    return vals.every((x) => x !== undefined) ? (vals as number[]).map((x) => x * scale) : undefined;
  };
  const zFraction = col('z_fraction');
  return {
    shellAngstrom,
    elements,
    coordination: m.map((x) => elements.map((el) => num(x[`count_${el}`]) ?? 0)),
    liDensity: col('li_density', 1000),
    liDensityUnit: 'Li nm⁻³',
    meanNeighbourDistanceAngstrom: col('mean_distance'),
    angleMeanDeg: col('adf_mean'),
    angleStdDeg: col('adf_std'),
    angleMinDeg: col('adf_min'),
    angleMaxDeg: col('adf_max'),
    angleMedianDeg: col('adf_median'),
    meanZFraction: zFraction,
  };
}

function descriptors(v: unknown, count: number, shellAngstrom: number): StateDescriptors | undefined {
  if (Array.isArray(v)) {
    // one object per state: {mean: {count_Li: …}} (the pipeline) or {coordination: {Li: 4.1, S: 3.2}, liDensity, …}
    if (!v.every(isObj) || v.length !== count) return undefined;
    const rows = v as Obj[];
    if (rows.every((row) => isObj(row.mean))) return featureDescriptors(rows, shellAngstrom);
    const elements = [...new Set(rows.flatMap((row) => (isObj(row.coordination) ? Object.keys(row.coordination) : [])))];
    const col = (...keys: string[]): number[] | undefined => {
      const vals = rows.map((row) => num(pick(row, ...keys)));
      return vals.every((x) => x !== undefined) ? (vals as number[]) : undefined;
    };
    if (elements.length === 0) return undefined;
    return {
      shellAngstrom: num(pick(rows[0], 'shellAngstrom', 'cutoffAngstrom')) ?? shellAngstrom,
      elements,
      coordination: rows.map((row) => elements.map((el) => (isObj(row.coordination) ? num(row.coordination[el]) ?? 0 : 0))),
      liDensity: col('liDensity'),
      liDensityUnit: str(rows[0]?.liDensityUnit),
      meanNeighbourDistanceAngstrom: col('meanNeighbourDistanceAngstrom', 'meanDistanceAngstrom', 'meanNeighbourDistance'),
      angleMeanDeg: col('angleMeanDeg', 'angleMean'),
      angleStdDeg: col('angleStdDeg', 'angleStd'),
      angleMinDeg: col('angleMinDeg', 'angleMin'),
      angleMaxDeg: col('angleMaxDeg', 'angleMax'),
      angleMedianDeg: col('angleMedianDeg', 'angleMedian'),
      meanZAngstrom: col('meanZAngstrom', 'meanZ'),
    };
  }
  if (!isObj(v)) return undefined;
  const elements = Array.isArray(v.elements) && v.elements.every((e) => typeof e === 'string') ? (v.elements as string[]) : undefined;
  const coordination = pick(v, 'coordination', 'meanCoordination');
  const cn = Array.isArray(coordination) ? coordination.map(numArr) : undefined;
  if (!elements || !cn || cn.length !== count || cn.some((row) => !row || row.length !== elements.length)) return undefined;
  const vec = (...keys: string[]): number[] | undefined => { const a = numArr(pick(v, ...keys)); return a && a.length === count ? a : undefined; };
  return {
    shellAngstrom: num(pick(v, 'shellAngstrom', 'cutoffAngstrom')) ?? shellAngstrom,
    elements,
    coordination: cn as number[][],
    liDensity: vec('liDensity'),
    liDensityUnit: str(v.liDensityUnit),
    meanNeighbourDistanceAngstrom: vec('meanNeighbourDistanceAngstrom', 'meanDistanceAngstrom', 'meanNeighbourDistance'),
    angleMeanDeg: vec('angleMeanDeg', 'angleMean'),
    angleStdDeg: vec('angleStdDeg', 'angleStd'),
    angleMinDeg: vec('angleMinDeg', 'angleMin'),
    angleMaxDeg: vec('angleMaxDeg', 'angleMax'),
    angleMedianDeg: vec('angleMedianDeg', 'angleMedian'),
    meanZAngstrom: vec('meanZAngstrom', 'meanZ'),
  };
}

/** A text file named by a result file, relative to the run folder; undefined when it cannot be read. */
async function runText(run: string, file: string): Promise<string | undefined> {
  const path = isAbsolute(file) ? file : join(run, file);
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

async function representatives(v: unknown, run: string, r: Reader): Promise<RepresentativeEnvironment[] | undefined> {
  const list: { state: number; entry: unknown }[] = [];
  if (Array.isArray(v)) {
    for (const e of v) if (isObj(e)) list.push({ state: num(e.state) ?? -1, entry: e });
  } else if (isObj(v)) {
    // {"0": ["reps/S0-1.xyz", …], …}
    for (const [key, entries] of Object.entries(v)) {
      for (const e of Array.isArray(entries) ? entries : [entries]) list.push({ state: Number(key), entry: e });
    }
  } else return undefined;
  const out: RepresentativeEnvironment[] = [];
  for (const { state, entry } of list) {
    const e = isObj(entry) ? entry : { file: entry };
    let xyz = str(e.xyz);
    const file = str(pick(e, 'file', 'path'));
    if (xyz === undefined && file !== undefined) xyz = await runText(run, file);
    if (xyz === undefined || !Number.isInteger(state) || state < 0) {
      r.bad('representatives', `has an entry${file ? ` (${file})` : ''} without a readable structure or state`);
      continue;
    }
    const where = num(e.frame) !== undefined && num(e.atom) !== undefined ? `frame ${e.frame as number}, atom ${e.atom as number}` : undefined;
    out.push({ state, xyz, centerIndex: num(pick(e, 'centerIndex', 'centreIndex', 'center')) ?? 0, note: str(e.note) ?? where ?? (file ? basename(file) : undefined) });
  }
  return out;
}

async function states(o: Obj, r: Reader, run: string): Promise<StatesPart | undefined> {
  const populations = numArr(pick(o, 'populations', 'population'));
  const count = num(pick(o, 'count', 'nStates', 'k')) ?? populations?.length;
  if (count === undefined || !populations || populations.length !== count) return r.bad('populations', 'are missing or do not match the state count, so the states part');
  const s: StatesPart = { count, populations };
  s.labels = r.opt(o, 'labels', (v) => (Array.isArray(v) && v.length === count && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined), `is not ${count} strings`);
  const sil = o.silhouette;
  if (num(sil) !== undefined) s.silhouette = { overall: sil as number, perState: numArrNullable(o.silhouettePerState) };
  else if (isObj(sil) && num(pick(sil, 'overall', 'mean', 'score')) !== undefined) {
    s.silhouette = { overall: num(pick(sil, 'overall', 'mean', 'score')) as number, perState: numArrNullable(pick(sil, 'perState', 'byState')) };
  } else if (sil !== undefined && sil !== null) r.bad('silhouette', 'is neither a number nor {overall, perState}');
  s.scoreTable = r.opt(o, 'scoreTable', (v) => {
    if (!Array.isArray(v)) return undefined;
    // silhouette may be null where it could not be computed (e.g. a component without members)
    const rows = v.filter(isObj).map((row) => ({ count: num(pick(row, 'count', 'k', 'nStates')), bic: num(row.bic), silhouette: row.silhouette === null ? Number.NaN : num(row.silhouette) }));
    return rows.length === v.length && rows.every((x) => x.count !== undefined && x.bic !== undefined && x.silhouette !== undefined)
      ? (rows as { count: number; bic: number; silhouette: number }[]) : undefined;
  }, 'is not a list of {count, bic, silhouette}', 'scores', 'selection');
  const shell = num(pick(o, 'shellAngstrom', 'cutoffAngstrom')) ?? DEFAULT_SHELL_ANGSTROM;
  s.descriptors = r.opt(o, 'descriptors', (v) => descriptors(v, count, shell), 'does not hold per-state coordination by element');
  s.embeddingMap = r.opt(o, 'embeddingMap', (v) => {
    if (!isObj(v)) return undefined;
    const raw = str(v.method) ?? '2-D map';
    const method = ({ tsne: 't-SNE', umap: 'UMAP', pca: 'PCA' } as Record<string, string>)[raw.toLowerCase()] ?? raw;
    if (Array.isArray(v.points)) {
      const pts = v.points.filter(isObj).map((q) => ({ x: num(q.x), y: num(q.y), state: num(q.state) }));
      return pts.every((q) => q.x !== undefined && q.y !== undefined && q.state !== undefined) ? { method, points: pts as { x: number; y: number; state: number }[] } : undefined;
    }
    const x = numArr(v.x);
    const y = numArr(v.y);
    const st = numArr(pick(v, 'state', 'states'));
    return x && y && st && x.length === y.length && y.length === st.length ? { method, points: x.map((xi, i) => ({ x: xi, y: y[i], state: st[i] })) } : undefined;
  }, 'is neither {points} nor {x, y, state}', 'map', 'projection');
  if (o.representatives !== undefined) s.representatives = (await representatives(o.representatives, run, r)) ?? r.bad('representatives', 'is neither a list nor a map by state');
  return s;
}

function zProfile(v: unknown): ZProfilePart | undefined {
  if (!isObj(v)) return undefined;
  const zCentres = numArr(pick(v, 'zCentres', 'zCenters', 'centres'));
  const f = pick(v, 'fractions');
  const fractions = Array.isArray(f) ? f.map(numArr) : undefined;
  if (!zCentres || !fractions || fractions.some((row) => !row || row.length !== zCentres.length)) return undefined;
  const unit = str(v.zUnit);
  return { zCentres, zUnit: unit === 'Å' || unit === 'A' || unit === 'angstrom' ? 'Å' : 'fraction', fractions: fractions as number[][], counts: numArr(v.counts) };
}

async function frameView(v: unknown, run: string): Promise<FrameViewPart | undefined> {
  if (!isObj(v)) return undefined;
  const stateByAtom = numArr(v.stateByAtom);
  const file = str(pick(v, 'file', 'path'));
  const xyz = str(v.xyz) ?? (file ? await runText(run, file) : undefined);
  if (!stateByAtom || xyz === undefined) return undefined;
  return { frame: num(v.frame) ?? 0, timePs: num(v.timePs), xyz, stateByAtom };
}

function stability(v: unknown): StabilityPart | undefined {
  if (!isObj(v)) return undefined;
  const meanAri = num(pick(v, 'meanAri', 'ari'));
  if (meanAri === undefined) return undefined;
  const raw = isObj(v.rawBaseline) ? v.rawBaseline : undefined;
  const conclusions = Array.isArray(v.conclusions)
    ? v.conclusions.filter(isObj).filter((c) => typeof c.claim === 'string' && typeof c.holds === 'boolean').map((c) => ({ claim: c.claim as string, holds: c.holds as boolean, detail: str(c.detail) }))
    : undefined;
  return {
    repeats: num(v.repeats) ?? 0,
    meanAri,
    perStateStability: numArr(v.perStateStability),
    unstableStates: numArr(v.unstableStates),
    mobilityKendallTau: num(v.mobilityKendallTau),
    rawBaseline: raw && num(raw.silhouette) !== undefined && num(raw.ari) !== undefined ? { silhouette: raw.silhouette as number, ari: raw.ari as number } : undefined,
    conclusions,
  };
}

function provenance(m: Obj, run: string): ProvenancePart {
  const inputs = Array.isArray(m.inputs)
    ? m.inputs.filter(isObj).map((f) => ({ path: str(f.path) ?? '?', bytes: num(f.bytes) ?? 0, sha256: str(f.sha256) ?? '' }))
    : undefined;
  const stages = isObj(m.stages) ? m.stages : {};
  const timings = Object.entries(stages).filter(([, s]) => isObj(s)).map(([stage, s]) => ({ stage, seconds: num((s as Obj).seconds), status: str((s as Obj).status) }));
  const seeds = Object.fromEntries(Object.entries(stages).filter(([, s]) => isObj(s) && num((s as Obj).seed) !== undefined).map(([stage, s]) => [stage, (s as Obj).seed as number]));
  return {
    runFolder: run,
    getsei: str(m.getsei),
    node: str(m.node),
    created: str(m.created),
    command: str(m.command),
    inputs,
    config: m.config,
    timings,
    seeds: Object.keys(seeds).length ? seeds : undefined,
  };
}

function warningsOf(o: Obj | undefined): string[] {
  return Array.isArray(o?.warnings) ? o.warnings.filter((w): w is string => typeof w === 'string') : [];
}

/** Read a run folder's results into a ReportInput (see the module comment). */
function transportInterval(v: unknown): Interval | null {
  if (!isObj(v) || num(v.value) === undefined) return null;
  const bound = (x: unknown): number | null => num(x) ?? null;
  return { value: v.value as number, lower: bound(v.lower), upper: bound(v.upper) };
}

/** RUN/transport.json → TransportPart; undefined (with a problem noted) when its core is unusable. */
function transportPart(o: Obj, r: Reader): TransportPart | undefined {
  const msd = isObj(o.msd) ? o.msd : undefined;
  const timePs = numArr(msd?.timePs), li = numArr(msd?.li);
  const fw = isObj(o.fitWindow) ? o.fitWindow : undefined;
  const tracer = transportInterval(o.tracerDiffusion);
  if (!timePs || !li || timePs.length !== li.length || !fw || num(fw.startPs) === undefined || num(fw.endPs) === undefined || !tracer) {
    return r.bad('msd', 'is not {timePs, li} with a fitWindow and tracerDiffusion');
  }
  const part: TransportPart = {
    msd: { timePs, li }, fitWindow: { startPs: fw.startPs as number, endPs: fw.endPs as number }, tracerDiffusion: tracer,
    conductivity: transportInterval(o.conductivity), temperatureK: num(o.temperatureK) ?? null,
  };
  const charge = transportInterval(o.chargeDiffusion), haven = transportInterval(o.havenRatio);
  if (charge) part.chargeDiffusion = charge;
  if (haven) part.havenRatio = haven;
  const fit = isObj(o.tracerFit) ? o.tracerFit : undefined;
  if (fit && num(fit.meanTimePs) !== undefined && num(fit.meanMsdA2) !== undefined) part.tracerFit = { meanTimePs: fit.meanTimePs as number, meanMsdA2: fit.meanMsdA2 as number };
  const p = isObj(o.profile) ? o.profile : undefined;
  if (p) {
    const z = numArr(p.zCentresAngstrom), samples = numArr(p.samples);
    if (z && samples && Array.isArray(p.diffusion) && p.diffusion.length === z.length && num(p.binAngstrom) !== undefined) {
      part.profile = { axis: str(p.axis) ?? 'c', binAngstrom: p.binAngstrom as number, zCentresAngstrom: z, samples, diffusion: p.diffusion.map(transportInterval) };
    } else r.bad('profile', 'is not {zCentresAngstrom, diffusion, samples, binAngstrom}');
  }
  const ps = isObj(o.perState) ? o.perState : undefined;
  if (ps) {
    const res = isObj(ps.residence) && Array.isArray(ps.residence.perState) ? ps.residence.perState : undefined;
    const w = isObj(ps.fitWindow) ? ps.fitWindow : undefined;
    if (res && Array.isArray(ps.diffusion) && w && num(w.startPs) !== undefined && num(w.endPs) !== undefined) {
      const mc = isObj(ps.mobilityCheck) && num(ps.mobilityCheck.rho) !== undefined ? ps.mobilityCheck : undefined;
      part.perState = {
        diffusion: ps.diffusion.map(transportInterval), fitWindow: { startPs: w.startPs as number, endPs: w.endPs as number },
        residence: res.map((x) => {
          const e = isObj(x) ? x : {};
          return { meanPs: num(e.meanPs) ?? null, medianPs: num(e.medianPs) ?? null, timePerExitPs: num(e.timePerExitPs) ?? null, complete: num(e.complete) ?? 0 };
        }),
        mobilityCheck: mc ? { rho: mc.rho as number, n: num(mc.n) ?? 0, pValue: num(mc.pValue) ?? null, states: numArr(mc.states) ?? [] } : null,
      };
    } else r.bad('perState', 'is not {diffusion, residence, fitWindow}');
  }
  return part;
}

export async function loadReportInput(runDir: string): Promise<LoadedRun> {
  const run = resolve(runDir);
  try {
    if (!(await stat(run)).isDirectory()) throw new GetseiError(`${runDir} is not a folder; give the run folder written by \`getsei run\``);
  } catch (err) {
    if (err instanceof GetseiError) throw err;
    throw new GetseiError(`${runDir} does not exist; give the run folder written by \`getsei run\``);
  }
  const [m, so, ko, po, sto] = await Promise.all(['manifest.json', 'states.json', 'kinetics.json', 'paths.json', 'stability.json'].map((f) => readJson(run, f)));
  const found = (['manifest.json', 'states.json', 'kinetics.json', 'paths.json', 'stability.json'] as const).filter((_, i) => [m, so, ko, po, sto][i] !== undefined);
  if (!so && !ko && !po) {
    throw new GetseiError(`${runDir} has no results to report (no states.json, kinetics.json or paths.json); run \`getsei run FILES -o ${runDir}\` first`);
  }
  const problems: string[] = [];
  const input: ReportInput = { title: basename(run) };
  if (so) {
    const r = new Reader('states.json');
    input.states = await states(so, r, run);
    input.zProfile = r.opt(so, 'zProfile', zProfile, 'is not {zCentres, fractions}', 'profile');
    const fv = pick(so, 'frameView', 'frame');
    if (fv !== undefined) input.frameView = (await frameView(fv, run)) ?? r.bad('frameView', 'is not {xyz or file, stateByAtom}');
    if (so.stability !== undefined) input.stability = stability(so.stability) ?? r.bad('stability', 'has no meanAri');
    problems.push(...r.problems);
  }
  if (ko) {
    const r = new Reader('kinetics.json');
    input.kinetics = kinetics(ko, r);
    problems.push(...r.problems);
  }
  if (po) {
    const r = new Reader('paths.json');
    input.paths = paths(po, r, input.kinetics);
    problems.push(...r.problems);
  }
  const k = input.kinetics;
  if (k && input.paths) {
    // bootstrap of the TPT quantities: from paths.json when kinetics.json has none
    if (!k.bootstrap && isObj(po?.bootstrap)) k.bootstrap = bootstrapPart(po.bootstrap);
    if (k.bootstrap && !k.bootstrap.pathwayFlux) {
      k.bootstrap.pathwayFlux = pathwayBand(po?.bootstrap, input.paths.pathways) ?? pathwayBand(ko?.bootstrap, input.paths.pathways);
    }
  }
  const to = await readJson(run, 'transport.json');
  if (to) {
    const r = new Reader('transport.json');
    input.transport = transportPart(to, r);
    problems.push(...r.problems);
  }
  if (sto) {
    input.stability = stability(sto) ?? input.stability;
    if (!stability(sto)) problems.push('stability.json: has no meanAri; left out of the report');
  }
  if (m) input.provenance = provenance(m, runDir);
  input.kineticQuality = readKineticQuality(so, ko, problems);
  input.warnings = [...warningsOf(m), ...warningsOf(so), ...warningsOf(ko), ...warningsOf(po), ...problems];
  const schemaProblems = (Object.keys(WRITER_FORMATS) as (keyof typeof WRITER_FORMATS)[]).flatMap((name, i) => {
    const o = [m, so, ko, po, sto][i];
    return o !== undefined && o.format === WRITER_FORMATS[name] ? runFileProblems(name, o) : [];
  });
  return { input, found: [...found], problems, schemaProblems };
}
