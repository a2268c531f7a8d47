export type { Vec } from './types.ts';
export { matmulABt, matmulAB, matmulAtB, transpose } from './matmul.ts';
export {
  addBias, addBiasBackward, addBiasElu, elu, eluBackward, leakyRelu, leakyReluBackward, headMean, headMeanBackward,
} from './elementwise.ts';
export {
  attentionScores, attentionScoresBackward, edgeScores, edgeScoresBackward, segmentSoftmax, segmentSoftmaxBackward,
  aggregate, aggregateBackward,
} from './attention.ts';
export { meanReadout, meanReadoutBackward, gatherRows, gatherRowsBackward } from './readout.ts';
export { l2Normalize, l2NormalizeBackward, ntXent, NORM_EPS } from './loss.ts';
