import { impliedTimescalesScan, type Estimator, type PreparedTrajectories } from '../markov/index.ts';
import { GetseiError } from '../util/errors.ts';

/**
 * The one place where a lag τ is parsed, converted and chosen (docs/kinetics-lag.md). Every command (`run`,
 * `kinetics`, `paths`) and the config file accept the same forms — a whole number of frames (800), a time with unit
 * ("80ps", "80 ps", "0.08ns", "800fs") or "auto" — and default to `auto`. A time must be a whole number of frames:
 * it is never rounded silently.
 */
export type LagSetting = 'auto' | number | string;

/** The default everywhere: the shortest lag at which the implied timescales level off. */
export const DEFAULT_LAG: LagSetting = 'auto';

/** A lag written as a time: number and unit (fs, ps or ns). */
export const LAG_TIME_PATTERN = /^([0-9]*\.?[0-9]+(?:[eE][-+]?\d+)?)\s*(fs|ps|ns)$/;

const PS_PER_UNIT: Record<string, number> = { fs: 1e-3, ps: 1, ns: 1e3 };

/** Validate a lag as typed (flag or config) → 'auto', frames, or a normalised time string ("80ps"). */
export function parseLagSetting(text: string | number, what = '--lag'): LagSetting {
  if (typeof text === 'number') {
    if (!Number.isInteger(text) || text < 1) throw new GetseiError(`${what} must be a whole number of frames, at least 1 frame; got ${text}`);
    return text;
  }
  const t = text.trim();
  if (t === 'auto') return 'auto';
  if (/^\d+$/.test(t)) return parseLagSetting(Number(t), what);
  const m = LAG_TIME_PATTERN.exec(t);
  if (m === null) throw new GetseiError(`${what}: "${text}" is neither a number of frames (800), a time (80ps, 0.08ns, 800fs) nor "auto"`);
  if (!(Number(m[1]) > 0)) throw new GetseiError(`${what} must be a positive time, got "${text}"`);
  return `${m[1]}${m[2]}`;
}

/** A lag setting → frames, or undefined for `auto`. A time must be a whole number of frames of `dtPs`. */
export function lagSettingFrames(setting: LagSetting, dtPs: number | null, what = '--lag'): number | undefined {
  const s = parseLagSetting(setting, what);
  if (s === 'auto') return undefined;
  if (typeof s === 'number') return s;
  const m = LAG_TIME_PATTERN.exec(s)!;
  if (dtPs === null) {
    throw new GetseiError(`${what} ${s} is a time, but the frame interval is unknown; give --dt (ps per frame) or the lag in frames`);
  }
  const frames = (Number(m[1]) * PS_PER_UNIT[m[2]]) / dtPs;
  const rounded = Math.round(frames);
  if (rounded < 1 || Math.abs(frames - rounded) > 1e-6 * Math.max(1, frames)) {
    const near = [Math.floor(frames), Math.ceil(frames)].filter((f) => f >= 1).map((f) => `${f} (${Number((f * dtPs).toPrecision(6))} ps)`);
    throw new GetseiError(
      `${what} ${s} is ${Number(frames.toPrecision(6))} frames of ${dtPs} ps, not a whole number; ` +
        (near.length > 0 ? `give --lag ${near.join(' or ')} in frames` : 'give at least 1 frame'),
    );
  }
  return rounded;
}

/** Lags (frames) tried by `auto`: 20 geometric steps from 1 to half the longest uninterrupted stretch. */
export function autoLagGrid(longestRun: number, count = 20): number[] {
  const maxLag = Math.max(1, Math.floor(longestRun / 2));
  const lags = new Set<number>();
  for (let i = 0; i < count; i++) lags.add(Math.max(1, Math.round(maxLag ** (i / (count - 1)))));
  return [...lags].sort((a, b) => a - b);
}

