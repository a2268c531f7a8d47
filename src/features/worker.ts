import { makeCell } from '../structure/cell.ts';
import { asWorkerTask } from '../util/workers.ts';
import { frameFeatures, type FeatureLayout } from './atom-features.ts';

/** One frame to featurise on a worker thread (typed arrays are transferred, not copied). */
export interface FeaturizeTask {
  species: Uint8Array;
  positions: Float64Array;
  cell: Float64Array;
  pbc: [boolean, boolean, boolean];
  countSpecies: Uint8Array;
  names: string[];
  li: Int32Array;
  shellAngstrom: number;
  graphRadiusAngstrom: number;
}

export interface FeaturizeResult {
  features: Float32Array;
  offsets: Int32Array;
  index: Int32Array;
  vector: Float32Array;
}

function featurizeFrame(task: FeaturizeTask): FeaturizeResult {
  const layout: FeatureLayout = { countSpecies: task.countSpecies, names: task.names, width: task.names.length };
  const r = frameFeatures(makeCell(task.cell, task.pbc), task.species, task.positions, layout, task.li, task);
  const nb = r.liNeighborhoods;
  return { features: r.features, offsets: nb.offsets, index: nb.index, vector: nb.vector };
}

/** The pool's entry: input errors travel back as InputError (see runPoolTask). */
export default asWorkerTask(featurizeFrame);
