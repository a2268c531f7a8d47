/**
 * Writing a synthetic interphase to a folder: trajectory.extxyz[.gz] (streamed), truth.json and truth_states.npy,
 * each written to a temporary name and renamed into place.
 */
import { join } from 'node:path';
import { encodeNpy } from '../util/npy.ts';
import { writeFileAtomic } from '../util/atomic.ts';
import { assertFiniteOutput } from '../util/finite.ts';
import { writeExtxyz } from './extxyz.ts';
import type { Interphase, InterphaseTruth } from './generate.ts';
import type { ReactiveFlux } from './truth.ts';

export interface WriteOptions {
  /** add the per-atom `site_type` column (default true) */
  readonly siteTypeColumn?: boolean;
  /** gzip the trajectory (trajectory.extxyz.gz; default false) */
  readonly gzip?: boolean;
  /** called after each frame is written */
  readonly onFrame?: (index: number) => void;
}

export interface WrittenFiles {
  readonly trajectory: string;
  readonly truth: string;
  readonly states: string;
}

export async function writeInterphase(outDir: string, interphase: Interphase, options: WriteOptions = {}): Promise<WrittenFiles> {
  const trajectory = join(outDir, options.gzip ? 'trajectory.extxyz.gz' : 'trajectory.extxyz');
  await writeExtxyz(trajectory, interphase.frames(), {
    siteTypeColumn: options.siteTypeColumn ?? true,
    gzip: options.gzip ?? false,
    onFrame: options.onFrame,
  });
  const t = interphase.truth;
  const states = join(outDir, 'truth_states.npy');
  await writeFileAtomic(states, encodeNpy(t.labels, [t.nLi, t.nFrames]));
  const truth = join(outDir, 'truth.json');
  const json = truthToJson(t);
  assertFiniteOutput(truth, json);
  await writeFileAtomic(truth, stringifyCompact(json));
  return { trajectory, truth, states };
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function matrix(a: Float64Array, n: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from(a.subarray(i * n, (i + 1) * n)));
}

function fluxJson(f: ReactiveFlux, names: readonly string[], unit: string): Json {
  const n = names.length;
  return {
    source: f.source.map((i) => names[i]),
    target: f.target.map((i) => names[i]),
    unit,
    forwardCommittor: Array.from(f.forwardCommittor),
    backwardCommittor: Array.from(f.backwardCommittor),
    grossFlux: matrix(f.grossFlux, n),
    netFlux: matrix(f.netFlux, n),
    totalFlux: f.totalFlux,
    rate: f.rate,
    pathways: f.pathways.map((p) => ({
      states: p.states.map((i) => names[i]),
      flux: p.flux,
      share: p.share,
      bottleneck: p.bottleneck.map((i) => names[i]),
    })),
  };
}

/** The truth as JSON: every matrix indexed like `types`; labels as rows [nLi][nFrames]. */
export function truthToJson(t: InterphaseTruth): Json {
  const names = t.typeNames;
  const n = names.length;
  const order = names.map((_, i) => i).sort((a, b) => t.types[b].escapeRatePerPs - t.types[a].escapeRatePerPs);
  return {
    format: 'getsei-synth-truth',
    version: 1,
    units: { time: 'ps', rate: '1/ps', energy: 'eV', length: 'angstrom' },
    settings: Object.fromEntries(Object.entries(t.settings).map(([k, v]) => [k, typeof v === 'object' ? [...v] : v])),
    types: t.types.map((x, index) => ({
      index,
      name: x.name,
      shell: x.shell,
      description: x.description,
      energyEv: x.energyEv,
      sitesPerColumn: x.sitesPerColumn,
      stationaryPopulation: x.stationaryPopulation,
      siteOccupancy: x.siteOccupancy,
      escapeRatePerPs: x.escapeRatePerPs,
      shellSignature: {
        composition: { ...x.shellSignature.composition },
        coordinationNumber: x.shellSignature.coordinationNumber,
        distancesAngstrom: [...x.shellSignature.distancesAngstrom],
        anglesDeg: [...x.shellSignature.anglesDeg],
        liPartnersWithinCutoff: x.shellSignature.liPartnersWithinCutoff,
        liPartnerDistancesAngstrom: [...x.shellSignature.liPartnerDistancesAngstrom],
        liSitesWithinCutoff: x.shellSignature.liSitesWithinCutoff,
        liSiteDistancesAngstrom: [...x.shellSignature.liSiteDistancesAngstrom],
      },
    })),
    stacking: t.layers.map((l) => ({ type: names[l.type], zAngstrom: l.zAngstrom })),
    mobilityRanking: order.map((i) => names[i]),
    indistinguishableGroups: t.indistinguishableGroups.map((g) => g.map((i) => names[i])),
    generatorPerPs: matrix(t.generator, n),
    stationary: Array.from(t.stationary),
    spectrum: {
      formula: 'T(lag) = D^-1/2 V exp(eigenvaluesPerPs * lag) V^T D^1/2, D = diag(stationary), V = symmetricEigenvectors (columns)',
      eigenvaluesPerPs: Array.from(t.spectrum.eigenvalues),
      symmetricEigenvectors: matrix(t.spectrum.symmetricEigenvectors, n),
    },
    impliedTimescalesPs: Array.from(t.impliedTimescalesPs),
    reactiveFlux: fluxJson(t.reactiveFlux, names, 'per ps (continuous time, from the generator)'),
    lags: t.lags.map((l) => ({
      lagPs: l.lagPs,
      transitionMatrix: matrix(l.transitionMatrix, n),
      reactiveFlux: fluxJson(l.reactiveFlux, names, 'per lag step (discrete time, from the transition matrix)'),
    })),
    labels: {
      file: 'truth_states.npy',
      shape: [t.nLi, t.nFrames],
      dtPs: t.dtPs,
      liAtomIndices: Array.from(t.liAtomIndices),
      liChannel: Array.from(t.liChannel),
      nChannels: t.nChannels,
      rows: Array.from({ length: t.nLi }, (_, r) => Array.from(t.labels.subarray(r * t.nFrames, (r + 1) * t.nFrames))),
    },
  };
}

/** JSON with two-space indentation, except that arrays of numbers stay on one line. */
export function stringifyCompact(value: Json): string {
  const walk = (v: Json, indent: string): string => {
    if (Array.isArray(v)) {
      if (v.every((x) => typeof x === 'number' || typeof x === 'string')) return `[${v.map((x) => JSON.stringify(x)).join(', ')}]`;
      const inner = indent + '  ';
      return `[\n${v.map((x) => inner + walk(x, inner)).join(',\n')}\n${indent}]`;
    }
    if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v);
      if (entries.length === 0) return '{}';
      const inner = indent + '  ';
      return `{\n${entries.map(([k, x]) => `${inner}${JSON.stringify(k)}: ${walk(x, inner)}`).join(',\n')}\n${indent}}`;
    }
    return JSON.stringify(v);
  };
  return `${walk(value, '')}\n`;
}
