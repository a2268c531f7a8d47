import { readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { makeOutputFolder, writeFileAtomic, writeJsonAtomic } from '../util/atomic.ts';
import { decodeNpy, encodeNpy } from '../util/npy.ts';
import { assertFiniteArray } from '../util/finite.ts';
import type { FrameFeatures } from '../features/atom-features.ts';

/**
 * RUN/frames/: the per-frame atom tables and Li neighbourhoods, written once by `featurize` and read by every
 * later stage (ARCHITECTURE §1, §4). Chunks of `chunkSize` frames, each a folder of .npy files so that numpy reads
 * them without getsei:
 *   features.npy  float32 [C, nAtoms, F]     positions.npy float32 [C, nAtoms, 3]     cells.npy float64 [C, 3, 3]
 *   nbr_offsets.npy int32 [C, nLi + 1]  (into the chunk's nbr arrays)
 *   nbr_index.npy  int32 [E]            nbr_vector.npy float32 [E, 3]  (displacement from the centre Li, Å)
 * and index.json with the layout below.
 */
export interface FrameStoreIndex {
  readonly format: 'getsei-frames/1';
  readonly nFrames: number;
  readonly nAtoms: number;
  /** atomic number of every atom */
  readonly species: number[];
  /** atom indices of the Li atoms (row order of states.npy) */
  readonly li: number[];
  readonly featureNames: string[];
  readonly shellAngstrom: number;
  readonly graphRadiusAngstrom: number;
  readonly chunkSize: number;
  readonly chunks: { name: string; start: number; count: number }[];
}

export interface StoredFrame extends FrameFeatures {
  readonly positions: Float32Array;
  readonly cell: Float64Array;
}

type IndexHeader = Omit<FrameStoreIndex, 'format' | 'nFrames' | 'chunks'>;

/** Writes frames in order into a temporary folder; `finish()` renames it to its final name. */
export class FrameStoreWriter {
  private readonly tmp: string;
  private pending: StoredFrame[] = [];
  private nFrames = 0;
  private readonly chunks: FrameStoreIndex['chunks'] = [];

  constructor(private readonly dir: string, private readonly header: IndexHeader) {
    this.tmp = `${dir}.partial`;
  }

  async open(): Promise<void> {
    await rm(this.tmp, { recursive: true, force: true });
    await makeOutputFolder(this.tmp);
  }

  async add(frame: StoredFrame): Promise<void> {
    this.pending.push(frame);
    if (this.pending.length === this.header.chunkSize) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const frames = this.pending;
    this.pending = [];
    const name = `chunk-${String(this.chunks.length).padStart(5, '0')}`;
    const chunkDir = join(this.tmp, name);
    await makeOutputFolder(chunkDir);
    const { nAtoms, featureNames, li } = this.header;
    const c = frames.length;
    const f = featureNames.length;
    const features = new Float32Array(c * nAtoms * f);
    const positions = new Float32Array(c * nAtoms * 3);
    const cells = new Float64Array(c * 9);
    const nbrOffsets = new Int32Array(c * (li.length + 1));
    let edges = 0;
    for (const fr of frames) edges += fr.liNeighborhoods.index.length;
    const nbrIndex = new Int32Array(edges);
    const nbrVector = new Float32Array(3 * edges);
    let base = 0;
    frames.forEach((fr, k) => {
      features.set(fr.features, k * nAtoms * f);
      positions.set(fr.positions, k * nAtoms * 3);
      cells.set(fr.cell, k * 9);
      const nb = fr.liNeighborhoods;
      for (let i = 0; i <= li.length; i++) nbrOffsets[k * (li.length + 1) + i] = base + nb.offsets[i];
      nbrIndex.set(nb.index, base);
      nbrVector.set(nb.vector, 3 * base);
      base += nb.index.length;
    });
    assertFiniteArray(join(this.dir, name, 'features.npy'), features, nAtoms * f, this.nFrames); // rows: frames
    await Promise.all([
      writeFileAtomic(join(chunkDir, 'features.npy'), encodeNpy(features, [c, nAtoms, f])),
      writeFileAtomic(join(chunkDir, 'positions.npy'), encodeNpy(positions, [c, nAtoms, 3])),
      writeFileAtomic(join(chunkDir, 'cells.npy'), encodeNpy(cells, [c, 3, 3])),
      writeFileAtomic(join(chunkDir, 'nbr_offsets.npy'), encodeNpy(nbrOffsets, [c, li.length + 1])),
      writeFileAtomic(join(chunkDir, 'nbr_index.npy'), encodeNpy(nbrIndex, [edges])),
      writeFileAtomic(join(chunkDir, 'nbr_vector.npy'), encodeNpy(nbrVector, [edges, 3])),
    ]);
    this.chunks.push({ name, start: this.nFrames, count: c });
    this.nFrames += c;
  }

  /** Write the index and move the folder into place; returns the index. */
  async finish(): Promise<FrameStoreIndex> {
    await this.flush();
    const index: FrameStoreIndex = { format: 'getsei-frames/1', nFrames: this.nFrames, chunks: this.chunks, ...this.header };
    await writeJsonAtomic(join(this.tmp, 'index.json'), index);
    await rm(this.dir, { recursive: true, force: true });
    await rename(this.tmp, this.dir);
    return index;
  }

  async abort(): Promise<void> {
    await rm(this.tmp, { recursive: true, force: true });
  }
}

interface LoadedChunk {
  start: number;
  count: number;
  features: Float32Array;
  positions: Float32Array;
  cells: Float64Array;
  nbrOffsets: Int32Array;
  nbrIndex: Int32Array;
  nbrVector: Float32Array;
}

/** Random access to stored frames, keeping the most recently used chunks in memory (bounded). */
export class FrameStoreReader {
  private cache = new Map<number, LoadedChunk>();
  private constructor(readonly dir: string, readonly index: FrameStoreIndex, private readonly maxCachedChunks: number) {}

  static async open(dir: string, options: { maxCachedChunks?: number } = {}): Promise<FrameStoreReader> {
    const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as FrameStoreIndex;
    if (index.format !== 'getsei-frames/1') throw new Error(`${dir}: not a getsei frame store (format ${String(index.format)})`);
    return new FrameStoreReader(dir, index, options.maxCachedChunks ?? 4);
  }

  private chunkOf(frame: number): number {
    if (!(frame >= 0 && frame < this.index.nFrames)) throw new RangeError(`frame ${frame} is outside 0..${this.index.nFrames - 1}`);
    const { chunks, chunkSize } = this.index;
    const guess = Math.floor(frame / chunkSize);
    const g = chunks[guess];
    if (g !== undefined && frame >= g.start && frame < g.start + g.count) return guess;
    // a merged store (getsei merge) joins shards whose last chunks are short: search the chunk starts
    let lo = 0, hi = chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (chunks[mid].start <= frame) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private async load(c: number): Promise<LoadedChunk> {
    const hit = this.cache.get(c);
    if (hit) {
      this.cache.delete(c);
      this.cache.set(c, hit);
      return hit;
    }
    const meta = this.index.chunks[c];
    const dir = join(this.dir, meta.name);
    const read = async (name: string) => decodeNpy(await readFile(join(dir, name))).data;
    const [features, positions, cells, nbrOffsets, nbrIndex, nbrVector] = await Promise.all(
      ['features.npy', 'positions.npy', 'cells.npy', 'nbr_offsets.npy', 'nbr_index.npy', 'nbr_vector.npy'].map(read),
    );
    const chunk: LoadedChunk = {
      start: meta.start, count: meta.count,
      features: features as Float32Array, positions: positions as Float32Array, cells: cells as Float64Array,
      nbrOffsets: nbrOffsets as Int32Array, nbrIndex: nbrIndex as Int32Array, nbrVector: nbrVector as Float32Array,
    };
    this.cache.set(c, chunk);
    while (this.cache.size > this.maxCachedChunks) this.cache.delete(this.cache.keys().next().value as number);
    return chunk;
  }

  /** One frame's tables (views into the cached chunk: do not modify). */
  async frame(frame: number): Promise<StoredFrame> {
    const ch = await this.load(this.chunkOf(frame));
    const k = frame - ch.start;
    const { nAtoms, featureNames, li } = this.index;
    const f = featureNames.length;
    const nLi = li.length;
    const raw = ch.nbrOffsets.subarray(k * (nLi + 1), (k + 1) * (nLi + 1));
    const base = raw[0];
    const offsets = Int32Array.from(raw, (o) => o - base);
    const end = raw[nLi];
    return {
      features: ch.features.subarray(k * nAtoms * f, (k + 1) * nAtoms * f),
      positions: ch.positions.subarray(k * nAtoms * 3, (k + 1) * nAtoms * 3),
      cell: ch.cells.subarray(k * 9, (k + 1) * 9),
      liNeighborhoods: {
        li: Int32Array.from(li),
        offsets,
        index: ch.nbrIndex.subarray(base, end),
        vector: ch.nbrVector.subarray(3 * base, 3 * end),
      },
    };
  }
}
