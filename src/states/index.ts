// Public surface of the states stage: Gaussian-mixture states of the embeddings, the choice of their number,
// separation (silhouette) and agreement diagnostics, the 2-D map, and per-state descriptors. See docs/states.md.
export {
  fitGaussianMixture, predict, predictProba, scoreSamples, streamSquaredMahalanobis, parameterCount,
  type GaussianMixtureModel, type GaussianMixtureOptions, type CovarianceType, type MixtureInit, type RestartSummary,
} from './gmm.ts';
export {
  kMeans, kMeansPlusPlus,
  type KMeansOptions, type KMeansResult, type KMeansPlusPlusOptions, type KMeansPlusPlusResult,
} from './kmeans.ts';
export { silhouette, silhouetteSamples, silhouetteScore, type SilhouetteOptions, type SilhouetteResult } from './silhouette.ts';
export { selectStateCount, type StateCountOptions, type StateCountRow, type StateCountSelection } from './select.ts';
export {
  adjustedRandIndex, contingencyTable, hungarianMatch, matchStates, kendallTau,
  type Assignment, type ContingencyTable, type Labels, type StateMatch,
} from './agreement.ts';
export { compareLabelings, type RepeatComparison } from './stability.ts';
export { tsne, tsneWithDiagnostics, type TsneOptions, type TsneResult } from './tsne.ts';
export { umap, embeddingMap, type UmapOptions, type EmbeddingMap, type EmbeddingMapOptions } from './map.ts';
export {
  describeStates, numberDensity, representatives,
  type ColumnSummary, type StateDescriptor, type RepresentativeOptions,
} from './descriptors.ts';
export type { Rows } from './validate.ts';
