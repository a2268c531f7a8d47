/**
 * Random-access reads of a binary trajectory (ASE .traj, XTC, DCD) through one window of WINDOW_BYTES: frames follow
 * each other in the file, so one system call serves the next few frames, and a read past the end is an InputError
 * that names the file and frame rather than a short buffer.
 */
import type { FileHandle } from 'node:fs/promises';
import { InputError, type InputLocation } from '../util/errors.ts';
import { openOrExplain } from './lines.ts';

/** Bytes read at once. */
const WINDOW_BYTES = 1 << 20;

export class BinaryFile {
  private window: Buffer = Buffer.alloc(0);
  private windowStart = 0;

  private constructor(readonly path: string, private readonly handle: FileHandle, readonly size: number, private readonly cutHint: string) {}

  /** Open `path`; `cutHint` ends the message of a read past the end (what the user should do about a cut file). */
  static async open(path: string, cutHint: string): Promise<BinaryFile> {
    const handle = await openOrExplain(path);
    const { size } = await handle.stat();
    return new BinaryFile(path, handle, size, cutHint);
  }

  /** `length` bytes at `position` as a view (valid until the next call: callers copy what they keep). */
  async bytes(position: number, length: number, loc: InputLocation, what: string): Promise<Buffer> {
    if (!Number.isSafeInteger(position) || !Number.isSafeInteger(length) || position < 0 || length < 0 || position + length > this.size) {
      throw new InputError(loc, `the file ends before ${what} (bytes ${position}–${position + length}, the file has ${this.size})`, this.cutHint);
    }
    const inWindow = position >= this.windowStart && position + length <= this.windowStart + this.window.length;
    if (!inWindow) {
      const size = Math.min(Math.max(length, WINDOW_BYTES), this.size - position);
      const out = Buffer.alloc(size);
      let done = 0;
      while (done < size) {
        const { bytesRead } = await this.handle.read(out, done, size - done, position + done);
        if (bytesRead === 0) throw new InputError(loc, `the file ends before ${what}`, this.cutHint);
        done += bytesRead;
      }
      this.window = out;
      this.windowStart = position;
    }
    return this.window.subarray(position - this.windowStart, position - this.windowStart + length);
  }

  /**
   * `length` bytes at `position` when they lie in the current window, else undefined: the frame loop of a reader
   * takes this synchronous path for most frames and awaits `bytes` only when the window must move (a promise per
   * frame is a large part of reading a small frame).
   */
  peek(position: number, length: number): Buffer | undefined {
    const from = position - this.windowStart;
    if (from < 0 || from + length > this.window.length || length < 0) return undefined;
    return this.window.subarray(from, from + length);
  }

  /** True when the first two bytes are gzip's magic (1f 8b). */
  async isGzip(): Promise<boolean> {
    if (this.size < 2) return false;
    const head = await this.bytes(0, 2, { file: this.path }, 'the magic bytes');
    return head[0] === 0x1f && head[1] === 0x8b;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}
