import { resolve } from 'node:path';
import { Option, type Command } from '@commander-js/extra-typings';
import { DEFAULT_TRANSPORT_CONFIG, runTransportStage } from '../../pipeline/stage-transport.ts';
import { loadConfigFile, mergeConfig, parseConfig, type ConfigInput } from '../../pipeline/config.ts';
import { MSD_METHODS, type TransportReport } from '../../transport/index.ts';
import { GetseiError } from '../../util/errors.ts';
import { nonNegativeInt, positiveInt, positiveNumber } from '../parse.ts';

const fmt = (x: number): string => Number(x.toPrecision(4)).toString();

function parseNormal(value: string): [number, number, number] {
  const v = value.split(',').map(Number);
  const len = Math.hypot(...v);
  if (v.length !== 3 || !v.every(Number.isFinite) || len === 0) throw new GetseiError(`--normal: give three numbers x,y,z (not all zero), got "${value}"`);
  return [v[0] / len, v[1] / len, v[2] / len];
}

function summary(r: TransportReport, run: string): string {
  const d = r.tracerDiffusion, c = r.chargeDiffusion;
  const last = r.msd.timePs.length - 1;
  const lines = [
    `${r.nLi} Li, ${r.nFrames} frames (${r.nTrajectories} trajectory/ies), ${r.dtPs} ps per frame`,
    `MSD(${fmt(r.msd.timePs[last])} ps) = ${fmt(r.msd.li[last])} Å²; fit ${r.fitWindow.startPs}–${fmt(r.fitWindow.endPs)} ps`,
    `tracer D* = ${fmt(d.value)} Å²/ps [${fmt(d.lower)}, ${fmt(d.upper)}] = ${fmt(d.cm2PerS.value)} cm²/s (95 %, bootstrap over Li)`,
    `charge D_σ = ${fmt(c.value)} Å²/ps [${fmt(c.lower)}, ${fmt(c.upper)}]; Haven ratio ${fmt(r.havenRatio.value)} [${fmt(r.havenRatio.lower)}, ${fmt(r.havenRatio.upper)}]`,
    r.conductivity === null
      ? 'conductivity: give --temperature K for the Nernst–Einstein conductivity'
      : `Nernst–Einstein σ = ${fmt(r.conductivity.value)} S/cm [${fmt(r.conductivity.lower)}, ${fmt(r.conductivity.upper)}] at ${r.temperatureK} K`,
  ];
  lines.push(...transportDetailLines(r));
  if (r.unwrapWarnings.largeSteps > 0) {
    lines.push(`warning: ${r.unwrapWarnings.largeSteps} Li steps exceed ${r.unwrap === 'none' ? 'half' : '0.4 of'} a perpendicular cell width (first at frame ${r.unwrapWarnings.firstFrame}); unwrapping may be wrong: use frames closer in time`);
  }
  const csvs = ['transport-msd.csv', ...(r.profile ? ['transport-profile.csv'] : []), ...(r.perState ? ['transport-states.csv'] : [])];
  lines.push(`→ ${run}/transport.json, ${csvs.map((c) => `${run}/${c}`).join(', ')}`);
  return `${lines.join('\n')}\n`;
}

/** Other elements, the D(z) profile and per-state transport in a few lines (also used by the `getsei run` summary). */
export function transportDetailLines(r: TransportReport): string[] {
  const lines: string[] = [];
  const band = (d: { value: number; lower: number; upper: number } | null): string => (d ? `${fmt(d.value)} [${fmt(d.lower)}, ${fmt(d.upper)}]` : 'n/a');
  for (const [el, e] of Object.entries(r.elements)) lines.push(`${el} (${e.nAtoms} atoms): D* = ${band(e.tracerDiffusion)} Å²/ps`);
  const p = r.profile;
  if (p) {
    lines.push(`D(z) over ${p.nBins} slabs of ${fmt(p.binAngstrom)} Å along ${p.axis} (lags ${fmt(p.fitWindow.startPs)}–${fmt(p.fitWindow.endPs)} ps): ${p.diffusion.map((d) => (d ? fmt(d.value) : 'n/a')).join(', ')} Å²/ps`);
  }
  const s = r.perState;
  if (s) {
    lines.push(`per state (D while resident, lags ${fmt(s.fitWindow.startPs)}–${fmt(s.fitWindow.endPs)} ps; mean residence): ${s.residence.perState.map((x, i) => `S${i} ${s.diffusion[i] ? fmt((s.diffusion[i] as { value: number }).value) : 'n/a'} Å²/ps, ${x.meanPs === null ? 'n/a' : fmt(x.meanPs)} ps`).join('; ')}`);
    const c = s.mobilityCheck;
    lines.push(c
      ? `per-state D vs kinetic mobility: Spearman ρ = ${fmt(c.rho)} over ${c.n} states${c.pValue === null ? '' : ` (one-sided permutation p = ${fmt(c.pValue)})`}`
      : 'per-state D vs kinetic mobility: not computed (needs kinetics.json on the states, not lumped, and D in ≥ 2 states)');
  }
  return lines;
}

