import { resolve } from 'node:path';
import { Option, type Command } from '@commander-js/extra-typings';
import { runFeaturizeStage, DEFAULT_FEATURIZE_CONFIG } from '../../pipeline/run-featurize.ts';
import { FrameStoreReader } from '../../pipeline/frame-store.ts';
import { featuresCsv } from '../../pipeline/features-table.ts';
import { GetseiError } from '../../util/errors.ts';
import { createProgress } from '../progress.ts';
import { addTrajectoryOptions, trajectoryOptionsFrom } from '../trajectory-options.ts';
import { positiveNumber, positiveInt } from '../parse.ts';
import { parseShard } from '../../pipeline/shard.ts';

export function registerFeaturize(program: Command): void {
  const cmd = program
    .command('featurize')
    .summary('per-atom features and Li neighbourhoods of every frame → RUN/frames/')
    .description(
      'Read the trajectory once and write every frame\'s per-atom features and Li neighbourhoods to RUN/frames/ ' +
        '(the first stage of `getsei run`; every later stage reads RUN, never the trajectory).',
    )
    .argument('<files...>', 'trajectory file(s): XDATCAR, extended XYZ, LAMMPS dump (.gz read transparently)')
    .requiredOption('-o, --out <RUN>', 'run folder to write (created if missing)')
    .addOption(new Option('--shell <angstrom>', 'coordination shell radius for counts, mean distance and angles (Å)').default(DEFAULT_FEATURIZE_CONFIG.shellAngstrom).argParser(positiveNumber))
    .addOption(new Option('--graph-radius <angstrom>', 'atoms within this distance of a Li are nodes of its graph (Å)').default(DEFAULT_FEATURIZE_CONFIG.graphRadiusAngstrom).argParser(positiveNumber))
    .addOption(new Option('--threads <n>', 'worker threads (default: all cores)').argParser(positiveInt))
    .addOption(new Option('--shard <i/N>', 'only shard i (0-based) of N contiguous frame blocks (docs/cluster.md)').argParser(parseShard));
  addTrajectoryOptions(cmd).action(async (files, opts) => {
    const read = trajectoryOptionsFrom(opts);
    const run = resolve(opts.out);
    const progress = createProgress('featurize', undefined);
    const summary = await runFeaturizeStage(run, files, read, { shellAngstrom: opts.shell, graphRadiusAngstrom: opts.graphRadius }, {
      threads: opts.threads, onFrame: (d) => progress.update(d), shard: opts.shard,
    });
    progress.stop();
    const { index } = summary;
    process.stdout.write(
      `featurised ${index.nFrames} frames × ${index.nAtoms} atoms (${index.li.length} Li) in ${summary.segments} segment(s)` +
        `${summary.dtPs === undefined ? ', time per frame unknown (give --dt for kinetics)' : `, ${summary.dtPs} ps per frame`}\n` +
        `→ ${run}/frames (features: ${index.featureNames.join(', ')})\n`,
    );
  });

  program
    .command('features')
    .summary('one stored frame\'s per-atom table as CSV')
    .description('Print one stored frame\'s per-atom table as CSV: what the encoder will see for every atom.')
    .argument('<RUN>', 'a run folder written by `getsei featurize` or `getsei run`')
    .addOption(new Option('--frame <n>', 'frame number (0-based, after selection)').default(0).argParser((v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) throw new GetseiError(`--frame must be a non-negative integer, got "${v}"`);
      return n;
    }))
    .action(async (runArg, opts) => {
      const store = await openStore(runArg);
      if (opts.frame >= store.index.nFrames) {
        throw new GetseiError(`--frame ${opts.frame} is out of range: ${runArg} holds frames 0..${store.index.nFrames - 1}`);
      }
      process.stdout.write(featuresCsv(store.index, await store.frame(opts.frame)));
    });
}

async function openStore(run: string): Promise<FrameStoreReader> {
  try {
    return await FrameStoreReader.open(resolve(run, 'frames'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new GetseiError(`${run} has no featurised frames (${run}/frames/index.json is missing); run \`getsei featurize FILES -o ${run}\` first`);
    }
    throw err;
  }
}
