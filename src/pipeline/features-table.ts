import { symbolOf } from '../structure/elements.ts';
import type { FrameStoreIndex, StoredFrame } from './frame-store.ts';

/**
 * One frame's per-atom table as CSV, the form users (and tests) inspect what the encoder will see:
 * atom,element,x,y,z,mean_distance,count_<El>… (alphabetical),adf_mean,adf_std,adf_min,adf_max,adf_median
 */
export function featuresCsv(index: FrameStoreIndex, frame: StoredFrame): string {
  const f = index.featureNames.length;
  const lines = [['atom', 'element', 'x', 'y', 'z', ...index.featureNames].join(',')];
  for (let i = 0; i < index.nAtoms; i++) {
    const row: string[] = [String(i), symbolOf(index.species[i])];
    for (let d = 0; d < 3; d++) row.push(frame.positions[3 * i + d].toFixed(5));
    for (let c = 0; c < f; c++) {
      const v = frame.features[i * f + c];
      row.push(Number.isInteger(v) ? String(v) : v.toFixed(6));
    }
    lines.push(row.join(','));
  }
  return `${lines.join('\n')}\n`;
}
