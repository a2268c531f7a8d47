import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fitMarkovModel, impliedTimescalesScan, prepareTrajectories, type MarkovModel } from '../markov/index.ts';
import {
  kineticsTables, pathsTables, runKineticsWithModel, runPaths, type KineticsReport, type PathsReport,
} from '../tpt/index.ts';
import { GetseiError } from '../util/errors.ts';
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic.ts';
import { decodeNpy } from '../util/npy.ts';
import type { Config } from './config.ts';
import { chooseLag, type LagChoice } from './lag.ts';

export interface KineticsStageResult {
  readonly report: KineticsReport;
  readonly model: MarkovModel;
  readonly lagChoice: LagChoice | null;
}

/** Lags (frames) tried by `--lag auto`: 20 geometric steps from 1 to half the longest uninterrupted stretch. */
export function autoLagGrid(longestRun: number, count = 20): number[] {
  const maxLag = Math.max(1, Math.floor(longestRun / 2));
  const lags = new Set<number>();
  for (let i = 0; i < count; i++) lags.add(Math.max(1, Math.round(maxLag ** (i / (count - 1)))));
  return [...lags].sort((a, b) => a - b);
}

/** A lag as configured (frames, "80ps" or "auto") → frames, or undefined for auto. */
export function lagFrames(lag: number | string, dtPs: number | null): number | undefined {
  if (lag === 'auto') return undefined;
  if (typeof lag === 'number') return lag;
  const ps = Number(lag.replace(/ps$/, ''));
  if (dtPs === null) {
    throw new GetseiError(`a lag in ps ("${lag}") needs the time per frame: give --dt (ps), or give the lag in frames`);
  }
  const frames = Math.round(ps / dtPs);
  if (frames < 1) throw new GetseiError(`the lag ${lag} is shorter than one frame (${dtPs} ps)`);
  return frames;
}

async function loadStates(run: string): Promise<{ states: Int16Array; nLi: number; nFrames: number; segments: Int32Array }> {
  const s = decodeNpy(await readFile(join(run, 'states.npy')));
  const seg = decodeNpy(await readFile(join(run, 'segments.npy')));
  const [nLi, nFrames] = s.shape;
  return { states: s.data as Int16Array, nLi, nFrames, segments: seg.data as Int32Array };
}

/**
 * States → Markov model (eqs. 2–4, 8): the lag (given, or chosen by `chooseLag` from an implied-timescale scan),
 * then the model, its implied timescales over lags, rate matrix, mobility, Chapman–Kolmogorov test and bootstrap.
 * Writes RUN/kinetics.json and RUN/tables/kinetics.*.csv.
 */
export async function runKineticsStage(run: string, config: Config, dtPs: number | null): Promise<KineticsStageResult> {
  const { states, nLi, nFrames, segments } = await loadStates(run);
  const k = config.kinetics;
  const prepared = prepareTrajectories({ states, nTrajectories: nLi, nFrames }, { segments });
  let lag = lagFrames(k.lag, dtPs);
  let lagChoice: LagChoice | null = null;
  let grid: number[] | undefined;
  if (lag === undefined) {
    grid = autoLagGrid(prepared.longestRun);
    const scan = impliedTimescalesScan(prepared, grid, { dtPs, estimator: k.estimator });
    lagChoice = chooseLag(scan.lags, scan.lagTimes, scan.timescales.map((t) => (t.length > 0 ? t[0] : NaN)));
    lag = lagChoice.lag;
  }
  if (lag >= prepared.longestRun) {
    throw new GetseiError(`the lag (${lag} frames) is not shorter than the longest uninterrupted trajectory stretch (${prepared.longestRun} frames); choose a shorter lag`);
  }
  const { report, model } = runKineticsWithModel(prepared, {
    // with --lag auto the report's implied-timescale scan is the full scan the lag was chosen from
    lag, dtPs, estimator: k.estimator, segments, lags: grid,
    bootstrap: k.bootstrap > 0 ? { nSamples: k.bootstrap, seed: k.seed } : undefined,
    source: config.paths.source, target: config.paths.target, pathways: config.paths.pathways,
  });
  const full = { ...report, lagChoice };
  await writeJsonAtomic(join(run, 'kinetics.json'), full);
  for (const [name, csv] of Object.entries(kineticsTables(report))) await writeFileAtomic(join(run, 'tables', `kinetics.${name}.csv`), csv);
  return { report: full, model, lagChoice };
}

/**
 * Markov model → TPT (eq. 5) and dominant pathways, at the lag the kinetics stage used (refitted from the states,
 * which is cheap, so changing the source or target never reruns the kinetics). Writes RUN/paths.json and
 * RUN/tables/paths.*.csv.
 */
export async function runPathsStage(run: string, config: Config): Promise<PathsReport> {
  const kinetics = JSON.parse(await readFile(join(run, 'kinetics.json'), 'utf8')) as KineticsReport;
  const { states, nLi, nFrames, segments } = await loadStates(run);
  const model = fitMarkovModel({ states, nTrajectories: nLi, nFrames }, {
    lag: kinetics.lagFrames, dtPs: kinetics.dt, estimator: kinetics.estimator, segments,
  });
  const report = runPaths(model, {
    source: config.paths.source, target: config.paths.target, pathways: config.paths.pathways,
    bootstrap: config.kinetics.bootstrap > 0
      ? { nSamples: config.kinetics.bootstrap, seed: config.kinetics.seed, dtrajs: { states, nTrajectories: nLi, nFrames }, segments }
      : undefined,
  });
  await writeJsonAtomic(join(run, 'paths.json'), report);
  for (const [name, csv] of Object.entries(pathsTables(report))) await writeFileAtomic(join(run, 'tables', `paths.${name}.csv`), csv);
  return report;
}
