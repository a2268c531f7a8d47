/**
 * The planted model of a synthetic interphase: Li site types (each a coordination shell and a site energy), the
 * stacking of site layers along z, and the saddle energies of the hops between neighbouring layers.
 *
 * Geometry in brief (docs/synth.md has the full picture): every layer is a square lattice of Li sites with spacing
 * `a`; anions sit above, in or below the centres of the square plaquettes. Each site touches four plaquettes, one of
 * each of the four classes of a 2a × 2a cell, so a shell template names at most one anion per (corner, level) and
 * every site of a layer gets the same shell up to a mirror or a rotation.
 */
import { z } from 'zod';
import { GetseiError } from '../util/errors.ts';
import { canonicalSymbol } from '../structure/index.ts';

export type Corner = 'NE' | 'NW' | 'SE' | 'SW';
/** 'outer-above' / 'outer-below': a second-shell anion `outerHeightAngstrom` from the plane, beyond the 4 Å shell */
export type Level = 'above' | 'plane' | 'below' | 'outer-above' | 'outer-below';
export type Difficulty = 'easy' | 'subtle' | 'ambiguous' | 'remote';
export const DIFFICULTIES: readonly Difficulty[] = ['easy', 'subtle', 'ambiguous', 'remote'];

export interface ShellAnion {
  readonly species: string;
  readonly corner: Corner;
  readonly level: Level;
}

/** One coordination shell: anions on the four plaquette corners of a site, `heightAngstrom` above/below the layer. */
export interface ShellTemplate {
  readonly description: string;
  readonly anions: readonly ShellAnion[];
  /** height of the 'above' and 'below' anions over the site plane (Å) */
  readonly heightAngstrom: number;
  /**
   * height of the 'outer-above' and 'outer-below' anions over the site plane (Å). They sit over the shell anions of
   * their corner, outside the site's 4 Å shell but inside the 4 Å shells of those anions: visible to the paper's
   * features only through the neighbours' element counts.
   */
  readonly outerHeightAngstrom?: number;
}

export interface SiteTypeSpec {
  readonly name: string;
  /** a built-in shell name (see BUILTIN_SHELLS) or one defined in the model's `shells` */
  readonly shell: string;
  readonly energyEv: number;
}

export interface BarrierSpec {
  readonly between: readonly [string, string];
  /** energy of the saddle between the two sites (eV); the hop barrier from a site is saddleEv − its energy */
  readonly saddleEv: number;
}

export interface KineticModelSpec {
  readonly types: readonly SiteTypeSpec[];
  /** site layers along z from bottom to top, by type name; periodic (the top layer neighbours the bottom one) */
  readonly stacking?: readonly string[];
  readonly barriers: readonly BarrierSpec[];
  /** attempt frequency ν of every hop (ps⁻¹) */
  readonly attemptFrequencyPerPs?: number;
  /** spacing `a` of the square site lattice in every layer (Å) */
  readonly latticeSpacingAngstrom?: number;
  /** extra shell templates, by name */
  readonly shells?: Readonly<Record<string, ShellTemplate>>;
}

export const DEFAULT_ATTEMPT_FREQUENCY_PER_PS = 10;
export const DEFAULT_LATTICE_SPACING_ANGSTROM = 3.5;

const tet = (anion: string, cl: readonly Corner[] = [], h = 0.6): ShellTemplate => ({
  description: '',
  heightAngstrom: h,
  anions: [
    { species: cl.includes('NE') ? 'Cl' : anion, corner: 'NE', level: 'above' },
    { species: cl.includes('SW') ? 'Cl' : anion, corner: 'SW', level: 'above' },
    { species: anion, corner: 'NW', level: 'below' },
    { species: anion, corner: 'SE', level: 'below' },
  ],
});

const square = (anion: string): ShellTemplate => ({
  description: '',
  heightAngstrom: 0,
  anions: (['NE', 'NW', 'SE', 'SW'] as const).map((corner) => ({ species: anion, corner, level: 'plane' as const })),
});

const describe = (t: ShellTemplate, description: string): ShellTemplate => ({ ...t, description });

