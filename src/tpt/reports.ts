import { toRows } from '../linalg/index.ts';
import {
  bootstrapModels, chapmanKolmogorovTest, chapmanKolmogorovVerdicts, NO_RESOLVED_PROCESS_WARNING, resolvedProcesses, checkLagFits, countTransitionsByUnit, defaultLagGrid, fitMarkovModel,
  impliedTimescalesScan, isPrepared, prepareTrajectories, SampleCollector, summarise, type CountOptions,
  type DiscreteTrajectories, type Estimator, type MarkovModel, type MarkovModelOptions, type MobilityNormalisation, type PreparedTrajectories,
  type CkVerdict, type RateMatrixDiagnostics, type Summary, type UnitCounts,
} from '../markov/index.ts';
import { GetseiError } from '../util/errors.ts';
import { coarseGrainFlux } from './coarse.ts';
import { reactiveFlux, type ReactiveFlux } from './flux.ts';
import { dominantPathways, pathwayDiversity } from './pathways.ts';
import { type StageWarning } from '../util/warnings.ts';

/** JSON has no Infinity/NaN: such values (e.g. the timescale of |λ| = 1) are written as null. */
type Num = number | null;
const num = (x: number): Num => (Number.isFinite(x) ? x : null);
const vec = (a: ArrayLike<number>): Num[] => Array.from(a, num);
const mat = (a: Float64Array): Num[][] => toRows(a).map((r) => r.map(num));
const arr = (a: ArrayLike<number>): number[] => Array.from(a);

export interface SummaryJson { mean: Num; std: Num; lower: Num; upper: Num }
export interface VectorSummaryJson { mean: Num[]; std: Num[]; lower: Num[]; upper: Num[] }
export interface MatrixSummaryJson { mean: Num[][]; std: Num[][]; lower: Num[][]; upper: Num[][] }

const summaryJson = (s: Summary): SummaryJson => ({ mean: num(s.mean), std: num(s.std), lower: num(s.lower), upper: num(s.upper) });

function vectorSummary(c: SampleCollector, confidence: number): VectorSummaryJson {
  const s = c.summary(confidence);
  return { mean: vec(s.mean), std: vec(s.std), lower: vec(s.lower), upper: vec(s.upper) };
}

function matrixSummary(c: SampleCollector, confidence: number): MatrixSummaryJson {
  const s = c.summary(confidence);
  return { mean: mat(s.mean), std: mat(s.std), lower: mat(s.lower), upper: mat(s.upper) };
}

export interface BootstrapSettings {
  nSamples: number;
  seed: number;
  /** central interval reported as lower/upper (default 0.95) */
  confidence?: number;
}

export interface TptBootstrapJson {
  source: number[];
  target: number[];
  totalFlux: SummaryJson;
  rate: SummaryJson;
  mfpt: SummaryJson;
  netFlux: MatrixSummaryJson;
  /** for each pathway of the point estimate: its flux in the resamples' exhaustive decompositions (0 where the
   * path does not occur) and how often it occurs */
  pathways: { states: number[]; flux: SummaryJson; frequency: number }[];
}

export interface BootstrapJson {
  nSamples: number;
  nSucceeded: number;
  nFailed: number;
  seed: number;
  confidence: number;
  resamplingUnit: string;
  nUnits: number;
  failures: string[];
  stationary: VectorSummaryJson;
  escapeRates: MatrixSummaryJson;
  totalEscapeRates: VectorSummaryJson;
  mobility: VectorSummaryJson;
  tpt: TptBootstrapJson | null;
}

/**
 * Bootstrap error bars (resampling Li trajectories, seeded) for π, escape rates, mobility and — when source and
 * target are given — TPT total flux, rate, mfpt, net flux and the fluxes of the given reference pathways.
 */
