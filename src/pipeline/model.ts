import { createHash } from 'node:crypto';
import { cp, mkdir, readFile, readdir, rename, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { ProjectionModel } from '../projection/index.ts';
import type { GaussianMixtureModel } from '../states/index.ts';
import { GetseiError } from '../util/errors.ts';
import { writeJsonAtomic } from '../util/atomic.ts';
import { packageVersion } from '../util/version.ts';
import type { FrameStoreIndex } from './frame-store.ts';
import type { ProjectionRecord } from './stage-projection.ts';

/**
 * RUN/model/: everything that turns a featurised frame into a state — the encoder with its feature
 * standardisation (encoder/), the time-lagged projection if the states were found in one (projection.json) and the
 * Gaussian mixture (mixture.json) — so that other trajectories, shards or systems are embedded, projected and
 * assigned in the same state space (`getsei run --model DIR`). manifest.json lists each file with its SHA-256;
 * the folder is built under a temporary name and renamed, so a model folder is either whole or absent.
 */
export interface ModelManifest {
  format: 'getsei-model/1';
  getsei: string;
  created: string;
  /** the run the model was fitted in */
  source: string;
  /** element order of the node features */
  elements: string[];
  shellAngstrom: number;
  graphRadiusAngstrom: number;
  edgeCutoffAngstrom: number;
  embeddingDim: number;
  projection: { method: 'tica' | 'vamp'; lagFrames: number; dim: number } | null;
  states: number;
  /** path inside the model folder → SHA-256 */
  files: Record<string, string>;
}

export interface ReusableModel {
  readonly dir: string;
  readonly encoderDir: string;
  readonly manifest: ModelManifest;
  readonly mixture: GaussianMixtureModel;
  readonly projection: { readonly model: ProjectionModel; readonly record: ProjectionRecord } | null;
}

const MIXTURE_FILE = 'mixture.json';
const PROJECTION_FILE = 'projection.json';
const MANIFEST_FILE = 'manifest.json';

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

async function filesUnder(dir: string, base = dir): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p, base)));
    else out.push(relative(base, p));
  }
  return out.sort();
}

const floats = (a: Float64Array): number[] => Array.from(a);

