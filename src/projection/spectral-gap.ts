/**
 * The spectral gap of a projection as a count of metastable states (issue 10). With m slow processes resolved at
 * the lag, the eigenvalues (TICA) or singular values (VAMP) λ₁ ≥ … ≥ λₘ stand clear of the fast ones, which sit
 * near 0 (noise), and m + 1 metastable states describe the slow dynamics — the eigenvalue-gap choice of the number
 * of PCCA+ sets (Deuflhard & Weber 2005; Röblitz & Weber 2013, §4). The gap is read on λ itself, not on the
 * timescales −τ/ln λ: near λ = 0 the timescale ratio of two noise eigenvalues can exceed that of two real processes.
 */
import { GetseiError } from '../util/errors.ts';

export interface SpectralGap {
  /** number of slow processes m: the largest gap lies between λₘ and λₘ₊₁ */
  readonly processes: number;
  /** the suggested number of metastable states, m + 1 */
  readonly states: number;
  /** λₘ − λₘ₊₁ (negative eigenvalues count as 0) */
  readonly gap: number;
  /** the gap over the second largest gap of the range (null when the range has one count or no other gap): how clear it is */
  readonly ratioToNextGap: number | null;
}

/**
 * The largest gap between consecutive eigenvalues λᵢ⁺ − λᵢ₊₁⁺ (λ⁺ = max(λ, 0); the input by decreasing modulus) for
 * a state count i + 1 in [minStates, maxStates]. Ties go to the smaller count.
 */
export function spectralGap(eigenvalues: ArrayLike<number>, minStates: number, maxStates: number): SpectralGap {
  if (!Number.isInteger(minStates) || minStates < 2 || !Number.isInteger(maxStates) || maxStates < minStates) {
    throw new GetseiError(`spectralGap: need integers 2 ≤ minStates ≤ maxStates, got ${minStates} and ${maxStates}`);
  }
  const lam = Array.from(eigenvalues, (v) => Math.max(0, v)).sort((a, b) => b - a);
  const at = (i: number): number => (i < lam.length ? lam[i] : 0);
  const gaps: { m: number; gap: number }[] = [];
  for (let m = minStates - 1; m <= maxStates - 1; m++) gaps.push({ m, gap: at(m - 1) - at(m) });
  const best = gaps.reduce((a, b) => (b.gap > a.gap ? b : a));
  const others = gaps.filter((g) => g.m !== best.m).map((g) => g.gap);
  const next = others.length > 0 ? Math.max(...others) : 0;
  return { processes: best.m, states: best.m + 1, gap: best.gap, ratioToNextGap: next > 0 ? best.gap / next : null };
}