export function bootstrapAnalysis(
  prepared: PreparedTrajectories, model: MarkovModel, settings: BootstrapSettings,
  tpt?: { source: ArrayLike<number>; target: ArrayLike<number>; pathways: readonly (readonly number[])[] },
  units?: UnitCounts,
): BootstrapJson {
  const confidence = settings.confidence ?? 0.95;
  if (!(confidence > 0 && confidence < 1)) throw new GetseiError(`the bootstrap confidence must be between 0 and 1, got ${confidence}`);
  const n = model.activeSet.length;
  const pi = new SampleCollector(n);
  const esc = new SampleCollector(n * n);
  const tot = new SampleCollector(n);
  const mob = new SampleCollector(n);
  const F: number[] = [];
  const rate: number[] = [];
  const mfpt: number[] = [];
  const net = new SampleCollector(n * n);
  const keys = tpt?.pathways.map((p) => p.join(',')) ?? [];
  const pathFlux = keys.map(() => [] as number[]);
  const seen = keys.map(() => 0);
  const run = bootstrapModels(prepared, model, settings, (m) => {
    pi.add(m.stationary);
    esc.add(m.escapeRates);
    tot.add(m.totalEscapeRates);
    mob.add(m.mobility);
    if (tpt === undefined) return;
    const r = reactiveFlux(m, tpt.source, tpt.target);
    F.push(r.totalFlux);
    rate.push(r.rate);
    mfpt.push(r.mfpt);
    net.add(r.netFlux);
    const found = new Map<string, number>();
    for (const p of dominantPathways(r, { maxPathways: Infinity }).pathways) found.set(Array.from(p.states).join(','), p.flux);
    keys.forEach((k, i) => {
      const f = found.get(k);
      pathFlux[i].push(f ?? 0);
      if (f !== undefined) seen[i]++;
    });
  }, units);
  const ok = run.nSamples - run.nFailed;
  if (ok === 0) {
    throw new GetseiError(`all ${run.nSamples} bootstrap samples failed (${run.failures[0] ?? 'unknown reason'}); the data are too sparse for a bootstrap at this lag`);
  }
  return {
    nSamples: run.nSamples,
    nSucceeded: ok,
    nFailed: run.nFailed,
    seed: settings.seed,
    confidence,
    resamplingUnit: 'one trajectory (Li atom) within one independent segment, drawn with replacement',
    nUnits: run.nUnits,
    failures: [...run.failures],
    stationary: vectorSummary(pi, confidence),
    escapeRates: matrixSummary(esc, confidence),
    totalEscapeRates: vectorSummary(tot, confidence),
    mobility: vectorSummary(mob, confidence),
    tpt: tpt === undefined ? null : {
      source: arr(tpt.source),
      target: arr(tpt.target),
      totalFlux: summaryJson(summarise(F, confidence)),
      rate: summaryJson(summarise(rate, confidence)),
      mfpt: mfpt.every(Number.isFinite)
        ? summaryJson(summarise(mfpt, confidence))
        : { mean: null, std: null, lower: null, upper: null },
      netFlux: matrixSummary(net, confidence),
      pathways: tpt.pathways.map((p, i) => ({
        states: [...p], flux: summaryJson(summarise(pathFlux[i], confidence)), frequency: seen[i] / ok,
      })),
    },
  };
}

/** Default TPT sets of the paper: from the least mobile to the most mobile state. */
export function defaultSourceTarget(model: MarkovModel): { source: number[]; target: number[] } {
  const ranking = model.mobilityRanking;
  return { source: [ranking[ranking.length - 1]], target: [ranking[0]] };
}

/** The Markov model's own options (lag, dtPs, estimator, counting), plus what the report adds. */
export interface KineticsOptions extends MarkovModelOptions {
  /** lags (frames) of the implied-timescale scan; default: 20 geometric lags from 1 to 2τ */
  lags?: readonly number[];
  /** Chapman–Kolmogorov steps k = 1…ckSteps (default 5) */
  ckSteps?: number;
  bootstrap?: BootstrapSettings;
  /** TPT sets for the bootstrap's TPT error bars (default least → most mobile) */
  source?: readonly number[];
  target?: readonly number[];
  /** pathways tracked in the bootstrap (default 5) */
  pathways?: number;
}

/** The header every kinetics and paths report starts with: the model's estimator, lag and units. */
export interface ModelHeader {
  estimator: Estimator;
  /** lag τ in timeUnit (ps when dt is known, else frames) */
  lag: number;
  /** lag τ in frames */
  lagFrames: number;
  /** frame interval in ps, or null when unknown */
  dt: number | null;
  timeUnit: 'ps' | 'frames';
  rateUnit: string;
}

