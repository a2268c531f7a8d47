import type { Command } from '@commander-js/extra-typings';
import { registerCompare } from './compare.ts';
import { registerConfig } from './config.ts';
import { registerInspect } from './inspect.ts';
import { registerFeaturize } from './featurize.ts';
import { registerRun } from './run.ts';
import { registerStates } from './states.ts';
import { registerStability } from './stability.ts';
import { registerDemo } from './demo.ts';
import { registerKinetics } from './kinetics.ts';
import { registerPaths } from './paths.ts';
import { registerReport } from './report.ts';
import { registerSynth } from './synth.ts';
import { registerTransport } from './transport.ts';
import { registerMerge } from './merge.ts';

/** Every subcommand registers itself on the program; add new ones to this list. */
export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [registerDemo, registerRun, registerStates, registerStability, registerInspect, registerFeaturize, registerConfig, registerReport, registerCompare, registerKinetics, registerPaths, registerSynth, registerTransport, registerMerge];
