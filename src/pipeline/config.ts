import { readFile } from 'node:fs/promises';
import { parse as parseToml } from 'smol-toml';
import { z } from 'zod';
import { GetseiError } from '../util/errors.ts';
import { DEFAULT_LAG, LAG_TIME_PATTERN, parseLagSetting } from './lag.ts';

/**
 * The configuration of a run: one section per stage, every key documented (getsei config --defaults prints it as
 * commented TOML). Unknown keys are errors, so a typo never silently falls back to a default.
 * Command-line flags override the file; the resolved config is written to RUN/config.json.
 */
const lag = z.union([z.literal('auto'), z.number().int().positive(), z.string().regex(LAG_TIME_PATTERN, 'a lag time is written like "80ps", "0.08ns" or "800fs"')])
  .transform((v) => parseLagSetting(v, 'kinetics.lag'));
const stateCount = z.union([z.literal('auto'), z.number().int().min(2)]);
const stateSet = z.array(z.number().int().min(0));

export const ConfigSchema = z.object({
  input: z.object({
    dtPs: z.number().positive().optional().describe('time between frames as written in the files (ps); needed for XDATCAR and LAMMPS dumps'),
    format: z.string().optional().describe('force a reader: xdatcar, extxyz, lammps-dump, ase-traj, cp2k-xyz, xtc, dcd, h5md, amber-netcdf (default: detected)'),
    start: z.number().int().min(0).default(0).describe('first frame to use (0-based)'),
    stop: z.number().int().min(0).optional().describe('frame after the last one to use (default: the end)'),
    stride: z.number().int().positive().default(1).describe('use every stride-th frame'),
    independent: z.boolean().default(false).describe('several files are independent trajectories, not consecutive segments'),
    typeMap: z.record(z.string(), z.string()).optional().describe('LAMMPS atom type → element, e.g. { 1 = "Li", 2 = "S" } (also H5MD species and NetCDF atom_types)'),
    cellFile: z.string().optional().describe('CP2K: the cell file (MOTION/PRINT/CELL) of a -pos-1.xyz trajectory (default: PROJECT-1.cell beside it); relative to the working directory'),
    topology: z.string().optional().describe('XTC/DCD/H5MD/NetCDF without elements: a file getsei reads whose first frame lists the same atoms in the same order'),
    species: z.string().optional().describe('XTC/DCD/H5MD/NetCDF without elements: elements in atom order with counts, e.g. "Li:24,P:4,S:20,Cl:4"'),
    minDistanceAngstrom: z.number().min(0).default(0.5).describe('frames with two atoms closer than this (Å) are refused as impossible; 0 turns the check off'),
  }).strict().default({ start: 0, stride: 1, independent: false, minDistanceAngstrom: 0.5 }),
  features: z.object({
    shellAngstrom: z.number().positive().default(4.0).describe('coordination shell for element counts, mean distance and angles (Å; paper: 4.0)'),
    graphRadiusAngstrom: z.number().positive().default(4.0).describe('atoms within this distance of a Li are the nodes of its graph (Å)'),
  }).strict().default({ shellAngstrom: 4.0, graphRadiusAngstrom: 4.0 }),
  graph: z.object({
    edgeCutoffAngstrom: z.number().positive().default(3.0).describe('edges join graph nodes closer than this (Å; paper: 3.0)'),
  }).strict().default({ edgeCutoffAngstrom: 3.0 }),
  contrastive: z.object({
    trainFraction: z.number().gt(0).max(1).default(0.2).describe('fraction of frames the encoder is trained on (paper: 0.2)'),
    trainGraphs: z.number().int().min(0).default(8192).describe('train on a seeded sample of at most this many of the training frames\' graphs, so training cost does not grow with Li × frames (0: all; docs/encoder.md)'),
    epochs: z.number().int().positive().default(20).describe('training epochs over the training graphs'),
    batchSize: z.number().int().min(2).default(256).describe('graphs per batch (InfoNCE negatives come from the batch)'),
    learningRate: z.number().positive().default(1e-3).describe('Adam learning rate'),
    temperature: z.number().positive().default(0.5).describe('InfoNCE temperature σ (paper: 0.5)'),
    edgeDrop: z.number().min(0).lt(1).default(0.1).describe('fraction of edges dropped per augmented view (paper: 0.1)'),
    featureMask: z.number().min(0).lt(1).default(0.2).describe('fraction of node-feature entries masked per view (paper: 0.2)'),
    patience: z.number().int().min(0).default(3).describe('stop when the epoch loss has not improved for this many epochs (0: never)'),
    hiddenPerHead: z.number().int().positive().default(32).describe('hidden units per attention head'),
    readout: z.enum(['mean', 'mean+centre']).default('mean').describe('graph readout: mean over nodes, or mean concatenated with the centre Li'),
    seed: z.number().int().default(0).describe('seed of training-frame draw, initialisation, augmentations and batches'),
  }).strict().default({ trainFraction: 0.2, trainGraphs: 8192, epochs: 20, batchSize: 256, learningRate: 1e-3, temperature: 0.5, edgeDrop: 0.1, featureMask: 0.2, patience: 3, hiddenPerHead: 32, readout: 'mean', seed: 0 }),
  projection: z.object({
    method: z.enum(['none', 'tica', 'vamp']).default('tica').describe('time-lagged projection of each Li\'s embedding series before the mixture: tica (default: reversible, kinetic map; docs/quality.md §6), vamp, or none (the paper: the raw embeddings)'),
    lag: lag.default('auto').describe('lag of the projection: frames (5), a time ("0.5ps"), or "auto" (the whole number of frames nearest 0.5 ps, at least one; 5 frames when the frame interval is unknown); pairs never span segments or undefined frames'),
    dim: z.number().int().positive().optional().describe('fixed projection dimension (default: by kineticVariance)'),
    kineticVariance: z.number().gt(0).max(1).default(0.95).describe('keep the fewest components whose Σλ² reaches this fraction of the total'),
    kineticMap: z.boolean().default(true).describe('scale each component by its eigenvalue (kinetic map), so distances are kinetic'),
    epsilon: z.number().positive().default(1e-6).describe('whitening drops covariance eigenvalues below epsilon × the largest'),
  }).strict().default({ method: 'tica', lag: 'auto', kineticVariance: 0.95, kineticMap: true, epsilon: 1e-6 }),
  states: z.object({
    count: stateCount.default('auto').describe('number of states, or "auto" to pick one in minCount..maxCount by autoRule (paper: 6)'),
    autoRule: z.enum(['spectral-gap', 'silhouette']).default('spectral-gap').describe('how "auto" picks the count: spectral-gap (1 + the slow processes before the largest eigenvalue gap of the projection; silhouette in the paper\'s mode, which has no projection) or silhouette (the paper)'),
    minCount: z.number().int().min(2).default(2).describe('smallest state count tried by "auto"'),
    maxCount: z.number().int().min(2).default(10).describe('largest state count tried by "auto"'),
    fitSampleSize: z.number().int().positive().default(20000).describe('embeddings the mixture is fitted on (seeded sample); all are then assigned'),
    silhouetteSampleSize: z.number().int().positive().default(5000).describe('embeddings the silhouette is computed on (as scikit-learn sample_size)'),
    restarts: z.number().int().positive().default(5).describe('k-means++ initialisations of the mixture; the best likelihood wins'),
    scoreAllCounts: z.boolean().default(false).describe('with a fixed count, also fit and score every count of minCount..maxCount for the score table (slower); "auto" always does'),
    map: z.enum(['tsne', 'umap']).default('tsne').describe('2-D map of the embeddings for the report'),
    mapSampleSize: z.number().int().positive().default(1000).describe('embeddings shown on the 2-D map (the exact t-SNE costs grow as the square: 2 000 points cost 4× 1 000)'),
    vampLiSample: z.number().int().min(0).default(256).describe('Li trajectories the cross-validated VAMP-2/VAMP-E of every count is scored on (0: no VAMP scores)'),
    vampFolds: z.number().int().min(2).default(5).describe('folds of whole Li trajectories for the cross-validated VAMP scores'),
    compareProjection: z.boolean().default(true).describe('also fit the other kind of states at the chosen count (the paper\'s on the raw embeddings, or TICA-projected ones) and record both VAMP scores side by side (states.json kineticComparison)'),
    seed: z.number().int().default(0).describe('seed of the samples and the mixture initialisation'),
  }).strict().default({ count: 'auto', autoRule: 'spectral-gap', minCount: 2, maxCount: 10, fitSampleSize: 20000, silhouetteSampleSize: 5000, restarts: 5, scoreAllCounts: false, map: 'tsne', mapSampleSize: 1000, vampLiSample: 256, vampFolds: 5, compareProjection: true, seed: 0 }),
  kinetics: z.object({
    lag: lag.default(DEFAULT_LAG).describe('lag time τ: frames (800), time ("80ps"), or "auto" (shortest lag where implied timescales level off)'),
    estimator: z.enum(['edmd', 'reversible']).default('edmd').describe('edmd: eq. 8, the row-normalised count matrix; reversible: maximum likelihood under detailed balance'),
    bootstrap: z.number().int().min(0).default(100).describe('bootstrap resamples of the Li trajectories for error bars (0: none)'),
    seed: z.number().int().default(0).describe('seed of the bootstrap'),
    coreMinDwell: z.number().int().min(0).default(0).describe('core-set (milestoning) counting: a frame is in a core when its Li stays ≥ this many frames in the state; a Li keeps its last core state until it enters another (0: count every frame, the paper)'),
    metastableSets: z.union([z.literal('auto'), z.number().int().min(0)]).default('auto').describe('PCCA+ metastable sets: a count, "auto" (1 + processes slower than the lag; none when no process is resolved) or 0 (none); their slowest pair is the default TPT source/target'),
    lumpStates: z.boolean().default(false).describe('hand the PCCA+ metastable sets (not the states) to kinetics and TPT'),
  }).strict().default({ lag: 'auto', estimator: 'edmd', bootstrap: 100, seed: 0, coreMinDwell: 0, metastableSets: 'auto', lumpStates: false }),
  paths: z.object({
    source: stateSet.optional().describe('source states (default: the least mobile state)'),
    target: stateSet.optional().describe('target states (default: the most mobile state)'),
    pathways: z.number().int().positive().default(5).describe('dominant pathways to extract'),
  }).strict().default({ pathways: 5 }),
  stability: z.object({
    repeats: z.number().int().min(0).default(3).describe('state discoveries compared (the run itself + repeats − 1 with other seeds); 0 or 1: no stability check'),
    liSample: z.number().int().min(0).default(64).describe('Li trajectories (seeded sample, every frame) the repeats embed and compare, so their cost does not grow with the Li count (0: all Li)'),
  }).strict().default({ repeats: 3, liSample: 64 }),
  transport: z.object({
    maxLagPs: z.number().positive().optional().describe('longest MSD lag (ps; default: the whole trajectory). With msdMethod = "window" it bounds the memory'),
    fitStartPs: z.number().positive().optional().describe('start of the lag window D is fitted over (ps; default 10 % of the longest lag)'),
    fitEndPs: z.number().positive().optional().describe('end of the fit window (ps; default 50 % of the longest lag)'),
    temperatureK: z.number().positive().optional().describe('temperature for the Nernst–Einstein conductivity (K; default: a temperature stored in the frames, else no conductivity)'),
    normal: z.tuple([z.number(), z.number(), z.number()])
      .refine((v) => Math.hypot(...v) > 0, 'the interface normal must not be the zero vector')
      .transform((v) => v.map((x) => x / Math.hypot(...v)) as [number, number, number]).optional()
      .describe('interface normal x,y,z (normalised): adds the MSD and D along it, and is the axis of the D(z) profile'),
    unwrap: z.enum(['minimum-image', 'none']).default('minimum-image').describe('minimum-image: unwrap wrapped (or unwrapped) input by minimum-image steps; none: positions are already unwrapped'),
    msdMethod: z.enum(['fft', 'window']).default('fft').describe('fft: every lag by FFT (keeps every frame); window: direct sum over the last maxLagPs (memory flat in frames)'),
    bootstrap: z.number().int().positive().default(1000).describe('bootstrap resamples over Li for the D* interval'),
    seed: z.number().int().default(0).describe('seed of the bootstrap'),
    elements: z.array(z.string().regex(/^[A-Z][a-z]?$/, 'an element symbol, e.g. "S"')).default([]).describe('other elements whose tracer MSD and D* are reported beside Li, e.g. ["S", "Cl"]'),
    stateMaxLagPs: z.number().positive().default(0.5).describe('longest lag of the per-state MSD (ps): only displacements during which the Li stays in its state count, so it must stay below the typical residence time'),
    profileMaxLagPs: z.number().positive().default(2).describe('longest lag of the per-slab MSD of the D(z) profile (ps); displacements are counted in the slab they start in'),
    profileBins: z.number().int().min(0).default(10).describe('slabs of the D(z) profile, equal in width, cut along the lattice axis closest to the normal (c without one); 0: no profile'),
  }).strict().default({ unwrap: 'minimum-image', msdMethod: 'fft', bootstrap: 1000, seed: 0, elements: [], stateMaxLagPs: 0.5, profileMaxLagPs: 2, profileBins: 10 }),
  run: z.object({
    threads: z.number().int().min(0).default(0).describe('worker threads (0: every core)'),
  }).strict().default({ threads: 0 }),
}).strict();

