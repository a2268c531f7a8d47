export type { GraphSource } from './source.ts';
export {
  type EncoderConfig, DEFAULT_ENCODER_CONFIG, resolveEncoderConfig, modelLayout, type ModelLayout, type ParamSpec,
} from './config.ts';
export { type Encoder, createEncoder } from './encoder.ts';
export {
  trainEncoder, type TrainOptions, type TrainProgress, type TrainSettings, type TrainedEncoder,
} from './train.ts';
export { createEmbeddingPool, embed, type EmbedOptions } from './embed.ts';
export type { AugmentOptions } from './views.ts';
export {
  saveEncoder, loadEncoder, type EncoderExtras, type LoadedEncoder, encodeSafetensors, decodeSafetensors,
  type NamedTensor, WEIGHTS_FILE, CONFIG_FILE,
} from './io.ts';
