import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  dwellCoreMask, fitMarkovModel, milestoneTrajectories, pccaPlus, prepareTrajectories,
  resolvedProcesses, type MarkovModel,
} from '../markov/index.ts';
import {
  runKineticsWithModel, runPaths, type KineticsReport, type PathsReport,
} from '../tpt/index.ts';
import { GetseiError } from '../util/errors.ts';
import { writeJsonAtomic } from '../util/atomic.ts';
import type { WrittenRunFile } from '../schema/index.ts';
import type { StageWarning } from '../util/warnings.ts';
import { decodeNpy } from '../util/npy.ts';
import type { Config } from './config.ts';
import { autoLagGrid, resolveLag, type LagChoice } from './lag.ts';

/** Core-set counting as reported in kinetics.json (null: every frame's state is counted, the paper's way). */
export interface CoreSetsJson {
  rule: 'minimum-dwell';
  minDwellFrames: number;
  /** frames in a core / defined frames */
  fractionInCores: number;
  /** defined frames left undefined because their Li had not yet entered a core in that stretch */
  framesBeforeFirstCore: number;
}

/** PCCA+ metastable sets at the model lag, as reported in kinetics.json. */
export interface PccaJson {
  nSets: number;
  rule: 'given' | 'auto: 1 + processes slower than the lag';
  /** state labels (the model's active set) of each set */
  sets: number[][];
  /** per active-set state (rows ordered like `states`): membership in each set */
  states: number[];
  memberships: number[][];
  crispness: number;
  eigenvalues: number[];
  stationary: number[];
  coarseTransitionMatrix: number[][];
  /** default TPT source and target: the two sets at the ends of the slowest process, as labels of the states
   * handed to kinetics (the sets' indices when lumped) */
  proposal: { source: number[]; target: number[] };
  /** whether kinetics and TPT were run on the sets instead of the states */
  lumped: boolean;
}

export interface KineticsStageResult {
  readonly report: KineticsReport & { coreSets: CoreSetsJson | null; pcca: PccaJson | null };
  readonly model: MarkovModel;
  readonly lagChoice: LagChoice | null;
}

interface LoadedStates { states: Int16Array; nLi: number; nFrames: number; segments: Int32Array; coreSets: CoreSetsJson | null }

/** RUN/states.npy and segments.npy, milestoned onto core sets when `coreMinDwell` > 0. */
async function loadStates(run: string, coreMinDwell: number): Promise<LoadedStates> {
  const s = decodeNpy(await readFile(join(run, 'states.npy')));
  const seg = decodeNpy(await readFile(join(run, 'segments.npy')));
  const [nLi, nFrames] = s.shape;
  const segments = seg.data as Int32Array;
  const raw = { states: s.data as Int16Array, nTrajectories: nLi, nFrames };
  if (coreMinDwell === 0) return { states: raw.states, nLi, nFrames, segments, coreSets: null };
  const ms = milestoneTrajectories(raw, dwellCoreMask(raw, coreMinDwell, segments), segments);
  return {
    states: ms.states, nLi, nFrames, segments,
    coreSets: { rule: 'minimum-dwell', minDwellFrames: coreMinDwell, fractionInCores: ms.fractionInCores, framesBeforeFirstCore: ms.framesBeforeFirstCore },
  };
}

/** States → PCCA+ set index (−1 outside the active set or for undefined frames). */
function lumpStates(states: Int16Array, pcca: PccaJson): Int16Array {
  const map = new Int16Array(Math.max(0, ...pcca.states) + 1).fill(-1);
  pcca.states.forEach((label, i) => { map[label] = pcca.memberships[i].indexOf(Math.max(...pcca.memberships[i])); });
  return states.map((v) => (v < 0 || v >= map.length ? -1 : map[v]));
}

/** PCCA+ of the model into the configured number of sets; null when fewer than two sets are asked or possible. */
function metastableSets(model: MarkovModel, config: Config['kinetics'], warnings: StageWarning[]): PccaJson | null {
  const given = config.metastableSets;
  const auto = given === 'auto';
  const m: number = given === 'auto' ? 1 + resolvedProcesses(model.impliedTimescales, model.lagTime).filter(Boolean).length : given;
  const n = model.activeSet.length;
  if (m < 2 || n < 2) return null;
  if (m > n) {
    warnings.push({ code: 'pcca', message: `PCCA+: ${m} metastable sets were asked for but the model has only ${n} states; no sets were formed` });
    return null;
  }
  try {
    const p = pccaPlus(model.transitionMatrix, model.stationary, m);
    const labels = Array.from(model.activeSet);
    const setLabels = p.sets.map((set) => Array.from(set, (i) => labels[i]));
    const [a, b] = p.slowestPair;
    const lumped = config.lumpStates;
    return {
      nSets: m, rule: auto ? 'auto: 1 + processes slower than the lag' : 'given', sets: setLabels, states: labels,
      memberships: Array.from({ length: n }, (_, l) => Array.from(p.memberships.subarray(l * m, (l + 1) * m))),
      crispness: p.crispness, eigenvalues: Array.from(p.eigenvalues), stationary: Array.from(p.stationary),
      coarseTransitionMatrix: Array.from({ length: m }, (_, i) => Array.from(p.coarseTransitionMatrix.subarray(i * m, (i + 1) * m))),
      proposal: lumped ? { source: [a], target: [b] } : { source: setLabels[a], target: setLabels[b] },
      lumped,
    };
  } catch (err) {
    if (!(err instanceof GetseiError)) throw err;
    warnings.push({ code: 'pcca', message: `PCCA+ into ${m} sets failed: ${err.message}` });
    return null;
  }
}

