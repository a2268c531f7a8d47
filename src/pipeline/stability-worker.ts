// Worker entry of the stability stage: trains one repeat's encoder from the stored frames (see stability.ts).
import { join } from 'node:path';
import type { EncoderConfig } from '../contrastive/index.ts';
import type { Standardization } from '../features/standardize.ts';
import { asWorkerTask } from '../util/workers.ts';
import type { Config } from './config.ts';
import { FrameStoreReader } from './frame-store.ts';
import { trainRunEncoder } from './stage-encoder.ts';

export interface RepeatTrainingTask {
  readonly run: string;
  /** the repeat's config (its seed) */
  readonly config: Config;
  /** threads this repeat trains with (1: on the worker itself) */
  readonly threads: number;
}

export interface RepeatTrainingResult {
  readonly config: EncoderConfig;
  readonly params: Float32Array;
  readonly standardization: Standardization;
}

export default asWorkerTask(async (t: RepeatTrainingTask): Promise<RepeatTrainingResult> => {
  const store = await FrameStoreReader.open(join(t.run, 'frames'));
  const { encoder, standardization } = await trainRunEncoder(store, t.config, t.threads);
  return { config: encoder.config, params: encoder.params, standardization };
});
