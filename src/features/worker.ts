import { makeCell } from '../structure/cell.ts';
import { asWorkerTask } from '../util/workers.ts';
import { frameFeatures, type FeatureLayout } from './atom-features.ts';

/**
 * A batch of consecutive frames to featurise on a worker thread. Frames travel in batches because a pool task
 * costs a fraction of a millisecond on each side, a few times what a 400-atom frame's features cost to send.
 */
export interface FeaturizeTask {
  species: Uint8Array;
  /** cartesian Å of the batch's frames, frame after frame: [frames × nAtoms × 3] */
  positions: Float64Array;
  /** each frame's lattice rows: [frames × 9] */
  cells: Float64Array;
  /** each frame's periodic flags a, b, c (1 = periodic): [frames × 3] */
  pbc: Uint8Array;
  countSpecies: Uint8Array;
  names: string[];
  li: Int32Array;
  shellAngstrom: number;
  graphRadiusAngstrom: number;
  /** report frames with two atoms closer than this (Å; 0: no check), as the reader's overlap check would */
  overlapAngstrom?: number;
}

/** The batch's frames, frame after frame, as the frame store keeps them. */
export interface FeaturizeResult {
  /** [frames × nAtoms × F] */
  features: Float32Array;
  /** the positions as stored (float32): [frames × nAtoms × 3] */
  positions: Float32Array;
  /** each frame's Li neighbourhood offsets, from 0 within the frame: [frames × (nLi + 1)] */
  offsets: Int32Array;
  /** where each frame's entries start in index/vector (entries; vector holds three floats per entry): [frames + 1] */
  entryStarts: Int32Array;
  index: Int32Array;
  vector: Float32Array;
  /** the first frame of the batch (0-based) with two atoms closer than `overlapAngstrom`; −1: none */
  overlapFrame: number;
}

function featurizeBatch(task: FeaturizeTask): FeaturizeResult {
  const layout: FeatureLayout = { countSpecies: task.countSpecies, names: task.names, width: task.names.length };
  const n = task.species.length, nLi = task.li.length, frames = task.cells.length / 9;
  const features = new Float32Array(frames * n * layout.width);
  const offsets = new Int32Array(frames * (nLi + 1));
  const entryStarts = new Int32Array(frames + 1);
  const hoods = [];
  let overlapFrame = -1;
  for (let k = 0; k < frames; k++) {
    const pbc = task.pbc.subarray(3 * k, 3 * k + 3);
    const cell = makeCell(task.cells.subarray(9 * k, 9 * k + 9), [pbc[0] === 1, pbc[1] === 1, pbc[2] === 1]);
    const r = frameFeatures(cell, task.species, task.positions.subarray(3 * n * k, 3 * n * (k + 1)), layout, task.li, task);
    if (r.overlap === true && overlapFrame < 0) overlapFrame = k;
    features.set(r.features, k * n * layout.width);
    offsets.set(r.liNeighborhoods.offsets, k * (nLi + 1));
    entryStarts[k + 1] = entryStarts[k] + r.liNeighborhoods.index.length;
    hoods.push(r.liNeighborhoods);
  }
  const index = new Int32Array(entryStarts[frames]), vector = new Float32Array(3 * entryStarts[frames]);
  hoods.forEach((h, k) => {
    index.set(h.index, entryStarts[k]);
    vector.set(h.vector, 3 * entryStarts[k]);
  });
  return { features, positions: Float32Array.from(task.positions), offsets, entryStarts, index, vector, overlapFrame };
}

/** The pool's entry: input errors travel back as InputError (see runPoolTask). */
export default asWorkerTask(featurizeBatch);
