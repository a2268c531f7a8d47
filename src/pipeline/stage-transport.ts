import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { readTrajectory, type ReadOptions, type TrajectoryFrame } from '../io/index.ts';
import { analyseTransport, msdCsv, perStateCsv, profileCsv, type TransportFrame, type TransportReport } from '../transport/index.ts';
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic.ts';
import type { WrittenRunFile } from '../schema/index.ts';
import { GetseiError } from '../util/errors.ts';
import { decodeNpy } from '../util/npy.ts';
import { parseConfig, type Config } from './config.ts';
import { hashJson, readManifest, type Manifest } from './manifest.ts';
import { boundOrNull } from '../util/finite.ts';
import { runStage, stageOutputHash } from './stage.ts';

/** Settings of the transport stage: the [transport] section of the configuration (RUN/manifest.json config.transport). */
export type TransportConfig = Config['transport'];

export const DEFAULT_TRANSPORT_CONFIG: TransportConfig = parseConfig({}).transport;

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
function transportJson(report: TransportReport): WrittenRunFile<'transport.json'> {
  const bounded = <E extends { lower: number; upper: number; standardError?: number; cm2PerS?: { lower: number; upper: number } }>(e: E, unbounded?: string) => {
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
    conductivity: report.conductivity === null ? null : bounded(report.conductivity),
  };
}

/** Whether the transport stage can run: the recorded trajectory files are there and the time per frame is known. */
export function transportPossible(manifest: Manifest): boolean {
  return manifest.dtPs !== null && manifest.inputs.length > 0 && manifest.inputs.every((i) => existsSync(i.path));
}

/**
 * What the transport stage reads besides the trajectory: the states (per-state transport) and the kinetics (the
 * mobility for the rank check), when those stages have run. Its input hash covers all of them, so the stage reruns
 * when the states or the kinetics change.
 */
export function transportInputHash(manifest: Manifest): string {
  const done = (s: string): boolean => manifest.stages[s]?.status === 'done';
  return hashJson(['featurize', 'states', 'kinetics'].filter(done).map((s) => [s, stageOutputHash(manifest, s)]));
}

interface StatesInput {
  labels: Int16Array; nStates: number; nFrames: number; segments: Int32Array;
}

async function statesOf(run: string, manifest: Manifest): Promise<StatesInput | undefined> {
  if (manifest.stages.states?.status !== 'done' || !existsSync(join(run, 'states.npy'))) return undefined;
  const s = decodeNpy(await readFile(join(run, 'states.npy')));
  const seg = decodeNpy(await readFile(join(run, 'segments.npy')));
  const nFrames = s.shape[1];
  const labels = s.data as Int16Array;
  const nStates = labels.reduce((m, v) => Math.max(m, v + 1), 0);
  return { labels, nStates, nFrames, segments: seg.data as Int32Array };
}

async function mobilityOf(run: string, manifest: Manifest): Promise<{ activeSet: number[]; mobility: number[] } | undefined> {
  if (manifest.stages.kinetics?.status !== 'done' || !existsSync(join(run, 'kinetics.json'))) return undefined;
  const k = JSON.parse(await readFile(join(run, 'kinetics.json'), 'utf8')) as { activeSet: number[]; mobility: number[]; pcca?: { lumped?: boolean } | null };
  // lumped kinetics rank PCCA+ sets, not the states
  if (k.pcca?.lumped) return undefined;
  return { activeSet: k.activeSet, mobility: k.mobility };
}

/**
 * The transport stage: featurize keeps features, not positions, so this stage reads the trajectory the manifest
 * records (same files and selection) again in one streaming pass. With RUN/states.npy it adds the per-state
 * residence times and MSD, with RUN/kinetics.json the rank check of per-state D against the mobility.
 * Writes RUN/transport.json, RUN/transport-msd.csv and (when there) RUN/transport-profile.csv, RUN/transport-states.csv.
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
  // the frames were checked for impossible contacts when they were featurised: not again here (it was a third of the stage)
  const read = { ...((manifest.config.featurize as { read?: ReadOptions } | undefined)?.read ?? {}), minDistanceAngstrom: 0 } as ReadOptions;
  const dtPs = manifest.dtPs;
  const nFrames = manifest.nFrames ?? 0;
  return runStage(run, 'transport', { inputHash: transportInputHash(manifest), config, seed: config.seed }, async () => {
    const states = await statesOf(run, manifest);
    const mobility = states ? await mobilityOf(run, manifest) : undefined;
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
      normal: config.normal, unwrap: config.unwrap, msdMethod: config.msdMethod, nBootstrap: config.bootstrap, seed: config.seed,
      elements: config.elements, stateMaxLagPs: config.stateMaxLagPs, profileMaxLagPs: config.profileMaxLagPs, profileBins: config.profileBins, states, mobility,
      get temperatureK() { return temperatureK; },
    });
    await writeFileAtomic(join(run, 'transport-msd.csv'), msdCsv(report));
    if (report.profile) await writeFileAtomic(join(run, 'transport-profile.csv'), profileCsv(report.profile));
    else await rm(join(run, 'transport-profile.csv'), { force: true });
    if (report.perState) await writeFileAtomic(join(run, 'transport-states.csv'), perStateCsv(report.perState));
    else await rm(join(run, 'transport-states.csv'), { force: true });
    await writeJsonAtomic(join(run, 'transport.json'), transportJson(report));
    return report;
  });
}
