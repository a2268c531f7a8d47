import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import {
  ESTIMATORS, fitMarkovModel, LOGARITHM_FALLBACKS, MOBILITY_NORMALISATIONS, RATE_MATRIX_METHODS, type Estimator,
  type LogarithmFallback, type MobilityNormalisation,
  type RateMatrixMethod, type UndefinedPolicy,
} from '../../markov/index.ts';
import { pathsTables, runPaths, type PathsReport } from '../../tpt/index.ts';
import { GetseiError, InputError } from '../../util/errors.ts';
import {
  addModelOptions, loadInput, rerunPipelineStages, outputPath, parseStateList, prepareLoaded, writeReport,
} from './kinetics.ts';
import { DEFAULT_LAG, resolveLag } from '../../pipeline/lag.ts';

/** Coarse-graining sets: "0,1;2,3" → [[0, 1], [2, 3]]. */
export function parseCoarseSets(text: string): number[][] {
  const sets = text.split(';').map((s) => s.trim()).filter((s) => s.length > 0);
  if (sets.length === 0) throw new GetseiError('--coarse: give sets of states separated by ";", e.g. "0,1;2,3"');
  return sets.map((s, i) => parseStateList(s, `--coarse set ${i + 1}`));
}

/** Model settings recorded in RUN/kinetics.json, reused by `getsei paths RUN` so both describe the same model. */
interface KineticsSettings {
  lag?: number;
  estimator?: Estimator;
  rateMatrixMethod?: RateMatrixMethod;
  logarithmFallback?: LogarithmFallback;
  mobilityNormalisation?: MobilityNormalisation;
  undefinedPolicy?: UndefinedPolicy;
}

async function kineticsSettings(runDir: string): Promise<KineticsSettings | null> {
  const file = join(runDir, 'kinetics.json');
  try {
    await access(file);
  } catch {
    return null;
  }
  let k: Record<string, unknown>;
  try {
    k = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new InputError({ file }, `not valid JSON (${(err as Error).message})`, 'rerun `getsei kinetics` or give --lag');
  }
  const pick = <T extends string>(v: unknown, allowed: readonly T[]): T | undefined =>
    typeof v === 'string' && (allowed as readonly string[]).includes(v) ? (v as T) : undefined;
  return {
    lag: typeof k.lagFrames === 'number' && Number.isInteger(k.lagFrames) && k.lagFrames > 0 ? k.lagFrames : undefined,
    estimator: pick(k.estimator, ESTIMATORS),
    rateMatrixMethod: pick((k.rateMatrixDiagnostics as { method?: unknown } | undefined)?.method, RATE_MATRIX_METHODS),
    logarithmFallback: pick((k.rateMatrixDiagnostics as { fallback?: unknown } | undefined)?.fallback, LOGARITHM_FALLBACKS),
    mobilityNormalisation: pick(k.mobilityNormalisation, MOBILITY_NORMALISATIONS),
    undefinedPolicy: pick((k.counting as { undefinedPolicy?: unknown } | undefined)?.undefinedPolicy, ['split', 'pairs'] as const),
  };
}

const fmt = (x: number): string => Number(x.toPrecision(4)).toString();

function summary(r: PathsReport): string {
  const unit = r.timeUnit === 'ps' ? 'ps' : 'frames';
  const lines = [
    `TPT ${r.source.join(',')} → ${r.target.join(',')} (${r.sourceTargetChoice}) at lag ${r.lagFrames} frames, ${r.estimator} model`,
    `total flux ${fmt(r.totalFlux)} per τ, rate ${fmt(r.rate)} per ${r.timeUnit}, mfpt ${r.mfpt === null ? '∞' : fmt(r.mfpt)} ${unit}`,
    ...r.pathways.map((p, i) => `  path ${i + 1}: ${p.states.join(' → ')}  ${(100 * p.fraction).toFixed(1)} %  (bottleneck ${p.bottleneck.from} → ${p.bottleneck.to})`),
    `pathway diversity: effective number ${fmt(r.pathwayDiversity.effectiveNumber)} of ${r.pathwayDiversity.nPathways} pathways`,
  ];
  return `${lines.join('\n')}\n`;
}

export function registerPaths(program: Command): void {
  const cmd = program
    .command('paths')
    .summary('transition path theory: committors, fluxes, dominant pathways')
    .description(
      'Transition path theory on the Markov model (eq. 5): committors, equilibrium / gross / net reactive flux, ' +
        'total flux, rate, mean first passage time, and the dominant pathways (repeated widest path with its bottleneck, ' +
        'subtracted until k paths) with their diversity. Source/target default to least → most mobile. With a RUN ' +
        'folder and no --lag, the lag and estimator of RUN/kinetics.json are reused (else --lag auto). Writes RUN/paths.json (or -o FILE.json). On a folder made by `getsei run`, without -o, the settings go into RUN/config.json and the pipeline reruns the stages they change, report included.',
    );
  addModelOptions(cmd)
    .option('--coarse <sets>', 'also lump the flux onto sets of states, ";"-separated, e.g. "0,1;2,3" (source and target stay whole)')
    .action(async (run, opts, command) => {
      const loaded = await loadInput(run, opts);
      const given = (name: string): boolean => command.getOptionValueSource(name) === 'cli';
      if (loaded.runDir !== null && opts.out === undefined && (await rerunPipelineStages(loaded.runDir, opts, given, 'paths'))) return;
      const dtPs = opts.dt ?? loaded.dtPs;
      const fromKinetics = loaded.runDir !== null && opts.lag === undefined ? await kineticsSettings(loaded.runDir) : null;
      const inherit = <T>(name: string, cli: T, recorded: T | undefined): T => (given(name) || recorded === undefined ? cli : recorded);
      const undefinedPolicy = inherit('undefined', opts.undefined, fromKinetics?.undefinedPolicy);
      const prepared = prepareLoaded(loaded, { undefinedPolicy });
      const estimator = inherit('estimator', opts.estimator, fromKinetics?.estimator);
      const { lag } = resolveLag(opts.lag ?? fromKinetics?.lag ?? DEFAULT_LAG, prepared, { dtPs, estimator });
      const model = fitMarkovModel(prepared, {
        lag, dtPs, estimator,
        rateMatrixMethod: inherit('rateMethod', opts.rateMethod, fromKinetics?.rateMatrixMethod),
        logarithmFallback: inherit('logFallback', opts.logFallback, fromKinetics?.logarithmFallback),
        mobilityNormalisation: inherit('mobility', opts.mobility, fromKinetics?.mobilityNormalisation),
      });
      const report = runPaths(model, {
        source: opts.source === undefined ? undefined : parseStateList(opts.source, '--source'),
        target: opts.target === undefined ? undefined : parseStateList(opts.target, '--target'),
        pathways: opts.pathways,
        coarseSets: opts.coarse === undefined ? undefined : parseCoarseSets(opts.coarse),
        bootstrap: opts.bootstrap > 0 ? { dtrajs: prepared, nSamples: opts.bootstrap, seed: opts.seed, confidence: opts.confidence } : undefined,
      });
      const file = outputPath(opts.out, loaded, 'paths.json');
      const written = await writeReport<'paths.json'>(file, report, pathsTables(report));
      process.stdout.write(`${summary(report)}→ ${written[0]} (+ ${written.length - 1} CSV tables)\n`);
    });
}
