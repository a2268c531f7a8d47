import type { Rng } from '../util/index.ts';

/**
 * Test support: check an analytic gradient against central finite differences, f′(x) ≈ (f(x + h) − f(x − h)) / 2h,
 * in float64. `f` reads the current contents of `x`; each checked entry is perturbed in place and restored.
 * Returns the largest violation ratio |a − n| / (atol + rtol·max(|a|, |n|)) (≤ 1 passes) and where it occurred.
 */
export function gradCheck(
  f: () => number,
  x: Float64Array,
  analytic: Float64Array,
  opts: { h?: number; rtol?: number; atol?: number; entries?: Iterable<number> } = {},
): { worst: number; index: number; analytic: number; numeric: number } {
  const h = opts.h ?? 1e-6, rtol = opts.rtol ?? 1e-5, atol = opts.atol ?? 1e-8;
  let worst = 0, index = -1, wa = 0, wn = 0;
  for (const i of opts.entries ?? x.keys()) {
    const old = x[i];
    x[i] = old + h;
    const fp = f();
    x[i] = old - h;
    const fm = f();
    x[i] = old;
    const numeric = (fp - fm) / (2 * h);
    const a = analytic[i];
    const ratio = Math.abs(a - numeric) / (atol + rtol * Math.max(Math.abs(a), Math.abs(numeric)));
    if (ratio > worst || index < 0) {
      worst = ratio;
      index = i;
      wa = a;
      wn = numeric;
    }
  }
  return { worst, index, analytic: wa, numeric: wn };
}

/** Float64Array of n standard-normal draws (times `scale`). */
export function randomVec(rng: Rng, n: number, scale = 1): Float64Array {
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = rng.normal() * scale;
  return v;
}

/** Σ w[i]·y[i]: a scalar probe whose gradient with respect to y is w. */
export function dot(w: ArrayLike<number>, y: ArrayLike<number>, len = w.length): number {
  let s = 0;
  for (let i = 0; i < len; i++) s += w[i] * y[i];
  return s;
}
