/**
 * Choosing the number of states (the paper's Supplementary Table 2): fit a mixture for every count in a range on
 * the same seeded fit sample, score each by BIC, AIC and the silhouette of its labels on the same seeded silhouette
 * sample, and pick the count with the largest silhouette ('auto'), or keep a fixed count. The whole table is
 * returned so the report can show the trade-off.
 */
import { GetseiError, createRng, sampleIndices } from '../util/index.ts';
import { fitGaussianMixture, predict, type GaussianMixtureModel, type GaussianMixtureOptions } from './gmm.ts';
import { silhouette } from './silhouette.ts';
import { checkInteger, checkRows, gatherRows, type Rows } from './validate.ts';

export interface StateCountOptions extends Omit<GaussianMixtureOptions, 'components'> {
  /** counts to try, inclusive range [min, max]; default [2, 10] */
  range?: readonly [number, number];
  /** 'auto' (largest silhouette) or a fixed count; default 'auto'. A fixed count outside the range is added. */
  states?: number | 'auto';
  /** rows the mixtures are fitted on (seeded draw); default 20 000 */
  sampleSize?: number;
  /** rows the silhouette is computed on (seeded draw, as silhouette_score's sample_size); default 10 000 */
  silhouetteSampleSize?: number;
  /**
   * mixtures already fitted with these same options (e.g. on a worker pool by `fitGaussianMixturesOnPool`), by
   * count; a count missing here is fitted in this call
   */
  models?: ReadonlyMap<number, GaussianMixtureModel>;
  /** called after each state count's mixture and silhouette: fits can take tens of seconds on real data */
  onCount?: (done: number, total: number, count: number) => void;
}

export interface StateCountRow {
  readonly count: number;
  readonly bic: number;
  readonly aic: number;
  /** mean log-likelihood per sample on the fit sample */
  readonly logLikelihood: number;
  /** mean silhouette on the silhouette sample; null when the mixture put every sampled row in one state */
  readonly silhouette: number | null;
  /** per-state mean silhouette (null for a state with no sampled row) */
  readonly silhouettePerState: ReadonlyArray<number | null>;
  readonly converged: boolean;
  readonly iterations: number;
  readonly model: GaussianMixtureModel;
}

export interface StateCountSelection {
  /** one row per count, ascending */
  readonly table: readonly StateCountRow[];
  /** the chosen count */
  readonly chosen: number;
  /** 'silhouette' (auto) or 'fixed' */
  readonly rule: 'silhouette' | 'fixed';
  /** the chosen row's model */
  readonly model: GaussianMixtureModel;
}

/**
 * Fit and score every count of the range. 'auto' takes the largest silhouette; exact ties go to the smaller count
 * (fewer states explain the same separation more simply); counts whose silhouette is undefined cannot be chosen.
 */
export function selectStateCount(X: Rows, n: number, d: number, options: StateCountOptions = {}): StateCountSelection {
  checkRows(X, n, d, 'embeddings');
  const [lo, hi] = options.range ?? [2, 10];
  checkInteger('the smallest state count', lo, 1);
  checkInteger('the largest state count', hi, lo);
  const states = options.states ?? 'auto';
  if (states !== 'auto') checkInteger('the number of states', states, 1);
  const seed = options.seed ?? 0;
  const sampleSize = options.sampleSize ?? 20000;
  const silSize = options.silhouetteSampleSize ?? 10000;
  checkInteger('the silhouette sample size', silSize, 2);
  const counts = new Set<number>();
  for (let c = lo; c <= hi; c++) counts.add(c);
  if (states !== 'auto') counts.add(states);
  // one silhouette sample (drawn with seed + 1) for every count, so the scores compare like with like
  const silRows = sampleIndices(createRng(seed + 1), n, Math.min(n, silSize));
  const silX = gatherRows(X, d, silRows);
  const { onCount, models, ...mixtureOptions } = options;
  const table: StateCountRow[] = [...counts].sort((a, b) => a - b).map((count, done, all) => {
    const model = models?.get(count) ?? fitGaussianMixture(X, n, d, { ...mixtureOptions, components: count, sampleSize, seed });
    const labels = predict(model, silX, silRows.length);
    let sil: number | null = null;
    let perState: Array<number | null> = new Array<number | null>(count).fill(null);
    if (new Set(labels).size >= 2 && silRows.length > count) {
      const r = silhouette(silX, silRows.length, d, labels, { states: count });
      sil = r.overall;
      perState = [...r.perState];
    }
    onCount?.(done + 1, all.length, count);
    return {
      count, bic: model.bic, aic: model.aic, logLikelihood: model.logLikelihood, silhouette: sil,
      silhouettePerState: perState, converged: model.converged, iterations: model.iterations, model,
    };
  });
  let chosen: StateCountRow | undefined;
  if (states === 'auto') {
    for (const row of table) {
      if (row.silhouette === null) continue;
      if (chosen === undefined || row.silhouette > (chosen.silhouette as number)) chosen = row;
    }
    if (chosen === undefined) {
      throw new GetseiError(
        `no state count in [${lo}, ${hi}] gives a defined silhouette (every mixture put all sampled rows in one state); ` +
          'the embeddings show no cluster structure: fix the number of states instead',
      );
    }
  } else {
    chosen = table.find((r) => r.count === states) as StateCountRow;
  }
  return { table, chosen: chosen.count, rule: states === 'auto' ? 'silhouette' : 'fixed', model: chosen.model };
}