/**
 * A tetrahedral S4 shell with one second-shell anion 3.45 Å straight above its NE anion (4.75 Å from the site):
 * the band between the 3.0 Å edge margin (≤ 3.4 Å) and the 4.0 Å shell margin (≥ 3.5 Å) keeps that pair counted in
 * the anion's 4 Å shell in every frame and never joined by a graph edge.
 */
const tetOuter = (outer: string): ShellTemplate => ({
  ...tet('S'),
  outerHeightAngstrom: 0.6 + 3.45,
  anions: [...tet('S').anions, { species: outer, corner: 'NE', level: 'outer-above' }],
});

/**
 * Built-in shells. With a = 3.5 Å: 'tetrahedral' anions sit at 2.55 Å (a flattened D2d tetrahedron, angles 4 × 93°
 * and 2 × 153°), 'square-planar' anions at a/√2 = 2.47 Å (angles 4 × 90° and 2 × 180°).
 */
export const BUILTIN_SHELLS: Readonly<Record<string, ShellTemplate>> = {
  'Li-metal': { description: 'no anion within the shell: only Li of neighbouring sites (Li-metal-like)', heightAngstrom: 0, anions: [] },
  'S4-tetrahedral': describe(tet('S'), 'four S in a flattened tetrahedron (Li2S / argyrodite-like)'),
  'S4-square-planar': describe(square('S'), 'four S in a square plane'),
  'S3Cl-tetrahedral': describe(tet('S', ['NE']), 'three S and one Cl in a flattened tetrahedron (argyrodite-like mixed site)'),
  'S2Cl2-tetrahedral': describe(tet('S', ['NE', 'SW']), 'two S and two Cl in a flattened tetrahedron'),
  'S3-trigonal': describe(
    { ...tet('S'), anions: tet('S').anions.filter((x) => x.corner !== 'SW') },
    'three S (a tetrahedron with one vertex missing; coordination number 3)',
  ),
  'S4-tetrahedral+S': describe(tetOuter('S'), 'four S in a flattened tetrahedron, one of them with a second S 3.45 Å beyond it (4.75 Å from the site)'),
  'S4-tetrahedral+Cl': describe(tetOuter('Cl'), 'four S in a flattened tetrahedron, one of them with a Cl 3.45 Å beyond it (4.75 Å from the site)'),
  'Cl4-tetrahedral': describe(tet('Cl'), 'four Cl in a flattened tetrahedron (LiCl-like)'),
  'P4-tetrahedral': describe(tet('P'), 'four P in a flattened tetrahedron (Li3P-like)'),
  'O4-square-planar': describe(square('O'), 'four O in a square plane (Li2O-like, Li–O stretched to 2.47 Å)'),
  'F4-square-planar': describe(square('F'), 'four F in a square plane (LiF-like, Li–F stretched to 2.47 Å)'),
};

/**
 * The preset ring of six types, in stacking order: metal, X1, X2, fast, Y2, Y1. Between the slowest (metal) and
 * the fastest type there are two competing pathways: metal → X1 → X2 → fast (≈ 71 % of the reactive flux at
 * 500 K) and metal → Y1 → Y2 → fast (≈ 29 %), whose Y1 → Y2 hop is a bottleneck. Hop barriers (saddle minus site
 * energy) are 0.22–0.36 eV; at 500 K and ν = 10 ps⁻¹ the escape rates run from 0.006 to 0.16 ps⁻¹ and the slowest
 * relaxation takes 190 ps. X1 and Y1 have the same energy, so that the 'ambiguous' preset, which gives them the same
 * shell, makes them indistinguishable in every frame. The 'remote' preset gives X1 and Y1 the same 4 Å shell too, and
 * tells them apart only by one second-shell atom beyond it (S or Cl over one shell anion).
 */
