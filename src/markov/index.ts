export {
  type StateArray, type StateMatrix, type DiscreteTrajectories, type UndefinedPolicy, type StateHistogram, MAX_STATES,
  trajectoryRows, segmentBounds,
} from './dtrajs.ts';
export {
  type CountOptions, type TransitionCounts, type PreparedTrajectories, type UnitCounts, prepareTrajectories,
  countTransitions, countTransitionsAtLags, countTransitionsByUnit, isPrepared,
} from './counting.ts';
export { stronglyConnectedSets, largestConnectedSet, isStronglyConnected, submatrix } from './connectivity.ts';
export {
  type Estimator, type EstimatorDiagnostics, type TransitionEstimate, type ReversibleOptions, edmdTransitionMatrix,
  reversibleTransitionMatrix, stationaryError, detailedBalanceError,
} from './estimators.ts';
export {
  type RateMatrixMethod, type RateMatrixDiagnostics, type RateMatrixResult, type RateMatrixOptions,
  type LogarithmFallback, type MobilityNormalisation, RATE_MATRIX_METHODS, LOGARITHM_FALLBACKS, MOBILITY_NORMALISATIONS, rateMatrixFromTransitionMatrix, toGenerator, escapeRateMatrix,
  totalEscapeRates, mobilityScores, mobilityRanking,
} from './rates.ts';
export {
  type MarkovModel, type MarkovModelOptions, type EstimationOptions, type TimeUnit, ESTIMATORS, fitMarkovModel,
  estimateMarkovModel, estimateMarkovModelOnSet, estimateTransitionMatrix, impliedTimescalesFromEigenvalues,
  checkEstimator, checkDtPs, checkLagFits,
} from './model.ts';
export {
  type ImpliedTimescalesScan, type TimescalesOptions, type ChapmanKolmogorovTest, impliedTimescalesScan,
  defaultLagGrid, chapmanKolmogorovTest, resolvedProcesses, NO_RESOLVED_PROCESS_WARNING,
} from './timescales.ts';
export {
  type MilestonedTrajectories, milestoneTrajectories, posteriorCoreMask, dwellCoreMask,
} from './milestoning.ts';
export { type PccaResult, pccaPlus } from './pcca.ts';
export { type CkVerdict, type ChapmanKolmogorovVerdicts, chapmanKolmogorovVerdicts } from './ck-verdict.ts';
export {
  type BootstrapOptions, type BootstrapRun, type Summary, bootstrapModels, summarise, SampleCollector,
} from './bootstrap.ts';
