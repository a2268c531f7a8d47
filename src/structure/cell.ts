/**
 * A periodic simulation cell. Rows of `matrix` are the lattice vectors a, b, c (Å), as in ASE and VASP:
 * cartesian = fractional · matrix. Stored row-major in a Float64Array of 9.
 */
export interface Cell {
  readonly matrix: Float64Array;
  /** inverse of `matrix`: fractional = cartesian · inverse */
  readonly inverse: Float64Array;
  readonly pbc: readonly [boolean, boolean, boolean];
}

export function determinant3(m: ArrayLike<number>): number {
  return (
    m[0] * (m[4] * m[8] - m[5] * m[7]) -
    m[1] * (m[3] * m[8] - m[5] * m[6]) +
    m[2] * (m[3] * m[7] - m[4] * m[6])
  );
}

export function inverse3(m: ArrayLike<number>): Float64Array {
  const det = determinant3(m);
  const inv = new Float64Array(9);
  inv[0] = (m[4] * m[8] - m[5] * m[7]) / det;
  inv[1] = (m[2] * m[7] - m[1] * m[8]) / det;
  inv[2] = (m[1] * m[5] - m[2] * m[4]) / det;
  inv[3] = (m[5] * m[6] - m[3] * m[8]) / det;
  inv[4] = (m[0] * m[8] - m[2] * m[6]) / det;
  inv[5] = (m[2] * m[3] - m[0] * m[5]) / det;
  inv[6] = (m[3] * m[7] - m[4] * m[6]) / det;
  inv[7] = (m[1] * m[6] - m[0] * m[7]) / det;
  inv[8] = (m[0] * m[4] - m[1] * m[3]) / det;
  return inv;
}

/** Volume (Å³); |det| of the lattice vectors. */
export function cellVolume(cell: Cell): number {
  return Math.abs(determinant3(cell.matrix));
}

/**
 * Build a cell from 9 numbers (rows a, b, c). Throws a RangeError when the cell is singular or not finite;
 * readers catch it and add the file and frame.
 */
export function makeCell(matrix: ArrayLike<number>, pbc: readonly [boolean, boolean, boolean] = [true, true, true]): Cell {
  if (matrix.length !== 9) throw new RangeError(`a cell needs 9 numbers, got ${matrix.length}`);
  const m = Float64Array.from(matrix);
  for (const v of m) if (!Number.isFinite(v)) throw new RangeError('the cell contains a non-finite number');
  const vol = Math.abs(determinant3(m));
  const scale = Math.max(1e-300, rowNorm(m, 0) * rowNorm(m, 1) * rowNorm(m, 2));
  if (vol / scale < 1e-8) throw new RangeError('the cell is singular (its lattice vectors are linearly dependent or zero)');
  return { matrix: m, inverse: inverse3(m), pbc };
}

function rowNorm(m: Float64Array, r: number): number {
  return Math.hypot(m[3 * r], m[3 * r + 1], m[3 * r + 2]);
}

/**
 * Perpendicular widths (Å): the distance between opposite faces along each lattice direction, V / |b × c| etc.
 * Minimum image is exact for a cutoff r only when r < width / 2 for every periodic direction.
 */
export function perpendicularWidths(cell: Cell): [number, number, number] {
  const m = cell.matrix;
  const vol = cellVolume(cell);
  const cross = (i: number, j: number): number => {
    const x = m[3 * i + 1] * m[3 * j + 2] - m[3 * i + 2] * m[3 * j + 1];
    const y = m[3 * i + 2] * m[3 * j] - m[3 * i] * m[3 * j + 2];
    const z = m[3 * i] * m[3 * j + 1] - m[3 * i + 1] * m[3 * j];
    return Math.hypot(x, y, z);
  };
  return [vol / cross(1, 2), vol / cross(2, 0), vol / cross(0, 1)];
}

/** Cartesian → fractional for n atoms (xyz interleaved). */
export function toFractional(cell: Cell, cart: Float64Array, out: Float64Array = new Float64Array(cart.length)): Float64Array {
  const v = cell.inverse;
  for (let i = 0; i < cart.length; i += 3) {
    const x = cart[i], y = cart[i + 1], z = cart[i + 2];
    out[i] = x * v[0] + y * v[3] + z * v[6];
    out[i + 1] = x * v[1] + y * v[4] + z * v[7];
    out[i + 2] = x * v[2] + y * v[5] + z * v[8];
  }
  return out;
}

/** Fractional → cartesian for n atoms (xyz interleaved). */
export function toCartesian(cell: Cell, frac: Float64Array, out: Float64Array = new Float64Array(frac.length)): Float64Array {
  const m = cell.matrix;
  for (let i = 0; i < frac.length; i += 3) {
    const a = frac[i], b = frac[i + 1], c = frac[i + 2];
    out[i] = a * m[0] + b * m[3] + c * m[6];
    out[i + 1] = a * m[1] + b * m[4] + c * m[7];
    out[i + 2] = a * m[2] + b * m[5] + c * m[8];
  }
  return out;
}

/** Wrap cartesian positions into the cell along periodic directions. */
export function wrapPositions(cell: Cell, cart: Float64Array): Float64Array {
  const frac = toFractional(cell, cart);
  for (let i = 0; i < frac.length; i++) {
    if (cell.pbc[i % 3]) frac[i] -= Math.floor(frac[i]);
  }
  return toCartesian(cell, frac);
}
