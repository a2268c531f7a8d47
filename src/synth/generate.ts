/**
 * `generateInterphase`: a synthetic interphase trajectory with planted, exactly known type-level kinetics.
 * The labels (which type each Li is on at each frame) are simulated up front — a few bytes per Li per frame — and
 * the frames are generated lazily from them, one at a time.
 */
import { GetseiError } from '../util/errors.ts';
import { createRng } from '../util/rng.ts';
import { generateFrames, maxDisplacementAngstrom, type SynthFrame } from './frames.ts';
import { simulateChannels, siteKinetics, lumpToTypes } from './kinetics.ts';
import {
  buildStructure, LI_LAYOUTS, sameSignature, unitPositions, verifyStructure,
  type GeometryOptions, type InterphaseStructure, type LiLayout, type ShellSignature,
} from './lattice.ts';
import { DIFFICULTIES, presetModel, resolveModel, type Difficulty, type KineticModelSpec, type ResolvedModel } from './model.ts';
import { generatorSpectrum, impliedTimescalesPs, reactiveFlux, transitionMatrixAt, type GeneratorSpectrum, type ReactiveFlux } from './truth.ts';

export interface SynthOptions {
  /**
   * preset shells: 'easy' (one anion species per type), 'subtle' (shared S/Cl; default), 'ambiguous' (two types
   * identical), 'remote' (two types alike within 4 Å, told apart by one atom beyond it)
   */
  readonly difficulty?: Difficulty;
  /** types, energies, stacking and barriers; default: the difficulty's preset */
  readonly model?: KineticModelSpec;
  /** 'clusters' (default): Li in 2 × 2 clusters that hop together, fixed shells; 'dense': one Li per column, Li
   * neighbours change with occupancy (4 × more Li, noisier shells) */
  readonly layout?: LiLayout;
  /** repeats of the lateral unit (4a × 4a for clusters, 2a × 2a for dense; 4 Li each); default [4, 4] for
   * clusters, [6, 6] for dense */
  readonly repeats?: readonly [number, number];
  /** pick the repeats whose atom count is closest to this (instead of `repeats`) */
  readonly targetAtoms?: number;
  /** number of frames (default 1000) */
  readonly frames?: number;
  /** time between frames (ps; default 1) */
  readonly dtPs?: number;
  /** temperature of the Boltzmann factors (K; default 500) */
  readonly temperatureK?: number;
  /** integer in [0, 2³¹) (default 1) */
  readonly seed?: number;
  /** root-mean-square thermal displacement of every atom, √⟨|u|²⟩ (Å, ≤ 0.5; each Cartesian component has standard
   * deviation amplitude/√3); default 0.15 for easy, 0.2 otherwise */
  readonly thermalAmplitudeAngstrom?: number;
  /** no two atoms closer than this, in the lattice and in every frame (Å; default 1.6) */
  readonly minDistanceAngstrom?: number;
  /** shell radius the types are designed for (Å; default 4.0, the paper's) */
  readonly shellCutoffAngstrom?: number;
  /** keep every atom this far from the shell cutoff on either side in the lattice (Å; default 0.5) */
  readonly shellMarginAngstrom?: number;
  /** graph-edge cutoff the types are designed for (Å; default 3.0, the paper's) */
  readonly edgeCutoffAngstrom?: number;
  /** keep every pair of atoms this far from the edge cutoff on either side in the lattice (Å; default 0.4) */
  readonly edgeMarginAngstrom?: number;
  /** lags at which the truth gives the exact transition matrix and TPT (ps); default dt × 1, 2, 5, 10, 20, 50, 100 within the run */
  readonly lagsPs?: readonly number[];
  /** TPT source types by name; default the least mobile type (smallest escape rate) */
  readonly source?: readonly string[];
  /** TPT target types by name; default the most mobile type */
  readonly target?: readonly string[];
}

