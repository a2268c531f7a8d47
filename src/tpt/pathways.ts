import { GetseiError } from '../util/errors.ts';
import type { ReactiveFlux } from './flux.ts';

export interface Pathway {
  /** state labels from a source state to a target state */
  readonly states: Int32Array;
  /** the same as row indices of the flux matrices */
  readonly indices: Int32Array;
  /** flux carried by the path: its bottleneck in the residual network when it was extracted (per lag step) */
  readonly flux: number;
  /** flux / total flux */
  readonly fraction: number;
  /** the edge that limits the path (labels) */
  readonly bottleneck: { readonly from: number; readonly to: number };
}

export interface PathwayDecomposition {
  readonly pathways: readonly Pathway[];
  readonly totalFlux: number;
  /** Σ of the pathway fluxes */
  readonly capturedFlux: number;
  /** whether the decomposition ran until no source → target path with flux was left */
  readonly exhausted: boolean;
}

export interface PathwayOptions {
  /** stop after this many pathways (default 5; Infinity: run to exhaustion) */
  maxPathways?: number;
  /** residual edge fluxes ≤ tolerance × total flux count as zero (default 1e-12) */
  tolerance?: number;
}

/**
 * Widest (max-bottleneck) path from any source to any target in the residual network: a Dijkstra search that
 * maximises the minimum edge flux along the path (ties: fewer edges, then lower index). Returns row indices, or
 * null when no target is reachable through edges above the threshold.
 */
function widestPath(w: Float64Array, n: number, sources: Int32Array, isTarget: Uint8Array, threshold: number): { path: number[]; width: number } | null {
  const width = new Float64Array(n).fill(-1);
  const hops = new Int32Array(n).fill(0x7fffffff);
  const pred = new Int32Array(n).fill(-1);
  const done = new Uint8Array(n);
  for (const s of sources) {
    width[s] = Infinity;
    hops[s] = 0;
  }
  for (;;) {
    let u = -1;
    for (let v = 0; v < n; v++) {
      if (done[v] || width[v] < 0) continue;
      if (u === -1 || width[v] > width[u] || (width[v] === width[u] && hops[v] < hops[u])) u = v;
    }
    if (u === -1) return null;
    done[u] = 1;
    if (isTarget[u]) {
      const path = [u];
      while (pred[path[0]] !== -1) path.unshift(pred[path[0]]);
      return { path, width: width[u] };
    }
    for (let v = 0; v < n; v++) {
      const f = w[u * n + v];
      if (done[v] || !(f > threshold)) continue;
      const cand = Math.min(width[u], f);
      if (cand > width[v] || (cand === width[v] && hops[u] + 1 < hops[v])) {
        width[v] = cand;
        hops[v] = hops[u] + 1;
        pred[v] = u;
      }
    }
  }
}

/**
 * Dominant pathways ("Algorithm in finding dominant pathways"): repeat { find the widest source → target path
 * in the residual net flux; record it with its bottleneck flux and edge; subtract that flux from all its edges }
 * until maxPathways paths or no flux is left. The net flux is a flow (conserved at intermediate states), so run to
 * exhaustion the pathway fluxes sum to the total flux.
 */
export function dominantPathways(flux: ReactiveFlux, options: PathwayOptions = {}): PathwayDecomposition {
  const maxPathways = options.maxPathways ?? 5;
  if (!(maxPathways >= 1) || (Number.isFinite(maxPathways) && !Number.isInteger(maxPathways))) {
    throw new GetseiError(`the number of pathways must be a positive integer, got ${maxPathways}`);
  }
  const tol = options.tolerance ?? 1e-12;
  const n = flux.states.length;
  const residual = flux.netFlux.slice();
  const threshold = tol * flux.totalFlux;
  const isTarget = new Uint8Array(n);
  for (const i of flux.targetIndices) isTarget[i] = 1;
  const pathways: Pathway[] = [];
  let captured = 0;
  let exhausted = false;
  while (pathways.length < maxPathways) {
    const found = flux.totalFlux > 0 ? widestPath(residual, n, flux.sourceIndices, isTarget, threshold) : null;
    if (found === null) {
      exhausted = true;
      break;
    }
    const { path, width } = found;
    let bFrom = path[0];
    let bTo = path[1];
    for (let e = 0; e + 1 < path.length; e++) {
      const f = residual[path[e] * n + path[e + 1]];
      if (f === width) {
        bFrom = path[e];
        bTo = path[e + 1];
        break;
      }
    }
    for (let e = 0; e + 1 < path.length; e++) residual[path[e] * n + path[e + 1]] -= width;
    captured += width;
    pathways.push({
      states: Int32Array.from(path, (i) => flux.states[i]),
      indices: Int32Array.from(path),
      flux: width,
      fraction: flux.totalFlux > 0 ? width / flux.totalFlux : 0,
      bottleneck: { from: flux.states[bFrom], to: flux.states[bTo] },
    });
  }
  if (!exhausted && flux.totalFlux > 0 && widestPath(residual, n, flux.sourceIndices, isTarget, threshold) === null) exhausted = true;
  return { pathways, totalFlux: flux.totalFlux, capturedFlux: captured, exhausted };
}

export interface PathwayDiversity {
  /** Shannon entropy −Σ p ln p of the pathway shares p (natural log) */
  readonly entropy: number;
  /** exp(entropy): the effective number of pathways (1 for a single channel, k for k equal channels) */
  readonly effectiveNumber: number;
  readonly nPathways: number;
}

/**
 * Pathway diversity of a set of pathway fluxes: shares p_k = flux_k / Σ flux, entropy H = −Σ p ln p and the
 * effective number of pathways exp(H). The paper compares interphases by how many channels carry the flux.
 */
export function pathwayDiversity(fluxes: ArrayLike<number>): PathwayDiversity {
  let total = 0;
  for (let k = 0; k < fluxes.length; k++) {
    if (!(fluxes[k] >= 0)) throw new GetseiError(`pathway flux ${fluxes[k]} is not a non-negative number`);
    total += fluxes[k];
  }
  if (total === 0) return { entropy: 0, effectiveNumber: 0, nPathways: 0 };
  let h = 0;
  let count = 0;
  for (let k = 0; k < fluxes.length; k++) {
    const p = fluxes[k] / total;
    if (p > 0) {
      h -= p * Math.log(p);
      count++;
    }
  }
  return { entropy: h, effectiveNumber: Math.exp(h), nPathways: count };
}