const PRESET_ENERGIES_EV = [0.0, 0.02, 0.03, 0.04, 0.03, 0.02];
const PRESET_SADDLES_EV: ReadonlyArray<[number, number, number]> = [
  [0, 1, 0.36], [1, 2, 0.30], [2, 3, 0.28], [3, 4, 0.30], [4, 5, 0.40], [5, 0, 0.34],
];
const PRESET_SHELLS: Readonly<Record<Difficulty, ReadonlyArray<[string, string]>>> = {
  easy: [
    ['metal', 'Li-metal'], ['S4-tet', 'S4-tetrahedral'], ['Cl4-tet', 'Cl4-tetrahedral'], ['P4-tet', 'P4-tetrahedral'],
    ['F4-sq', 'F4-square-planar'], ['O4-sq', 'O4-square-planar'],
  ],
  subtle: [
    ['metal', 'Li-metal'], ['S4-tet', 'S4-tetrahedral'], ['S3Cl-tet', 'S3Cl-tetrahedral'], ['S4-sq', 'S4-square-planar'],
    ['S2Cl2-tet', 'S2Cl2-tetrahedral'], ['S3-tri', 'S3-trigonal'],
  ],
  ambiguous: [
    ['metal', 'Li-metal'], ['S4-tet-a', 'S4-tetrahedral'], ['S3Cl-tet', 'S3Cl-tetrahedral'], ['S4-sq', 'S4-square-planar'],
    ['S2Cl2-tet', 'S2Cl2-tetrahedral'], ['S4-tet-b', 'S4-tetrahedral'],
  ],
  remote: [
    ['metal', 'Li-metal'], ['S4-tet+S', 'S4-tetrahedral+S'], ['S3Cl-tet', 'S3Cl-tetrahedral'], ['S4-sq', 'S4-square-planar'],
    ['S2Cl2-tet', 'S2Cl2-tetrahedral'], ['S4-tet+Cl', 'S4-tetrahedral+Cl'],
  ],
};

/** The preset model of a difficulty: same kinetics for all, different shells. */
export function presetModel(difficulty: Difficulty): KineticModelSpec {
  const names = PRESET_SHELLS[difficulty];
  return {
    types: names.map(([name, shell], i) => ({ name, shell, energyEv: PRESET_ENERGIES_EV[i] })),
    barriers: PRESET_SADDLES_EV.map(([i, j, saddleEv]) => ({ between: [names[i][0], names[j][0]] as const, saddleEv })),
    attemptFrequencyPerPs: DEFAULT_ATTEMPT_FREQUENCY_PER_PS,
    latticeSpacingAngstrom: DEFAULT_LATTICE_SPACING_ANGSTROM,
  };
}

/** A model after validation: types by index, layers by type index, the saddle between two types as a lookup. */
export interface ResolvedModel {
  readonly types: ReadonlyArray<{ readonly name: string; readonly shellName: string; readonly shell: ShellTemplate; readonly energyEv: number }>;
  /** type index of each layer, bottom to top */
  readonly stacking: Int32Array;
  /** saddle energy (eV) between types i and j, row-major [nTypes × nTypes]; NaN where no layers of i and j touch */
  readonly saddleEv: Float64Array;
  readonly attemptFrequencyPerPs: number;
  readonly latticeSpacingAngstrom: number;
}

const NAME = /^[A-Za-z0-9_.+-]+$/;

/**
 * Check a model and resolve names to indices. `origin` names where the model came from, for messages.
 * Throws GetseiError saying what to change.
 */
