import { cellVolume, type Frame } from '../structure/index.ts';
import { GetseiError } from '../util/errors.ts';
import {
  defaultFitWindow, fitChargeDiffusion, fitComponentDiffusion, fitTracerDiffusion, nernstEinsteinSPerCm,
  type DiffusionEstimate, type Estimate, type FitWindow,
} from './diffusion.ts';
import { MsdAccumulator, type MsdResult } from './msd.ts';
import { Unwrapper, type UnwrapMode, type UnwrapWarnings } from './unwrap.ts';

const LITHIUM = 3;

export interface TransportOptions {
  /** time between the frames given (ps) */
  readonly dtPs: number;
  /** longest lag (ps); default: the whole trajectory (then memory grows with frames — set it to keep it flat) */
  readonly maxLagPs?: number;
  /** frames expected (to size the window when maxLagPs is not given) */
  readonly nFrames: number;
  /** fit window in ps (default: 10 %–50 % of the longest lag) */
  readonly fitStartPs?: number;
  readonly fitEndPs?: number;
  readonly temperatureK?: number;
  readonly normal?: readonly [number, number, number];
  readonly unwrap?: UnwrapMode;
  readonly nBootstrap?: number;
  readonly seed?: number;
  /** carrier charge in e (default 1, Li⁺) */
  readonly charge?: number;
}

/** What `RUN/transport.json` holds (immutable). */
export interface TransportReport {
  readonly format: 'getsei-transport/1';
  readonly nLi: number;
  readonly nFrames: number;
  readonly nTrajectories: number;
  readonly dtPs: number;
  readonly msd: {
    readonly timePs: number[]; readonly li: number[]; readonly x: number[]; readonly y: number[]; readonly z: number[];
    readonly normal: number[] | null; readonly charge: number[]; readonly origins: number[];
  };
  readonly fitWindow: FitWindow;
  readonly tracerDiffusion: DiffusionEstimate;
  readonly componentDiffusion: { readonly x: number; readonly y: number; readonly z: number; readonly normal: number | null; readonly unit: 'A2/ps' };
  readonly chargeDiffusion: DiffusionEstimate;
  readonly havenRatio: Estimate;
  readonly conductivity: Estimate | null;
  readonly temperatureK: number | null;
  readonly volumeA3: number;
  readonly unwrap: UnwrapMode;
  readonly unwrapWarnings: UnwrapWarnings;
}

/** A frame and whether it starts a new independent trajectory. */
export interface TransportFrame {
  readonly frame: Frame;
  readonly newTrajectory: boolean;
}

/**
 * One streaming pass: unwrap Li, accumulate MSDs, then fit D*, D_σ, Haven ratio H = D* / D_σ and the Nernst–Einstein
 * conductivity (when a temperature is known). Frames need the same atoms in the same order.
 */
export async function analyseTransport(frames: AsyncIterable<TransportFrame> | Iterable<TransportFrame>, o: TransportOptions): Promise<TransportReport> {
  if (!(o.dtPs > 0)) throw new GetseiError('transport needs the time between frames: give --dt PS');
  const maxLag = Math.max(1, Math.min(o.nFrames - 1, o.maxLagPs === undefined ? o.nFrames - 1 : Math.round(o.maxLagPs / o.dtPs)));
  let li: Int32Array | undefined;
  let unwrapper: Unwrapper | undefined;
  let acc: MsdAccumulator | undefined;
  let sel: Float64Array | undefined;
  let nFrames = 0, nTrajectories = 0, volume = 0, nAtoms = 0;
  for await (const { frame, newTrajectory } of frames) {
    if (!li) {
      const idx: number[] = [];
      frame.species.forEach((z, i) => { if (z === LITHIUM) idx.push(i); });
      if (idx.length === 0) throw new GetseiError('transport: the trajectory has no Li atoms');
      li = Int32Array.from(idx);
      unwrapper = new Unwrapper(li.length, o.unwrap ?? 'minimum-image');
      acc = new MsdAccumulator(li.length, { maxLagFrames: maxLag, normal: o.normal });
      sel = new Float64Array(3 * li.length);
      nAtoms = frame.species.length;
    }
    if (frame.species.length !== nAtoms) {
      throw new GetseiError(`transport: frame ${nFrames} has ${frame.species.length} atoms, the first had ${nAtoms}: give frames of one system`);
    }
    for (let k = 0; k < li.length; k++) {
      const a = 3 * (li as Int32Array)[k];
      (sel as Float64Array)[3 * k] = frame.positions[a];
      (sel as Float64Array)[3 * k + 1] = frame.positions[a + 1];
      (sel as Float64Array)[3 * k + 2] = frame.positions[a + 2];
    }
    const restart = nFrames === 0 || newTrajectory;
    if (restart) nTrajectories++;
    (acc as MsdAccumulator).push((unwrapper as Unwrapper).push(sel as Float64Array, frame.cell, restart), restart);
    volume += cellVolume(frame.cell);
    nFrames++;
  }
  if (!acc || !li || !unwrapper || nFrames < 3) throw new GetseiError(`transport needs at least 3 frames, got ${nFrames}`);
  return summarise(acc.result(), {
    ...o, nFrames, nTrajectories, volumeA3: volume / nFrames, warnings: unwrapper.warnings(),
  });
}

