import type { ReadOptions } from '../io/index.ts';
import { featurizeTrajectory, type FeaturizeSummary } from './featurize.ts';
import { describeInput, hashJson, type InputFile } from './manifest.ts';
import { runStage } from './stage.ts';
import { countSelectedFrames, SHARD_FILE, shardRange, type ShardRecord, type ShardSpec } from './shard.ts';
import { writeJsonAtomic } from '../util/atomic.ts';
import { join } from 'node:path';
import { GetseiError } from '../util/errors.ts';

export interface FeaturizeConfig {
  /** coordination shell of the per-atom features (Å) */
  shellAngstrom: number;
  /** graph nodes: atoms within this distance of the centre Li (Å) */
  graphRadiusAngstrom: number;
}

export const DEFAULT_FEATURIZE_CONFIG: FeaturizeConfig = { shellAngstrom: 4.0, graphRadiusAngstrom: 4.0 };

/** The featurize stage's up-to-date keys: the input files' content and the reading options, and its config. */
export function featurizeKeys(inputs: readonly InputFile[], read: ReadOptions, config: FeaturizeConfig, shard?: ShardSpec): { inputHash: string; config: unknown } {
  return { inputHash: hashJson({ inputs: inputs.map((i) => i.sha256), read }), config: { ...config, read, shard } };
}

/** The featurize stage: hash the inputs, featurise every frame into RUN/frames, record it in the manifest. */
export async function runFeaturizeStage(
  run: string,
  files: readonly string[],
  read: ReadOptions,
  config: FeaturizeConfig,
  options: { threads?: number; onFrame?: (done: number) => void; shard?: ShardSpec } = {},
  described?: InputFile[],
): Promise<FeaturizeSummary> {
  const inputs = described ?? (await Promise.all(files.map(describeInput)));
  const { shard, ...rest } = options;
  return runStage(run, 'featurize', featurizeKeys(inputs, read, config, shard), async (manifest) => {
    let frameRange: { start: number; end: number } | undefined;
    let record: ShardRecord | undefined;
    if (shard !== undefined) {
      const total = await countSelectedFrames(files, read);
      frameRange = shardRange(shard, total);
      if (frameRange.end <= frameRange.start) {
        throw new GetseiError(`shard ${shard.index}/${shard.count} holds no frame: the selection has only ${total} frames; use at most ${total} shards`);
      }
      record = { format: 'getsei-shard/1', shard: shard.index, of: shard.count, firstFrame: frameRange.start, nFrames: frameRange.end - frameRange.start, totalFrames: total };
    }
    const summary = await featurizeTrajectory(files, run, { read, ...config, ...rest, frameRange });
    if (record !== undefined) await writeJsonAtomic(join(run, SHARD_FILE), record);
    manifest.inputs = inputs;
    manifest.dtPs = summary.dtPs ?? null;
    manifest.nFrames = summary.index.nFrames;
    manifest.nLi = summary.index.li.length;
    return summary;
  });
}