export function resolveModel(spec: KineticModelSpec, origin = 'the model'): ResolvedModel {
  const fail: (what: string) => never = (what) => {
    throw new GetseiError(`${origin}: ${what}`);
  };
  const n = spec.types.length;
  if (n < 2) fail(`needs at least 2 site types, got ${n}`);
  const index = new Map<string, number>();
  const shells: Record<string, ShellTemplate> = { ...BUILTIN_SHELLS, ...(spec.shells ?? {}) };
  const types = spec.types.map((t, i) => {
    if (!NAME.test(t.name)) fail(`type name "${t.name}" may only contain letters, digits and _ . + -`);
    if (index.has(t.name)) fail(`type "${t.name}" is defined twice`);
    index.set(t.name, i);
    const shell = shells[t.shell];
    if (shell === undefined) {
      fail(`type "${t.name}" has unknown shell "${t.shell}"; built-in shells: ${Object.keys(BUILTIN_SHELLS).join(', ')}`);
    }
    if (!Number.isFinite(t.energyEv)) fail(`type "${t.name}" needs a finite energyEv`);
    checkShell(shell, t.shell, fail);
    return { name: t.name, shellName: t.shell, shell, energyEv: t.energyEv };
  });
  const stackingNames = spec.stacking ?? spec.types.map((t) => t.name);
  if (stackingNames.length < 3) fail(`the stacking needs at least 3 layers, got ${stackingNames.length}`);
  if (stackingNames.length > 255) fail(`the stacking may have at most 255 layers, got ${stackingNames.length}`);
  const stacking = Int32Array.from(stackingNames, (name) => index.get(name) ?? fail(`stacking names unknown type "${name}"`));
  for (let i = 0; i < n; i++) {
    if (!stacking.includes(i)) fail(`type "${types[i].name}" has no layer in the stacking; add it or remove the type`);
  }
  const saddleEv = new Float64Array(n * n).fill(Number.NaN);
  for (const b of spec.barriers) {
    const i = index.get(b.between[0]) ?? fail(`a barrier names unknown type "${b.between[0]}"`);
    const j = index.get(b.between[1]) ?? fail(`a barrier names unknown type "${b.between[1]}"`);
    if (!Number.isFinite(b.saddleEv)) fail(`the barrier between "${types[i].name}" and "${types[j].name}" needs a finite saddleEv`);
    if (!Number.isNaN(saddleEv[i * n + j])) fail(`the barrier between "${types[i].name}" and "${types[j].name}" is given twice`);
    if (b.saddleEv < Math.max(types[i].energyEv, types[j].energyEv)) {
      fail(
        `the saddle between "${types[i].name}" and "${types[j].name}" (${b.saddleEv} eV) lies below a site energy; ` +
          'a saddle must be at least as high as both sites',
      );
    }
    saddleEv[i * n + j] = b.saddleEv;
    saddleEv[j * n + i] = b.saddleEv;
  }
  const L = stacking.length;
  const touching = new Set<number>();
  for (let l = 0; l < L; l++) {
    const i = stacking[l], j = stacking[(l + 1) % L];
    touching.add(i * n + j).add(j * n + i);
    if (Number.isNaN(saddleEv[i * n + j])) {
      fail(`layers of "${types[i].name}" and "${types[j].name}" touch in the stacking but no barrier between them is given`);
    }
  }
  for (let k = 0; k < n * n; k++) {
    if (!Number.isNaN(saddleEv[k]) && !touching.has(k)) {
      fail(`a barrier between "${types[Math.floor(k / n)].name}" and "${types[k % n].name}" is given but no layers of them touch`);
    }
  }
  const nu = spec.attemptFrequencyPerPs ?? DEFAULT_ATTEMPT_FREQUENCY_PER_PS;
  if (!(nu > 0) || !Number.isFinite(nu)) fail(`attemptFrequencyPerPs must be a positive number, got ${nu}`);
  const a = spec.latticeSpacingAngstrom ?? DEFAULT_LATTICE_SPACING_ANGSTROM;
  if (!(a >= 2) || !(a <= 6)) fail(`latticeSpacingAngstrom must lie in [2, 6] Å, got ${a}`);
  return { types, stacking, saddleEv, attemptFrequencyPerPs: nu, latticeSpacingAngstrom: a };
}

function checkShell(shell: ShellTemplate, name: string, fail: (what: string) => never): void {
  const seen = new Set<string>();
  for (const x of shell.anions) {
    const sym = canonicalSymbol(x.species);
    if (sym === undefined) fail(`shell "${name}" has an unknown element "${x.species}"`);
    if (sym === 'Li') fail(`shell "${name}" may not contain Li (Li atoms are the mobile ones)`);
    const key = `${x.corner}/${x.level}`;
    if (seen.has(key)) fail(`shell "${name}" has two anions at corner ${x.corner}, level ${x.level}`);
    seen.add(key);
  }
  if (!(shell.heightAngstrom >= 0) || shell.heightAngstrom > 3) fail(`shell "${name}" needs heightAngstrom in [0, 3]`);
  const outer = shell.anions.some((x) => x.level.startsWith('outer'));
  const oh = shell.outerHeightAngstrom;
  if (outer && oh === undefined) fail(`shell "${name}" has outer anions but no outerHeightAngstrom`);
  if (oh !== undefined && (!(oh > shell.heightAngstrom) || oh > 6)) {
    fail(`shell "${name}" needs outerHeightAngstrom above heightAngstrom and at most 6 Å`);
  }
}