export const DEFAULTS = {
  difficulty: 'subtle' as Difficulty,
  layout: 'clusters' as LiLayout,
  repeats: { clusters: [4, 4], dense: [6, 6] } as Readonly<Record<LiLayout, readonly [number, number]>>,
  frames: 1000,
  dtPs: 1,
  temperatureK: 500,
  seed: 1,
  minDistanceAngstrom: 1.6,
  shellCutoffAngstrom: 4.0,
  shellMarginAngstrom: 0.5,
  edgeCutoffAngstrom: 3.0,
  edgeMarginAngstrom: 0.4,
  thermalAmplitudeAngstrom: { easy: 0.15, subtle: 0.2, ambiguous: 0.2, remote: 0.2 } as Readonly<Record<Difficulty, number>>,
};

export const MAX_THERMAL_AMPLITUDE_ANGSTROM = 0.5;

export interface TypeTruth {
  readonly name: string;
  readonly shell: string;
  readonly description: string;
  readonly energyEv: number;
  /** sites of this type in each Li's column (N_A) */
  readonly sitesPerColumn: number;
  /** exact stationary population π_A */
  readonly stationaryPopulation: number;
  /** probability that one given site of this type holds its Li: π_A / N_A. The in-plane Li neighbours of a Li
   * on this type are independent with this probability each. */
  readonly siteOccupancy: number;
  /** total escape rate −Q_AA (ps⁻¹), the mobility */
  readonly escapeRatePerPs: number;
  /** host atoms and possible Li sites within the cutoff, from the static lattice */
  readonly shellSignature: ShellSignature;
}

export interface LagTruth {
  readonly lagPs: number;
  /** exact T(τ) = exp(Qτ), row-major */
  readonly transitionMatrix: Float64Array;
  /** TPT of the discrete-time chain T(τ): fluxes and rate per lag step */
  readonly reactiveFlux: ReactiveFlux;
}

export interface InterphaseTruth {
  readonly typeNames: readonly string[];
  readonly types: readonly TypeTruth[];
  /** type-level generator Q (ps⁻¹), row-major [nTypes × nTypes] */
  readonly generator: Float64Array;
  readonly stationary: Float64Array;
  readonly spectrum: GeneratorSpectrum;
  readonly impliedTimescalesPs: Float64Array;
  /** TPT of the continuous-time chain Q: fluxes and rate per ps */
  readonly reactiveFlux: ReactiveFlux;
  readonly lags: readonly LagTruth[];
  /** groups of types no single frame can tell apart (same shell and same site occupancy) */
  readonly indistinguishableGroups: readonly (readonly number[])[];
  /** planted type of Li r at frame f: labels[r · nFrames + f] */
  readonly labels: Int16Array;
  /** atom index (in every frame) of Li r */
  readonly liAtomIndices: Int32Array;
  /** channel of Li r: the Li of one channel move together, so channels, not Li, are the independent samples */
  readonly liChannel: Int32Array;
  readonly nChannels: number;
  readonly nLi: number;
  readonly nFrames: number;
  readonly dtPs: number;
  /** layers bottom to top: type index and z of the site plane (Å) */
  readonly layers: readonly { readonly type: number; readonly zAngstrom: number }[];
  readonly settings: Readonly<Record<string, number | string | readonly number[]>>;
}

export interface Interphase {
  readonly structure: InterphaseStructure;
  readonly truth: InterphaseTruth;
  /** atomic numbers of every frame's atoms: the Li first (atom r is Li r), then the host atoms */
  readonly species: Uint8Array;
  /** the frames, lazily; every call yields the same frames again */
  frames(): Generator<SynthFrame>;
}

