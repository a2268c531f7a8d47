import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fitMarkovModel, prepareTrajectories, type MarkovModel } from '../markov/index.ts';
import {
  kineticsTables, pathsTables, runKineticsWithModel, runPaths, type KineticsReport, type PathsReport,
} from '../tpt/index.ts';
import { GetseiError } from '../util/errors.ts';
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic.ts';
import { decodeNpy } from '../util/npy.ts';
import type { Config } from './config.ts';
import { resolveLag, type LagChoice } from './lag.ts';

export interface KineticsStageResult {
  readonly report: KineticsReport;
  readonly model: MarkovModel;
  readonly lagChoice: LagChoice | null;
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
  const { lag, choice: lagChoice } = resolveLag(k.lag, prepared, { dtPs, estimator: k.estimator }, 'kinetics.lag');
  if (lag >= prepared.longestRun) {
    throw new GetseiError(`the lag (${lag} frames) is not shorter than the longest uninterrupted trajectory stretch (${prepared.longestRun} frames); choose a shorter lag`);
  }
  const { report, model } = runKineticsWithModel(prepared, {
    lag, dtPs, estimator: k.estimator, segments,
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