const anionSchema = z.object({
  species: z.string(),
  corner: z.enum(['NE', 'NW', 'SE', 'SW']),
  level: z.enum(['above', 'plane', 'below', 'outer-above', 'outer-below']),
}).strict();
const modelSchema = z.object({
  types: z.array(z.object({ name: z.string(), shell: z.string(), energyEv: z.number() }).strict()),
  stacking: z.array(z.string()).optional(),
  barriers: z.array(z.object({ between: z.tuple([z.string(), z.string()]), saddleEv: z.number() }).strict()),
  attemptFrequencyPerPs: z.number().optional(),
  latticeSpacingAngstrom: z.number().optional(),
  shells: z.record(z.string(), z.object({
    description: z.string().default(''),
    anions: z.array(anionSchema),
    heightAngstrom: z.number().default(0.7),
    outerHeightAngstrom: z.number().optional(),
  }).strict()).optional(),
}).strict();

/** Parse a model file's JSON text; `file` is named in every error. */
export function parseModelJson(text: string, file: string): KineticModelSpec {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new GetseiError(`${file}: not valid JSON (${(err as Error).message}); see docs/synth.md for the model format`);
  }
  const parsed = modelSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
    throw new GetseiError(`${file}: invalid model${where}: ${issue.message}; see docs/synth.md for the model format`);
  }
  return parsed.data;
}

/** "metal=0,S4-tet=0.04" → name → eV. */
export function parseEnergyList(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const item of splitList(text)) {
    const m = /^([^=]+)=(.+)$/.exec(item);
    const v = m === null ? Number.NaN : Number(m[2]);
    if (m === null || !Number.isFinite(v)) {
      throw new GetseiError(`--energies: "${item}" is not NAME=eV (example: --energies metal=0,S4-tet=0.05)`);
    }
    out.set(m[1].trim(), v);
  }
  return out;
}

/** "metal:S4-tet=0.26,S4-tet:S3Cl-tet=0.2" → barriers. */
export function parseBarrierList(text: string): BarrierSpec[] {
  return splitList(text).map((item) => {
    const m = /^([^:=]+):([^:=]+)=(.+)$/.exec(item);
    const v = m === null ? Number.NaN : Number(m[3]);
    if (m === null || !Number.isFinite(v)) {
      throw new GetseiError(`--barriers: "${item}" is not A:B=eV (example: --barriers metal:S4-tet=0.3)`);
    }
    return { between: [m[1].trim(), m[2].trim()] as const, saddleEv: v };
  });
}

function splitList(text: string): string[] {
  return text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

/** The model with some site energies and saddle energies replaced (names must exist). */
export function withOverrides(
  spec: KineticModelSpec,
  energies: ReadonlyMap<string, number>,
  barriers: readonly BarrierSpec[],
): KineticModelSpec {
  const names = new Set(spec.types.map((t) => t.name));
  for (const name of energies.keys()) {
    if (!names.has(name)) throw new GetseiError(`--energies names unknown type "${name}"; types: ${[...names].join(', ')}`);
  }
  const key = (a: string, b: string): string => (a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`);
  const replaced = new Map(barriers.map((b) => [key(b.between[0], b.between[1]), b]));
  const existing = new Set(spec.barriers.map((b) => key(b.between[0], b.between[1])));
  for (const b of barriers) {
    if (!existing.has(key(b.between[0], b.between[1]))) {
      throw new GetseiError(
        `--barriers: no hop between "${b.between[0]}" and "${b.between[1]}" in this model; ` +
          `hops: ${spec.barriers.map((x) => `${x.between[0]}:${x.between[1]}`).join(', ')}`,
      );
    }
  }
  return {
    ...spec,
    types: spec.types.map((t) => ({ ...t, energyEv: energies.get(t.name) ?? t.energyEv })),
    barriers: spec.barriers.map((b) => replaced.get(key(b.between[0], b.between[1])) ?? b),
  };
}