export type Config = z.infer<typeof ConfigSchema>;
export type ConfigInput = z.input<typeof ConfigSchema>;

/** Validate a config object; errors name the field path (e.g. "contrastive.edgeDrop") and the source. */
export function parseConfig(value: unknown, source = 'config'): Config {
  const r = ConfigSchema.safeParse(value ?? {});
  if (r.success) return r.data;
  const lines = r.error.issues.map((i) => {
    const path = i.path.join('.');
    if (i.code === 'unrecognized_keys') return `  ${path ? `${path}: ` : ''}unknown key(s) ${i.keys.map((k) => `"${k}"`).join(', ')} (getsei config --defaults lists every key)`;
    return `  ${path || '(top level)'}: ${i.message}`;
  });
  throw new GetseiError(`${source} is not a valid getsei configuration:\n${lines.join('\n')}`);
}

export async function loadConfigFile(path: string): Promise<ConfigInput> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new GetseiError(`cannot read the config file ${path}; check the path (getsei config --defaults > getsei.toml writes a template)`);
  }
  try {
    return parseToml(text) as ConfigInput;
  } catch (err) {
    throw new GetseiError(`${path}: not valid TOML: ${(err as Error).message.split('\n')[0]}`);
  }
}

/** Deep-merge command-line overrides (only defined values) over a config input. */
export function mergeConfig(base: ConfigInput, overrides: Record<string, Record<string, unknown>>): ConfigInput {
  const out: Record<string, Record<string, unknown>> = structuredClone(base as Record<string, Record<string, unknown>>);
  for (const [section, values] of Object.entries(overrides)) {
    for (const [key, v] of Object.entries(values)) {
      if (v === undefined) continue;
      out[section] ??= {};
      out[section][key] = v;
    }
  }
  return out as ConfigInput;
}

/** The default configuration as commented TOML, generated from the schema so it never drifts from it. */
export function defaultConfigToml(): string {
  const defaults = parseConfig({});
  const lines = ['# getsei configuration — every key with its default. Flags on the command line override these.', ''];
  const shape = ConfigSchema.shape;
  for (const [section, schema] of Object.entries(shape)) {
    lines.push(`[${section}]`);
    const inner = (schema as unknown as { unwrap(): z.ZodObject }).unwrap().shape as Record<string, z.ZodType>;
    const values = (defaults as Record<string, Record<string, unknown>>)[section];
    for (const [key, field] of Object.entries(inner)) {
      const desc = field.description ?? '';
      lines.push(`# ${desc}`);
      const v = values[key];
      lines.push(v === undefined ? `# ${key} = ` : `${key} = ${tomlValue(v)}`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

function tomlValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(tomlValue).join(', ')}]`;
  if (typeof v === 'number' && Number.isInteger(v) === false) return String(v);
  return String(v);
}