export interface KineticsReport extends ModelHeader {
  format: 'getsei-kinetics';
  version: 1;
  nStates: number;
  activeSet: number[];
  statesOutsideActiveSet: { state: number; frames: number }[];
  counting: {
    undefinedPolicy: string; nTrajectories: number; nSegments: number; totalFrames: number; undefinedFrames: number;
    framesPerState: number[]; transitionsCounted: number;
  };
  countMatrix: number[][];
  transitionMatrix: number[][];
  stationary: number[];
  /** by decreasing modulus; im = 0 for real eigenvalues */
  eigenvalues: { re: number; im: number }[];
  impliedTimescales: {
    /** at the model's lag, slowest first, in timeUnit (null: infinite) */
    atLag: Num[];
    /** per process of atLag: resolved (tᵢ > τ) */
    resolvedAtLag: boolean[];
    /** number of processes slower than the model's lag (#resolvedAtLag); 0 means rates, MFPTs and pathways
     * describe sub-lag flicker (see warnings) */
    processesSlowerThanModelLag: number;
    /** lags of the scan in timeUnit */
    lags: number[];
    lagFrames: number[];
    timescales: Num[][];
    /** per scan lag and process: resolved (tᵢ > that lag) */
    resolved: boolean[][];
    processesSlowerThanLag: number[];
    activeSetSizes: number[];
    failures: (string | null)[];
  };
  rateMatrix: number[][];
  rateMatrixDiagnostics: RateMatrixDiagnostics;
  escapeRates: number[][];
  totalEscapeRates: number[];
  mobility: number[];
  mobilityNormalisation: MobilityNormalisation;
  mobilityRanking: number[];
  estimatorDiagnostics: MarkovModel['estimatorDiagnostics'];
  ckTest: {
    steps: number[];
    /** k·τ in timeUnit */
    lags: number[];
    lagFrames: number[];
    maxError: Num[];
    errorPerState: (Num[] | null)[];
    predicted: Num[][][];
    estimated: (Num[][] | null)[];
    estimatorUsed: (Estimator | null)[];
    /** per-state verdict from the bootstrap bands of K(τ)ᵏ − K(kτ) (null without a bootstrap) */
    verdicts: {
      confidence: number;
      perState: CkVerdict[];
      failingSteps: number[][];
      samplesUsed: number[];
      lower: (Num[][] | null)[];
      upper: (Num[][] | null)[];
    } | null;
  };
  bootstrap: BootstrapJson | null;
  warnings: StageWarning[];
}

/** The model's common header fields (estimator, lag, units). */
function header(model: MarkovModel): ModelHeader {
  return {
    estimator: model.estimator,
    lag: model.lagTime,
    lagFrames: model.lag,
    dt: model.dtPs,
    timeUnit: model.timeUnit,
    rateUnit: model.timeUnit === 'ps' ? '1/ps' : '1/frame',
  };
}

/**
 * `getsei kinetics` as a library call: fit the Markov model at the lag, scan implied timescales, run the
 * Chapman–Kolmogorov test and (optionally) the bootstrap; return the JSON-ready report (keys of issue #3) and the
 * fitted model (for runPaths).
 */