/** Write RUN/model/ from the run's encoder folder, the projection (if any) and the mixture. */
export async function writeModel(
  run: string,
  parts: {
    encoderDir: string;
    mixture: GaussianMixtureModel;
    projection: { model: ProjectionModel; record: ProjectionRecord } | null;
    index: FrameStoreIndex;
    elements: string[];
    edgeCutoffAngstrom: number;
    embeddingDim: number;
  },
): Promise<string> {
  const dir = join(run, 'model');
  const tmp = join(run, `.model.partial-${process.pid}`);
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  try {
    await cp(parts.encoderDir, join(tmp, 'encoder'), { recursive: true });
    const m = parts.mixture;
    // JSON numbers round-trip float64 exactly, so a loaded mixture assigns bit for bit as the fitted one
    await writeJsonAtomic(join(tmp, MIXTURE_FILE), {
      format: 'getsei-mixture/1',
      components: m.components, dimension: m.dimension, covariance: m.covariance,
      weights: floats(m.weights), means: floats(m.means), covariances: floats(m.covariances),
      precisionsCholesky: floats(m.precisionsCholesky), logDetPrecisionCholesky: floats(m.logDetPrecisionCholesky),
      logLikelihood: m.logLikelihood, converged: m.converged, iterations: m.iterations, samples: m.samples,
      parameters: m.parameters, bic: m.bic, aic: m.aic,
    });
    if (parts.projection !== null) {
      const p = parts.projection.model;
      await writeJsonAtomic(join(tmp, PROJECTION_FILE), {
        format: 'getsei-projection/1',
        model: {
          method: p.method, d: p.d, mean: floats(p.mean), eigenvalues: floats(p.eigenvalues), dim: p.dim, components: floats(p.components),
          cumulativeKineticVariance: floats(p.cumulativeKineticVariance), droppedDirections: p.droppedDirections, kineticMap: p.kineticMap, pairs: p.pairs,
        },
        record: parts.projection.record,
      });
    }
    const files: Record<string, string> = {};
    for (const f of await filesUnder(tmp)) files[f] = sha256(await readFile(join(tmp, f)));
    const manifest: ModelManifest = {
      format: 'getsei-model/1', getsei: packageVersion(), created: new Date().toISOString(), source: run,
      elements: parts.elements, shellAngstrom: parts.index.shellAngstrom, graphRadiusAngstrom: parts.index.graphRadiusAngstrom,
      edgeCutoffAngstrom: parts.edgeCutoffAngstrom, embeddingDim: parts.embeddingDim,
      projection: parts.projection === null ? null : { method: parts.projection.record.method, lagFrames: parts.projection.record.lagFrames, dim: parts.projection.record.dim },
      states: m.components, files,
    };
    await writeJsonAtomic(join(tmp, MANIFEST_FILE), manifest);
    await rm(dir, { recursive: true, force: true });
    await rename(tmp, dir);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
  return dir;
}

/** Read a model folder written by `writeModel`; every file is checked against the manifest's hash. */
export async function loadModel(dir: string): Promise<ReusableModel> {
  let manifest: ModelManifest;
  try {
    manifest = JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8')) as ModelManifest;
  } catch {
    throw new GetseiError(`${dir}: not a getsei model folder (no readable ${MANIFEST_FILE}); pass the model/ folder of a finished run (RUN/model)`);
  }
  if (manifest.format !== 'getsei-model/1') throw new GetseiError(`${join(dir, MANIFEST_FILE)}: format ${JSON.stringify(manifest.format)}, expected "getsei-model/1"`);
  for (const [f, hash] of Object.entries(manifest.files)) {
    let bytes: Buffer;
    try {
      bytes = await readFile(join(dir, f));
    } catch {
      throw new GetseiError(`${dir}: ${f} is missing; the model folder is incomplete — copy the whole RUN/model folder`);
    }
    if (sha256(bytes) !== hash) throw new GetseiError(`${join(dir, f)} does not match the hash in ${MANIFEST_FILE}; the model was changed or damaged — copy it again from its run`);
  }
  const mx = JSON.parse(await readFile(join(dir, MIXTURE_FILE), 'utf8')) as Record<string, unknown>;
  const f64 = (v: unknown): Float64Array => Float64Array.from(v as number[]);
  const mixture: GaussianMixtureModel = {
    components: mx.components as number, dimension: mx.dimension as number, covariance: mx.covariance as GaussianMixtureModel['covariance'],
    weights: f64(mx.weights), means: f64(mx.means), covariances: f64(mx.covariances),
    precisionsCholesky: f64(mx.precisionsCholesky), logDetPrecisionCholesky: f64(mx.logDetPrecisionCholesky),
    logLikelihood: mx.logLikelihood as number, converged: mx.converged as boolean, iterations: mx.iterations as number,
    samples: mx.samples as number, parameters: mx.parameters as number, bic: mx.bic as number, aic: mx.aic as number,
    restarts: [], chosenRestart: 0,
  };
  let projection: ReusableModel['projection'] = null;
  if (manifest.projection !== null) {
    const doc = JSON.parse(await readFile(join(dir, PROJECTION_FILE), 'utf8')) as { model: Record<string, unknown>; record: ProjectionRecord };
    const p = doc.model;
    projection = {
      model: {
        method: p.method as ProjectionModel['method'], d: p.d as number, mean: f64(p.mean), eigenvalues: f64(p.eigenvalues), dim: p.dim as number,
        components: f64(p.components), cumulativeKineticVariance: f64(p.cumulativeKineticVariance), droppedDirections: p.droppedDirections as number,
        kineticMap: p.kineticMap as boolean, pairs: p.pairs as number,
      },
      record: doc.record,
    };
  }
  return { dir, encoderDir: join(dir, 'encoder'), manifest, mixture, projection };
}

/** Refuse a model whose features would not line up with this run's frames (different shells or elements). */
export function checkModelFits(model: ReusableModel, index: FrameStoreIndex, elements: string[], edgeCutoffAngstrom: number): void {
  const m = model.manifest;
  const problems: string[] = [];
  if (JSON.stringify(m.elements) !== JSON.stringify(elements)) problems.push(`elements [${m.elements.join(', ')}] vs [${elements.join(', ')}] here`);
  if (m.shellAngstrom !== index.shellAngstrom) problems.push(`shell ${m.shellAngstrom} Å vs ${index.shellAngstrom} Å here (--shell)`);
  if (m.graphRadiusAngstrom !== index.graphRadiusAngstrom) problems.push(`graph radius ${m.graphRadiusAngstrom} Å vs ${index.graphRadiusAngstrom} Å here (--graph-radius)`);
  if (m.edgeCutoffAngstrom !== edgeCutoffAngstrom) problems.push(`edge cutoff ${m.edgeCutoffAngstrom} Å vs ${edgeCutoffAngstrom} Å here (graph.edgeCutoffAngstrom)`);
  if (problems.length > 0) {
    throw new GetseiError(`the model at ${model.dir} does not fit this run: ${problems.join('; ')}. Featurise with the model's settings, or fit a new model`);
  }
}
