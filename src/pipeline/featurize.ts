import { join } from 'node:path';
import { readTrajectory, frameIntervalPs, checkFrameOverlaps, DEFAULT_FRAME_CHECKS, type ReadOptions } from '../io/index.ts';
import type { Cell } from '../structure/cell.ts';
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
/** frames per worker task: enough to make the task overhead small, few enough to keep both threads busy to the end */
const BATCH_FRAMES = 8;

/** The frames read but not yet sent to a worker, copied into the arrays of one task. */
interface Batch {
  positions: Float64Array;
  cells: Float64Array;
  pbc: Uint8Array;
  count: number;
  /** each frame's cell, file, index and line in its file: for the reader's overlap message, if a worker finds one */
  frames: FrameOrigin[];
}

interface FrameOrigin { cell: Cell; file: string; index: number; line?: number }

/**
 * One streaming pass over the trajectory: every frame's atom table and Li neighbourhoods go to RUN/frames/
 * (chunked .npy), the independent-trajectory id of each frame to RUN/segments.npy. Frames are featurised on
 * worker threads, a batch of frames per task; at most a few batches per thread are in memory at any time,
 * whatever the trajectory length.
 */
export async function featurizeTrajectory(files: readonly string[], run: string, options: FeaturizeOptions): Promise<FeaturizeSummary> {
  const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
  const pool = createWorkerPool(new URL(`../features/worker.${ext}`, import.meta.url), { threads: options.threads });
  const inFlightLimit = Math.max(2, 2 * pool.options.maxThreads);
  let writer: FrameStoreWriter | undefined;
  const segmentIds: number[] = [];
  let species: Uint8Array | undefined;
  try {
    let task: Omit<FeaturizeTask, 'positions' | 'cells' | 'pbc'> | undefined;
    let batch: Batch | undefined;
    const queue: { result: Promise<FeaturizeResult>; cells: Float64Array; positions: Float64Array; frames: FrameOrigin[] }[] = [];
    let done = 0;
    // The reader's overlap check (no two atoms closer than minDistanceAngstrom) is done on the workers, from the
    // neighbour search they make anyway, whenever that search reaches the bound: the main thread, which reads and
    // stores every frame, is the critical path. A frame a worker flags is checked again here with the reader's own
    // search, which throws the reader's error; frames not sent to a worker are checked here, and a reading error
    // waits for the frames before it, so the error reported is the one the reader would have reported first.
    const minDistance = options.read.minDistanceAngstrom ?? DEFAULT_FRAME_CHECKS.minDistanceAngstrom;
    const deferOverlaps = minDistance > 0 && minDistance <= Math.max(options.shellAngstrom, options.graphRadiusAngstrom);
    const read: ReadOptions = deferOverlaps ? { ...options.read, minDistanceAngstrom: 0 } : options.read;
    const checkHere = (positions: Float64Array, origin: FrameOrigin): void => {
      if (deferOverlaps) checkFrameOverlaps({ positions, cell: origin.cell, species: species as Uint8Array, index: origin.index, line: origin.line }, origin.file, minDistance);
    };
    let drainFailed = false;
    const drainOne = async (): Promise<void> => {
      const sent = queue.shift() as (typeof queue)[number];
      const r = await sent.result.catch((err: unknown) => {
        drainFailed = true;
        throw err;
      });
      const t = task as NonNullable<typeof task>;
      if (r.overlapFrame >= 0) {
        drainFailed = true;
        const k = r.overlapFrame, n3 = 3 * t.species.length;
        checkHere(sent.positions.subarray(k * n3, (k + 1) * n3), sent.frames[k]);
        throw new Error(`internal: a worker found atoms closer than ${minDistance} Å in ${sent.frames[k].file} frame ${sent.frames[k].index + 1}, the reader's check did not`);
      }
      const n = t.species.length, nLi = t.li.length, width = t.names.length;
      for (let k = 0; k < sent.cells.length / 9; k++) {
        const a = r.entryStarts[k], b = r.entryStarts[k + 1];
        await (writer as FrameStoreWriter).add({
          features: r.features.subarray(k * n * width, (k + 1) * n * width),
          positions: r.positions.subarray(3 * n * k, 3 * n * (k + 1)),
          cell: sent.cells.subarray(9 * k, 9 * k + 9),
          liNeighborhoods: {
            li: new Int32Array(0), offsets: r.offsets.subarray(k * (nLi + 1), (k + 1) * (nLi + 1)),
            index: r.index.subarray(a, b), vector: r.vector.subarray(3 * a, 3 * b),
          },
        });
        options.onFrame?.(++done);
      }
    };
    const send = async (): Promise<void> => {
      const b = batch as Batch;
      batch = undefined;
      const positions = b.positions.subarray(0, b.count * (b.positions.length / BATCH_FRAMES));
      const cells = b.cells.subarray(0, 9 * b.count), pbc = b.pbc.subarray(0, 3 * b.count);
      const t = task as NonNullable<typeof task>;
      queue.push({ result: runPoolTask<FeaturizeResult>(pool, { ...t, positions, cells, pbc } satisfies FeaturizeTask), cells, positions, frames: b.frames });
      if (queue.length >= inFlightLimit) await drainOne();
    };
    const range = options.frameRange;
    try {
      for await (const frame of readTrajectory(files, read)) {
        const origin: FrameOrigin = { cell: frame.cell, file: frame.file, index: frame.index, line: frame.line };
        species ??= frame.species;
        if (range !== undefined && (frame.step < range.start || frame.step >= range.end)) checkHere(frame.positions, origin);
        if (range !== undefined && frame.step < range.start) continue;
        if (range !== undefined && frame.step >= range.end) break;
        if (task === undefined) {
          checkHere(frame.positions, origin); // before the checks on the species below, as the reader did
          const sp: Uint8Array = frame.species;
          const li = Int32Array.from(Array.from(sp.keys()).filter((i) => sp[i] === LITHIUM));
          if (li.length === 0) {
            throw new GetseiError(`${frame.file}: the trajectory has no Li atom; getsei builds Li-centred graphs, so it needs Li. Check the species line / element column of the file.`);
          }
          const layout = featureLayout(sp);
          task = {
            species: sp, countSpecies: layout.countSpecies, names: [...layout.names], li,
            shellAngstrom: options.shellAngstrom, graphRadiusAngstrom: options.graphRadiusAngstrom,
            overlapAngstrom: deferOverlaps ? minDistance : 0,
          };
          writer = new FrameStoreWriter(join(run, 'frames'), {
            nAtoms: sp.length, species: Array.from(sp), li: Array.from(li), featureNames: [...layout.names],
            shellAngstrom: options.shellAngstrom, graphRadiusAngstrom: options.graphRadiusAngstrom,
            chunkSize: options.chunkSize ?? 32,
          });
          await writer.open();
        }
        segmentIds.push(frame.segment);
        batch ??= { positions: new Float64Array(BATCH_FRAMES * frame.positions.length), cells: new Float64Array(9 * BATCH_FRAMES), pbc: new Uint8Array(3 * BATCH_FRAMES), count: 0, frames: [] };
        const k = batch.count++;
        batch.frames.push(origin);
        batch.positions.set(frame.positions, k * frame.positions.length);
        batch.cells.set(frame.cell.matrix, 9 * k);
        for (let d = 0; d < 3; d++) batch.pbc[3 * k + d] = frame.cell.pbc[d] ? 1 : 0;
        if (batch.count === BATCH_FRAMES) await send();
      }
    } catch (err) {
      // a reading error after frames the reader would have refused first: report those
      if (drainFailed) throw err;
      while (queue.length > 0) await drainOne();
      const b = batch;
      if (b !== undefined) {
        const n3 = b.positions.length / BATCH_FRAMES;
        for (let k = 0; k < b.count; k++) checkHere(b.positions.subarray(k * n3, (k + 1) * n3), b.frames[k]);
      }
      throw err;
    }
    if (batch !== undefined) await send();
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
