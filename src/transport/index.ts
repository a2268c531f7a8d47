/**
 * Li transport as battery-MD papers report it: unwrapped trajectories, tracer and charge MSD over all time origins,
 * D* and D_σ with intervals, Haven ratio and Nernst–Einstein conductivity. Pure numerics; I/O is in the callers.
 */
export { Unwrapper, AMBIGUOUS_STEP_FRACTION, type UnwrapMode, type UnwrapWarnings } from './unwrap.ts';
export { MsdAccumulator, type MsdOptions, type MsdResult } from './msd.ts';
export { FftMsdCollector } from './fft-msd.ts';
export {
  CM2_PER_S_PER_A2_PER_PS, defaultFitWindow, olsSlope, fitTracerDiffusion, fitChargeDiffusion, fitComponentDiffusion,
  nernstEinsteinSPerCm, type Estimate, type DiffusionEstimate, type FitWindow, type FitOptions,
} from './diffusion.ts';
export {
  analyseTransport, msdCsv, profileCsv, perStateCsv, MSD_METHODS, type MsdMethod, type TransportOptions, type TransportReport, type TransportFrame,
  type ElementTransport, type TransportProfile, type PerStateTransport,
} from './analyse.ts';
export { LocalMsdAccumulator, fitLocalDiffusion, type LabelMode, type LocalMsdResult } from './local-msd.ts';
export { profileAxis, slabLabels } from './profile.ts';
export { residenceTimes, spearman, spearmanTest, averageRanks, type ResidenceReport, type StateResidence, type RankCorrelation } from './residence.ts';
export { arrheniusFit, BOLTZMANN_EV_PER_K, type ArrheniusFit, type ArrheniusPoint } from './arrhenius.ts';
