import { Command } from '@commander-js/extra-typings';
import { packageVersion } from '../util/version.ts';

export function createProgram(): Command {
  return new Command('getsei')
    .description(
      'GET-SEI: Li-centred graphs, graph contrastive learning, Gaussian-mixture states, EDMD/Koopman kinetics and ' +
        'transition path theory for Li transport in MD trajectories of solid-electrolyte interphases. ' +
        'Start with `getsei demo`, or `getsei inspect` then `getsei run` on your trajectory.',
    )
    .version(packageVersion())
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ showGlobalOptions: true });
}