export function runKineticsWithModel(dtrajs: DiscreteTrajectories | PreparedTrajectories, options: KineticsOptions): { report: KineticsReport; model: MarkovModel } {
  const prepared = isPrepared(dtrajs) ? dtrajs : prepareTrajectories(dtrajs, options);
  checkLagFits(prepared, options.lag);
  const model = fitMarkovModel(prepared, options);
  const lags = options.lags ?? defaultLagGrid(options.lag, prepared.longestRun);
  const its = impliedTimescalesScan(prepared, lags, { dtPs: model.dtPs, estimator: model.estimator });
  const ck = chapmanKolmogorovTest(prepared, model, options.ckSteps ?? 5);
  const warnings: StageWarning[] = model.rateMatrixDiagnostics.warnings.map((message) => ({ code: 'rate-matrix', message }));
  const resolvedAtLag = resolvedProcesses(model.impliedTimescales, model.lagTime);
  const slowerThanLag = resolvedAtLag.filter(Boolean).length;
  if (slowerThanLag === 0) warnings.unshift({ code: 'no-resolved-process', message: NO_RESOLVED_PROCESS_WARNING });
  if (model.statesOutsideActiveSet.length > 0) {
    warnings.push({ code: 'outside-active-set', message: `state(s) ${Array.from(model.statesOutsideActiveSet).join(', ')} are outside the largest connected set at lag ${model.lag} and are left out of the model` });
  }
  let bootstrap: BootstrapJson | null = null;
  if (options.bootstrap !== undefined) {
    const sets = options.source !== undefined || options.target !== undefined
      ? { source: [...(options.source ?? defaultSourceTarget(model).source)], target: [...(options.target ?? defaultSourceTarget(model).target)] }
      : defaultSourceTarget(model);
    const point = reactiveFlux(model, sets.source, sets.target);
    const refPaths = dominantPathways(point, { maxPathways: options.pathways ?? 5 }).pathways.map((p) => Array.from(p.states));
    bootstrap = bootstrapAnalysis(prepared, model, options.bootstrap, { ...sets, pathways: refPaths });
    if (bootstrap.nFailed > 0) warnings.push({ code: 'bootstrap-skipped', message: `${bootstrap.nFailed} of ${bootstrap.nSamples} bootstrap samples were not connected on the active set and were skipped` });
  }
  const verdicts = options.bootstrap === undefined ? null : chapmanKolmogorovVerdicts(prepared, model, ck, options.bootstrap);
  const inconsistent = verdicts === null ? [] : verdicts.verdictPerState.flatMap((v, i) => (v === 'inconsistent' ? [model.activeSet[i]] : []));
  if (inconsistent.length > 0) {
    warnings.push({ code: 'ck-inconsistent', message: `Chapman–Kolmogorov test: state(s) ${inconsistent.map((s) => `S${s}`).join(', ')} are not predicted within the bootstrap bands at longer lags (K(τ)ᵏ ≠ K(kτ)); the model is not Markovian there` });
  }
  let transitions = 0;
  for (const v of model.fullCountMatrix) transitions += v;
  const nSeg = prepared.bounds === null ? 1 : prepared.bounds.length - 1;
  const report: KineticsReport = {
    format: 'getsei-kinetics',
    version: 1,
    ...header(model),
    nStates: model.nStates,
    activeSet: arr(model.activeSet),
    statesOutsideActiveSet: Array.from(model.statesOutsideActiveSet, (s) => ({ state: s, frames: model.stateFrames[s] })),
    counting: {
      undefinedPolicy: prepared.policy,
      nTrajectories: prepared.rows.length,
      nSegments: nSeg,
      totalFrames: prepared.histogram.totalFrames,
      undefinedFrames: prepared.histogram.undefinedFrames,
      framesPerState: arr(prepared.histogram.frames),
      transitionsCounted: transitions,
    },
    countMatrix: toRows(model.countMatrix),
    transitionMatrix: toRows(model.transitionMatrix),
    stationary: arr(model.stationary),
    eigenvalues: Array.from(model.eigenvalues.re, (re, i) => ({ re, im: model.eigenvalues.im[i] })),
    impliedTimescales: {
      atLag: vec(model.impliedTimescales),
      resolvedAtLag,
      processesSlowerThanModelLag: slowerThanLag,
      lags: arr(its.lagTimes),
      lagFrames: arr(its.lags),
      timescales: its.timescales.map(vec),
      resolved: its.resolved,
      processesSlowerThanLag: arr(its.processesSlowerThanLag),
      activeSetSizes: arr(its.activeSetSizes),
      failures: its.failures,
    },
    rateMatrix: toRows(model.rateMatrix),
    rateMatrixDiagnostics: model.rateMatrixDiagnostics,
    escapeRates: toRows(model.escapeRates),
    totalEscapeRates: arr(model.totalEscapeRates),
    mobility: arr(model.mobility),
    mobilityNormalisation: model.mobilityNormalisation,
    mobilityRanking: arr(model.mobilityRanking),
    estimatorDiagnostics: model.estimatorDiagnostics,
    ckTest: {
      steps: arr(ck.steps),
      lags: Array.from(ck.lags, (l) => (model.dtPs === null ? l : l * model.dtPs)),
      lagFrames: arr(ck.lags),
      maxError: ck.maxError.map((e) => (e === null ? null : num(e))),
      errorPerState: ck.errorPerState.map((e) => (e === null ? null : vec(e))),
      predicted: ck.predicted.map(mat),
      estimated: ck.estimated.map((e) => (e === null ? null : mat(e))),
      estimatorUsed: ck.estimatorUsed,
      verdicts: verdicts === null ? null : {
        confidence: verdicts.confidence,
        perState: [...verdicts.verdictPerState],
        failingSteps: verdicts.failingSteps.map((f) => [...f]),
        samplesUsed: arr(verdicts.samplesUsed),
        lower: verdicts.lower.map((e) => (e === null ? null : mat(e))),
        upper: verdicts.upper.map((e) => (e === null ? null : mat(e))),
      },
    },
    bootstrap,
    warnings,
  };
  return { report, model };
}

/** `getsei kinetics` as a library call; see runKineticsWithModel. */
export function runKinetics(dtrajs: DiscreteTrajectories | PreparedTrajectories, options: KineticsOptions): KineticsReport {
  return runKineticsWithModel(dtrajs, options).report;
}