/** Build the lattice, plant the kinetics, simulate the labels; frames come lazily from `frames()`. */
export function generateInterphase(options: SynthOptions = {}): Interphase {
  const difficulty = options.difficulty ?? DEFAULTS.difficulty;
  if (!DIFFICULTIES.includes(difficulty)) throw new GetseiError(`unknown difficulty "${difficulty}"; use one of ${DIFFICULTIES.join(', ')}`);
  const layout = options.layout ?? DEFAULTS.layout;
  if (!LI_LAYOUTS.includes(layout)) throw new GetseiError(`unknown Li layout "${layout}"; use one of ${LI_LAYOUTS.join(', ')}`);
  const model = resolveModel(options.model ?? presetModel(difficulty), options.model ? 'the model' : `the ${difficulty} preset`);
  const nFrames = options.frames ?? DEFAULTS.frames;
  const dtPs = options.dtPs ?? DEFAULTS.dtPs;
  const temperatureK = options.temperatureK ?? DEFAULTS.temperatureK;
  const seed = options.seed ?? DEFAULTS.seed;
  const amplitude = options.thermalAmplitudeAngstrom ?? DEFAULTS.thermalAmplitudeAngstrom[difficulty];
  const sigma = amplitude / Math.sqrt(3); // per Cartesian component
  const geometry: GeometryOptions = {
    shellCutoffAngstrom: options.shellCutoffAngstrom ?? DEFAULTS.shellCutoffAngstrom,
    shellMarginAngstrom: options.shellMarginAngstrom ?? DEFAULTS.shellMarginAngstrom,
    minDistanceAngstrom: options.minDistanceAngstrom ?? DEFAULTS.minDistanceAngstrom,
    edgeCutoffAngstrom: options.edgeCutoffAngstrom ?? DEFAULTS.edgeCutoffAngstrom,
    edgeMarginAngstrom: options.edgeMarginAngstrom ?? DEFAULTS.edgeMarginAngstrom,
  };
  check(Number.isInteger(nFrames) && nFrames >= 1, `frames must be a positive integer, got ${nFrames}`);
  check(dtPs > 0 && Number.isFinite(dtPs), `dt must be a positive number of ps, got ${dtPs}`);
  check(temperatureK > 0 && Number.isFinite(temperatureK), `temperature must be a positive number of K, got ${temperatureK}`);
  check(Number.isInteger(seed) && seed >= 0 && seed < 2 ** 31, `seed must be an integer in [0, 2^31), got ${seed}`);
  check(amplitude >= 0 && amplitude <= MAX_THERMAL_AMPLITUDE_ANGSTROM,
    `the thermal amplitude must lie in [0, ${MAX_THERMAL_AMPLITUDE_ANGSTROM}] Å (larger would blur the designed shells), got ${amplitude}`);
  check(geometry.minDistanceAngstrom > 0, `the minimum distance must be positive, got ${geometry.minDistanceAngstrom}`);
  check(geometry.shellCutoffAngstrom > 0 && geometry.shellMarginAngstrom >= 0 && geometry.shellMarginAngstrom < geometry.shellCutoffAngstrom,
    'the shell cutoff must be positive and the margin in [0, cutoff)');
  check(geometry.edgeCutoffAngstrom > 0 && geometry.edgeMarginAngstrom >= 0 && geometry.edgeMarginAngstrom < geometry.edgeCutoffAngstrom,
    'the edge cutoff must be positive and the margin in [0, cutoff)');

  const repeats = options.repeats ??
    (options.targetAtoms !== undefined ? repeatsForAtoms(model, options.targetAtoms, layout) : DEFAULTS.repeats[layout]);
  check(repeats.length === 2 && repeats.every((r) => Number.isInteger(r) && r >= 1),
    `repeats must be two positive integers, got ${repeats.join(' × ')}`);
  const structure = buildStructure(model, [repeats[0], repeats[1]], geometry, layout);
  const reach = Math.max(geometry.shellCutoffAngstrom + geometry.shellMarginAngstrom,
    geometry.minDistanceAngstrom + 2 * maxDisplacementAngstrom(sigma));
  check(Math.min(...structure.box) >= 2 * reach,
    `the cell (${structure.box.map((x) => x.toFixed(2)).join(' × ')} Å) is too small for the ${reach.toFixed(2)} Å checks; use more repeats`);
  const signatures = verifyStructure(structure, model, geometry);

  const site = siteKinetics(model, temperatureK);
  const lumped = lumpToTypes(model, site);
  const root = createRng(seed);
  const kineticRng = root.fork();
  const vibrationSeed = root.int(2 ** 31);
  const layers = simulateChannels(site, structure.nChannels, nFrames, dtPs, kineticRng);

  const truth = assembleTruth(model, structure, lumped, signatures, layers, {
    difficulty, layout, seed, nFrames, dtPs, temperatureK, amplitude, geometry, options,
  });
  const species = new Uint8Array(structure.nColumns + structure.hostSpecies.length);
  species.fill(3, 0, structure.nColumns);
  species.set(structure.hostSpecies, structure.nColumns);
  return {
    structure,
    truth,
    species,
    frames: () => generateFrames({
      structure,
      layers,
      nFrames,
      dtPs,
      layerType: structure.layerType,
      sigmaAngstrom: sigma,
      minDistanceAngstrom: geometry.minDistanceAngstrom,
      vibrationSeed,
    }),
  };
}

