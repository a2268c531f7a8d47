/**
 * Site-level kinetics of the synthetic interphase and its exact lumping to site types.
 *
 * A Li hops from its site (energy E_i) to a neighbouring site j at the rate ν·exp(−(S_ij − E_i)/kT), where S_ij is
 * the saddle energy of the hop. Because S_ij = S_ji, these rates satisfy detailed balance with the Boltzmann
 * distribution p_i ∝ exp(−E_i/kT). Each channel (one Li, or a cluster of Li that move together) has its own column
 * of sites, so exclusion never binds and the channels are independent copies of one single-particle chain.
 */
import { GetseiError } from '../util/errors.ts';
import type { Rng } from '../util/rng.ts';
import type { ResolvedModel } from './model.ts';

/** Boltzmann's constant (eV/K), CODATA 2018. */
export const BOLTZMANN_EV_PER_K = 8.617333262e-5;

export interface SiteKinetics {
  /** rate of the hop from each layer's site to the site of the layer above (ps⁻¹) */
  readonly upPerPs: Float64Array;
  /** rate of the hop to the layer below (ps⁻¹) */
  readonly downPerPs: Float64Array;
  /** stationary probability of each layer's site within its column (Boltzmann) */
  readonly sitePopulation: Float64Array;
}

export function siteKinetics(model: ResolvedModel, temperatureK: number): SiteKinetics {
  const kT = BOLTZMANN_EV_PER_K * temperatureK;
  const n = model.types.length;
  const L = model.stacking.length;
  const rate = (from: number, to: number): number => {
    const a = model.stacking[from], b = model.stacking[to];
    return model.attemptFrequencyPerPs * Math.exp(-(model.saddleEv[a * n + b] - model.types[a].energyEv) / kT);
  };
  const upPerPs = Float64Array.from({ length: L }, (_, l) => rate(l, (l + 1) % L));
  const downPerPs = Float64Array.from({ length: L }, (_, l) => rate(l, (l + L - 1) % L));
  const eMin = Math.min(...model.types.map((t) => t.energyEv));
  const w = Float64Array.from(model.stacking, (t) => Math.exp(-(model.types[t].energyEv - eMin) / kT));
  const z = w.reduce((s, x) => s + x, 0);
  return { upPerPs, downPerPs, sitePopulation: w.map((x) => x / z) };
}

export interface TypeKinetics {
  /** type-level generator Q (ps⁻¹), row-major [nTypes × nTypes]; rows sum to zero */
  readonly generator: Float64Array;
  /** exact stationary populations of the types */
  readonly stationary: Float64Array;
  /** number of sites of each type per column (N_A) */
  readonly sitesPerColumn: Int32Array;
}

/**
 * Lump the site-level chain of one column to types: Q_AB = Σ_{i∈A} p_i Σ_{j∈B} k_ij / Σ_{i∈A} p_i, π_A = Σ_{i∈A} p_i.
 * The type process is exactly Markov with this Q only when the chain is strongly lumpable: every site of type A has
 * the same total rate into each other type B. That is checked here (relative tolerance 1e-12) and a stacking that
 * breaks it is refused, so the planted Q is exact, not an approximation.
 */
export function lumpToTypes(model: ResolvedModel, site: SiteKinetics): TypeKinetics {
  const n = model.types.length;
  const L = model.stacking.length;
  const out = new Float64Array(L * n);
  for (let l = 0; l < L; l++) {
    out[l * n + model.stacking[(l + 1) % L]] += site.upPerPs[l];
    out[l * n + model.stacking[(l + L - 1) % L]] += site.downPerPs[l];
  }
  const first = new Int32Array(n).fill(-1);
  for (let l = 0; l < L; l++) {
    const A = model.stacking[l];
    if (first[A] < 0) {
      first[A] = l;
      continue;
    }
    for (let B = 0; B < n; B++) {
      if (B === A) continue;
      const x = out[l * n + B], y = out[first[A] * n + B];
      if (Math.abs(x - y) > 1e-12 * Math.max(x, y)) {
        throw new GetseiError(
          `the stacking is not lumpable: layer ${first[A]} and layer ${l} are both "${model.types[A].name}" but hop into ` +
            `"${model.types[B].name}" at different rates, so the type-level kinetics would not be Markov; give every ` +
            'layer of a type the same neighbour types (for example a mirror-symmetric stacking)',
        );
      }
    }
  }
  const generator = new Float64Array(n * n);
  const stationary = new Float64Array(n);
  const sitesPerColumn = new Int32Array(n);
  for (let l = 0; l < L; l++) {
    const A = model.stacking[l];
    stationary[A] += site.sitePopulation[l];
    sitesPerColumn[A]++;
    for (let B = 0; B < n; B++) if (B !== A) generator[A * n + B] += site.sitePopulation[l] * out[l * n + B];
  }
  for (let A = 0; A < n; A++) {
    let row = 0;
    for (let B = 0; B < n; B++) {
      if (B === A) continue;
      generator[A * n + B] /= stationary[A];
      row += generator[A * n + B];
    }
    generator[A * n + A] = -row;
  }
  return { generator, stationary, sitesPerColumn };
}

/**
 * Kinetic Monte Carlo (Gillespie) of `nChannels` independent channels, sampled every `dtPs` from t = 0. Each channel
 * starts from the stationary distribution and draws from its own stream forked from `rng` in channel order, so the
 * labels do not depend on anything else drawn. Returns the layer of each channel at each frame, [nChannels × nFrames].
 */
export function simulateChannels(site: SiteKinetics, nChannels: number, nFrames: number, dtPs: number, rng: Rng): Uint8Array {
  const L = site.upPerPs.length;
  const total = Float64Array.from(site.upPerPs, (u, l) => u + site.downPerPs[l]);
  const cumulative = new Float64Array(L);
  let acc = 0;
  for (let l = 0; l < L; l++) cumulative[l] = acc += site.sitePopulation[l];
  const layers = new Uint8Array(nChannels * nFrames);
  for (let r = 0; r < nChannels; r++) {
    const g = rng.fork();
    const u0 = g.next() * acc;
    let l = 0;
    while (l < L - 1 && cumulative[l] <= u0) l++;
    let next = -Math.log(1 - g.next()) / total[l];
    for (let f = 0; f < nFrames; f++) {
      const t = f * dtPs;
      while (next <= t) {
        l = g.next() * total[l] < site.upPerPs[l] ? (l + 1) % L : (l + L - 1) % L;
        next += -Math.log(1 - g.next()) / total[l];
      }
      layers[r * nFrames + f] = l;
    }
  }
  return layers;
}
