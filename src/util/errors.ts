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

/**
 * A file-system error met while writing getsei's output, as one line that names the path and says what to do
 * (read-only or unwritable folder, full disk or quota); undefined for any other error. The caller has already
 * removed its temporary file, so nothing half-written is left, and a rerun of the same command resumes.
 */
export function outputWriteError(err: unknown, path: string): GetseiError | undefined {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM') {
    const why = code === 'EROFS' ? 'the file system is read-only' : 'permission denied';
    return new GetseiError(`cannot write ${path}: ${why} (${code}); choose an output folder you can write to (-o/--out), or make this one writable`, { cause: err });
  }
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    const why = code === 'ENOSPC' ? 'no space left on the device' : 'disk quota exceeded';
    return new GetseiError(
      `cannot write ${path}: ${why} (${code}); free some space or choose an output folder on another disk (-o/--out), then run the same command again (finished stages are kept)`,
      { cause: err },
    );
  }
  return undefined;
}