function check(ok: boolean, message: string): void {
  if (!ok) throw new GetseiError(message);
}

/** Atoms in one lateral unit: 4 Li plus one host atom per shell anion per layer per 2a × 2a. */
export function atomsPerUnit(model: ResolvedModel, layout: LiLayout): number {
  let hosts = 0;
  for (const t of model.stacking) hosts += model.types[t].shell.anions.length;
  return 4 + hosts * (unitPositions(layout) / 2) ** 2;
}

/** The repeats (as square as possible, the cell at least 13 Å wide) whose atom count is closest to `target`. */
export function repeatsForAtoms(model: ResolvedModel, target: number, layout: LiLayout): [number, number] {
  check(Number.isFinite(target) && target > 0, `the target number of atoms must be positive, got ${target}`);
  const u = atomsPerUnit(model, layout);
  const minimum = layout === 'clusters' ? 1 : 2;
  const units = Math.max(minimum * minimum, Math.round(target / u));
  let best: [number, number] = [minimum, minimum];
  let bestScore = Infinity;
  for (let ny = minimum; ny * ny <= units + 1; ny++) {
    const nx = Math.max(ny, Math.round(units / ny));
    const score = Math.abs(nx * ny * u - target) + 1e-3 * (nx - ny);
    if (score < bestScore) {
      bestScore = score;
      best = [nx, ny];
    }
  }
  return best;
}

