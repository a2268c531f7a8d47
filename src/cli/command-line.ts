/**
 * The command line that started this getsei command, as a user would retype it in a POSIX shell (arguments with
 * spaces or shell characters single-quoted). The run folder records it for each stage it ran, and the report shows it
 * under provenance, so a figure can be traced to the command that made it. `runCli` sets it for the command it runs
 * (the tests run several in one process).
 */
let current: string | undefined;

export function setCommandLine(args: readonly string[]): void {
  current = commandLine(args);
}

/** The command being run (undefined outside `runCli`, e.g. in library use). */
export function invokedAs(): string | undefined {
  return current;
}

/** `getsei ARGS…` quoted for a POSIX shell. */
export function commandLine(args: readonly string[]): string {
  return ['getsei', ...args].map(shellQuote).join(' ');
}

function shellQuote(arg: string): string {
  if (arg !== '' && /^[\w@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}
