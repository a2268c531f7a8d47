/** Adam (Kingma & Ba 2015) with bias correction; the defaults are the usual β₁ = 0.9, β₂ = 0.999, ε = 1e-8. */
export interface AdamState {
  readonly m: Float64Array;
  readonly v: Float64Array;
  step: number;
}

export function createAdam(nParams: number): AdamState {
  return { m: new Float64Array(nParams), v: new Float64Array(nParams), step: 0 };
}

/** One update of `params` in place from `grads` (moments kept in float64). */
export function adamStep(
  s: AdamState, params: Float32Array, grads: Float64Array, lr: number, beta1 = 0.9, beta2 = 0.999, eps = 1e-8,
): void {
  s.step++;
  const c1 = 1 - beta1 ** s.step, c2 = 1 - beta2 ** s.step;
  for (let i = 0; i < params.length; i++) {
    const g = grads[i];
    const m = (s.m[i] = beta1 * s.m[i] + (1 - beta1) * g);
    const v = (s.v[i] = beta2 * s.v[i] + (1 - beta2) * g * g);
    params[i] -= (lr * (m / c1)) / (Math.sqrt(v / c2) + eps);
  }
}
