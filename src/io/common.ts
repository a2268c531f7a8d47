import { atomicNumber, makeCell, type Cell } from '../structure/index.ts';
import { InputError, type InputLocation } from '../util/errors.ts';
import { describeBadNumber, Fields } from './fields.ts';

/** The hint for a file that ends inside a frame. */
export const TRUNCATED_HINT =
  'the file was cut off (e.g. the run was killed while writing): delete the incomplete last frame, ' +
  'or read only the complete frames with --stop';

/** Error for a frame whose atom lines stop before the count its header gives. */
export function truncatedError(loc: InputLocation, got: number, need: number): InputError {
  return new InputError(loc, `the file ends after ${got} of the ${need} atom lines of this frame`, TRUNCATED_HINT);
}

/** Build a cell, turning the structure module's RangeError into an InputError at the given place. */
export function cellOrFail(matrix: ArrayLike<number>, pbc: readonly [boolean, boolean, boolean], loc: InputLocation, hint: string): Cell {
  try {
    return makeCell(matrix, pbc);
  } catch (err) {
    if (err instanceof RangeError) {
      const nums = Array.from(matrix, (v) => String(v)).join(' ');
      throw new InputError(loc, `${err.message}: lattice vectors ${nums}`, hint);
    }
    throw err;
  }
}

/** Atomic number of a symbol, or an InputError naming the symbol. */
export function elementOrFail(symbol: string, loc: InputLocation, hint: string): number {
  const z = atomicNumber(symbol);
  if (z === undefined || z > 255) throw new InputError(loc, `unknown element '${symbol}'`, hint);
  return z;
}

/**
 * Parse `count` finite numbers from the fields cursor into out[offset…]; an InputError names the field when one is
 * missing, not a number, or not finite. `what` says what the numbers are ("coordinate", "lattice vector").
 */
export function readNumbers(f: Fields, out: Float64Array | number[], offset: number, count: number, loc: InputLocation, what: string): void {
  for (let k = 0; k < count; k++) {
    if (!f.next()) {
      throw new InputError(loc, `expected ${count} numbers (${what}) but the line has ${k}: '${f.lineText().trim()}'`);
    }
    const v = f.number();
    if (!Number.isFinite(v)) throw new InputError(loc, describeBadNumber(f.token(), `${what} ${k + 1}`), 'fix or remove this frame');
    out[offset + k] = v;
  }
}

/**
 * Hot-loop form of readNumbers for atom lines: parse the first three fields into out[o…o+2] and return true, or
 * return false (without a message) so the caller can re-run readNumbers on the line to throw the precise error.
 */
export function readTriple(f: Fields, out: Float64Array, o: number): boolean {
  for (let k = 0; k < 3; k++) {
    if (!f.next()) return false;
    const v = f.number();
    if (!Number.isFinite(v)) return false;
    out[o + k] = v;
  }
  return true;
}

/** Matrix equality for reusing one Cell object while the cell stays the same. */
export function sameMatrix(cell: Cell | undefined, m: ArrayLike<number>): boolean {
  if (cell === undefined) return false;
  for (let i = 0; i < 9; i++) if (cell.matrix[i] !== m[i]) return false;
  return true;
}

/** Equal element by element (species arrays). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Time keys and their factor to ps. ASE fixes no unit for `time`: getsei reads it as ps. */
export const TIME_KEYS: Readonly<Record<string, number>> = {
  time: 1,
  Time: 1,
  time_ps: 1,
  Time_ps: 1,
  time_fs: 1e-3,
  Time_fs: 1e-3,
  time_ns: 1e3,
  Time_ns: 1e3,
};

/** cos of an angle in degrees, exactly 0 at 90° (so orthogonal cells have no 1e-17 tilts). */
function cosDegrees(deg: number): number {
  return deg === 90 ? 0 : Math.cos((deg * Math.PI) / 180);
}

/**
 * Lattice vectors (rows) from lengths a, b, c (Å) and angles α, β, γ (degrees), in the orientation MDAnalysis, ASE
 * and LAMMPS use: a along x, b in the xy plane. For DCD and AMBER NetCDF, which store only lengths and angles.
 */
export function matrixFromLengthsAngles(a: number, b: number, c: number, alpha: number, beta: number, gamma: number): number[] {
  const ca = cosDegrees(alpha);
  const cb = cosDegrees(beta);
  const cg = cosDegrees(gamma);
  const sg = gamma === 90 ? 1 : Math.sin((gamma * Math.PI) / 180);
  const cy = (ca - cb * cg) / sg;
  const cz = Math.sqrt(Math.max(0, 1 - cb * cb - cy * cy));
  return [a, 0, 0, b * cg, b * sg, 0, c * cb, c * cy, c * cz];
}

/** Bytes of one slab of `PositionSlabs` (a frame larger than this gets an array of its own). */
const SLAB_BYTES = 256 * 1024;

/**
 * Position arrays for the frames of one read, handed out as consecutive parts of 256 KiB slabs: one allocation for
 * every few frames instead of one per frame. A typed array's storage lives outside the JavaScript heap, and
 * allocating and collecting one per small frame cost ≈ 1 µs of the ≈ 7 µs in which the NetCDF reader reads a frame of
 * 416 atoms. Each frame still has its own numbers; a caller that keeps a frame keeps its slab (at most 256 KiB)
 * alive.
 */
export class PositionSlabs {
  private slab = new ArrayBuffer(0);
  private used = 0;
  constructor(private readonly length: number) {}
  /** a fresh array of `length` numbers (zeros) */
  next(): Float64Array {
    const bytes = 8 * this.length;
    if (this.used + bytes > this.slab.byteLength) {
      this.slab = new ArrayBuffer(Math.max(bytes, Math.floor(SLAB_BYTES / bytes) * bytes));
      this.used = 0;
    }
    // a view made by the constructor (subarray looks up the species constructor, several times slower)
    const out = new Float64Array(this.slab, this.used, this.length);
    this.used += bytes;
    return out;
  }
}
