import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { pipeline } from 'node:stream';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { InputError } from '../util/errors.ts';

/** Bytes read per chunk; a chunk holds some ten thousand lines, so per-chunk overhead is negligible. */
const CHUNK_BYTES = 1 << 20;
const NEWLINE = 10;
const CR = 13;
const EMPTY = Buffer.alloc(0);

/** True when the file starts with the gzip magic bytes 1f 8b (whatever its name says). */
export async function isGzipFile(path: string): Promise<boolean> {
  const head = await fileHead(path, 2);
  return head.length === 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/** Up to `n` raw bytes at the start of a file (not decompressed), for magic-number checks. */
export async function fileHead(path: string, n: number): Promise<Buffer> {
  const handle = await openOrExplain(path);
  try {
    const head = Buffer.alloc(n);
    let bytesRead: number;
    try {
      ({ bytesRead } = await handle.read(head, 0, n, 0));
    } catch (err) {
      throw explainOpenError(path, err);
    }
    return head.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Size of the file on disk (bytes), with a clear error when it cannot be read. */
export async function fileBytes(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (err) {
    throw explainOpenError(path, err);
  }
}

/** Open a file for reading; a missing file, a folder or no permission is an InputError that says so. */
export async function openOrExplain(path: string): Promise<FileHandle> {
  try {
    return await open(path, 'r');
  } catch (err) {
    throw explainOpenError(path, err);
  }
}

function explainOpenError(path: string, err: unknown): InputError {
  const code = (err as { code?: string }).code;
  if (code === 'ENOENT') return new InputError({ file: path }, 'no such file', 'check the path');
  if (code === 'EISDIR') return new InputError({ file: path }, 'is a directory, not a trajectory file', 'give the file(s) inside it');
  if (code === 'EACCES') return new InputError({ file: path }, 'permission denied', 'make the file readable');
  return new InputError({ file: path }, `cannot be read (${(err as Error).message})`);
}

/**
 * Lines of a text file, gzip-compressed or not, kept as bytes. Trajectories are ASCII numbers, so parsers read the
 * bytes of a line directly (see Fields) and decode to a string only for headers and messages.
 *
 * The caller asks with `ensure(n)` that n lines are buffered, then takes them with the synchronous `advance()`,
 * which sets `bytes[lineStart, lineEnd)` to the line (without its newline or a trailing \r, so CRLF files read as LF
 * files; a UTF-8 byte-order mark before the first line is skipped). A parser thus awaits
 * once per frame, not once per line. Memory is one chunk plus the lines asked for, whatever the file size.
 */
export class LineReader {
  readonly path: string;
  /** 1-based number of the last line taken (0 before the first). */
  lineNumber = 0;
  /** the buffer holding the current line */
  bytes: Buffer = EMPTY;
  /** the current line is bytes[lineStart, lineEnd) */
  lineStart = 0;
  lineEnd = 0;
  /** byte offset of the next line to take */
  private nextStart = 0;
  /** offsets of the ends of the lines found but not yet taken: ends[head … tail) */
  private ends: number[] = [];
  private head = 0;
  /** where the search for the next newline continues */
  private scanFrom = 0;
  private ended = false;
  private readonly stream: Readable;
  private readonly chunks: AsyncIterator<Buffer>;

  private constructor(path: string, stream: Readable) {
    this.path = path;
    this.stream = stream;
    this.chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  /** Open a file; gzip is detected by its magic bytes, not its name. */
  static async open(path: string): Promise<LineReader> {
    const gz = await isGzipFile(path);
    const raw = createReadStream(path, { highWaterMark: CHUNK_BYTES });
    // pipeline forwards a read error of either stream to the one we iterate, so it surfaces in pull()
    const stream = gz ? pipeline(raw, createGunzip({ chunkSize: CHUNK_BYTES }), () => undefined) : raw;
    return new LineReader(path, stream);
  }

  /** Lines buffered and not yet taken. */
  get available(): number {
    return this.ends.length - this.head;
  }

  /** Make sure at least n lines are buffered; false when the file ends before that. */
  async ensure(n: number): Promise<boolean> {
    while (this.ends.length - this.head < n) {
      const nl = this.bytes.indexOf(NEWLINE, this.scanFrom);
      if (nl >= 0) {
        this.ends.push(nl);
        this.scanFrom = nl + 1;
        continue;
      }
      this.scanFrom = this.bytes.length;
      if (this.ended) {
        // a last line without a newline still counts
        const lastStart = this.ends.length > this.head ? this.ends[this.ends.length - 1] + 1 : this.nextStart;
        if (lastStart < this.bytes.length) {
          this.ends.push(this.bytes.length);
          continue;
        }
        return false;
      }
      await this.pull();
    }
    return true;
  }

  /** Take the next buffered line (synchronous): false when none is buffered — call `ensure` first. */
  advance(): boolean {
    if (this.head >= this.ends.length) return false;
    const end = this.ends[this.head++];
    this.lineStart = this.lineNumber === 0 ? this.afterBom(this.nextStart, end) : this.nextStart;
    this.lineEnd = end > this.lineStart && this.bytes[end - 1] === CR ? end - 1 : end;
    this.nextStart = end + 1;
    this.lineNumber++;
    return true;
  }

  /** The current line as a string (UTF-8). */
  text(): string {
    return this.bytes.toString('utf8', this.lineStart, this.lineEnd);
  }

  /** Take the next buffered line as a string; undefined when none is buffered — call `ensure` first. */
  next(): string | undefined {
    return this.advance() ? this.text() : undefined;
  }

  /** The next buffered line as a string, without taking it. */
  peek(): string | undefined {
    if (this.head >= this.ends.length) return undefined;
    let end = this.ends[this.head];
    const start = this.lineNumber === 0 ? this.afterBom(this.nextStart, end) : this.nextStart;
    if (end > start && this.bytes[end - 1] === CR) end--;
    return this.bytes.toString('utf8', start, end);
  }

  /** Where the first line's text starts: after a UTF-8 byte-order mark (EF BB BF, as Windows editors write) if any. */
  private afterBom(start: number, end: number): number {
    const b = this.bytes;
    return end - start >= 3 && b[start] === 0xef && b[start + 1] === 0xbb && b[start + 2] === 0xbf ? start + 3 : start;
  }

  /** True when the current line holds only whitespace. */
  blank(): boolean {
    for (let i = this.lineStart; i < this.lineEnd; i++) if (this.bytes[i] > 32) return false;
    return true;
  }

  /** The next line, reading more of the file when needed; undefined at the end of the file. */
  async nextLine(): Promise<string | undefined> {
    if (this.head >= this.ends.length && !(await this.ensure(1))) return undefined;
    return this.next();
  }

  /** The next line that is not blank, or undefined at the end of the file (blank lines are skipped). */
  async nextNonBlank(): Promise<string | undefined> {
    for (;;) {
      if (this.head >= this.ends.length && !(await this.ensure(1))) return undefined;
      this.advance();
      if (!this.blank()) return this.text();
    }
  }

  /** Peek at the next line that is not blank, taking the blank lines before it. */
  async peekNonBlank(): Promise<string | undefined> {
    for (;;) {
      if (this.head >= this.ends.length && !(await this.ensure(1))) return undefined;
      const line = this.peek() as string;
      if (!isBlank(line)) return line;
      this.advance();
    }
  }

  /** Skip n lines that are already buffered (after `ensure(n)`). */
  skip(n: number): void {
    for (let k = 0; k < n && this.advance(); k++);
  }

  /** Stop reading and release the file. Safe to call more than once. */
  close(): void {
    this.ended = true;
    this.ends = [];
    this.head = 0;
    this.stream.destroy();
  }

  private async pull(): Promise<void> {
    let r: IteratorResult<Buffer>;
    try {
      r = await this.chunks.next();
    } catch (err) {
      throw new InputError(
        { file: this.path, line: this.lineNumber + this.available + 1 },
        `the file cannot be read to its end (${(err as Error).message})`,
        'the gzip stream is corrupt or was cut off: copy or compress the file again',
      );
    }
    if (r.done) {
      this.ended = true;
      return;
    }
    // keep only the bytes from the current line on (the caller may still read it), so the buffer does not grow
    const keep = Math.min(this.lineStart, this.nextStart, this.bytes.length);
    const rest = this.bytes.subarray(keep);
    this.bytes = rest.length === 0 ? r.value : Buffer.concat([rest, r.value]);
    const ends = this.ends;
    const live: number[] = [];
    for (let k = this.head; k < ends.length; k++) live.push(ends[k] - keep);
    this.ends = live;
    this.head = 0;
    this.nextStart -= keep;
    this.scanFrom -= keep;
    this.lineStart -= keep;
    this.lineEnd -= keep;
  }
}

/** A line with nothing but whitespace (spaces, tabs, \r). */
export function isBlank(line: string): boolean {
  for (let i = 0; i < line.length; i++) if (line.charCodeAt(i) > 32) return false;
  return true;
}

/** The first `n` lines of a file (fewer when it is shorter), for content sniffing. */
export async function headLines(path: string, n: number): Promise<string[]> {
  const reader = await LineReader.open(path);
  try {
    await reader.ensure(n);
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
      const line = reader.next();
      if (line === undefined) break;
      out.push(line);
    }
    return out;
  } finally {
    reader.close();
  }
}
