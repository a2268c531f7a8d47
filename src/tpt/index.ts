export {
  type TptInput, type ReactiveFlux, reactiveFlux, committor, checkTransitionMatrix, resolveSets,
} from './flux.ts';
export {
  type Pathway, type PathwayDecomposition, type PathwayOptions, type PathwayDiversity, dominantPathways,
  pathwayDiversity,
} from './pathways.ts';
export { type CoarseFlux, coarseGrainFlux } from './coarse.ts';
export {
  type KineticsOptions, type KineticsReport, type PathsOptions, type PathsReport, type PathwayJson, type BootstrapJson,
  type BootstrapSettings, type TptBootstrapJson, type SummaryJson, type VectorSummaryJson, type MatrixSummaryJson,
  runKinetics, runKineticsWithModel, runPaths, runPathsWithFlux, bootstrapAnalysis, defaultSourceTarget, matrixCsv,
  vectorsCsv, kineticsTables, pathsTables,
} from './reports.ts';
