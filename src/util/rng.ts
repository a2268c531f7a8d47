import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

/**
 * A seeded random source. Every random choice in getsei takes one, so the same input and seed give the same
 * results. Built on pure-rand's xoroshiro128+.
 */
export interface Rng {
  /** uniform in [0, 1) */
  next(): number;
  /** uniform integer in [0, n) */
  int(n: number): number;
  /** standard normal (Box–Muller) */
  normal(): number;
  /** a new independent stream derived from this one */
  fork(): Rng;
}

export function createRng(seed: number): Rng {
  const gen = xoroshiro128plus(seed | 0);
  let spare: number | undefined;
  const u32 = (): number => gen.next() >>> 0;
  const rng: Rng = {
    next: () => (u32() * 2 ** 21 + (u32() >>> 11)) / 2 ** 53,
    int: (n) => Math.floor(rng.next() * n),
    normal: () => {
      if (spare !== undefined) {
        const s = spare;
        spare = undefined;
        return s;
      }
      let u = 0;
      while (u === 0) u = rng.next();
      const v = rng.next();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
    fork: () => createRng(u32()),
  };
  return rng;
}

/** Fisher–Yates shuffle in place. */
export function shuffle<T extends { length: number; [i: number]: unknown }>(rng: Rng, a: T): T {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
  return a;
}

/** k distinct indices from [0, n), sorted ascending. */
export function sampleIndices(rng: Rng, n: number, k: number): Int32Array {
  const idx = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < Math.min(k, n); i++) {
    const j = i + rng.int(n - i);
    const t = idx[i];
    idx[i] = idx[j];
    idx[j] = t;
  }
  return idx.slice(0, Math.min(k, n)).sort();
}
