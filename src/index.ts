/**
 * getsei as a library: `import { readTrajectory, fitMarkovModel, reactiveFlux } from 'getsei'` (docs/api.md).
 * One re-export per stage folder's public surface (its index.ts), plus the pipeline's entry points; nothing here
 * is new code.
 */
export * from './io/index.ts';
export * from './structure/index.ts';
export * from './neighbors/index.ts';
export * from './graphs/index.ts';
export * from './features/index.ts';
export * from './contrastive/index.ts';
export * from './states/index.ts';
export * from './markov/index.ts';
export * from './tpt/index.ts';
export * from './transport/index.ts';
/** The synthetic-interphase generator, as a namespace: its planted-truth TPT names would shadow the estimators'. */
export * as synth from './synth/index.ts';
export * from './util/index.ts';
export { runPipeline, STAGES, type RunRequest, type RunResult, type RunReporter, type StageName } from './pipeline/run.ts';
export { parseConfig, loadConfigFile, mergeConfig, defaultConfigToml, type Config, type ConfigInput } from './pipeline/config.ts';
export {
  DEFAULT_LAG, parseLagSetting, lagSettingFrames, autoLagGrid, chooseLag, resolveLag, type LagSetting, type LagChoice,
} from './pipeline/lag.ts';
export { runSharedComparison, type SharedModelRequest, type SharedModelResult, type SharedRun } from './pipeline/shared-model.ts';