export function registerTransport(program: Command): void {
  program
    .command('transport')
    .summary('Li MSD, tracer and charge diffusion, Haven ratio, Nernst–Einstein conductivity → RUN/transport.json')
    .description(
      'Unwrap the Li of the trajectory RUN was featurised from (minimum-image steps, never across independent\n' +
        'trajectories), accumulate the tracer and charge MSD over every time origin, fit D = slope/6 over the fit\n' +
        'window with a bootstrap interval (over Li for D*, over blocks of origins for D_σ). See docs/transport.md.',
    )
    .argument('<RUN>', 'a run folder written by `getsei featurize` or `getsei run`')
    .addOption(new Option('--temperature <K>', 'temperature for the conductivity (default: stored in the frames)').argParser(positiveNumber))
    .addOption(new Option('--max-lag <ps>', 'longest MSD lag (default: the whole trajectory; bounds memory)').argParser(positiveNumber))
    .addOption(new Option('--fit-start <ps>', 'fit window start (default 10 % of the longest lag)').argParser(positiveNumber))
    .addOption(new Option('--fit-end <ps>', 'fit window end (default 50 % of the longest lag)').argParser(positiveNumber))
    .addOption(new Option('--normal <x,y,z>', 'interface normal: adds the MSD and D along it').argParser(parseNormal))
    .addOption(new Option('--unwrap <mode>', `minimum-image (wrapped or unwrapped input) or none (input already unwrapped); default ${DEFAULT_TRANSPORT_CONFIG.unwrap}`).choices(['minimum-image', 'none'] as const))
    .addOption(new Option('--msd-method <method>', `fft (keeps every frame) or window (direct sum over --max-lag frames: memory flat in frames); default ${DEFAULT_TRANSPORT_CONFIG.msdMethod}`).choices(MSD_METHODS))
    .addOption(new Option('--bootstrap <n>', `bootstrap resamples (default ${DEFAULT_TRANSPORT_CONFIG.bootstrap})`).argParser(positiveInt))
    .addOption(new Option('--seed <n>', `bootstrap seed (default ${DEFAULT_TRANSPORT_CONFIG.seed})`).argParser(nonNegativeInt))
    .addOption(new Option('--elements <list>', 'other elements whose MSD and D* are reported, e.g. S,Cl').argParser((v) => v.split(',').map((x) => x.trim()).filter(Boolean)))
    .addOption(new Option('--state-max-lag <ps>', `longest lag of the per-state MSD (default ${DEFAULT_TRANSPORT_CONFIG.stateMaxLagPs} ps)`).argParser(positiveNumber))
    .addOption(new Option('--profile-max-lag <ps>', `longest lag of the per-slab MSD of D(z) (default ${DEFAULT_TRANSPORT_CONFIG.profileMaxLagPs} ps)`).argParser(positiveNumber))
    .addOption(new Option('--profile-bins <n>', `slabs of the D(z) profile, 0 for none (default ${DEFAULT_TRANSPORT_CONFIG.profileBins})`).argParser(nonNegativeInt))
    .option('-c, --config <file>', 'TOML configuration: its [transport] section (getsei config --defaults); flags override it')
    .action(async (runArg, opts) => {
      const run = resolve(runArg);
      const fileConfig: ConfigInput = opts.config ? await loadConfigFile(resolve(opts.config)) : {};
      const config = parseConfig(mergeConfig(fileConfig, {
        transport: {
          maxLagPs: opts.maxLag, fitStartPs: opts.fitStart, fitEndPs: opts.fitEnd, temperatureK: opts.temperature,
          normal: opts.normal, unwrap: opts.unwrap, msdMethod: opts.msdMethod, bootstrap: opts.bootstrap, seed: opts.seed,
          elements: opts.elements, stateMaxLagPs: opts.stateMaxLag, profileMaxLagPs: opts.profileMaxLag, profileBins: opts.profileBins,
        },
      }), opts.config ?? 'the command line');
      const report = await runTransportStage(run, config.transport);
      process.stdout.write(summary(report, runArg));
    });
}
