import { atomicNumber, canonicalSymbol, cellVolume, type Cell, type Frame } from '../structure/index.ts';
import { GetseiError } from '../util/errors.ts';
import {
  defaultFitWindow, fitChargeDiffusion, fitComponentDiffusion, fitTracerDiffusion, nernstEinsteinSPerCm,
  type DiffusionEstimate, type Estimate, type FitWindow,
} from './diffusion.ts';
import { FftMsdCollector } from './fft-msd.ts';
import { fitLocalDiffusion, LocalMsdAccumulator, type LocalMsdResult } from './local-msd.ts';
import { MsdAccumulator, type MsdResult } from './msd.ts';
import { profileAxis, profileWidthAngstrom, slabLabels } from './profile.ts';
import { residenceTimes, spearmanTest, type RankCorrelation, type ResidenceReport } from './residence.ts';
import { Unwrapper, type UnwrapMode, type UnwrapWarnings } from './unwrap.ts';

export type MsdMethod = 'fft' | 'window';
export const MSD_METHODS: readonly MsdMethod[] = ['fft', 'window'];

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
  /** 'fft' (default; keeps every frame) or 'window' (direct sum over the last maxLag frames; memory flat in frames) */
  readonly msdMethod?: MsdMethod;
  readonly nBootstrap?: number;
  readonly seed?: number;
  /** carrier charge in e (default 1, Li⁺) */
  readonly charge?: number;
  /** other elements (symbols) whose tracer MSD and D* are reported beside Li */
  readonly elements?: readonly string[];
  /** longest lag of the per-state MSD (ps; default 0.5) */
  readonly stateMaxLagPs?: number;
  /** longest lag of the per-slab MSD (ps; default 2) */
  readonly profileMaxLagPs?: number;
  /** slabs of the D(z) profile (default 10; 0: no profile) */
  readonly profileBins?: number;
  /** the states of every Li in every frame given: RUN/states.npy, int16 [nLi, nFrames], −1 undefined */
  readonly states?: { readonly labels: ArrayLike<number>; readonly nStates: number; readonly nFrames: number; readonly segments: ArrayLike<number> };
  /** the kinetics' mobility per state (kinetics.json activeSet and mobility), for the rank check against per-state D */
  readonly mobility?: { readonly activeSet: readonly number[]; readonly mobility: readonly number[] };
}

/** Tracer MSD and D* of another element. */
export interface ElementTransport {
  readonly nAtoms: number;
  readonly msd: number[];
  readonly tracerDiffusion: DiffusionEstimate;
}

/** A lag window of the per-state and per-slab fits (frames and ps). */
export type LocalFitWindow = FitWindow;

/** D per slab along the profile axis (the regional MSD: displacements counted in the slab of their origin). */
export interface TransportProfile {
  /** the lattice axis the slabs are cut along */
  readonly axis: 'a' | 'b' | 'c';
  readonly nBins: number;
  /** mean perpendicular width of the cell along the axis (Å) and of one slab */
  readonly widthAngstrom: number;
  readonly binAngstrom: number;
  /** slab centres in fractional coordinates and in Å from the cell face */
  readonly zCentresFraction: number[];
  readonly zCentresAngstrom: number[];
  readonly timePs: number[];
  /** msd[bin][lag] (Å²), null where nothing was counted */
  readonly msd: (number | null)[][];
  /** Li displacements counted at lag 1 per slab (Li-frames that start in it) */
  readonly samples: number[];
  readonly fitWindow: LocalFitWindow;
  /** per slab, null when some lag of the window has no displacement */
  readonly diffusion: (DiffusionEstimate | null)[];
}

