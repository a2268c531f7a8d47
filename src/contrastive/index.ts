export type { GraphSource } from './source.ts';
export {
  type EncoderConfig, DEFAULT_ENCODER_CONFIG, resolveEncoderConfig, modelLayout, type ModelLayout, type ParamSpec,
} from './config.ts';
export { type Encoder, createEncoder } from './encoder.ts';
export {
  trainEncoder, type TrainOptions, type TrainProgress, type TrainSettings, type TrainedEncoder,
} from './train.ts';
export { embed, type EmbedOptions } from './embed.ts';
export type { AugmentOptions } from './views.ts';
