import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { GetseiError } from '../util/errors.ts';
import { WARNING_CODES } from '../util/warnings.ts';

/**
 * src/schema/: the contract between the stages that write the run folder (pipeline/) and everything that reads it
 * (report/, compare, a user's script) — in its own folder so that report/ depends on results only, not on pipeline/.
 *
 * The run folder's JSON files as their writers produce them (docs/pipeline.md): one zod schema per file, so that the
 * report, `compare` and any reader check a file once, against one definition, and a mangled file is one clear error
 * naming the file and the field. Fields a schema does not name (a writer's extras, a newer getsei's additions) are
 * dropped on parsing, not refused — and the inferred types stay plain, so a writer's own interface can be checked
 * against them (`WrittenRunFile`); every number
 * is finite (zod rejects NaN and ±Infinity) and `null` only where the writer documents it ("null: infinite",
 * "null: not computed").
 */
const num = z.number();
const numOrNull = z.number().nullable();
const int = z.number().int();
const ids = z.array(int.min(-1));
const vector = z.array(num);
const matrix = z.array(vector);
const matrixOrNull = z.array(z.array(numOrNull));
const interval = z.object({ lower: numOrNull, upper: numOrNull });
const band = z.object({ lower: z.array(numOrNull), upper: z.array(numOrNull) });
const matrixBand = z.object({ lower: matrixOrNull, upper: matrixOrNull });
/** A stage's warnings: a code the readers match on and the message they show (src/util/warnings.ts). */
const warnings = z.array(z.object({ code: z.enum(WARNING_CODES), message: z.string() }));

export const stageRecordSchema = z.object({
  status: z.enum(['done', 'running', 'failed', 'interrupted']),
  inputHash: z.string(), configHash: z.string(), startedAt: z.string(),
  finishedAt: z.string().optional(), seconds: num.optional(), seed: int.optional(), error: z.string().optional(),
  command: z.string().optional(),
});

export const manifestSchema = z.object({
  format: z.literal('getsei-run/1'),
  getsei: z.string(), node: z.string(), created: z.string(), updated: z.string(),
  inputs: z.array(z.object({ path: z.string(), bytes: int, sha256: z.string() })),
  dtPs: numOrNull,
  nFrames: int.optional(), nLi: int.optional(),
  config: z.record(z.string(), z.unknown()),
  stages: z.record(z.string(), stageRecordSchema),
});

export const statesSchema = z.object({
  format: z.literal('getsei-states/1'),
  count: int.min(1),
  rule: z.string(),
  silhouette: numOrNull,
  silhouettePerState: z.array(numOrNull),
  scoreTable: z.array(z.object({
    count: int, bic: num, aic: num, logLikelihood: num, silhouette: numOrNull, converged: z.boolean(), vamp2: numOrNull, vamp2Std: numOrNull,
  })),
  projection: z.object({
    method: z.string(), lagFrames: int, dim: int, inputDim: int, timescalesFrames: z.array(numOrNull),
    spectralGap: z.object({ processes: int, states: int, gap: num }),
  }).nullable(),
  kineticComparison: z.object({
    count: int, lagFrames: int,
    rows: z.array(z.object({ states: z.enum(['projected', 'paper']), method: z.string(), vamp2: num, vamp2Std: num, vampE: num })),
  }).nullable(),
  populations: vector,
  descriptors: z.array(z.object({
    state: int, count: int, population: num, mean: z.record(z.string(), numOrNull), std: z.record(z.string(), numOrNull),
  })),
  shellAngstrom: num,
  zProfile: z.object({ zCentres: vector, zUnit: z.literal('fraction'), fractions: matrix, counts: vector }),
  frameView: z.object({ frame: int, file: z.string(), stateByAtom: ids }),
  representatives: z.array(z.object({ state: int, file: z.string(), frame: int, atom: int })),
  map: z.object({ method: z.string(), x: vector, y: vector, state: ids, graph: ids }),
  mixture: z.object({ weights: vector, means: matrix, covarianceType: z.string() }),
  warnings,
});

