import { readFileSync } from 'node:fs';
import { Command } from '@commander-js/extra-typings';

/** The package version, read from package.json (one directory above src/ and dist/). */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export function createProgram(): Command {
  return new Command('getsei')
    .description(
      'GET-SEI: Li-centred graphs, graph contrastive learning, Gaussian-mixture states, EDMD/Koopman kinetics and\n' +
        'transition path theory for Li transport in MD trajectories of solid-electrolyte interphases.',
    )
    .version(packageVersion())
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ showGlobalOptions: true });
}
