import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readTrajectory, type ReadOptions, type TrajectoryFrame } from '../io/index.ts';
import { analyseTransport, msdCsv, type TransportFrame, type TransportReport } from '../transport/index.ts';
import type { MsdMethod, UnwrapMode } from '../transport/index.ts';
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic.ts';
import { GetseiError } from '../util/errors.ts';
import { boundOrNull } from '../util/finite.ts';
import { readManifest, type Manifest } from './manifest.ts';
import { runStage, stageOutputHash } from './stage.ts';

/** Settings of the transport stage (RUN/manifest.json config.transport). */
export interface TransportConfig {
  /** longest MSD lag (ps); default the whole trajectory */
  readonly maxLagPs?: number;
  /** fit window (ps); default 10 %–50 % of the longest lag */
  readonly fitStartPs?: number;
  readonly fitEndPs?: number;
  /** K; default: a `temperature` / `temperature_K` value stored in the frames, else no conductivity */
  readonly temperatureK?: number;
  /** unit interface normal for the MSD component along it */
  readonly normal?: readonly [number, number, number];
  readonly unwrap: UnwrapMode;
  readonly msdMethod: MsdMethod;
  readonly nBootstrap: number;
  readonly seed: number;
}

export const DEFAULT_TRANSPORT_CONFIG: TransportConfig = { unwrap: 'minimum-image', msdMethod: 'fft', nBootstrap: 1000, seed: 0 };

function temperatureOf(frame: TrajectoryFrame): number | undefined {
  for (const key of ['temperature_K', 'temperature', 'Temperature']) {
    const v = frame.info?.[key];
    if (typeof v === 'number' && v > 0) return v;
  }
  return undefined;
}

/**
 * transport.json: an interval bound that is not a finite number is written as null with the reason, as
 * docs/transport.md documents — the Haven ratio's upper bound when the D_σ interval reaches 0 (unbounded), and any
 * bound or standard error the estimate could not give (e.g. a negative variance estimate on a short trajectory).
 */
function transportJson(report: TransportReport): unknown {
  const bounded = <E extends { lower: number; upper: number; standardError?: number; cm2PerS?: { lower: number; upper: number } }>(e: E | null, unbounded?: string) => {
    if (e === null) return null;
    const bad = [e.lower, e.upper, e.standardError ?? 0].some((x) => !Number.isFinite(x));
    if (!bad) return e;
    return {
      ...e, lower: boundOrNull(e.lower), upper: boundOrNull(e.upper),
      ...(e.standardError === undefined ? {} : { standardError: boundOrNull(e.standardError) }),
      ...(e.cm2PerS === undefined ? {} : { cm2PerS: { ...e.cm2PerS, lower: boundOrNull(e.cm2PerS.lower), upper: boundOrNull(e.cm2PerS.upper) } }),
      intervalNote: unbounded !== undefined && Number.isFinite(e.lower) && e.upper === Infinity ? unbounded
        : 'null bounds: the interval could not be estimated from this trajectory (too few independent windows)',
    };
  };
  return {
    ...report,
    tracerDiffusion: bounded(report.tracerDiffusion), chargeDiffusion: bounded(report.chargeDiffusion),
    havenRatio: bounded(report.havenRatio, 'upper bound null: unbounded, the D_σ interval reaches 0'),
    conductivity: bounded(report.conductivity),
  };
}

/** Whether the transport stage can run: the recorded trajectory files are there and the time per frame is known. */
export function transportPossible(manifest: Manifest): boolean {
  return manifest.dtPs !== null && manifest.inputs.length > 0 && manifest.inputs.every((i) => existsSync(i.path));
}

/**
 * The transport stage: featurize keeps features, not positions, so this stage reads the trajectory the manifest
 * records (same files and selection) again in one streaming pass. Writes RUN/transport.json and RUN/transport-msd.csv.
 */
export async function runTransportStage(run: string, config: TransportConfig = DEFAULT_TRANSPORT_CONFIG): Promise<TransportReport> {
  const manifest = await readManifest(run);
  if (manifest?.stages.featurize?.status !== 'done') {
    throw new GetseiError(`${run} is not featurised yet: run \`getsei featurize FILES -o ${run}\` first (transport reads the trajectory it records)`);
  }
  const files = manifest.inputs.map((i) => i.path);
  for (const f of files) {
    if (!existsSync(f)) throw new GetseiError(`${f} (recorded in ${run}/manifest.json) is gone: transport needs the trajectory; restore it or featurize again`);
  }
  if (manifest.dtPs === null) throw new GetseiError(`${run}: the time between frames is unknown; featurize again with --dt PS`);
  const read = ((manifest.config.featurize as { read?: ReadOptions } | undefined)?.read ?? {}) as ReadOptions;
  const dtPs = manifest.dtPs;
  const nFrames = manifest.nFrames ?? 0;
  return runStage(run, 'transport', { inputHash: stageOutputHash(manifest, 'featurize'), config, seed: config.seed }, async () => {
    let temperatureK = config.temperatureK;
    let segment = -1;
    async function* frames(): AsyncGenerator<TransportFrame> {
      for await (const frame of readTrajectory(files, read)) {
        if (temperatureK === undefined) temperatureK = temperatureOf(frame);
        const newTrajectory = frame.segment !== segment;
        segment = frame.segment;
        yield { frame, newTrajectory };
      }
    }
    // a getter: the temperature stored in the files is only known once the pass has begun, and is read after it
    const report = await analyseTransport(frames(), {
      dtPs, nFrames, maxLagPs: config.maxLagPs, fitStartPs: config.fitStartPs, fitEndPs: config.fitEndPs,
      normal: config.normal, unwrap: config.unwrap, msdMethod: config.msdMethod, nBootstrap: config.nBootstrap, seed: config.seed,
      get temperatureK() { return temperatureK; },
    });
    await writeFileAtomic(join(run, 'transport-msd.csv'), msdCsv(report));
    await writeJsonAtomic(join(run, 'transport.json'), transportJson(report));
    return report;
  });
}
