/**
 * The one place the report reads a run folder: each result file is parsed with its schema (src/schema/) and mapped
 * onto the report's types by a small adapter — one spelling per field, no guessing. A missing file leaves its part
 * out (the figure says "not computed"); a file that is not JSON or does not fit its schema is named, field by field,
 * in `problems` (shown in the report and by the CLI) and its part is left out. Only a folder without any result is
 * an error.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { GetseiError } from '../util/errors.ts';
import { parseRunFile, type RunFile, type RunFileName } from '../schema/index.ts';
import type {
  Band, BootstrapPart, Interval, KineticQualityPart, KineticsPart, PathsPart, ProvenancePart, ReportInput, StabilityPart,
  StateDescriptors, StatesPart, TransportPart,
} from './types.ts';

export interface LoadedRun {
  input: ReportInput;
  /** the result files that were read and fit their schema */
  found: RunFileName[];
  /** files that could not be read or do not fit their schema, one line per field (also in input.warnings, code run-file) */
  problems: string[];
}

type Num = number | null;
/** JSON null (the writers' "not defined here") as NaN, which the figures skip. */
const nan = (v: readonly Num[]): number[] => v.map((x) => x ?? Number.NaN);
const nanMatrix = (m: readonly (readonly Num[])[]): number[][] => m.map(nan);
const band = (b: { lower: Num[]; upper: Num[] } | undefined): Band | undefined => (b ? { lower: nan(b.lower), upper: nan(b.upper) } : undefined);

