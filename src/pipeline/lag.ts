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
