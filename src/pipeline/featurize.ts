import { join } from 'node:path';
import { readTrajectory, frameIntervalPs, type ReadOptions } from '../io/index.ts';
import { featureLayout } from '../features/atom-features.ts';
import type { FeaturizeResult, FeaturizeTask } from '../features/worker.ts';
import { GetseiError } from '../util/errors.ts';
import { encodeNpy } from '../util/npy.ts';
import { writeFileAtomic } from '../util/atomic.ts';
import { createWorkerPool, runPoolTask } from '../util/workers.ts';
import { FrameStoreWriter, type FrameStoreIndex } from './frame-store.ts';

export interface FeaturizeOptions {
  readonly read: ReadOptions;
  /** coordination shell of the per-atom features (paper: 4.0 Å) */
  readonly shellAngstrom: number;
  /** atoms within this distance of a Li are the nodes of its graph (default 4.0 Å) */
  readonly graphRadiusAngstrom: number;
  readonly threads?: number;
  readonly chunkSize?: number;
  readonly onFrame?: (done: number) => void;
  /** featurise only the selected frames [start, end) (a shard, docs/cluster.md); segment ids stay those of the whole input */
  readonly frameRange?: { readonly start: number; readonly end: number };
}

export interface FeaturizeSummary {
  readonly index: FrameStoreIndex;
  readonly dtPs: number | undefined;
  readonly segments: number;
}

const LITHIUM = 3;

/**
 * One streaming pass over the trajectory: every frame's atom table and Li neighbourhoods go to RUN/frames/
 * (chunked .npy), the independent-trajectory id of each frame to RUN/segments.npy. Frames are featurised on
 * worker threads; at most a few frames per thread are in memory at any time, whatever the trajectory length.
 */
export async function featurizeTrajectory(files: readonly string[], run: string, options: FeaturizeOptions): Promise<FeaturizeSummary> {
  const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
  const pool = createWorkerPool(new URL(`../features/worker.${ext}`, import.meta.url), { threads: options.threads });
  const inFlightLimit = Math.max(2, 4 * pool.options.maxThreads);
  let writer: FrameStoreWriter | undefined;
  const segmentIds: number[] = [];
  let species: Uint8Array | undefined;
  try {
    const queue: Promise<FeaturizeResult>[] = [];
    const positionsQueue: Float32Array[] = [];
    const cellQueue: Float64Array[] = [];
    let done = 0;
    const drainOne = async (): Promise<void> => {
      const r = await (queue.shift() as Promise<FeaturizeResult>);
      const positions = positionsQueue.shift() as Float32Array;
      const cell = cellQueue.shift() as Float64Array;
      await (writer as FrameStoreWriter).add({
        features: r.features, positions, cell,
        liNeighborhoods: { li: new Int32Array(0), offsets: r.offsets, index: r.index, vector: r.vector },
      });
      options.onFrame?.(++done);
    };
    let task: Omit<FeaturizeTask, 'positions' | 'cell' | 'pbc'> | undefined;
    const range = options.frameRange;
    for await (const frame of readTrajectory(files, options.read)) {
      if (range !== undefined && frame.step < range.start) continue;
      if (range !== undefined && frame.step >= range.end) break;
      if (species === undefined) {
        const sp: Uint8Array = frame.species;
        species = sp;
        const li = Int32Array.from(Array.from(sp.keys()).filter((i) => sp[i] === LITHIUM));
        if (li.length === 0) {
          throw new GetseiError(`${frame.file}: the trajectory has no Li atom; getsei builds Li-centred graphs, so it needs Li. Check the species line / element column of the file.`);
        }
        const layout = featureLayout(sp);
        task = {
          species: sp, countSpecies: layout.countSpecies, names: [...layout.names], li,
          shellAngstrom: options.shellAngstrom, graphRadiusAngstrom: options.graphRadiusAngstrom,
        };
        writer = new FrameStoreWriter(join(run, 'frames'), {
          nAtoms: sp.length, species: Array.from(sp), li: Array.from(li), featureNames: [...layout.names],
          shellAngstrom: options.shellAngstrom, graphRadiusAngstrom: options.graphRadiusAngstrom,
          chunkSize: options.chunkSize ?? 32,
        });
        await writer.open();
      }
      const t = task as NonNullable<typeof task>;
      segmentIds.push(frame.segment);
      positionsQueue.push(Float32Array.from(frame.positions));
      cellQueue.push(Float64Array.from(frame.cell.matrix));
      const positions = Float64Array.from(frame.positions);
      queue.push(runPoolTask<FeaturizeResult>(pool, { ...t, positions, cell: Float64Array.from(frame.cell.matrix), pbc: [...frame.cell.pbc] } satisfies FeaturizeTask));
      if (queue.length >= inFlightLimit) await drainOne();
    }
    while (queue.length > 0) await drainOne();
    if (writer === undefined) {
      throw new GetseiError(`the frame selection is empty (files: ${files.join(', ')}); check --start/--stop/--stride against the number of frames (getsei inspect shows it)`);
    }
    const index = await writer.finish();
    await writeFileAtomic(join(run, 'segments.npy'), encodeNpy(Int32Array.from(segmentIds), [segmentIds.length]));
    const dtPs = await frameIntervalPs(files, options.read);
    return { index, dtPs, segments: new Set(segmentIds).size };
  } catch (err) {
    await writer?.abort();
    throw err;
  } finally {
    await pool.destroy();
  }
}