function assembleTruth(
  model: ResolvedModel,
  structure: InterphaseStructure,
  lumped: ReturnType<typeof lumpToTypes>,
  signatures: ShellSignature[],
  layers: Uint8Array,
  ctx: {
    difficulty: Difficulty; layout: LiLayout; seed: number; nFrames: number; dtPs: number; temperatureK: number; amplitude: number;
    geometry: GeometryOptions; options: SynthOptions;
  },
): InterphaseTruth {
  const n = model.types.length;
  const names = model.types.map((t) => t.name);
  const { generator, stationary, sitesPerColumn } = lumped;
  const escape = Array.from({ length: n }, (_, i) => -generator[i * n + i]);
  const types: TypeTruth[] = model.types.map((t, i) => ({
    name: t.name,
    shell: t.shellName,
    description: t.shell.description,
    energyEv: t.energyEv,
    sitesPerColumn: sitesPerColumn[i],
    stationaryPopulation: stationary[i],
    siteOccupancy: stationary[i] / sitesPerColumn[i],
    escapeRatePerPs: escape[i],
    shellSignature: signatures[i],
  }));
  const byName = (list: readonly string[] | undefined, what: string): number[] | undefined =>
    list?.map((s) => {
      const k = names.indexOf(s);
      if (k < 0) throw new GetseiError(`${what} names unknown type "${s}"; types: ${names.join(', ')}`);
      return k;
    });
  const slowest = escape.indexOf(Math.min(...escape));
  const fastest = escape.indexOf(Math.max(...escape));
  const source = byName(ctx.options.source, 'the source') ?? [slowest];
  const target = byName(ctx.options.target, 'the target') ?? [fastest];
  if (source.some((s) => target.includes(s))) {
    throw new GetseiError(`the TPT source (${source.map((s) => names[s]).join(', ')}) and target (${target.map((s) => names[s]).join(', ')}) must not share a type`);
  }
  const spectrum = generatorSpectrum(generator, stationary);
  const longest = (ctx.nFrames - 1) * ctx.dtPs; // the longest lag a trajectory of this length can estimate
  const lagsPs = ctx.options.lagsPs ?? [1, 2, 5, 10, 20, 50, 100].map((k) => k * ctx.dtPs).filter((l, k) => k === 0 || l <= longest);
  for (const lag of lagsPs) check(lag > 0 && Number.isFinite(lag), `lags must be positive numbers of ps, got ${lag}`);
  const lags = lagsPs.map((lagPs) => {
    const T = transitionMatrixAt(spectrum, lagPs);
    return { lagPs, transitionMatrix: T, reactiveFlux: reactiveFlux('transition', T, stationary, source, target) };
  });

  const groups: number[][] = [];
  const seen = new Set<number>();
  for (let i = 0; i < n; i++) {
    if (seen.has(i)) continue;
    const g = [i];
    for (let j = i + 1; j < n; j++) {
      const occ = Math.abs(types[i].siteOccupancy - types[j].siteOccupancy) <= 1e-9 * types[i].siteOccupancy;
      if (occ && sameSignature(signatures[i], signatures[j]) && outerKey(model, i) === outerKey(model, j)) g.push(j);
    }
    if (g.length > 1) {
      groups.push(g);
      for (const j of g) seen.add(j);
    }
  }

  const nLi = structure.nColumns;
  const nFrames = ctx.nFrames;
  const labels = new Int16Array(nLi * nFrames);
  for (let r = 0; r < nLi; r++) {
    const from = structure.columnChannel[r] * nFrames;
    for (let f = 0; f < nFrames; f++) labels[r * nFrames + f] = structure.layerType[layers[from + f]];
  }
  return {
    typeNames: names,
    types,
    generator,
    stationary,
    spectrum,
    impliedTimescalesPs: impliedTimescalesPs(spectrum),
    reactiveFlux: reactiveFlux('generator', generator, stationary, source, target),
    lags,
    indistinguishableGroups: groups,
    labels,
    liAtomIndices: Int32Array.from({ length: nLi }, (_, r) => r),
    liChannel: Int32Array.from(structure.columnChannel),
    nChannels: structure.nChannels,
    nLi,
    nFrames: ctx.nFrames,
    dtPs: ctx.dtPs,
    layers: Array.from(structure.layerType, (type, l) => ({ type, zAngstrom: structure.layerZ[l] })),
    settings: {
      difficulty: ctx.options.model ? 'custom model' : ctx.difficulty,
      layout: ctx.layout,
      seed: ctx.seed,
      temperatureK: ctx.temperatureK,
      frames: ctx.nFrames,
      dtPs: ctx.dtPs,
      thermalAmplitudeAngstrom: ctx.amplitude,
      minDistanceAngstrom: ctx.geometry.minDistanceAngstrom,
      shellCutoffAngstrom: ctx.geometry.shellCutoffAngstrom,
      shellMarginAngstrom: ctx.geometry.shellMarginAngstrom,
      edgeCutoffAngstrom: ctx.geometry.edgeCutoffAngstrom,
      edgeMarginAngstrom: ctx.geometry.edgeMarginAngstrom,
      repeats: structure.repeats,
      latticeSpacingAngstrom: model.latticeSpacingAngstrom,
      attemptFrequencyPerPs: model.attemptFrequencyPerPs,
      atoms: structure.nColumns + structure.hostSpecies.length,
      box: structure.box,
    },
  };
}

/** The second-shell anions of a type's template (beyond the 4 Å shell), as a comparable key. */
function outerKey(model: ResolvedModel, type: number): string {
  const shell = model.types[type].shell;
  const outer = shell.anions.filter((x) => x.level.startsWith('outer')).map((x) => `${x.species}/${x.corner}/${x.level}`).sort();
  return `${shell.outerHeightAngstrom ?? 0}:${outer.join()}`;
}
