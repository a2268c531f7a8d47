import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { makeOutputFolder, temporaryName } from './atomic.ts';
import { outputWriteError } from './errors.ts';
import { assertFiniteArray } from './finite.ts';
import { npyHeader, parseNpyHeader, type NpyArray, type NpyHeader } from './npy.ts';

/**
 * Write a large .npy array in pieces, in row order, so it never has to be held whole in memory. Written to a
 * temporary sibling and renamed by `finish()`, so a crash never leaves a truncated array under the final name.
 */
export class NpyFileWriter {
  private written = 0;
  private constructor(
    private readonly path: string,
    private readonly tmp: string,
    private readonly fh: FileHandle,
    private readonly total: number,
    private readonly rowLength: number,
  ) {}

  static async create(path: string, example: NpyArray, shape: readonly number[]): Promise<NpyFileWriter> {
    await makeOutputFolder(dirname(path));
    const tmp = temporaryName(path);
    let fh: FileHandle | undefined;
    try {
      fh = await open(tmp, 'w');
      await writeAll(fh, npyHeader(example, shape));
    } catch (err) {
      await fh?.close().catch(() => undefined);
      await rm(tmp, { force: true }).catch(() => undefined);
      throw outputWriteError(err, path) ?? err;
    }
    return new NpyFileWriter(path, tmp, fh, shape.reduce((a, b) => a * b, 1), Math.max(1, shape.slice(1).reduce((a, b) => a * b, 1)));
  }

  /**
   * Rows in order. A NaN or infinity in float rows, or a write error (full disk), removes the temporary file before
   * it is reported, as `abort()` would.
   */
  async append(data: NpyArray): Promise<void> {
    try {
      if (data instanceof Float32Array || data instanceof Float64Array) assertFiniteArray(this.path, data, this.rowLength, this.written / this.rowLength);
      await writeAll(this.fh, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    } catch (err) {
      await this.abort();
      throw outputWriteError(err, this.path) ?? err;
    }
    this.written += data.length;
  }

  async finish(): Promise<void> {
    try {
      await this.fh.close();
      if (this.written !== this.total) throw new RangeError(`${this.path}: wrote ${this.written} of ${this.total} elements`);
      await rename(this.tmp, this.path);
    } catch (err) {
      await rm(this.tmp, { force: true }).catch(() => undefined);
      throw outputWriteError(err, this.path) ?? err;
    }
  }

  async abort(): Promise<void> {
    await this.fh.close().catch(() => undefined);
    await rm(this.tmp, { force: true });
  }
}

/**
 * Write every byte: FileHandle.write may write fewer bytes than asked (a disk filling up returns a short count
 * before it returns ENOSPC), and a short write not retried would leave a truncated array under the final name.
 */
async function writeAll(fh: FileHandle, bytes: Uint8Array): Promise<void> {
  let rest = bytes;
  while (rest.length > 0) {
    const { bytesWritten } = await fh.write(rest);
    if (bytesWritten <= 0) throw Object.assign(new Error('no space left on device (a write made no progress)'), { code: 'ENOSPC' });
    rest = rest.subarray(bytesWritten);
  }
}

/** Shape, dtype and data offset of a .npy file, from its header alone. */
export async function npyFileInfo(path: string): Promise<NpyHeader> {
  const fh = await open(path, 'r');
  try {
    const head = new Uint8Array(4096);
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    const header = parseNpyHeader(head.subarray(0, bytesRead));
    // rows are read straight from the file: only getsei's own layout (little-endian, C order) fits
    if (header.fortranOrder || header.descr.startsWith('>')) throw new RangeError(`${path}: expected a little-endian, C-order .npy (as getsei writes)`);
    return header;
  } finally {
    await fh.close();
  }
}

/**
 * Read `count` float32 rows of width `width` starting at `row` from a float32 .npy file; into the front of `into` when
 * it is long enough (a loop over a file reuses one buffer rather than leaving a chunk of garbage per read).
 */
export async function readFloat32Rows(path: string, row: number, count: number, width: number, dataOffset: number, into?: Float32Array): Promise<Float32Array> {
  const fh = await open(path, 'r');
  try {
    const out = into !== undefined && into.length >= count * width ? into.subarray(0, count * width) : new Float32Array(count * width);
    await fh.read(new Uint8Array(out.buffer, out.byteOffset, out.byteLength), 0, out.byteLength, dataOffset + row * width * 4);
    return out;
  } finally {
    await fh.close();
  }
}

/** Bytes one read of `readFloat32RowsAt` covers at most. */
const ROWS_AT_BLOCK_BYTES = 1 << 22;

/**
 * Rows `rows` (any order) of a float32 [n × width] .npy file: for seeded samples of a large file. Rows are visited in
 * file order and each read spans from one wanted row to the last wanted row within 4 MiB of it, so a dense sample
 * takes a few large reads (one read per row cost ~2 s for 50 000 rows) and a sparse one reads no more than it needs.
 */
export async function readFloat32RowsAt(path: string, rows: ArrayLike<number>, width: number, dataOffset: number): Promise<Float32Array> {
  const out = new Float32Array(rows.length * width);
  const order = Array.from({ length: rows.length }, (_, k) => k).sort((a, b) => rows[a] - rows[b]);
  const span = Math.max(1, Math.floor(ROWS_AT_BLOCK_BYTES / (width * 4)));
  // one block buffer for every read: fresh 4 MiB blocks piled up as garbage, so the peak grew with the file
  let block = new Float32Array(0);
  const fh = await open(path, 'r');
  try {
    for (let t = 0; t < order.length;) {
      const first = rows[order[t]];
      let end = t + 1;
      while (end < order.length && rows[order[end]] < first + span) end++;
      const count = rows[order[end - 1]] - first + 1;
      if (block.length < count * width) block = new Float32Array(count * width);
      await fh.read(new Uint8Array(block.buffer), 0, count * width * 4, dataOffset + first * width * 4);
      for (; t < end; t++) {
        const r = rows[order[t]] - first;
        out.set(block.subarray(r * width, (r + 1) * width), order[t] * width);
      }
    }
  } finally {
    await fh.close();
  }
  return out;
}