/**
 * States → Markov model (eqs. 2–4, 8): the lag (given, or chosen by `chooseLag` from an implied-timescale scan),
 * then the model, its implied timescales over lags, rate matrix, mobility, Chapman–Kolmogorov test and bootstrap.
 * Writes RUN/kinetics.json (its tables are the report's, RUN/tables/*.csv: one set, one naming).
 */
export async function runKineticsStage(run: string, config: Config, dtPs: number | null): Promise<KineticsStageResult> {
  const k = config.kinetics;
  const { states, nLi, nFrames, segments, coreSets } = await loadStates(run, k.coreMinDwell);
  let prepared = prepareTrajectories({ states, nTrajectories: nLi, nFrames }, { segments });
  const { lag, choice: lagChoice } = resolveLag(k.lag, prepared, { dtPs, estimator: k.estimator }, 'kinetics.lag');
  // with --lag auto the report's implied-timescale scan is the full scan the lag was chosen from
  const grid = lagChoice ? autoLagGrid(prepared.longestRun) : undefined;
  if (lag >= prepared.longestRun) {
    throw new GetseiError(`the lag (${lag} frames) is not shorter than the longest uninterrupted trajectory stretch (${prepared.longestRun} frames); choose a shorter lag`);
  }
  const extraWarnings: StageWarning[] = [];
  const pcca = metastableSets(fitMarkovModel(prepared, { lag, dtPs, estimator: k.estimator }), k, extraWarnings);
  if (pcca?.lumped) prepared = prepareTrajectories({ states: lumpStates(states, pcca), nTrajectories: nLi, nFrames }, { segments });
  const { report, model } = runKineticsWithModel(prepared, {
    lag, dtPs, estimator: k.estimator, segments, lags: grid,
    bootstrap: k.bootstrap > 0 ? { nSamples: k.bootstrap, seed: k.seed } : undefined,
    source: config.paths.source ?? pcca?.proposal.source, target: config.paths.target ?? pcca?.proposal.target,
    pathways: config.paths.pathways,
  });
  const full = { ...report, warnings: [...report.warnings, ...extraWarnings], lagChoice, coreSets, pcca };
  await writeJsonAtomic(join(run, 'kinetics.json'), full satisfies WrittenRunFile<'kinetics.json'>);
  return { report: full, model, lagChoice };
}

/**
 * Markov model → TPT (eq. 5) and dominant pathways, at the lag the kinetics stage used (refitted from the states,
 * which is cheap, so changing the source or target never reruns the kinetics). Writes RUN/paths.json.
 */
export async function runPathsStage(
  run: string, config: Config,
): Promise<PathsReport & { sourceTargetRule: string; metastableSetProposal: PccaJson['proposal'] | null }> {
  const kinetics = JSON.parse(await readFile(join(run, 'kinetics.json'), 'utf8')) as KineticsReport & { pcca?: PccaJson | null; coreSets?: CoreSetsJson | null };
  const loaded = await loadStates(run, kinetics.coreSets?.minDwellFrames ?? 0);
  const { nLi, nFrames, segments } = loaded;
  const states = kinetics.pcca?.lumped ? lumpStates(loaded.states, kinetics.pcca) : loaded.states;
  const model = fitMarkovModel({ states, nTrajectories: nLi, nFrames }, {
    lag: kinetics.lagFrames, dtPs: kinetics.dt, estimator: kinetics.estimator, segments,
  });
  const proposal = kinetics.pcca?.proposal;
  const report = runPaths(model, {
    source: config.paths.source ?? proposal?.source, target: config.paths.target ?? proposal?.target, pathways: config.paths.pathways,
    bootstrap: config.kinetics.bootstrap > 0
      ? { nSamples: config.kinetics.bootstrap, seed: config.kinetics.seed, dtrajs: { states, nTrajectories: nLi, nFrames }, segments }
      : undefined,
  });
  const setsFrom = config.paths.source !== undefined && config.paths.target !== undefined ? 'given'
    : proposal !== undefined ? 'PCCA+ metastable sets at the ends of the slowest process' : 'least → most mobile state';
  const full = { ...report, sourceTargetRule: setsFrom, metastableSetProposal: proposal ?? null };
  await writeJsonAtomic(join(run, 'paths.json'), full satisfies WrittenRunFile<'paths.json'>);
  return full;
}