/** Per-state transport: residence times, the MSD of Li while they stay in the state, and the rank check. */
export interface PerStateTransport {
  readonly nStates: number;
  readonly timePs: number[];
  /** msd[state][lag] (Å²) over displacements during which the Li stays in the state; null where none */
  readonly msd: (number | null)[][];
  /** displacements counted: counts[state][lag] */
  readonly counts: number[][];
  readonly fitWindow: LocalFitWindow;
  readonly diffusion: (DiffusionEstimate | null)[];
  readonly residence: ResidenceReport;
  /** Spearman ρ between per-state D and the kinetics' mobility (escape-rate) score, over states with both */
  readonly mobilityCheck: (RankCorrelation & { readonly states: number[]; readonly diffusion: number[]; readonly mobility: number[] }) | null;
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
  /** the fitted line MSD = interceptA2 + 6 D* t over the fit window; it passes through (meanTimePs, meanMsdA2) */
  readonly tracerFit: { readonly interceptA2: number; readonly meanTimePs: number; readonly meanMsdA2: number };
  readonly tracerDiffusion: DiffusionEstimate;
  readonly componentDiffusion: { readonly x: number; readonly y: number; readonly z: number; readonly normal: number | null; readonly unit: 'A2/ps' };
  readonly chargeDiffusion: DiffusionEstimate;
  readonly havenRatio: Estimate;
  readonly conductivity: Estimate | null;
  readonly temperatureK: number | null;
  readonly volumeA3: number;
  readonly unwrap: UnwrapMode;
  readonly msdMethod: MsdMethod;
  readonly unwrapWarnings: UnwrapWarnings;
  /** other elements by symbol */
  readonly elements: Record<string, ElementTransport>;
  readonly profile: TransportProfile | null;
  readonly perState: PerStateTransport | null;
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
  const maxLag = Math.max(2, Math.min(o.nFrames - 1, o.maxLagPs === undefined ? o.nFrames - 1 : Math.round(o.maxLagPs / o.dtPs)));
  // at least two lags, so that a slope can be fitted
  const lagOf = (ps: number): number => Math.max(2, Math.min(maxLag, Math.round(ps / o.dtPs)));
  const stateLag = lagOf(o.stateMaxLagPs ?? 0.5), profileLag = lagOf(o.profileMaxLagPs ?? 2);
  const nBins = o.profileBins ?? 10;
  const symbols = ['Li', ...(o.elements ?? []).map((e) => {
    const c = canonicalSymbol(e);
    if (c === undefined) throw new GetseiError(`transport: "${e}" is not an element symbol; give symbols like S, Cl`);
    return c;
  }).filter((e, i, all) => e !== 'Li' && all.indexOf(e) === i)];
  let trackers: Tracker[] | undefined;
  let slabs: LocalMsdAccumulator | undefined, states: LocalMsdAccumulator | undefined;
  let slabOf: Int32Array | undefined, stateOf: Int32Array | undefined;
  let axis: 0 | 1 | 2 = 2;
  let firstCell: Cell | undefined;
  let nFrames = 0, nTrajectories = 0, volume = 0, width = 0, nAtoms = 0;
  const st = o.states;
  for await (const { frame, newTrajectory } of frames) {
    if (!trackers) {
      nAtoms = frame.species.length;
      trackers = symbols.map((sym) => {
        const z = atomicNumber(sym) as number;
        const idx: number[] = [];
        frame.species.forEach((x, i) => { if (x === z) idx.push(i); });
        if (idx.length === 0) throw new GetseiError(sym === 'Li' ? 'transport: the trajectory has no Li atoms' : `transport: the trajectory has no ${sym} atoms; drop it from transport.elements`);
        const msdOptions = { maxLagFrames: maxLag, normal: sym === 'Li' ? o.normal : undefined };
        return {
          symbol: sym, atoms: Int32Array.from(idx), unwrapper: new Unwrapper(idx.length, o.unwrap ?? 'minimum-image'),
          acc: o.msdMethod === 'window' ? new MsdAccumulator(idx.length, msdOptions) : new FftMsdCollector(idx.length, msdOptions),
          selected: new Float64Array(3 * idx.length),
        };
      });
      const nLi = trackers[0].atoms.length;
      firstCell = frame.cell;
      axis = profileAxis(frame.cell, o.normal);
      if (nBins > 0) { slabs = new LocalMsdAccumulator(nLi, nBins, profileLag, 'origin'); slabOf = new Int32Array(nLi); }
      if (st) {
        if (st.labels.length !== nLi * st.nFrames) throw new GetseiError(`transport: the states hold ${st.labels.length} labels, not ${nLi} Li × ${st.nFrames} frames; rerun the states stage`);
        states = new LocalMsdAccumulator(nLi, st.nStates, stateLag, 'resident');
        stateOf = new Int32Array(nLi);
      }
    }
    if (frame.species.length !== nAtoms) {
      throw new GetseiError(`transport: frame ${nFrames} has ${frame.species.length} atoms, the first had ${nAtoms}: give frames of one system`);
    }
    const restart = nFrames === 0 || newTrajectory;
    if (restart) nTrajectories++;
    for (const t of trackers) {
      for (let k = 0; k < t.atoms.length; k++) {
        const a = 3 * t.atoms[k];
        t.selected[3 * k] = frame.positions[a];
        t.selected[3 * k + 1] = frame.positions[a + 1];
        t.selected[3 * k + 2] = frame.positions[a + 2];
      }
      const unwrapped = t.unwrapper.push(t.selected, frame.cell, restart);
      t.acc.push(unwrapped, restart);
      if (t.symbol !== 'Li') continue;
      if (slabs && slabOf) slabs.push(unwrapped, slabLabels(t.selected, frame.cell, axis, nBins, slabOf), restart);
      if (states && stateOf && st) {
        if (nFrames >= st.nFrames) throw new GetseiError(`transport: the trajectory has more frames than the states (${st.nFrames}); rerun the states stage`);
        for (let i = 0; i < stateOf.length; i++) stateOf[i] = st.labels[i * st.nFrames + nFrames];
        states.push(unwrapped, stateOf, restart);
      }
    }
    volume += cellVolume(frame.cell);
    width += profileWidthAngstrom(frame.cell, axis);
    nFrames++;
  }
  if (!trackers || !firstCell || nFrames < 3) throw new GetseiError(`transport needs at least 3 frames, got ${nFrames}`);
  if (st && nFrames !== st.nFrames) throw new GetseiError(`transport: the trajectory has ${nFrames} frames, the states ${st.nFrames}; rerun the states stage`);
  const li = trackers[0];
  return summarise(li.acc.result(), {
    ...o, nFrames, nTrajectories, volumeA3: volume / nFrames, warnings: li.unwrapper.warnings(),
    others: trackers.slice(1).map((t) => ({ symbol: t.symbol, msd: t.acc.result() })),
    slabMsd: slabs?.result(), stateMsd: states?.result(), axis, widthAngstrom: width / nFrames,
  });
}

