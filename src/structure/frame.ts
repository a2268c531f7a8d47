import type { Cell } from './cell.ts';

/**
 * One MD snapshot. Positions are cartesian Å, xyz interleaved. `species` holds atomic numbers.
 * Frames of one trajectory share the species array (atoms keep their order and identity).
 */
export interface Frame {
  /** index of the frame in its source file (0-based, before selection) */
  readonly index: number;
  readonly species: Uint8Array;
  readonly positions: Float64Array;
  readonly cell: Cell;
  /** simulation time in ps when the file says it, else undefined */
  readonly timePs?: number;
  /** other per-frame key=value metadata a reader found (extended XYZ comment line, LAMMPS timestep) */
  readonly info?: Readonly<Record<string, string | number | boolean>>;
}

export function atomCount(frame: Frame): number {
  return frame.species.length;
}
