import { LinalgError, orderOf, type SquareMatrix } from './dense.ts';

/**
 * Stationary distribution π (πK = π, Σπ = 1) of an irreducible row-stochastic matrix — the left eigenvector of the
 * Koopman matrix with λ = 1 that the paper uses for equilibrium populations. Computed with the
 * Grassmann–Taksar–Heyman algorithm (state reduction without subtractions), which keeps high relative accuracy
 * even for tiny populations and metastable chains, where an eigen-solver or a linear solve loses digits.
 * Throws LinalgError when the chain is reducible (a state cannot be left for the states before it).
 */
export function stationaryDistribution(k: SquareMatrix): Float64Array {
  const n = orderOf(k);
  if (n === 0) return new Float64Array(0);
  const a = k.slice();
  for (let m = n - 1; m >= 1; m--) {
    let s = 0;
    for (let j = 0; j < m; j++) s += a[m * n + j];
    if (!(s > 0)) {
      throw new LinalgError(`stationary distribution: the chain is reducible (state ${m} cannot reach states 0…${m - 1})`);
    }
    for (let i = 0; i < m; i++) a[i * n + m] /= s;
    for (let i = 0; i < m; i++) {
      const aim = a[i * n + m];
      if (aim === 0) continue;
      for (let j = 0; j < m; j++) a[i * n + j] += aim * a[m * n + j];
    }
  }
  const pi = new Float64Array(n);
  pi[0] = 1;
  let total = 1;
  for (let j = 1; j < n; j++) {
    let v = 0;
    for (let i = 0; i < j; i++) v += pi[i] * a[i * n + j];
    pi[j] = v;
    total += v;
  }
  for (let j = 0; j < n; j++) pi[j] /= total;
  return pi;
}