interface Tracker {
  readonly symbol: string;
  readonly atoms: Int32Array;
  readonly unwrapper: Unwrapper;
  readonly acc: MsdAccumulator | FftMsdCollector;
  readonly selected: Float64Array;
}

interface Accumulated {
  readonly nTrajectories: number;
  readonly volumeA3: number;
  readonly warnings: UnwrapWarnings;
  readonly others: { symbol: string; msd: MsdResult }[];
  readonly slabMsd: LocalMsdResult | undefined;
  readonly stateMsd: LocalMsdResult | undefined;
  readonly axis: 0 | 1 | 2;
  readonly widthAngstrom: number;
}

/** The per-state and per-slab fit window: lags from 10 % of the local maximum lag (at least one frame) to it. */
function localWindow(maxLagFrames: number, dtPs: number): LocalFitWindow {
  const endFrame = maxLagFrames;
  const startFrame = Math.min(Math.max(1, endFrame - 1), Math.max(1, Math.round(0.1 * maxLagFrames)));
  return { startFrame, endFrame, startPs: startFrame * dtPs, endPs: endFrame * dtPs };
}

const nullable = (a: Float64Array): (number | null)[] => Array.from(a, (v) => (Number.isFinite(v) ? v : null));

function summarise(m: MsdResult, o: TransportOptions & Accumulated): TransportReport {
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
  const nb = o.nBootstrap ?? 1000, seed = o.seed ?? 0;
  const elements: Record<string, ElementTransport> = {};
  for (const e of o.others) {
    elements[e.symbol] = { nAtoms: e.msd.nAtoms, msd: arr(e.msd.msd) as number[], tracerDiffusion: fitTracerDiffusion(e.msd, fit) };
  }
  const local = (r: LocalMsdResult): { window: LocalFitWindow; timePs: number[]; diffusion: (DiffusionEstimate | null)[] } => {
    const window = localWindow(r.maxLagFrames, dt);
    return {
      window, timePs: Array.from({ length: r.maxLagFrames + 1 }, (_, i) => i * dt),
      diffusion: r.msd.map((_, l) => fitLocalDiffusion(r, l, { dtPs: dt, startFrame: window.startFrame, endFrame: window.endFrame, nBootstrap: nb, seed })),
    };
  };
  let profile: TransportProfile | null = null;
  if (o.slabMsd) {
    const p = local(o.slabMsd), n = o.slabMsd.nLabels;
    const centres = Array.from({ length: n }, (_, b) => (b + 0.5) / n);
    profile = {
      axis: (['a', 'b', 'c'] as const)[o.axis], nBins: n, widthAngstrom: o.widthAngstrom, binAngstrom: o.widthAngstrom / n,
      zCentresFraction: centres, zCentresAngstrom: centres.map((c) => c * o.widthAngstrom), timePs: p.timePs,
      msd: o.slabMsd.msd.map(nullable), samples: o.slabMsd.counts.map((c) => c[1]), fitWindow: p.window, diffusion: p.diffusion,
    };
  }
  let perState: PerStateTransport | null = null;
  if (o.stateMsd && o.states) perState = perStateReport(o.stateMsd, o.states, local(o.stateMsd), dt, o.mobility);
  return Object.freeze({
    format: 'getsei-transport/1' as const, nLi: m.nAtoms, nFrames: o.nFrames, nTrajectories: o.nTrajectories, dtPs: dt,
    msd: {
      timePs: Array.from({ length: longest + 1 }, (_, i) => i * dt), li: arr(m.msd) as number[], x: arr(m.msdX) as number[],
      y: arr(m.msdY) as number[], z: arr(m.msdZ) as number[], normal: arr(m.msdNormal), charge: arr(m.chargeMsd) as number[],
      origins: arr(m.origins) as number[],
    },
    fitWindow: window, tracerFit: lineThrough(m.msd, dt, window, tracer.value), tracerDiffusion: tracer,
    componentDiffusion: {
      x: fitComponentDiffusion(m.msdX, dt, window), y: fitComponentDiffusion(m.msdY, dt, window), z: fitComponentDiffusion(m.msdZ, dt, window),
      normal: m.msdNormal ? fitComponentDiffusion(m.msdNormal, dt, window) : null, unit: 'A2/ps' as const,
    },
    chargeDiffusion: charge, havenRatio: haven, conductivity, temperatureK: T ?? null, volumeA3: o.volumeA3,
    unwrap: o.unwrap ?? 'minimum-image', msdMethod: o.msdMethod ?? 'fft', unwrapWarnings: o.warnings,
    elements, profile, perState,
  });
}

