/**
 * Agreement of repeated state discoveries (issue 7): the same samples labelled R times (different seeds, training
 * draws). Pairwise adjusted Rand indices, states of every repeat matched to those of the first (the reference) by
 * the Hungarian algorithm on the contingency table, and per-state stability as the mean Jaccard overlap with the
 * matched states (Hennig 2007: below 0.6 a cluster is "dissolved", i.e. unstable; above 0.75 stable).
 */
import { GetseiError } from '../util/index.ts';
import { adjustedRandIndex, matchStates, type Labels } from './agreement.ts';
import { checkPositive } from './validate.ts';

export interface RepeatComparison {
  /** number of labelings compared */
  readonly repeats: number;
  /** [R × R] row-major, 1 on the diagonal */
  readonly pairwiseAri: Float64Array;
  /** mean ARI over the R(R − 1)/2 pairs */
  readonly meanAri: number;
  /** mapping[r][s] = the state of repeat r matched to reference state s (−1 if none); mapping[0] is the identity */
  readonly mapping: readonly Int32Array[];
  /** jaccard[r][s] = overlap of reference state s with its match in repeat r; jaccard[0] is all ones */
  readonly jaccard: readonly Float64Array[];
  /** per reference state: mean Jaccard over repeats 1…R−1 */
  readonly stateStability: Float64Array;
  /** reference states whose stability is below the threshold */
  readonly unstableStates: readonly number[];
  readonly threshold: number;
}

/** Compare R ≥ 2 labelings of the same samples (negative labels: undefined, left out). */
export function compareLabelings(
  labelings: readonly Labels[], options: { states?: number; threshold?: number } = {},
): RepeatComparison {
  const R = labelings.length;
  if (R < 2) throw new GetseiError(`comparing repeats needs at least 2 labelings (got ${R})`);
  const threshold = options.threshold ?? 0.6;
  checkPositive('the stability threshold', threshold);
  let states = options.states ?? 0;
  for (const l of labelings) {
    if (l.length !== labelings[0].length) throw new GetseiError(`the repeats label different numbers of samples (${labelings[0].length} and ${l.length})`);
    for (let i = 0; i < l.length; i++) if (l[i] + 1 > states) states = l[i] + 1;
  }
  const pairwiseAri = new Float64Array(R * R);
  let sum = 0;
  for (let a = 0; a < R; a++) {
    pairwiseAri[a * R + a] = 1;
    for (let b = a + 1; b < R; b++) {
      const v = adjustedRandIndex(labelings[a], labelings[b]);
      pairwiseAri[a * R + b] = v;
      pairwiseAri[b * R + a] = v;
      sum += v;
    }
  }
  const mapping: Int32Array[] = [Int32Array.from({ length: states }, (_, s) => s)];
  const jaccard: Float64Array[] = [new Float64Array(states).fill(1)];
  const stateStability = new Float64Array(states);
  for (let r = 1; r < R; r++) {
    const m = matchStates(labelings[0], labelings[r], { statesA: states, statesB: states });
    mapping.push(Int32Array.from(m.aToB));
    jaccard.push(Float64Array.from(m.jaccard));
    for (let s = 0; s < states; s++) stateStability[s] += m.jaccard[s] / (R - 1);
  }
  const unstableStates: number[] = [];
  stateStability.forEach((v, s) => {
    if (v < threshold) unstableStates.push(s);
  });
  return {
    repeats: R, pairwiseAri, meanAri: sum / ((R * (R - 1)) / 2), mapping, jaccard, stateStability, unstableStates, threshold,
  };
}
