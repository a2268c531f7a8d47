/**
 * An error meant for the user: the CLI prints its message (no stack trace) and exits with `exitCode`.
 * The message names the file, frame and line when known, and says what to do.
 */
export class GetseiError extends Error {
  readonly exitCode: number;
  constructor(message: string, options: { exitCode?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GetseiError';
    this.exitCode = options.exitCode ?? 2;
  }
}

/** Where in an input something went wrong, for error messages: "file.xyz, frame 12, line 3401". */
export interface InputLocation {
  file: string;
  frame?: number;
  line?: number;
}

export function describeLocation(loc: InputLocation): string {
  let s = loc.file;
  if (loc.frame !== undefined) s += `, frame ${loc.frame}`;
  if (loc.line !== undefined) s += `, line ${loc.line}`;
  return s;
}

/** A parse error in an input file: "<file>, frame F, line L: <what>. <hint>" */
export class InputError extends GetseiError {
  readonly location: InputLocation;
  constructor(location: InputLocation, what: string, hint?: string) {
    super(`${describeLocation(location)}: ${what}${hint ? `. ${hint}` : ''}`);
    this.name = 'InputError';
    this.location = location;
  }
}