const modelHeader = {
  estimator: z.string(), lag: num, lagFrames: int.min(1), dt: numOrNull, timeUnit: z.enum(['ps', 'frames']), rateUnit: z.string(),
};

const bootstrapSchema = z.object({
  nSamples: int, nSucceeded: int, confidence: num,
  stationary: band.optional(), escapeRates: matrixBand.optional(), totalEscapeRates: band.optional(), mobility: band.optional(),
  tpt: z.object({
    rate: interval.optional(), totalFlux: interval.optional(),
    pathways: z.array(z.object({ states: ids, flux: interval })).optional(),
  }).nullable().optional(),
}).nullable();

export const kineticsSchema = z.object({
  format: z.literal('getsei-kinetics'),
  version: z.literal(1),
  ...modelHeader,
  nStates: int,
  activeSet: ids,
  countMatrix: matrix,
  transitionMatrix: matrix,
  stationary: vector,
  eigenvalues: z.array(z.object({ re: num, im: num })),
  impliedTimescales: z.object({
    atLag: z.array(numOrNull), resolvedAtLag: z.array(z.boolean()), processesSlowerThanModelLag: int,
    lags: vector, lagFrames: z.array(int), timescales: z.array(z.array(numOrNull)),
  }),
  rateMatrix: matrix,
  rateMatrixDiagnostics: z.object({
    method: z.string(), source: z.string(), description: z.string(), isGenerator: z.boolean(), obstruction: z.string().nullable(),
    reconstructionError: num, warnings: z.array(z.string()),
  }),
  escapeRates: matrix,
  totalEscapeRates: vector,
  mobility: vector,
  mobilityNormalisation: z.string(),
  mobilityRanking: ids,
  ckTest: z.object({
    steps: z.array(int), predicted: z.array(matrixOrNull), estimated: z.array(matrixOrNull.nullable()),
    verdicts: z.object({ confidence: num, perState: z.array(z.string()) }).nullable(),
  }),
  bootstrap: bootstrapSchema,
  warnings,
  lagChoice: z.object({ explanation: z.string() }).nullable().optional(),
  coreSets: z.object({ rule: z.string(), minDwellFrames: int, fractionInCores: num }).nullable().optional(),
  pcca: z.object({ nSets: int, rule: z.string(), sets: z.array(ids), crispness: num, lumped: z.boolean() }).nullable().optional(),
});

export const pathsSchema = z.object({
  format: z.string(),
  ...modelHeader,
  activeSet: ids,
  source: ids, target: ids,
  stationary: vector,
  forwardCommittor: vector, backwardCommittor: vector,
  equilibriumFlux: matrix, grossFlux: matrix, netFlux: matrix,
  totalFlux: num, rate: num, mfpt: numOrNull,
  pathways: z.array(z.object({ states: ids, flux: num, fraction: num, bottleneck: z.object({ from: int, to: int }) })),
  pathwayDiversity: z.object({ entropy: num, effectiveNumber: num }),
  bootstrap: bootstrapSchema,
});

export const stabilitySchema = z.object({
  format: z.literal('getsei-stability'),
  version: z.literal(1),
  repeats: int.min(2),
  seeds: z.array(int),
  ariMatrix: matrix,
  meanAri: num,
  perStateStability: vector,
  unstableStates: ids,
  mobilityKendallTau: numOrNull,
  rawBaseline: z.object({ silhouette: num, ari: num }),
  conclusions: z.array(z.object({ claim: z.string(), holds: z.boolean(), detail: z.string().optional() })),
  warnings,
});

