import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readTrajectory, type ReadOptions } from '../io/index.ts';
import { countTransitions } from '../markov/index.ts';
import { GetseiError } from '../util/errors.ts';

/**
 * Shards (docs/cluster.md): shard i of N is the contiguous block [⌊i·n/N⌋, ⌊(i+1)·n/N⌋) of the n selected frames
 * (after --start/--stop/--stride, over all files in order, --independent files included). Frames keep the segment
 * id of the whole input, so nothing downstream ever pairs frames of two independent trajectories; a block may hold
 * the end of one segment and the start of the next.
 */
export interface ShardSpec {
  /** 0-based */
  readonly index: number;
  readonly count: number;
}

/** What RUN/shard.json records of a shard folder. */
export interface ShardRecord {
  format: 'getsei-shard/1';
  shard: number;
  of: number;
  /** first selected frame of the whole input held by this shard */
  firstFrame: number;
  nFrames: number;
  /** selected frames of the whole input */
  totalFrames: number;
}

export const SHARD_FILE = 'shard.json';

/** "2/8" → { index: 2, count: 8 } (0-based index). */
export function parseShard(value: string): ShardSpec {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(value);
  const index = m === null ? NaN : Number(m[1]), count = m === null ? NaN : Number(m[2]);
  if (m === null || !(count >= 1) || !(index < count)) {
    throw new GetseiError(`--shard takes i/N with 0 ≤ i < N (shards are numbered from 0), e.g. --shard 0/4; got "${value}"`);
  }
  return { index, count };
}

/** The frame block [start, end) of shard `spec` among n frames. */
export function shardRange(spec: ShardSpec, n: number): { start: number; end: number } {
  return { start: Math.floor((spec.index * n) / spec.count), end: Math.floor(((spec.index + 1) * n) / spec.count) };
}

/** The number of selected frames (one reading pass; featurising, not parsing, is what sharding spreads out). */
export async function countSelectedFrames(files: readonly string[], read: ReadOptions): Promise<number> {
  let n = 0;
  for await (const frame of readTrajectory(files, read)) {
    void frame;
    n++;
  }
  return n;
}

export async function readShardRecord(dir: string): Promise<ShardRecord | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, SHARD_FILE), 'utf8')) as ShardRecord;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * Transition counts of one shard at lag τ: every pair (t, t + τ) whose first frame t lies in the shard's own block
 * [a, b). The shard sees the window [a, min(n, b + τ)): its own states followed by the first τ frames of the shards
 * after it (the lag overlap). A pair inside that window always starts in [a, b), so windows of consecutive shards
 * share frames but no pair: summed over shards the counts are exactly those of the whole trajectory, including the
 * rule that no pair spans a segment boundary or an undefined frame (the frames between t and t + τ are all in the
 * window). `window` is int16 [nLi × W] (row = Li), `segments` the W segment ids of the window's frames.
 */
export function shardTransitionCounts(window: Int16Array, nLi: number, segments: Int32Array, lag: number, nStates: number): Float64Array {
  const W = segments.length;
  if (window.length !== nLi * W) throw new GetseiError(`shard window of ${window.length} states is not ${nLi} Li × ${W} frames`);
  if (W <= lag) return new Float64Array(nStates * nStates);
  return countTransitions({ states: window, nTrajectories: nLi, nFrames: W }, lag, { nStates, segments }).counts;
}
