// Public surface of the time-lagged projection: streaming lagged covariances of per-Li embedding time series,
// TICA / VAMP projections (kinetic map), and VAMP-2 / VAMP-E scores of state assignments. See docs/states.md.
export {
  createAccumulator, addPair, addTrajectory, mergeAccumulators, laggedCovariances,
  type FeatureRows, type LaggedCovarianceAccumulator, type LaggedCovariances,
} from './covariance.ts';
export {
  estimateProjection, project, impliedTimescales,
  type ProjectionMethod, type ProjectionModel, type ProjectionOptions,
} from './estimate.ts';
export {
  vampScore, vampScoreCv, vampScoreOfCounts,
  type StateTrajectories, type VampScores, type VampScoreCv, type VampScoreOptions,
} from './vamp-score.ts';
export { spectralGap, type SpectralGap } from './spectral-gap.ts';