export interface PathsOptions {
  /** source states (labels); default: the least mobile state */
  source?: readonly number[];
  /** target states (labels); default: the most mobile state */
  target?: readonly number[];
  /** number of dominant pathways to report (default 5) */
  pathways?: number;
  /** sets of states to lump the flux onto (optional) */
  coarseSets?: readonly (readonly number[])[];
  /** bootstrap error bars: needs the trajectories the model was fitted on */
  bootstrap?: BootstrapSettings & { dtrajs: DiscreteTrajectories | PreparedTrajectories } & CountOptions;
}

export interface PathwayJson {
  states: number[];
  flux: number;
  fraction: number;
  bottleneck: { from: number; to: number };
}

export interface PathsReport extends ModelHeader {
  format: 'getsei-paths';
  version: 1;
  fluxUnit: string;
  activeSet: number[];
  source: number[];
  target: number[];
  intermediate: number[];
  sourceTargetChoice: 'given' | 'least mobile → most mobile';
  stationary: number[];
  forwardCommittor: number[];
  backwardCommittor: number[];
  equilibriumFlux: number[][];
  grossFlux: number[][];
  netFlux: number[][];
  totalFlux: number;
  rate: number;
  mfpt: Num;
  pathways: PathwayJson[];
  pathwaysCapturedFraction: number;
  pathwayDiversity: {
    basis: string;
    entropy: number;
    effectiveNumber: number;
    nPathways: number;
    reported: { entropy: number; effectiveNumber: number; nPathways: number };
  };
  coarseGrained: null | {
    sets: number[][];
    stationary: number[];
    forwardCommittor: number[];
    backwardCommittor: number[];
    grossFlux: number[][];
    netFlux: number[][];
    totalFlux: number;
  };
  bootstrap: BootstrapJson | null;
}

/**
 * `getsei paths` as a library call: TPT between source and target (default least → most mobile), the k dominant
 * pathways, pathway diversity (over the exhaustive decomposition, and over the k reported), optional
 * coarse-graining and bootstrap. Returns the JSON-ready report and the ReactiveFlux.
 */
export function runPathsWithFlux(model: MarkovModel, options: PathsOptions = {}): { report: PathsReport; flux: ReactiveFlux } {
  const defaults = defaultSourceTarget(model);
  const given = options.source !== undefined || options.target !== undefined;
  const source = options.source ?? defaults.source;
  const target = options.target ?? defaults.target;
  const flux = reactiveFlux(model, source, target);
  const k = options.pathways ?? 5;
  const top = dominantPathways(flux, { maxPathways: k });
  const all = dominantPathways(flux, { maxPathways: Infinity });
  const divAll = pathwayDiversity(all.pathways.map((p) => p.flux));
  const divTop = pathwayDiversity(top.pathways.map((p) => p.flux));
  let bootstrap: BootstrapJson | null = null;
  if (options.bootstrap !== undefined) {
    const { dtrajs, nSamples, seed, confidence, ...countOptions } = options.bootstrap;
    const prepared = isPrepared(dtrajs) ? dtrajs : prepareTrajectories(dtrajs, { nStates: model.nStates, ...countOptions });
    if (prepared.nStates !== model.nStates) {
      throw new GetseiError(`the bootstrap trajectories have ${prepared.nStates} states but the model was fitted on ${model.nStates}`);
    }
    bootstrap = bootstrapAnalysis(prepared, model, { nSamples, seed, confidence }, {
      source: flux.source, target: flux.target, pathways: top.pathways.map((p) => Array.from(p.states)),
    }, countTransitionsByUnit(prepared, model.lag));
  }
  const cg = options.coarseSets === undefined ? null : coarseGrainFlux(flux, options.coarseSets);
  const report: PathsReport = {
    format: 'getsei-paths',
    version: 1,
    ...header(model),
    fluxUnit: 'probability per lag τ',
    activeSet: arr(flux.states),
    source: arr(flux.source),
    target: arr(flux.target),
    intermediate: arr(flux.intermediate),
    sourceTargetChoice: given ? 'given' : 'least mobile → most mobile',
    stationary: arr(flux.stationary),
    forwardCommittor: arr(flux.forwardCommittor),
    backwardCommittor: arr(flux.backwardCommittor),
    equilibriumFlux: toRows(flux.equilibriumFlux),
    grossFlux: toRows(flux.grossFlux),
    netFlux: toRows(flux.netFlux),
    totalFlux: flux.totalFlux,
    rate: flux.rate,
    mfpt: num(flux.mfpt),
    pathways: top.pathways.map((p) => ({ states: arr(p.states), flux: p.flux, fraction: p.fraction, bottleneck: { ...p.bottleneck } })),
    pathwaysCapturedFraction: flux.totalFlux > 0 ? top.capturedFlux / flux.totalFlux : 0,
    pathwayDiversity: {
      basis: 'all pathways of the exhaustive decomposition (shares of the total flux)',
      entropy: divAll.entropy,
      effectiveNumber: divAll.effectiveNumber,
      nPathways: divAll.nPathways,
      reported: { entropy: divTop.entropy, effectiveNumber: divTop.effectiveNumber, nPathways: divTop.nPathways },
    },
    coarseGrained: cg === null ? null : {
      sets: cg.sets.map(arr),
      stationary: arr(cg.stationary),
      forwardCommittor: arr(cg.forwardCommittor),
      backwardCommittor: arr(cg.backwardCommittor),
      grossFlux: toRows(cg.grossFlux),
      netFlux: toRows(cg.netFlux),
      totalFlux: cg.totalFlux,
    },
    bootstrap,
  };
  return { report, flux };
}

