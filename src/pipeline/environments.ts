import { symbolOf } from '../structure/elements.ts';
import type { StoredFrame } from './frame-store.ts';

/**
 * The local environment of one Li as a small extended-XYZ molecule: the centre Li at the origin, then every
 * neighbour within the graph radius at its displacement (periodic images as separate atoms). ASE and the report's
 * 3-D viewer read it; `centre=0` marks the Li the graph is centred on.
 */
export function environmentXyz(species: readonly number[], frame: StoredFrame, liRow: number, comment: Record<string, string | number>): string {
  const nb = frame.liNeighborhoods;
  const centre = nb.li[liRow];
  const lines: string[] = [];
  const start = nb.offsets[liRow], end = nb.offsets[liRow + 1];
  lines.push(String(1 + end - start));
  const info = Object.entries(comment).map(([k, v]) => `${k}=${typeof v === 'string' ? JSON.stringify(v) : v}`).join(' ');
  lines.push(`Properties=species:S:1:pos:R:3 pbc="F F F" centre=0 ${info}`.trim());
  lines.push(`${symbolOf(species[centre])} 0.000000 0.000000 0.000000`);
  for (let e = start; e < end; e++) {
    const v = [nb.vector[3 * e], nb.vector[3 * e + 1], nb.vector[3 * e + 2]].map((x) => x.toFixed(6));
    lines.push(`${symbolOf(species[nb.index[e]])} ${v.join(' ')}`);
  }
  return `${lines.join('\n')}\n`;
}

/** A whole stored frame as extended XYZ with a per-atom `state` column (−1 for non-Li), for the report's 3-D view. */
export function frameXyz(species: readonly number[], positions: Float32Array, cell: Float64Array, stateByAtom: readonly number[], frame: number): string {
  const lines = [String(species.length), `Lattice="${Array.from(cell).join(' ')}" Properties=species:S:1:pos:R:3:state:I:1 pbc="T T T" frame=${frame}`];
  for (let i = 0; i < species.length; i++) {
    lines.push(`${symbolOf(species[i])} ${positions[3 * i].toFixed(5)} ${positions[3 * i + 1].toFixed(5)} ${positions[3 * i + 2].toFixed(5)} ${stateByAtom[i]}`);
  }
  return `${lines.join('\n')}\n`;
}