/** Read RUN/NAME through its schema; undefined (with the reason in `problems`) when absent-but-broken, or absent. */
async function readChecked<N extends RunFileName>(run: string, name: N, problems: string[]): Promise<RunFile<N> | undefined> {
  let text: string;
  try {
    text = await readFile(join(run, name), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') problems.push(`${name}: cannot be read (${(err as Error).message})`);
    return undefined;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    problems.push(`${name}: is not valid JSON (${(err as Error).message}); rerun the stage that writes it`);
    return undefined;
  }
  const parsed = parseRunFile(name, value);
  problems.push(...parsed.problems);
  return parsed.data;
}

/** A text file a result file names (representatives, the frame view); undefined, with a problem, when unreadable. */
async function namedText(run: string, from: RunFileName, file: string, problems: string[]): Promise<string | undefined> {
  try {
    return await readFile(join(run, file), 'utf8');
  } catch (err) {
    problems.push(`${from}: ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    return undefined;
  }
}

const MAP_METHODS: Record<string, string> = { tsne: 't-SNE', umap: 'UMAP', pca: 'PCA' };

/**
 * The per-state feature means (count_<El>, mean_distance, adf_* in degrees, li_density in Å⁻³, z_fraction) as the
 * report's descriptors; Li first (the centre's own kind), the other elements in the features stage's order.
 */
function descriptors(rows: RunFile<'states.json'>['descriptors'], shellAngstrom: number): StateDescriptors | undefined {
  if (rows.length === 0) return undefined;
  const elements = Object.keys(rows[0].mean).filter((k) => k.startsWith('count_')).map((k) => k.slice(6))
    .sort((a, b) => Number(b === 'Li') - Number(a === 'Li'));
  if (elements.length === 0) return undefined;
  const col = (key: string, scale = 1): number[] | undefined => {
    const v = rows.map((r) => r.mean[key]);
    return v.every((x) => typeof x === 'number') ? (v as number[]).map((x) => x * scale) : undefined;
  };
  return {
    shellAngstrom, elements,
    coordination: rows.map((r) => elements.map((el) => r.mean[`count_${el}`] ?? 0)),
    liDensity: col('li_density', 1000), liDensityUnit: 'Li nm⁻³',
    meanNeighbourDistanceAngstrom: col('mean_distance'),
    angleMeanDeg: col('adf_mean'), angleStdDeg: col('adf_std'), angleMinDeg: col('adf_min'), angleMaxDeg: col('adf_max'), angleMedianDeg: col('adf_median'),
    meanZFraction: col('z_fraction'),
  };
}

async function statesPart(s: RunFile<'states.json'>, run: string, problems: string[]): Promise<StatesPart> {
  const representatives = [];
  for (const r of s.representatives) {
    const xyz = await namedText(run, 'states.json', r.file, problems);
    if (xyz !== undefined) representatives.push({ state: r.state, xyz, centerIndex: 0, note: `frame ${r.frame}, atom ${r.atom}` });
  }
  return {
    count: s.count,
    populations: s.populations,
    ...(s.silhouette === null ? {} : { silhouette: { overall: s.silhouette, perState: nan(s.silhouettePerState) } }),
    scoreTable: s.scoreTable.map((r) => ({ count: r.count, bic: r.bic, silhouette: r.silhouette ?? Number.NaN })),
    descriptors: descriptors(s.descriptors, s.shellAngstrom),
    embeddingMap: { method: MAP_METHODS[s.map.method] ?? s.map.method, points: s.map.x.map((x, i) => ({ x, y: s.map.y[i], state: s.map.state[i] })) },
    representatives,
  };
}

/** The kinetics engine's mobility normalisations, in words for captions. */
const MOBILITY_WORDS: Record<string, string> = {
  max: 'total escape rate divided by the largest',
  sum: 'share of the summed escape rate',
  stationary: 'share of the equilibrium escape flux πᵢkᵢ',
  none: 'total escape rate, not normalised',
};

type BootstrapJson = NonNullable<RunFile<'kinetics.json'>['bootstrap']>;

/** The bootstrap bands; the pathway fluxes matched by state sequence to `pathways` (the reported ones). */
function bootstrapPart(b: BootstrapJson, pathways: readonly { states: number[] }[]): BootstrapPart {
  const tpt = b.tpt ?? undefined;
  const matched = pathways.map((w) => tpt?.pathways?.find((p) => p.states.join() === w.states.join())?.flux);
  const pathwayFlux = pathways.length > 0 && matched.every((f) => f !== undefined)
    ? band({ lower: matched.map((f) => f.lower), upper: matched.map((f) => f.upper) }) : undefined;
  const pair = (iv: { lower: Num; upper: Num } | undefined): { lower: number; upper: number } | undefined => (iv ? { lower: iv.lower ?? Number.NaN, upper: iv.upper ?? Number.NaN } : undefined);
  return {
    samples: b.nSucceeded, level: b.confidence,
    stationary: band(b.stationary), escapeRates: band(b.totalEscapeRates), mobility: band(b.mobility),
    rate: pair(tpt?.rate), totalFlux: pair(tpt?.totalFlux), pathwayFlux,
  };
}

function kineticsPart(k: RunFile<'kinetics.json'>): KineticsPart {
  const d = k.rateMatrixDiagnostics;
  const its = k.impliedTimescales;
  // a CK step whose estimate failed (null) is left out rather than the whole test
  const ckKeep = k.ckTest.estimated.map((e) => e !== null);
  return {
    timeUnit: k.timeUnit, lag: k.lag, dt: k.dt, activeSet: k.activeSet,
    ...(k.lagChoice ? { lagChoice: k.lagChoice.explanation } : {}),
    countMatrix: k.countMatrix, transitionMatrix: k.transitionMatrix, stationary: k.stationary,
    eigenvalues: k.eigenvalues.map((e) => (e.im === 0 ? e.re : { re: e.re, im: e.im })),
    impliedTimescales: its.atLag.filter((t): t is number => t !== null && t > 0),
    impliedTimescalesScan: { lags: its.lags, timescales: its.timescales },
    rateMatrix: k.rateMatrix,
    rateMatrixDiagnostics: {
      valid: d.isGenerator && d.source === 'logm', method: d.description, reconstructionError: d.reconstructionError,
      messages: [...d.warnings, ...(d.obstruction === null ? [] : [d.obstruction])],
    },
    escapeRates: k.totalEscapeRates,
    mobility: k.mobility,
    mobilityNormalisation: MOBILITY_WORDS[k.mobilityNormalisation] ?? k.mobilityNormalisation,
    mobilityRanking: k.mobilityRanking,
    ckTest: {
      steps: k.ckTest.steps.filter((_, i) => ckKeep[i]),
      predicted: k.ckTest.predicted.filter((_, i) => ckKeep[i]).map(nanMatrix),
      estimated: k.ckTest.estimated.flatMap((e) => (e === null ? [] : [nanMatrix(e)])),
    },
    ...(k.bootstrap ? { bootstrap: bootstrapPart(k.bootstrap, []) } : {}),
  };
}

function pathsPart(p: RunFile<'paths.json'>): PathsPart {
  return {
    timeUnit: p.timeUnit, activeSet: p.activeSet, source: p.source, target: p.target,
    forwardCommittor: p.forwardCommittor, backwardCommittor: p.backwardCommittor,
    equilibriumFlux: p.equilibriumFlux, grossFlux: p.grossFlux, netFlux: p.netFlux,
    totalFlux: p.totalFlux, rate: p.rate, ...(p.mfpt === null ? {} : { mfpt: p.mfpt }),
    pathways: p.pathways.map((w) => ({ states: w.states, flux: w.flux, fraction: w.fraction, bottleneck: [w.bottleneck.from, w.bottleneck.to] })),
    pathwayDiversity: { entropy: p.pathwayDiversity.entropy, effectiveNumber: p.pathwayDiversity.effectiveNumber },
  };
}

/** What states.json and kinetics.json say about the kinetic quality (issue 10); undefined when neither says anything. */
function kineticQuality(s: RunFile<'states.json'> | undefined, k: RunFile<'kinetics.json'> | undefined): KineticQualityPart | undefined {
  const q: KineticQualityPart = {};
  if (s?.projection) {
    const { method, lagFrames, dim, inputDim, timescalesFrames, spectralGap: g } = s.projection;
    q.projection = {
      method, lagFrames, dim, inputDim, timescalesFrames: timescalesFrames.filter((t): t is number => t !== null),
      spectralGap: { processes: g.processes, states: g.states, gap: g.gap },
    };
  }
  if (s?.kineticComparison) {
    const c = s.kineticComparison;
    q.comparison = { count: c.count, lagFrames: c.lagFrames, rows: c.rows.map((r) => ({ states: r.states, method: r.method, vamp2: r.vamp2, vamp2Std: r.vamp2Std, vampE: r.vampE })) };
  }
  const vamp = s?.scoreTable.flatMap((r) => (r.vamp2 === null || r.vamp2Std === null ? [] : [{ count: r.count, vamp2: r.vamp2, vamp2Std: r.vamp2Std }])) ?? [];
  if (vamp.length > 0) q.vampByCount = vamp;
  const verdicts = k?.ckTest.verdicts;
  if (k && verdicts) {
    q.ckVerdicts = verdicts.perState.map((verdict, i) => ({ state: k.activeSet[i], verdict }));
    q.ckConfidence = verdicts.confidence;
  }
  if (k?.pcca) q.pcca = { nSets: k.pcca.nSets, rule: k.pcca.rule, sets: k.pcca.sets, crispness: k.pcca.crispness, lumped: k.pcca.lumped };
  if (k?.coreSets) q.coreSets = { minDwellFrames: k.coreSets.minDwellFrames, fractionInCores: k.coreSets.fractionInCores };
  return Object.keys(q).length > 0 ? q : undefined;
}

function stabilityPart(s: RunFile<'stability.json'>): StabilityPart {
  return {
    repeats: s.repeats, meanAri: s.meanAri, perStateStability: s.perStateStability, unstableStates: s.unstableStates,
    ...(s.mobilityKendallTau === null ? {} : { mobilityKendallTau: s.mobilityKendallTau }),
    rawBaseline: { silhouette: s.rawBaseline.silhouette, ari: s.rawBaseline.ari },
    conclusions: s.conclusions.map((c) => ({ claim: c.claim, holds: c.holds, ...(c.detail === undefined ? {} : { detail: c.detail }) })),
  };
}

const interval = (e: { value: number; lower: Num; upper: Num } | null): Interval | null => (e ? { value: e.value, lower: e.lower, upper: e.upper } : null);

function transportPart(t: RunFile<'transport.json'>): TransportPart {
  const ps = t.perState;
  return {
    msd: { timePs: t.msd.timePs, li: t.msd.li },
    fitWindow: { startPs: t.fitWindow.startPs, endPs: t.fitWindow.endPs },
    tracerFit: { meanTimePs: t.tracerFit.meanTimePs, meanMsdA2: t.tracerFit.meanMsdA2 },
    tracerDiffusion: interval(t.tracerDiffusion) as Interval,
    chargeDiffusion: interval(t.chargeDiffusion) as Interval,
    havenRatio: interval(t.havenRatio) as Interval,
    conductivity: interval(t.conductivity),
    temperatureK: t.temperatureK,
    profile: t.profile && {
      axis: t.profile.axis, binAngstrom: t.profile.binAngstrom, zCentresAngstrom: t.profile.zCentresAngstrom,
      samples: t.profile.samples, diffusion: t.profile.diffusion.map(interval),
    },
    perState: ps && {
      diffusion: ps.diffusion.map(interval), fitWindow: { startPs: ps.fitWindow.startPs, endPs: ps.fitWindow.endPs },
      residence: ps.residence.perState.map((r) => ({ meanPs: r.meanPs, medianPs: r.medianPs, timePerExitPs: r.timePerExitPs, complete: r.complete })),
      mobilityCheck: ps.mobilityCheck && { rho: ps.mobilityCheck.rho, n: ps.mobilityCheck.n, pValue: ps.mobilityCheck.pValue, states: ps.mobilityCheck.states },
    },
  };
}

function provenancePart(m: RunFile<'manifest.json'>, runFolder: string): ProvenancePart {
  const stages = Object.entries(m.stages);
  const seeds = Object.fromEntries(stages.flatMap(([stage, s]) => (s.seed === undefined ? [] : [[stage, s.seed]])));
  // the command behind the latest results: the one that last finished a stage other than the report
  const latest = stages.filter(([stage, s]) => stage !== 'report' && s.command !== undefined && s.finishedAt !== undefined)
    .sort((a, b) => (a[1].finishedAt ?? '').localeCompare(b[1].finishedAt ?? '')).at(-1);
  return {
    runFolder, getsei: m.getsei, node: m.node, created: m.created,
    ...(latest === undefined ? {} : { command: latest[1].command }),
    inputs: m.inputs.map((f) => ({ path: f.path, bytes: f.bytes, sha256: f.sha256 })),
    config: m.config,
    timings: stages.map(([stage, s]) => ({ stage, seconds: s.seconds, status: s.status })),
    ...(Object.keys(seeds).length > 0 ? { seeds } : {}),
  };
}

/** Read a run folder's results into a ReportInput (see the module comment). */
export async function loadReportInput(runDir: string): Promise<LoadedRun> {
  const run = resolve(runDir);
  const isDir = await stat(run).then((s) => s.isDirectory(), () => undefined);
  if (isDir === undefined) throw new GetseiError(`${runDir} does not exist; give the run folder written by \`getsei run\``);
  if (!isDir) throw new GetseiError(`${runDir} is not a folder; give the run folder written by \`getsei run\``);
  const problems: string[] = [];
  const m = await readChecked(run, 'manifest.json', problems);
  const s = await readChecked(run, 'states.json', problems);
  const k = await readChecked(run, 'kinetics.json', problems);
  const p = await readChecked(run, 'paths.json', problems);
  const st = await readChecked(run, 'stability.json', problems);
  const t = await readChecked(run, 'transport.json', problems);
  if (!s && !k && !p && problems.length === 0) {
    throw new GetseiError(`${runDir} has no results to report (no states.json, kinetics.json or paths.json); run \`getsei run FILES -o ${runDir}\` first`);
  }
  const input: ReportInput = { title: basename(run) };
  if (s) {
    input.states = await statesPart(s, run, problems);
    input.zProfile = { zCentres: s.zProfile.zCentres, zUnit: 'fraction', fractions: s.zProfile.fractions, counts: s.zProfile.counts };
    const xyz = await namedText(run, 'states.json', s.frameView.file, problems);
    if (xyz !== undefined) input.frameView = { frame: s.frameView.frame, xyz, stateByAtom: s.frameView.stateByAtom };
  }
  if (k) input.kinetics = kineticsPart(k);
  if (p) input.paths = pathsPart(p);
  // the bootstrap of the TPT quantities: kinetics.json's, else paths.json's, with the reported pathways' bands
  const boot = k?.bootstrap ?? p?.bootstrap;
  if (input.kinetics && boot) input.kinetics.bootstrap = bootstrapPart(boot, input.paths?.pathways ?? []);
  if (st) input.stability = stabilityPart(st);
  if (t) input.transport = transportPart(t);
  if (m) input.provenance = provenancePart(m, runDir);
  const quality = kineticQuality(s, k);
  if (quality) input.kineticQuality = quality;
  input.warnings = [...(s?.warnings ?? []), ...(k?.warnings ?? []), ...(st?.warnings ?? []), ...problems.map((message) => ({ code: 'run-file' as const, message }))];
  const found = ([['manifest.json', m], ['states.json', s], ['kinetics.json', k], ['paths.json', p], ['stability.json', st], ['transport.json', t]] as const)
    .filter(([, v]) => v !== undefined).map(([name]) => name);
  return { input, found, problems };
}
