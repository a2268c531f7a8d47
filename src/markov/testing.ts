import type { Rng } from '../util/rng.ts';

/**
 * Simulate a discrete-time Markov chain with row-stochastic matrix k (n × n, row-major) for `steps` frames from
 * `start`. For tests and benchmarks: seeded through the Rng, so a given seed gives the same trajectory.
 */
export function simulateChain(k: ArrayLike<number>, steps: number, rng: Rng, start = 0): Int32Array {
  const n = Math.round(Math.sqrt(k.length));
  const cum = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) cum[i * n + j] = s += k[i * n + j];
    cum[i * n + n - 1] = Infinity;
  }
  const out = new Int32Array(steps);
  let x = start;
  for (let t = 0; t < steps; t++) {
    out[t] = x;
    const u = rng.next();
    let j = 0;
    while (u >= cum[x * n + j]) j++;
    x = j;
  }
  return out;
}
