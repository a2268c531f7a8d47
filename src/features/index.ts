export {
  type FeatureOptions, type FeatureLayout, type FrameFeatures, type LiNeighborhoods,
  DEFAULT_FEATURE_OPTIONS, featureLayout, atomFeatures, frameFeatures,
} from './atom-features.ts';
export { type Standardization, StandardizationAccumulator, standardizeInPlace } from './standardize.ts';
