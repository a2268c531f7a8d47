import { matpow } from '../linalg/index.ts';
import { GetseiError } from '../util/errors.ts';
import { bootstrapModels, SampleCollector } from './bootstrap.ts';
import { isStronglyConnected, submatrix } from './connectivity.ts';
import { countTransitionsByUnit, type PreparedTrajectories } from './counting.ts';
import { edmdTransitionMatrix } from './estimators.ts';
import { estimateTransitionMatrix, type MarkovModel } from './model.ts';
import type { ChapmanKolmogorovTest } from './timescales.ts';

/** 'untested': no step k ≥ 2 could be estimated for this state (or no resample succeeded). */
export type CkVerdict = 'consistent' | 'inconsistent' | 'untested';

export interface ChapmanKolmogorovVerdicts {
  readonly confidence: number;
  readonly nSamples: number;
  /** per CK step: resamples in which both K(τ)ᵏ and K(kτ) could be estimated (0 for k = 1 and beyond the data) */
  readonly samplesUsed: Int32Array;
  /** per CK step: central band of the paired difference K(τ)ᵏ − K(kτ), n × n (null where untested), at the
   * Bonferroni-widened level 1 − (1 − confidence)/(n · steps tested) */
  readonly lower: (Float64Array | null)[];
  readonly upper: (Float64Array | null)[];
  /** per state of the active set: the verdict over all tested steps */
  readonly verdictPerState: readonly CkVerdict[];
  /** per state: the steps k at which some band K(τ)ᵏᵢⱼ − K(kτ)ᵢⱼ excludes 0 */
  readonly failingSteps: readonly (readonly number[])[];
}

/**
 * Per-state verdict of the Chapman–Kolmogorov test from bootstrap bands. Each resample (same units, same seed as
 * the kinetics bootstrap) gives a model K*(τ) and, from the same drawn Li trajectories, K*(kτ); the paired
 * difference D = K*(τ)ᵏ − K*(kτ) is collected entry by entry. State i is 'consistent' when, at every tested step
 * k ≥ 2, the central band of every Dᵢⱼ contains 0 (the prediction agrees with the direct estimate within the
 * sampling error), else 'inconsistent'. Each state is judged on n entries at each tested step, so the bands are
 * Bonferroni-widened to 1 − (1 − confidence)/(n · steps tested): the verdict as a whole, not each entry, has the
 * stated confidence (a Markov chain is called consistent with probability ≥ confidence). k = 1 is the identity K(τ) = K(τ) and is not tested. Pairing the two
 * estimates on the same resample cancels the sampling noise they share, so the band measures the Markov error only.
 */
export function chapmanKolmogorovVerdicts(
  prepared: PreparedTrajectories, model: MarkovModel, ck: ChapmanKolmogorovTest,
  options: { nSamples: number; seed: number; confidence?: number },
): ChapmanKolmogorovVerdicts {
  const confidence = options.confidence ?? 0.95;
  if (!(confidence > 0 && confidence < 1)) throw new GetseiError(`the bootstrap confidence must be between 0 and 1, got ${confidence}`);
  const n = model.activeSet.length;
  const base = countTransitionsByUnit(prepared, model.lag);
  const key = (traj: number, seg: number): number => traj * 65536 + seg;
  const baseIndex = new Map<number, number>();
  for (let u = 0; u < base.nUnits; u++) baseIndex.set(key(base.trajectory[u], base.segment[u]), u);
  // per testable step: unit counts at kτ, and each unit's index among the base units (whose weights are drawn)
  const steps = Array.from(ck.steps).map((k, s) => {
    if (k < 2 || ck.estimated[s] === null) return null;
    const units = countTransitionsByUnit(prepared, ck.lags[s]);
    const map = Int32Array.from({ length: units.nUnits }, (_, u) => baseIndex.get(key(units.trajectory[u], units.segment[u])) ?? -1);
    return { k, units, map, diff: new SampleCollector(n * n) };
  });
  const nn = prepared.nStates * prepared.nStates;
  bootstrapModels(prepared, model, {
    nSamples: options.nSamples, seed: options.seed, dtPs: model.dtPs, estimator: model.estimator,
    rateMatrixMethod: model.rateMatrixDiagnostics.method, logarithmFallback: model.rateMatrixDiagnostics.fallback,
    mobilityNormalisation: model.mobilityNormalisation,
  }, (sample, _b, weights) => {
    for (const st of steps) {
      if (st === null) continue;
      const counts = new Float64Array(nn);
      for (let u = 0; u < st.units.nUnits; u++) {
        const w = st.map[u] < 0 ? 0 : weights[st.map[u]];
        if (w === 0) continue;
        const off = u * nn;
        for (let e = 0; e < nn; e++) counts[e] += w * st.units.counts[off + e];
      }
      const sub = submatrix(counts, model.activeSet);
      let est: Float64Array;
      try {
        est = isStronglyConnected(sub) ? estimateTransitionMatrix(sub, model.estimator).transitionMatrix : edmdTransitionMatrix(sub).transitionMatrix;
      } catch (err) {
        if (!(err instanceof GetseiError)) throw err;
        continue;
      }
      const pred = matpow(sample.transitionMatrix, st.k);
      st.diff.add(pred.map((p, e) => p - est[e]));
    }
  }, base);
  const samplesUsed = new Int32Array(ck.steps.length);
  const nTested = steps.filter((st) => st !== null && st.diff.count >= 2).length;
  const lower: (Float64Array | null)[] = [];
  const upper: (Float64Array | null)[] = [];
  const failing: number[][] = Array.from({ length: n }, () => []);
  const tested = new Uint8Array(n);
  steps.forEach((st, s) => {
    if (st === null || st.diff.count < 2) {
      lower.push(null);
      upper.push(null);
      return;
    }
    samplesUsed[s] = st.diff.count;
    const band = st.diff.summary(1 - (1 - confidence) / (n * nTested));
    lower.push(band.lower);
    upper.push(band.upper);
    for (let i = 0; i < n; i++) {
      tested[i] = 1;
      let fails = false;
      for (let j = 0; j < n; j++) if (band.lower[i * n + j] > 0 || band.upper[i * n + j] < 0) fails = true;
      if (fails) failing[i].push(st.k);
    }
  });
  const verdictPerState = Array.from({ length: n }, (_, i): CkVerdict => (!tested[i] ? 'untested' : failing[i].length > 0 ? 'inconsistent' : 'consistent'));
  return Object.freeze({ confidence, nSamples: options.nSamples, samplesUsed, lower, upper, verdictPerState, failingSteps: failing });
}
