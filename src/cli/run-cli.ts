import { GetseiError } from '../util/errors.ts';
import { setCommandLine } from './command-line.ts';
import { createProgram } from './program.ts';
import { commands } from './commands/index.ts';

/**
 * Parse argv and run the command. User errors (GetseiError) print one clear message and set the exit code;
 * anything else is a bug in getsei and keeps its stack trace.
 */
export async function runCli(argv: readonly string[]): Promise<number> {
  const program = createProgram();
  for (const register of commands) register(program);
  program.exitOverride();
  setCommandLine(argv.slice(2));
  try {
    await program.parseAsync(argv as string[]);
    return 0;
  } catch (err) {
    if (err instanceof GetseiError) {
      process.stderr.write(err.name === 'CancelledError' ? `getsei: ${err.message}\n` : `getsei: error: ${err.message}\n`);
      return err.exitCode;
    }
    const code = (err as { code?: string; exitCode?: number }).code;
    if (typeof code === 'string' && code.startsWith('commander.')) {
      return (err as { exitCode?: number }).exitCode ?? 1;
    }
    throw err;
  }
}
