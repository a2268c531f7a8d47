import { resolve } from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import { defaultConfigToml, loadConfigFile, parseConfig } from '../../pipeline/config.ts';
import { GetseiError } from '../../util/errors.ts';

export function registerConfig(program: Command): void {
  program
    .command('config')
    .summary('print the default configuration, or check a config file')
    .description('Print the default configuration as commented TOML, or check a config file.')
    .option('--defaults', 'print every key with its default and meaning (redirect to getsei.toml to start a config)')
    .option('--check <file>', 'validate a TOML config file and print the resolved configuration as JSON')
    .action(async (opts) => {
      if (opts.check !== undefined) {
        const path = resolve(opts.check);
        const resolved = parseConfig(await loadConfigFile(path), path);
        process.stdout.write(`${JSON.stringify(resolved, null, 2)}\n`);
        return;
      }
      if (opts.defaults) {
        process.stdout.write(defaultConfigToml());
        return;
      }
      throw new GetseiError('say what to print: `getsei config --defaults` or `getsei config --check getsei.toml`');
    });
}
