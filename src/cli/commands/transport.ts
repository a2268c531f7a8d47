import { resolve } from 'node:path';
import { Option, type Command } from '@commander-js/extra-typings';
import { DEFAULT_TRANSPORT_CONFIG, runTransportStage } from '../../pipeline/stage-transport.ts';
import type { TransportReport } from '../../transport/index.ts';
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
  if (r.unwrapWarnings.largeSteps > 0) {
    lines.push(`warning: ${r.unwrapWarnings.largeSteps} Li steps exceed ${r.unwrap === 'none' ? 'half' : '0.4 of'} a perpendicular cell width (first at frame ${r.unwrapWarnings.firstFrame}); unwrapping may be wrong: use frames closer in time`);
  }
  lines.push(`→ ${run}/transport.json, ${run}/transport-msd.csv`);
  return `${lines.join('\n')}\n`;
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
    .addOption(new Option('--unwrap <mode>', 'minimum-image (wrapped or unwrapped input) or none (input already unwrapped)').choices(['minimum-image', 'none'] as const).default('minimum-image' as const))
    .addOption(new Option('--bootstrap <n>', 'bootstrap resamples').default(DEFAULT_TRANSPORT_CONFIG.nBootstrap).argParser(positiveInt))
    .addOption(new Option('--seed <n>', 'bootstrap seed').default(DEFAULT_TRANSPORT_CONFIG.seed).argParser(nonNegativeInt))
    .action(async (runArg, opts) => {
      const run = resolve(runArg);
      const report = await runTransportStage(run, {
        maxLagPs: opts.maxLag, fitStartPs: opts.fitStart, fitEndPs: opts.fitEnd, temperatureK: opts.temperature,
        normal: opts.normal, unwrap: opts.unwrap, nBootstrap: opts.bootstrap, seed: opts.seed,
      });
      process.stdout.write(summary(report, runArg));
    });
}
