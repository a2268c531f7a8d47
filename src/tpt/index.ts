export {
  type TptInput, type ReactiveFlux, reactiveFlux, committor, checkTransitionMatrix, resolveSets,
} from './flux.ts';
export {
  type Pathway, type PathwayDecomposition, type PathwayOptions, type PathwayDiversity, dominantPathways,
  pathwayDiversity,
} from './pathways.ts';
export { type CoarseFlux, coarseGrainFlux } from './coarse.ts';
