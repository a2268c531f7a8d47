import { createRng } from '../util/index.ts';
import { type EncoderConfig, resolveEncoderConfig } from './config.ts';
import { layoutOf } from './engine.ts';
import { initParams } from './model.ts';

/** An encoder: its architecture and its flat float32 parameter vector (layout: `modelLayout(config).params`). */
export interface Encoder {
  readonly config: EncoderConfig;
  /** treat as read-only: results share it */
  readonly params: Float32Array;
}

/** A freshly initialised (untrained) encoder: Glorot-uniform weights from `seed`, zero biases. */
export function createEncoder(config: Partial<EncoderConfig> & { nFeatures: number }, seed = 0): Encoder {
  const c = resolveEncoderConfig(config);
  return Object.freeze({ config: c, params: initParams(layoutOf(c), createRng(seed)) });
}
