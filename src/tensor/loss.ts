import { matmulABt, transpose } from './matmul.ts';
import type { Vec } from './types.ts';

/** Norms below this are treated as this (as torch.nn.functional.normalize's eps), so a zero row maps to zero. */
export const NORM_EPS = 1e-12;

/** u[i, :] = z[i, :] / max(‖z[i, :]‖, ε); the used norms are kept in `norms[n]` for the backward pass. */
export function l2Normalize(z: Vec, n: number, d: number, u: Vec, norms: Vec): void {
  for (let i = 0; i < n; i++) {
    const r = i * d;
    let s = 0;
    for (let q = 0; q < d; q++) s += z[r + q] * z[r + q];
    const nrm = Math.max(Math.sqrt(s), NORM_EPS);
    norms[i] = nrm;
    const inv = 1 / nrm;
    for (let q = 0; q < d; q++) u[r + q] = z[r + q] * inv;
  }
}

/** dz = (du − u·(u·du)) / ‖z‖, the Jacobian of z ↦ z/‖z‖ applied to du (overwrites dz; may alias du). */
export function l2NormalizeBackward(u: Vec, norms: Vec, du: Vec, n: number, d: number, dz: Vec): void {
  for (let i = 0; i < n; i++) {
    const r = i * d;
    const nrm = norms[i];
    if (nrm <= NORM_EPS) {
      for (let q = 0; q < d; q++) dz[r + q] = du[r + q] / NORM_EPS;
      continue;
    }
    let dot = 0;
    for (let q = 0; q < d; q++) dot += u[r + q] * du[r + q];
    const inv = 1 / nrm;
    for (let q = 0; q < d; q++) dz[r + q] = (du[r + q] - u[r + q] * dot) * inv;
  }
}

/**
 * Symmetric NT-Xent (the InfoNCE of eq. 1 in its SimCLR form, both views as anchors) on L2-normalised embeddings.
 *
 * Rows 0…N−1 of u[2N×d] are the first view of the N graphs of the batch and rows N…2N−1 the second view of the same
 * graphs, so the positive of anchor a is p(a) = (a + N) mod 2N. With cosine similarity s_ab = u_a·u_b and
 * temperature τ:
 *   ℓ_a = −s_{a,p(a)}/τ + log Σ_{b ≠ a} exp(s_ab/τ),      L = (1/2N) Σ_a ℓ_a.
 * Each anchor is contrasted with its positive and the 2N − 2 other views in the batch (eq. 1 sums over the batch;
 * counting both views as anchors makes the loss symmetric in the two augmentations).
 *
 * Returns L and writes dL/du into `du[2N×d]`. Scratch: `sim` ≥ (2N)², `ut` ≥ d·2N.
 */
export function ntXent(u: Vec, nPairs: number, d: number, tau: number, sim: Vec, ut: Vec, du: Vec): number {
  const n2 = 2 * nPairs;
  matmulABt(u, u, sim, n2, d, n2);
  const invTau = 1 / tau;
  const scale = 1 / (tau * n2);
  let loss = 0;
  for (let a = 0; a < n2; a++) {
    const r = a * n2;
    const p = a < nPairs ? a + nPairs : a - nPairs;
    let mx = -Infinity;
    for (let b = 0; b < n2; b++) if (b !== a) mx = Math.max(mx, sim[r + b] * invTau);
    let z = 0;
    for (let b = 0; b < n2; b++) {
      if (b === a) continue;
      const v = Math.exp(sim[r + b] * invTau - mx);
      sim[r + b] = v;
      z += v;
    }
    const positive = sim[r + p];
    loss += -Math.log(positive / z);
    // dL/ds_ab = (softmax_ab − [b = p(a)]) / (τ·2N); the diagonal never enters the loss
    const invZ = 1 / z;
    for (let b = 0; b < n2; b++) sim[r + b] = b === a ? 0 : sim[r + b] * invZ * scale;
    sim[r + p] -= scale;
  }
  // s is symmetric (s_ab = s_ba), so dL/du_a = Σ_b (G_ab + G_ba) u_b
  for (let a = 0; a < n2; a++) {
    for (let b = a + 1; b < n2; b++) {
      const v = sim[a * n2 + b] + sim[b * n2 + a];
      sim[a * n2 + b] = v;
      sim[b * n2 + a] = v;
    }
  }
  transpose(u, ut, n2, d);
  matmulABt(sim, ut, du, n2, n2, d);
  return loss / n2;
}
