import { readFile } from 'node:fs/promises';
import { Option, type Command } from '@commander-js/extra-typings';
import { GetseiError } from '../../util/errors.ts';
import {
  DEFAULTS, DIFFICULTIES, LI_LAYOUTS, MAX_THERMAL_AMPLITUDE_ANGSTROM, generateInterphase, parseBarrierList, parseEnergyList, parseModelJson,
  presetModel, withOverrides, writeInterphase, type Difficulty, type KineticModelSpec, type LiLayout,
} from '../../synth/index.ts';

function number(value: string, option: string, check: (x: number) => boolean, what: string): number {
  const x = Number(value);
  if (value.trim() === '' || !Number.isFinite(x) || !check(x)) throw new GetseiError(`${option}: "${value}" is not ${what}`);
  return x;
}

function numberList(value: string, option: string, count?: number): number[] {
  const parts = value.split(',').map((s) => s.trim());
  if (count !== undefined && parts.length !== count) throw new GetseiError(`${option}: "${value}" needs ${count} comma-separated numbers`);
  return parts.map((p) => number(p, option, (x) => x > 0, 'a positive number'));
}

function names(value: string | undefined): string[] | undefined {
  return value?.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

/** `getsei synth`: write a synthetic interphase trajectory with planted kinetics, and its truth. */
export function registerSynth(program: Command): void {
  program
    .command('synth')
    .description(
      'Write a synthetic interphase trajectory whose answer is known: Li sites of distinct local environments in ' +
        'layers along z, Li hopping by kinetic Monte Carlo with an exactly known type-level rate matrix. ' +
        'Writes OUT/trajectory.extxyz (extended XYZ, per-atom site_type column) and OUT/truth.json + truth_states.npy ' +
        '(planted types, generator, stationary populations, transition matrices, committors, fluxes, pathways). ' +
        'See docs/synth.md.',
    )
    .requiredOption('-o, --out <dir>', 'output folder (created if missing), as for run, demo and compare')
    .addOption(new Option('--difficulty <level>', 'preset shells: easy (one anion species per type), subtle (shared S/Cl, differing in '
      + 'coordination number, composition or geometry), ambiguous (two types with identical shells)')
      .choices(DIFFICULTIES).default(DEFAULTS.difficulty))
    .option('--model <file.json>', 'site types, energies, stacking and barriers as JSON (replaces the preset; format in docs/synth.md)')
    .option('--energies <list>', 'override site energies in eV, e.g. metal=0,S4-tet=0.05')
    .option('--barriers <list>', 'override saddle energies in eV, e.g. metal:S4-tet=0.3,S3-tri:S2Cl2-tet=0.32')
    .addOption(new Option('--li-layout <layout>', 'clusters: Li in 2x2 clusters that hop together, so every shell is fixed; '
      + 'dense: one Li per lattice column, Li neighbours change with occupancy (4x more Li, noisier shells)')
      .choices(LI_LAYOUTS).default(DEFAULTS.layout))
    .option('--repeats <nx,ny>', 'lateral repeats of the unit (4a x 4a for clusters, 2a x 2a for dense, a = 3.3 Å; 4 Li each) '
      + `(default ${DEFAULTS.repeats.clusters.join(',')} for clusters, ${DEFAULTS.repeats.dense.join(',')} for dense)`)
    .option('--atoms <n>', 'choose the repeats whose atom count is closest to n (instead of --repeats)')
    .option('--frames <n>', 'number of frames', String(DEFAULTS.frames))
    .option('--dt <ps>', 'time between frames in ps', String(DEFAULTS.dtPs))
    .option('--temperature <K>', 'temperature in K (Boltzmann factors of the hop rates)', String(DEFAULTS.temperatureK))
    .option('--seed <n>', 'random seed, integer in [0, 2^31); the same seed gives byte-identical output', String(DEFAULTS.seed))
    .option('--thermal <angstrom>', `RMS thermal displacement of every atom in Å (each Cartesian component: this / sqrt 3), at most ${MAX_THERMAL_AMPLITUDE_ANGSTROM} `
      + `(default ${DEFAULTS.thermalAmplitudeAngstrom.easy} for easy, ${DEFAULTS.thermalAmplitudeAngstrom.subtle} otherwise)`)
    .option('--min-distance <angstrom>', 'no two atoms closer than this, in every frame, in Å', String(DEFAULTS.minDistanceAngstrom))
    .option('--lags <list>', 'comma-separated lags in ps for the exact transition matrices and TPT in truth.json (default dt x 1,2,5,10,20,50,100)')
    .option('--source <types>', 'TPT source types, comma-separated (default: the least mobile type)')
    .option('--target <types>', 'TPT target types, comma-separated (default: the most mobile type)')
    .option('--no-site-type', 'leave the per-atom site_type column out of the trajectory')
    .option('--gzip', 'write trajectory.extxyz.gz instead of trajectory.extxyz', false)
    .action(async (opts) => {
      const difficulty = opts.difficulty as Difficulty;
      let model: KineticModelSpec | undefined;
      if (opts.model !== undefined) {
        let text: string;
        try {
          text = await readFile(opts.model, 'utf8');
        } catch (err) {
          throw new GetseiError(`${opts.model}: cannot read the model file (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
        }
        model = parseModelJson(text, opts.model);
      }
      if (opts.energies !== undefined || opts.barriers !== undefined) {
        model = withOverrides(
          model ?? presetModel(difficulty),
          opts.energies !== undefined ? parseEnergyList(opts.energies) : new Map(),
          opts.barriers !== undefined ? parseBarrierList(opts.barriers) : [],
        );
      }
      if (opts.repeats !== undefined && opts.atoms !== undefined) throw new GetseiError('give either --repeats or --atoms, not both');
      const repeats = opts.repeats !== undefined ? numberList(opts.repeats, '--repeats', 2) : undefined;
      const interphase = generateInterphase({
        difficulty,
        layout: opts.liLayout as LiLayout,
        model,
        repeats: repeats as [number, number] | undefined,
        targetAtoms: opts.atoms !== undefined ? number(opts.atoms, '--atoms', (x) => x > 0, 'a positive number') : undefined,
        frames: number(opts.frames, '--frames', (x) => Number.isInteger(x) && x >= 1, 'a positive integer'),
        dtPs: number(opts.dt, '--dt', (x) => x > 0, 'a positive number of ps'),
        temperatureK: number(opts.temperature, '--temperature', (x) => x > 0, 'a positive number of K'),
        seed: number(opts.seed, '--seed', (x) => Number.isInteger(x) && x >= 0 && x < 2 ** 31, 'an integer in [0, 2^31)'),
        thermalAmplitudeAngstrom: opts.thermal !== undefined
          ? number(opts.thermal, '--thermal', (x) => x >= 0 && x <= MAX_THERMAL_AMPLITUDE_ANGSTROM, `a number of Å in [0, ${MAX_THERMAL_AMPLITUDE_ANGSTROM}]`)
          : undefined,
        minDistanceAngstrom: number(opts.minDistance, '--min-distance', (x) => x > 0, 'a positive number of Å'),
        lagsPs: opts.lags !== undefined ? numberList(opts.lags, '--lags') : undefined,
        source: names(opts.source),
        target: names(opts.target),
      });
      const files = await writeInterphase(opts.out, interphase, { siteTypeColumn: opts.siteType, gzip: opts.gzip });
      const t = interphase.truth;
      const out: string[] = [
        `synthetic interphase: ${interphase.species.length} atoms (${t.nLi} Li in ${t.nChannels} independent channels), ` +
          `${t.nFrames} frames every ${t.dtPs} ps, cell ${interphase.structure.box.map((x) => x.toFixed(2)).join(' x ')} Å, ` +
          `${t.settings.difficulty}, ${t.settings.layout}`,
        'type         population  escape rate (1/ps)  shell',
        ...t.types.map((x) => `${x.name.padEnd(12)} ${x.stationaryPopulation.toFixed(4).padStart(10)}  ${x.escapeRatePerPs.toFixed(4).padStart(18)}  `
          + `${Object.entries(x.shellSignature.composition).map(([k, v]) => `${k}${v}`).join('') || 'Li only'} (${x.shell})`),
        `pathways ${t.typeNames[t.reactiveFlux.source[0]]} -> ${t.typeNames[t.reactiveFlux.target[0]]}:`,
        ...t.reactiveFlux.pathways.map((p) => `  ${(100 * p.share).toFixed(1).padStart(5)} %  ${p.states.map((i) => t.typeNames[i]).join(' -> ')}`
          + `  (bottleneck ${p.bottleneck.map((i) => t.typeNames[i]).join(' -> ')})`),
        ...(t.indistinguishableGroups.length > 0
          ? [`indistinguishable types: ${t.indistinguishableGroups.map((g) => g.map((i) => t.typeNames[i]).join(' = ')).join('; ')}`]
          : []),
        `wrote ${files.trajectory}, ${files.truth}, ${files.states}`,
      ];
      process.stdout.write(`${out.join('\n')}\n`);
    });
}
