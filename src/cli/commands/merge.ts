import { invokedAs } from '../command-line.ts';
import { resolve } from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import { mergeShards } from '../../pipeline/merge.ts';
import { terminalReporter } from '../run-reporter.ts';
import { runSummaryText } from '../summary.ts';
import { addRunSettings, runConfigFrom } from './run.ts';

/** `getsei merge SHARD… -o RUN`: join the shards of a sharded run (docs/cluster.md). */
export function registerMerge(program: Command): void {
  const cmd = program
    .command('merge')
    .summary('join the shards of `getsei run --shard i/N` into one run (train, or states → kinetics → paths → report)')
    .description(
      'Join shard folders made by `getsei run FILES -o SHARD --shard i/N` into RUN (frames are referenced, not copied). ' +
        'Shards only featurised: train the encoder on frames drawn across all shards into RUN/encoder, then embed each shard ' +
        'with `--encoder RUN/encoder` and merge again. Shards embedded: join the embeddings and run states → kinetics → paths → ' +
        'report on RUN; the result is the unsharded run\'s. Takes the same settings as `getsei run`.',
    )
    .argument('<shards...>', 'the shard folders, every shard 0..N−1 of one split')
    .requiredOption('-o, --out <RUN>', 'merged run folder (created if missing)');
  addRunSettings(cmd).action(async (shards, opts) => {
    const config = await runConfigFrom(opts);
    const run = resolve(opts.out);
    const r = await mergeShards({ shards, run, config, modelPath: opts.model ? resolve(opts.model) : undefined, reporter: terminalReporter(), command: invokedAs() });
    if (r.outcome === 'trained') {
      process.stdout.write(
        `${r.shards} shards (${r.nFrames} frames) joined in ${run}; encoder trained → ${run}/encoder\n` +
          `next: embed each shard (getsei run FILES -o SHARD --shard i/N --encoder ${run}/encoder), then merge again\n`,
      );
      return;
    }
    process.stdout.write(runSummaryText(run, r.pipeline as NonNullable<typeof r.pipeline>));
    process.stdout.write(`merged ${r.shards} shards: transition counts at lag ${r.merge?.lagFrames} add up over the shards (RUN/merge.json)\n`);
  });
}