function summarise(m: MsdResult, o: TransportOptions & { nTrajectories: number; volumeA3: number; warnings: UnwrapWarnings }): TransportReport {
  const dt = o.dtPs;
  const L = m.maxLagFrames;
  // only lags that have origins can be fitted
  let longest = L;
  while (longest > 1 && m.origins[longest] === 0) longest--;
  const def = defaultFitWindow(longest, dt);
  const startFrame = o.fitStartPs === undefined ? def.startFrame : Math.max(1, Math.round(o.fitStartPs / dt));
  const endFrame = o.fitEndPs === undefined ? def.endFrame : Math.min(longest, Math.round(o.fitEndPs / dt));
  if (!(endFrame > startFrame)) throw new GetseiError(`transport: the fit window ${startFrame * dt}–${endFrame * dt} ps is empty: choose --fit-start/--fit-end within 0–${longest * dt} ps`);
  const window: FitWindow = { startFrame, endFrame, startPs: startFrame * dt, endPs: endFrame * dt };
  const fit = { dtPs: dt, window, nBootstrap: o.nBootstrap, seed: o.seed };
  const tracer = fitTracerDiffusion(m, fit);
  const charge = fitChargeDiffusion(m, fit);
  // conservative: extremes of the ratio over both intervals; an interval for D_σ reaching 0 leaves it unbounded above
  // (Infinity, null in JSON)
  const haven: Estimate = {
    value: tracer.value / charge.value, lower: tracer.lower / charge.upper,
    upper: charge.lower > 0 ? tracer.upper / charge.lower : Number.POSITIVE_INFINITY, unit: '1',
  };
  const T = o.temperatureK;
  const q = o.charge ?? 1;
  const sigma = (d: number): number => nernstEinsteinSPerCm(m.nAtoms, q, d, o.volumeA3, T as number);
  const conductivity: Estimate | null = T === undefined ? null : { value: sigma(charge.value), lower: sigma(Math.max(0, charge.lower)), upper: sigma(charge.upper), unit: 'S/cm' };
  const arr = (a: Float64Array | null): number[] | null => (a ? Array.from(a.subarray(0, longest + 1)) : null);
  return Object.freeze({
    format: 'getsei-transport/1' as const, nLi: m.nAtoms, nFrames: o.nFrames, nTrajectories: o.nTrajectories, dtPs: dt,
    msd: {
      timePs: Array.from({ length: longest + 1 }, (_, i) => i * dt), li: arr(m.msd) as number[], x: arr(m.msdX) as number[],
      y: arr(m.msdY) as number[], z: arr(m.msdZ) as number[], normal: arr(m.msdNormal), charge: arr(m.chargeMsd) as number[],
      origins: arr(m.origins) as number[],
    },
    fitWindow: window, tracerDiffusion: tracer,
    componentDiffusion: {
      x: fitComponentDiffusion(m.msdX, dt, window), y: fitComponentDiffusion(m.msdY, dt, window), z: fitComponentDiffusion(m.msdZ, dt, window),
      normal: m.msdNormal ? fitComponentDiffusion(m.msdNormal, dt, window) : null, unit: 'A2/ps' as const,
    },
    chargeDiffusion: charge, havenRatio: haven, conductivity, temperatureK: T ?? null, volumeA3: o.volumeA3,
    unwrap: o.unwrap ?? 'minimum-image', unwrapWarnings: o.warnings,
  });
}

/** The MSD table as CSV (time_ps, msd_li_A2, x, y, z, [normal], charge, origins). */
export function msdCsv(r: TransportReport): string {
  const m = r.msd;
  const head = ['time_ps', 'msd_li_A2', 'msd_x_A2', 'msd_y_A2', 'msd_z_A2', ...(m.normal ? ['msd_normal_A2'] : []), 'msd_charge_A2', 'origins'];
  const rows = m.timePs.map((t, i) => [t, m.li[i], m.x[i], m.y[i], m.z[i], ...(m.normal ? [m.normal[i]] : []), m.charge[i], m.origins[i]].join(','));
  return `${head.join(',')}\n${rows.join('\n')}\n`;
}
