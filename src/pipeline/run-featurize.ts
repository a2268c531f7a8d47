import type { ReadOptions } from '../io/index.ts';
import { featurizeTrajectory, type FeaturizeSummary } from './featurize.ts';
import { describeInput, hashJson, type InputFile } from './manifest.ts';
import { runStage } from './stage.ts';

export interface FeaturizeConfig {
  /** coordination shell of the per-atom features (Å) */
  shellAngstrom: number;
  /** graph nodes: atoms within this distance of the centre Li (Å) */
  graphRadiusAngstrom: number;
}

export const DEFAULT_FEATURIZE_CONFIG: FeaturizeConfig = { shellAngstrom: 4.0, graphRadiusAngstrom: 4.0 };

/** The featurize stage's up-to-date keys: the input files' content and the reading options, and its config. */
export function featurizeKeys(inputs: readonly InputFile[], read: ReadOptions, config: FeaturizeConfig): { inputHash: string; config: unknown } {
  return { inputHash: hashJson({ inputs: inputs.map((i) => i.sha256), read }), config: { ...config, read } };
}

/** The featurize stage: hash the inputs, featurise every frame into RUN/frames, record it in the manifest. */
export async function runFeaturizeStage(
  run: string,
  files: readonly string[],
  read: ReadOptions,
  config: FeaturizeConfig,
  options: { threads?: number; onFrame?: (done: number) => void } = {},
  described?: InputFile[],
): Promise<FeaturizeSummary> {
  const inputs = described ?? (await Promise.all(files.map(describeInput)));
  return runStage(run, 'featurize', featurizeKeys(inputs, read, config), async (manifest) => {
    const summary = await featurizeTrajectory(files, run, { read, ...config, ...options });
    manifest.inputs = inputs;
    manifest.dtPs = summary.dtPs ?? null;
    manifest.nFrames = summary.index.nFrames;
    manifest.nLi = summary.index.li.length;
    return summary;
  });
}