/** The lag in frames for a setting: given, or chosen by `chooseLag` over `autoLagGrid` (then `choice` says why). */
export function resolveLag(
  setting: LagSetting, prepared: PreparedTrajectories, options: { dtPs: number | null; estimator: Estimator }, what = '--lag',
): { lag: number; choice: LagChoice | null } {
  const given = lagSettingFrames(setting, options.dtPs, what);
  if (given !== undefined) return { lag: given, choice: null };
  const scan = impliedTimescalesScan(prepared, autoLagGrid(prepared.longestRun), options);
  const choice = chooseLag(scan.lags, scan.lagTimes, scan.timescales.map((t) => (t.length > 0 ? t[0] : NaN)));
  return { lag: choice.lag, choice };
}

/**
 * `--lag auto`: the shortest lag at which the implied timescales have levelled off (docs/kinetics-lag.md).
 *
 * A Markov model at lag τ is trusted when its slowest implied timescale t₁ no longer grows with τ (Markovianity
 * reached) and is still resolved (t₁ > τ). The rule: walk the lag grid upward and take the first lag τₖ whose t₁ is
 * resolved and changes by less than `tolerance` (relative) to the next lag τₖ₊₁. If no lag qualifies, take the
 * resolved lag with the largest t₁ and say so; if no timescale is resolved at any lag, take the shortest lag.
 */
export interface LagChoice {
  readonly lag: number;
  readonly rule: 'levelled-off' | 'largest-timescale' | 'shortest';
  readonly explanation: string;
}

export function chooseLag(
  lags: ArrayLike<number>,
  lagTimes: ArrayLike<number>,
  slowestTimescale: ArrayLike<number>,
  tolerance = 0.1,
): LagChoice {
  const n = lags.length;
  if (n === 0) throw new RangeError('no lags to choose from');
  const resolved = (k: number) => Number.isFinite(slowestTimescale[k]) && slowestTimescale[k] > lagTimes[k];
  for (let k = 0; k + 1 < n; k++) {
    if (!resolved(k) || !resolved(k + 1)) continue;
    const change = Math.abs(slowestTimescale[k + 1] - slowestTimescale[k]) / slowestTimescale[k];
    if (change < tolerance) {
      return {
        lag: lags[k], rule: 'levelled-off',
        explanation: `the slowest implied timescale changes by ${(100 * change).toFixed(1)} % from lag ${lags[k]} to ${lags[k + 1]} frames (< ${100 * tolerance} %) and exceeds the lag`,
      };
    }
  }
  let best = -1;
  for (let k = 0; k < n; k++) if (resolved(k) && (best < 0 || slowestTimescale[k] > slowestTimescale[best])) best = k;
  if (best >= 0) {
    return {
      lag: lags[best], rule: 'largest-timescale',
      explanation: `the implied timescales never level off within ${100 * tolerance} % over the lags tried; the lag with the largest resolved slowest timescale was taken — consider a longer trajectory or give --lag`,
    };
  }
  return {
    lag: lags[0], rule: 'shortest',
    explanation: 'no implied timescale is longer than its lag at any lag tried: the dynamics between states is faster than the shortest lag; the shortest lag was taken — give --lag explicitly',
  };
}

/** The time the default projection lag aims at: past the sub-ps vibrational memory of Li–anion distances. */
export const DEFAULT_PROJECTION_LAG_PS = 0.5;
/** The default projection lag when the frame interval is unknown. */
export const DEFAULT_PROJECTION_LAG_FRAMES = 5;

/**
 * projection.lag → frames. "auto" is the whole number of frames nearest 0.5 ps, at least one (frames further apart
 * than 0.5 ps give one frame), or 5 frames when the interval is unknown; frames and times as for every other lag.
 */
export function projectionLagFrames(setting: LagSetting, dtPs: number | null): number {
  if (parseLagSetting(setting, 'projection.lag') === 'auto') {
    return dtPs === null ? DEFAULT_PROJECTION_LAG_FRAMES : Math.max(1, Math.round(DEFAULT_PROJECTION_LAG_PS / dtPs));
  }
  return lagSettingFrames(setting, dtPs, 'projection.lag') as number;
}