/** `getsei paths` as a library call; see runPathsWithFlux. */
export function runPaths(model: MarkovModel, options: PathsOptions = {}): PathsReport {
  return runPathsWithFlux(model, options).report;
}

/** A matrix as CSV with state labels as the header row and first column (rows = from, columns = to). */
export function matrixCsv(rows: readonly (readonly Num[])[], labels: readonly number[], corner = 'from\\to'): string {
  const lines = [[corner, ...labels.map(String)].join(',')];
  rows.forEach((r, i) => lines.push([String(labels[i]), ...r.map((v) => (v === null ? '' : String(v)))].join(',')));
  return `${lines.join('\n')}\n`;
}

/** A table of per-state vectors as CSV: one row per state, one column per named vector. */
export function vectorsCsv(labels: readonly number[], columns: Record<string, readonly Num[]>): string {
  const names = Object.keys(columns);
  const lines = [['state', ...names].join(',')];
  labels.forEach((s, i) => lines.push([String(s), ...names.map((k) => { const v = columns[k][i]; return v === null || v === undefined ? '' : String(v); })].join(',')));
  return `${lines.join('\n')}\n`;
}

/** CSV tables of a kinetics report, by name (written as <stem>.<name>.csv beside the JSON). */
export function kineticsTables(r: KineticsReport): Record<string, string> {
  const s = r.activeSet;
  return {
    countMatrix: matrixCsv(r.countMatrix, s),
    transitionMatrix: matrixCsv(r.transitionMatrix, s),
    rateMatrix: matrixCsv(r.rateMatrix, s),
    escapeRates: matrixCsv(r.escapeRates, s),
    states: vectorsCsv(s, {
      stationary: r.stationary, totalEscapeRate: r.totalEscapeRates, mobility: r.mobility,
      mobilityRank: s.map((x) => r.mobilityRanking.indexOf(x) + 1),
    }),
    impliedTimescales: `${['lag', 'lagFrames', 'processesSlowerThanLag', ...Array.from({ length: Math.max(0, ...r.impliedTimescales.timescales.map((t) => t.length)) }, (_, i) => `t${i + 1}`)].join(',')}\n${
      r.impliedTimescales.lags.map((l, i) => [l, r.impliedTimescales.lagFrames[i], r.impliedTimescales.processesSlowerThanLag[i], ...r.impliedTimescales.timescales[i].map((v) => (v === null ? '' : v))].join(',')).join('\n')}\n`,
  };
}

/** CSV tables of a paths report, by name. */
export function pathsTables(r: PathsReport): Record<string, string> {
  const s = r.activeSet;
  const tables: Record<string, string> = {
    equilibriumFlux: matrixCsv(r.equilibriumFlux, s),
    grossFlux: matrixCsv(r.grossFlux, s),
    netFlux: matrixCsv(r.netFlux, s),
    states: vectorsCsv(s, { stationary: r.stationary, forwardCommittor: r.forwardCommittor, backwardCommittor: r.backwardCommittor }),
    pathways: `rank,states,flux,fraction,bottleneckFrom,bottleneckTo\n${r.pathways.map((p, i) => [i + 1, p.states.join(' > '), p.flux, p.fraction, p.bottleneck.from, p.bottleneck.to].join(',')).join('\n')}\n`,
  };
  return tables;
}
