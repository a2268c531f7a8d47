export {
  generateInterphase, repeatsForAtoms, atomsPerUnit, DEFAULTS, MAX_THERMAL_AMPLITUDE_ANGSTROM,
  type SynthOptions, type Interphase, type InterphaseTruth, type TypeTruth, type LagTruth,
} from './generate.ts';
export { writeInterphase, truthToJson, stringifyCompact, type WriteOptions, type WrittenFiles } from './write.ts';
export { formatExtxyzFrame, writeExtxyz } from './extxyz.ts';
export type { SynthFrame } from './frames.ts';
export {
  presetModel, resolveModel, parseModelJson, parseEnergyList, parseBarrierList, withOverrides, BUILTIN_SHELLS, DIFFICULTIES,
  type Difficulty, type KineticModelSpec, type ResolvedModel, type ShellTemplate, type ShellAnion, type SiteTypeSpec, type BarrierSpec,
} from './model.ts';
export { siteKinetics, lumpToTypes, simulateChannels, BOLTZMANN_EV_PER_K, type SiteKinetics, type TypeKinetics } from './kinetics.ts';
export {
  buildStructure, verifyStructure, layerGap, unitPositions, LI_LAYOUTS,
  type InterphaseStructure, type ShellSignature, type GeometryOptions, type LiLayout,
} from './lattice.ts';
export {
  generatorSpectrum, transitionMatrixAt, impliedTimescalesPs, reactiveFlux, dominantPathways,
  type GeneratorSpectrum, type ReactiveFlux, type Pathway,
} from './truth.ts';