/** The OLS line of the tracer fit: its mean point and intercept (for the report's figure). */
function lineThrough(msd: Float64Array, dtPs: number, w: FitWindow, d: number): TransportReport['tracerFit'] {
  let mt = 0, my = 0;
  for (let i = w.startFrame; i <= w.endFrame; i++) { mt += i * dtPs; my += msd[i]; }
  const k = w.endFrame - w.startFrame + 1;
  mt /= k; my /= k;
  return { interceptA2: my - 6 * d * mt, meanTimePs: mt, meanMsdA2: my };
}

function perStateReport(
  r: LocalMsdResult, states: NonNullable<TransportOptions['states']>, fit: { window: LocalFitWindow; timePs: number[]; diffusion: (DiffusionEstimate | null)[] },
  dtPs: number, mobility: TransportOptions['mobility'],
): PerStateTransport {
  const nLi = r.nAtoms;
  const residence = residenceTimes(states.labels, nLi, states.nFrames, states.nStates, states.segments, dtPs);
  let mobilityCheck: PerStateTransport['mobilityCheck'] = null;
  if (mobility) {
    const used: number[] = [], d: number[] = [], k: number[] = [];
    mobility.activeSet.forEach((s, i) => {
      const est = fit.diffusion[s];
      if (est && Number.isFinite(mobility.mobility[i])) { used.push(s); d.push(est.value); k.push(mobility.mobility[i]); }
    });
    if (used.length >= 2) mobilityCheck = { ...spearmanTest(d, k), states: used, diffusion: d, mobility: k };
  }
  return {
    nStates: states.nStates, timePs: fit.timePs, msd: r.msd.map(nullable), counts: r.counts.map((c) => Array.from(c)),
    fitWindow: fit.window, diffusion: fit.diffusion, residence, mobilityCheck,
  };
}

/** The MSD table as CSV (time_ps, msd_li_A2, x, y, z, [normal], charge, origins). */
export function msdCsv(r: TransportReport): string {
  const m = r.msd;
  const head = ['time_ps', 'msd_li_A2', 'msd_x_A2', 'msd_y_A2', 'msd_z_A2', ...(m.normal ? ['msd_normal_A2'] : []), 'msd_charge_A2', 'origins'];
  const rows = m.timePs.map((t, i) => [t, m.li[i], m.x[i], m.y[i], m.z[i], ...(m.normal ? [m.normal[i]] : []), m.charge[i], m.origins[i]].join(','));
  return `${head.join(',')}\n${rows.join('\n')}\n`;
}

const cell = (v: number | null | undefined): string => (v === null || v === undefined || !Number.isFinite(v) ? '' : String(v));

/** The D(z) profile as CSV: one row per slab (centre, D with its interval, samples). */
export function profileCsv(p: TransportProfile): string {
  const head = 'bin,z_fraction,z_A,d_A2_per_ps,d_lower_A2_per_ps,d_upper_A2_per_ps,samples';
  const rows = p.zCentresFraction.map((f, b) => {
    const d = p.diffusion[b];
    return [b, f, p.zCentresAngstrom[b], cell(d?.value), cell(d?.lower), cell(d?.upper), p.samples[b]].join(',');
  });
  return `${head}\n${rows.join('\n')}\n`;
}

/** Per-state transport as CSV: one row per state (D with its interval, residence times, frames). */
export function perStateCsv(p: PerStateTransport): string {
  const head = 'state,d_A2_per_ps,d_lower_A2_per_ps,d_upper_A2_per_ps,residence_mean_ps,residence_median_ps,time_per_exit_ps,complete_residences,censored_residences,frames';
  const rows = p.residence.perState.map((r, s) => {
    const d = p.diffusion[s];
    return [s, cell(d?.value), cell(d?.lower), cell(d?.upper), cell(r.meanPs), cell(r.medianPs), cell(r.timePerExitPs), r.complete, r.censored, r.frames].join(',');
  });
  return `${head}\n${rows.join('\n')}\n`;
}
