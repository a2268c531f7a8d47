import { createRng } from '../util/rng.ts';
import { GetseiError } from '../util/errors.ts';
import { countTransitionsByUnit, type PreparedTrajectories, type UnitCounts } from './counting.ts';
import { estimateMarkovModelOnSet, type EstimationOptions, type MarkovModel } from './model.ts';

export interface BootstrapOptions {
  /** number of resamples */
  nSamples: number;
  /** seed of the resampling (same seed, same data → same result) */
  seed: number;
}

/** Mean, standard deviation and percentile interval of a bootstrapped quantity. */
export interface Summary {
  readonly mean: number;
  readonly std: number;
  readonly lower: number;
  readonly upper: number;
}

export interface BootstrapRun {
  readonly nSamples: number;
  /** resamples whose counts were not strongly connected on the active set (or failed to estimate); skipped */
  readonly nFailed: number;
  readonly nUnits: number;
  /** first few failure messages */
  readonly failures: readonly string[];
}

/**
 * Non-parametric bootstrap over trajectories: draw, with replacement, as many resampling units (one Li trajectory
 * within one independent segment) as there are, pool their transition counts, and refit the model on the active
 * set of the original fit. `visit` receives each resampled model. Resamples that are not strongly connected on
 * the active set are skipped and counted in nFailed. `visit` also gets the resample's weight of each unit (how often
 * it was drawn; read-only, reused), so that other lags can be resampled with the same draw. Seeded: the same seed gives the same resamples.
 */
export function bootstrapModels(
  prepared: PreparedTrajectories, model: MarkovModel, options: BootstrapOptions & Omit<EstimationOptions, 'lag'>,
  visit: (sample: MarkovModel, index: number, unitWeights: Float64Array) => void,
  units: UnitCounts = countTransitionsByUnit(prepared, model.lag),
): BootstrapRun {
  const { nSamples, seed } = options;
  if (!Number.isInteger(nSamples) || nSamples < 1) throw new GetseiError(`the number of bootstrap samples must be a positive integer, got ${nSamples}`);
  if (!Number.isInteger(seed)) throw new GetseiError(`the bootstrap seed must be an integer, got ${seed}`);
  if (units.nUnits < 2) throw new GetseiError('the bootstrap needs at least two trajectories with counted transitions');
  const nn = units.nStates * units.nStates;
  const rng = createRng(seed);
  const weights = new Float64Array(units.nUnits);
  const failures: string[] = [];
  let nFailed = 0;
  for (let b = 0; b < nSamples; b++) {
    weights.fill(0);
    for (let d = 0; d < units.nUnits; d++) weights[rng.int(units.nUnits)]++;
    const counts = new Float64Array(nn);
    for (let u = 0; u < units.nUnits; u++) {
      const w = weights[u];
      if (w === 0) continue;
      const off = u * nn;
      for (let e = 0; e < nn; e++) counts[e] += w * units.counts[off + e];
    }
    let sample: MarkovModel;
    try {
      sample = estimateMarkovModelOnSet(counts, model.activeSet, {
        lag: model.lag, dtPs: model.dtPs, estimator: model.estimator,
        rateMatrixMethod: model.rateMatrixDiagnostics.method, logarithmFallback: model.rateMatrixDiagnostics.fallback,
        mobilityNormalisation: model.mobilityNormalisation,
        reversibleTolerance: options.reversibleTolerance,
      });
    } catch (err) {
      if (!(err instanceof GetseiError)) throw err;
      nFailed++;
      if (failures.length < 5) failures.push(`sample ${b}: ${err.message}`);
      continue;
    }
    visit(sample, b, weights);
  }
  return { nSamples, nFailed, nUnits: units.nUnits, failures };
}

/** Linear-interpolation percentile (numpy's default) of sorted values, q in [0, 1]. */
function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 1) return sorted[0];
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
}

/** Summary of samples: mean, sample standard deviation, and the central `confidence` percentile interval. */
export function summarise(values: ArrayLike<number>, confidence = 0.95): Summary {
  const n = values.length;
  if (n === 0) throw new RangeError('summarise needs at least one sample');
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i];
  mean /= n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (values[i] - mean) ** 2;
  const sorted = Float64Array.from(values).sort();
  const a = (1 - confidence) / 2;
  return {
    mean,
    std: n > 1 ? Math.sqrt(v / (n - 1)) : 0,
    lower: percentile(sorted, a),
    upper: percentile(sorted, 1 - a),
  };
}

/** Collects vector-valued samples and summarises them element-wise. */
export class SampleCollector {
  private readonly rows: Float64Array[] = [];
  constructor(readonly length: number) {}
  add(values: ArrayLike<number>): void {
    if (values.length !== this.length) throw new RangeError(`expected ${this.length} values, got ${values.length}`);
    this.rows.push(Float64Array.from(values));
  }
  get count(): number {
    return this.rows.length;
  }
  summary(confidence = 0.95): { mean: Float64Array; std: Float64Array; lower: Float64Array; upper: Float64Array } {
    const out = {
      mean: new Float64Array(this.length), std: new Float64Array(this.length),
      lower: new Float64Array(this.length), upper: new Float64Array(this.length),
    };
    const col = new Float64Array(this.rows.length);
    for (let e = 0; e < this.length; e++) {
      for (let s = 0; s < this.rows.length; s++) col[s] = this.rows[s][e];
      const sm = summarise(col, confidence);
      out.mean[e] = sm.mean;
      out.std[e] = sm.std;
      out.lower[e] = sm.lower;
      out.upper[e] = sm.upper;
    }
    return out;
  }
}
