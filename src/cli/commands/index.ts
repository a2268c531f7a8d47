import type { Command } from '@commander-js/extra-typings';
import { registerConfig } from './config.ts';
import { registerInspect } from './inspect.ts';
import { registerFeaturize } from './featurize.ts';

/** Every subcommand registers itself on the program; add new ones to this list. */
export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [registerInspect, registerFeaturize, registerConfig];
