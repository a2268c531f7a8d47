import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { pipeline } from 'node:stream';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { InputError } from '../util/errors.ts';

/** Bytes read from disk per chunk; a chunk holds some ten thousand lines, so per-line overhead stays small. */
const CHUNK_BYTES = 1 << 20;

/** True when the file starts with the gzip magic bytes 1f 8b (whatever its name says). */
export async function isGzipFile(path: string): Promise<boolean> {
  const handle = await openOrExplain(path);
  try {
    const head = Buffer.alloc(2);
    let bytesRead: number;
    try {
      ({ bytesRead } = await handle.read(head, 0, 2, 0));
    } catch (err) {
      throw explainOpenError(path, err);
    }
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
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

async function openOrExplain(path: string): Promise<import('node:fs/promises').FileHandle> {
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
 * Lines of a text file, gzip-compressed or not, read in large chunks. The caller asks with `ensure(n)` that n lines
 * are buffered and then takes them with the synchronous `next()`, so a parser awaits once per frame rather than once
 * per line. Memory is bounded by one chunk plus the lines the caller asked for, whatever the file size.
 */
export class LineReader {
  readonly path: string;
  /** 1-based number of the last line returned by `next()` (0 before the first). */
  lineNumber = 0;
  private lines: string[] = [];
  private pos = 0;
  private tail = '';
  private ended = false;
  private readonly stream: Readable;
  private readonly chunks: AsyncIterator<string>;

  private constructor(path: string, stream: Readable) {
    this.path = path;
    this.stream = stream;
    this.chunks = stream[Symbol.asyncIterator]() as AsyncIterator<string>;
  }

  /** Open a file; gzip is detected by its magic bytes, not its name. */
  static async open(path: string): Promise<LineReader> {
    const gz = await isGzipFile(path);
    const raw = createReadStream(path, { highWaterMark: CHUNK_BYTES });
    let stream: Readable;
    if (gz) {
      const gunzip = createGunzip({ chunkSize: CHUNK_BYTES });
      // pipeline forwards a read error of either stream to the one we iterate, so it surfaces in pull()
      stream = pipeline(raw, gunzip, () => undefined);
    } else {
      stream = raw;
    }
    stream.setEncoding('utf8');
    return new LineReader(path, stream);
  }

  /** Make sure at least n lines are buffered; false when the file ends before that. */
  async ensure(n: number): Promise<boolean> {
    while (this.lines.length - this.pos < n && !this.ended) await this.pull();
    return this.lines.length - this.pos >= n;
  }

  /** Lines buffered and not yet taken. */
  get available(): number {
    return this.lines.length - this.pos;
  }

  /** Take the next buffered line (synchronous); undefined when none is buffered — call `ensure` first. */
  next(): string | undefined {
    if (this.pos >= this.lines.length) return undefined;
    this.lineNumber++;
    return this.lines[this.pos++];
  }

  /** Look at the next buffered line without taking it. */
  peek(): string | undefined {
    return this.pos < this.lines.length ? this.lines[this.pos] : undefined;
  }

  /** The next line, reading more of the file when needed; undefined at the end of the file. */
  async nextLine(): Promise<string | undefined> {
    if (this.pos >= this.lines.length && !(await this.ensure(1))) return undefined;
    return this.next();
  }

  /** The next line that is not blank, or undefined at the end of the file (blank lines are skipped). */
  async nextNonBlank(): Promise<string | undefined> {
    for (;;) {
      const line = await this.nextLine();
      if (line === undefined || !isBlank(line)) return line;
    }
  }

  /** Peek at the next line that is not blank, taking the blank lines before it. */
  async peekNonBlank(): Promise<string | undefined> {
    for (;;) {
      if (this.pos >= this.lines.length && !(await this.ensure(1))) return undefined;
      const line = this.lines[this.pos];
      if (!isBlank(line)) return line;
      this.next();
    }
  }

  /** Skip n lines that are already buffered (after `ensure(n)`). */
  skip(n: number): void {
    const k = Math.min(n, this.lines.length - this.pos);
    this.pos += k;
    this.lineNumber += k;
  }

  /** Stop reading and release the file. Safe to call more than once. */
  close(): void {
    this.ended = true;
    this.lines = [];
    this.pos = 0;
    this.stream.destroy();
  }

  private async pull(): Promise<void> {
    let r: IteratorResult<string>;
    try {
      r = await this.chunks.next();
    } catch (err) {
      throw new InputError(
        { file: this.path, line: this.lineNumber + this.available + 1 },
        `the file cannot be read to its end (${(err as Error).message})`,
        'the gzip stream is corrupt or was cut off: copy or compress the file again',
      );
    }
    // drop the lines already taken so the buffer does not grow with the file
    if (this.pos > 0) {
      this.lines = this.lines.slice(this.pos);
      this.pos = 0;
    }
    if (r.done) {
      this.ended = true;
      if (this.tail !== '') this.lines.push(this.tail);
      this.tail = '';
      return;
    }
    const parts = (this.tail + r.value).split('\n');
    this.tail = parts.pop() ?? '';
    if (this.lines.length === 0) this.lines = parts;
    else for (const p of parts) this.lines.push(p);
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