const estimate = z.object({ value: num, lower: numOrNull, upper: numOrNull, unit: z.string(), intervalNote: z.string().optional() });
const window = z.object({ startPs: num, endPs: num });
export const transportSchema = z.object({
  format: z.string(),
  nLi: int, nFrames: int, dtPs: num,
  msd: z.object({ timePs: vector, li: vector, x: vector, y: vector, z: vector, charge: vector }),
  fitWindow: window,
  tracerFit: z.object({ meanTimePs: num, meanMsdA2: num }),
  tracerDiffusion: estimate,
  chargeDiffusion: estimate,
  havenRatio: estimate,
  conductivity: estimate.nullable(),
  temperatureK: numOrNull,
  volumeA3: num,
  profile: z.object({
    axis: z.string(), binAngstrom: num, zCentresAngstrom: vector, samples: vector, diffusion: z.array(estimate.nullable()),
  }).nullable(),
  perState: z.object({
    fitWindow: window, diffusion: z.array(estimate.nullable()),
    residence: z.object({
      perState: z.array(z.object({ meanPs: numOrNull, medianPs: numOrNull, timePerExitPs: numOrNull, complete: int })),
    }),
    mobilityCheck: z.object({ rho: num, n: int, pValue: numOrNull, states: ids }).nullable(),
  }).nullable(),
});

/** Every JSON file of a run folder that has a schema, by file name. */
export const RUN_FILE_SCHEMAS = {
  'manifest.json': manifestSchema,
  'states.json': statesSchema,
  'kinetics.json': kineticsSchema,
  'paths.json': pathsSchema,
  'stability.json': stabilitySchema,
  'transport.json': transportSchema,
} as const;
export type RunFileName = keyof typeof RUN_FILE_SCHEMAS;
export type RunFile<N extends RunFileName> = z.infer<(typeof RUN_FILE_SCHEMAS)[N]>;
/** What a writer may put in RUN/NAME (`satisfies WrittenRunFile<…>`): a writer that drifts from the schema is a type error. */
export type WrittenRunFile<N extends RunFileName> = ReadonlyDeep<z.input<(typeof RUN_FILE_SCHEMAS)[N]>>;
/** Writers build their JSON from readonly results; reading a value never needs it mutable. */
type ReadonlyDeep<T> = T extends readonly (infer E)[] ? readonly ReadonlyDeep<E>[] : T extends object ? { readonly [K in keyof T]: ReadonlyDeep<T[K]> } : T;

/** A zod issue path as a field name: `impliedTimescales.timescales[3][1]`. */
function fieldName(path: readonly PropertyKey[]): string {
  return path.reduce<string>((s, k) => (typeof k === 'number' ? `${s}[${k}]` : s ? `${s}.${String(k)}` : String(k)), '') || '(the whole file)';
}

/** The problems of a parsed value against a file's schema, one line each (file: field: what); [] when it fits. */
export function runFileProblems(name: RunFileName, value: unknown): string[] {
  return parseRunFile(name, value).problems;
}

/** A value checked against a file's schema: the typed file, or the problems (file: field: what) when it does not fit. */
export function parseRunFile<N extends RunFileName>(name: N, value: unknown): { data?: RunFile<N>; problems: string[] } {
  const r = RUN_FILE_SCHEMAS[name].safeParse(value);
  return r.success ? { data: r.data as RunFile<N>, problems: [] } : { problems: r.error.issues.map((i) => `${name}: ${fieldName(i.path)}: ${i.message}`) };
}

/**
 * Read RUN/NAME through its schema: undefined when the file is absent; a GetseiError naming the file, the fields and
 * the fix when it is not valid JSON or does not fit (a mangled or foreign file).
 */
export async function readRunFile<N extends RunFileName>(run: string, name: N): Promise<RunFile<N> | undefined> {
  const path = join(run, name);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new GetseiError(`cannot read ${path}: ${(err as Error).message}`);
  }
  const stage = name.replace('.json', '');
  const fix = name === 'manifest.json' ? 'the folder was not written by this getsei; run `getsei run` into a new folder'
    : `rerun the stage that writes it: \`getsei run … --force ${stage}\``;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new GetseiError(`${path} is not valid JSON (${(err as Error).message}); ${fix}`);
  }
  const r = RUN_FILE_SCHEMAS[name].safeParse(value);
  if (!r.success) {
    const shown = r.error.issues.slice(0, 3).map((i) => `${fieldName(i.path)}: ${i.message}`).join('; ');
    const more = r.error.issues.length > 3 ? ` (and ${r.error.issues.length - 3} more)` : '';
    throw new GetseiError(`${path} does not have the layout getsei writes: ${shown}${more}; ${fix}`);
  }
  return r.data as RunFile<N>;
}
