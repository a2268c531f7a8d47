/**
 * Residence times in the discovered states: a residence is a maximal run of frames in which one Li keeps one state.
 * A run is *complete* when a different defined state comes right before and right after it within the same
 * trajectory segment; a run that touches a segment end or an undefined frame (−1) is *censored* (its true length
 * is unknown) and left out of the distribution, but its frames count in the time-per-exit estimate.
 */
export interface StateResidence {
  readonly state: number;
  /** complete residences */
  readonly complete: number;
  /** runs cut by a segment end or an undefined frame */
  readonly censored: number;
  /** mean and median of the complete residences (ps); null without any */
  readonly meanPs: number | null;
  readonly medianPs: number | null;
  /** total time in the state / exits to another defined state (ps): the maximum-likelihood mean residence of an
   * exponential with censored runs; null without exits */
  readonly timePerExitPs: number | null;
  /** frames in the state (all runs) */
  readonly frames: number;
  /** histogram of complete residences: counts per bin, bins of `binPs` from 0 */
  readonly histogram: number[];
}

export interface ResidenceReport {
  readonly dtPs: number;
  /** width of the histogram bins (ps) */
  readonly binPs: number;
  readonly perState: StateResidence[];
}

/**
 * Residence times of every state in `states` (int16 [nLi, nFrames], row = Li, −1 undefined), split at the
 * trajectory segments (`segments[f]`, one id per frame). Durations are frames × dtPs.
 */
export function residenceTimes(states: ArrayLike<number>, nLi: number, nFrames: number, nStates: number, segments: ArrayLike<number>, dtPs: number, nBins = 20): ResidenceReport {
  const runs: number[][] = Array.from({ length: nStates }, () => []);
  const censored = new Array<number>(nStates).fill(0);
  const exits = new Array<number>(nStates).fill(0);
  const frames = new Array<number>(nStates).fill(0);
  for (let li = 0; li < nLi; li++) {
    const row = li * nFrames;
    let f = 0;
    while (f < nFrames) {
      const s = states[row + f];
      let e = f + 1;
      while (e < nFrames && states[row + e] === s && segments[e] === segments[f]) e++;
      if (s >= 0) {
        frames[s] += e - f;
        const beforeOk = f > 0 && segments[f - 1] === segments[f] && states[row + f - 1] >= 0;
        const afterOk = e < nFrames && segments[e] === segments[f] && states[row + e] >= 0;
        if (afterOk) exits[s]++;
        if (beforeOk && afterOk) runs[s].push(e - f); else censored[s]++;
      }
      f = e;
    }
  }
  let longest = 1;
  for (const r of runs) for (const x of r) longest = Math.max(longest, x);
  const binFrames = Math.max(1, Math.ceil(longest / nBins));
  const perState = runs.map((r, s): StateResidence => {
    const sorted = Float64Array.from(r).sort();
    const histogram = new Array<number>(Math.ceil(longest / binFrames)).fill(0);
    for (const x of r) histogram[Math.min(histogram.length - 1, Math.floor((x - 1) / binFrames))]++;
    const mid = sorted.length >> 1;
    const median = sorted.length === 0 ? null : (sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2) * dtPs;
    return {
      state: s, complete: r.length, censored: censored[s],
      meanPs: r.length ? (r.reduce((a, b) => a + b, 0) / r.length) * dtPs : null,
      medianPs: median,
      timePerExitPs: exits[s] ? (frames[s] / exits[s]) * dtPs : null,
      frames: frames[s], histogram,
    };
  });
  return { dtPs, binPs: binFrames * dtPs, perState };
}

/** Ranks 1 … n with ties given their mean rank. */
export function averageRanks(x: readonly number[]): number[] {
  const idx = x.map((_, i) => i).sort((a, b) => x[a] - x[b]);
  const r = new Array<number>(x.length);
  for (let i = 0; i < idx.length;) {
    let j = i;
    while (j + 1 < idx.length && x[idx[j + 1]] === x[idx[i]]) j++;
    for (let k = i; k <= j; k++) r[idx[k]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return r;
}

function pearson(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  const ma = a.reduce((s, v) => s + v, 0) / n, mb = b.reduce((s, v) => s + v, 0) / n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) { sab += (a[i] - ma) * (b[i] - mb); saa += (a[i] - ma) ** 2; sbb += (b[i] - mb) ** 2; }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : Number.NaN;
}

/** Spearman ρ: the Pearson correlation of the average ranks. */
export function spearman(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw new RangeError('spearman: the two lists differ in length');
  return pearson(averageRanks(a), averageRanks(b));
}

export interface RankCorrelation {
  readonly rho: number;
  /** states compared */
  readonly n: number;
  /** one-sided exact permutation p-value P(ρ_perm ≥ ρ) over all n! orderings (n ≤ 8), else null */
  readonly pValue: number | null;
}

/** Spearman ρ with its exact one-sided permutation p-value (every ordering of b, for n ≤ 8). */
export function spearmanTest(a: readonly number[], b: readonly number[]): RankCorrelation {
  const rho = spearman(a, b);
  const n = a.length;
  if (n > 8 || n < 3 || !Number.isFinite(rho)) return { rho, n, pValue: null };
  const ra = averageRanks(a), rb = averageRanks(b);
  let atLeast = 0, total = 0;
  const perm = rb.slice();
  const visit = (k: number): void => {
    if (k === n) {
      total++;
      if (pearson(ra, perm) >= rho - 1e-12) atLeast++;
      return;
    }
    for (let i = k; i < n; i++) {
      [perm[k], perm[i]] = [perm[i], perm[k]];
      visit(k + 1);
      [perm[k], perm[i]] = [perm[i], perm[k]];
    }
  };
  visit(0);
  return { rho, n, pValue: atLeast / total };
}
