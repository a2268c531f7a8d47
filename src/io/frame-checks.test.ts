import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { makeCell } from '../structure/index.ts';
import { InputError } from '../util/errors.ts';
import { checkFrame } from './frame-checks.ts';
import { createRng } from '../util/rng.ts';
import type { RawFrame } from './types.ts';

const frame = (positions: number[], edge = 6): RawFrame => ({
  index: 3, line: 40, species: Uint8Array.from(positions.slice(0, positions.length / 3).map(() => 3)),
  positions: Float64Array.from(positions), cell: makeCell([edge, 0, 0, 0, edge, 0, 0, 0, edge]),
});
const checks = { minDistanceAngstrom: 0.5, maxCellsAway: 1000 };

test('overlap: two atoms 0.2 Å apart through the periodic boundary are refused; 0.6 Å apart pass', () => {
  assert.throws(() => checkFrame(frame([0.1, 3, 3, 5.9, 3, 3]), 'f.xyz', checks), (e: unknown) =>
    e instanceof InputError && e.message.startsWith('f.xyz, frame 3, line 40: atoms 1 (Li) and 2 (Li) are 0.200 Å apart') && /--min-distance/.test(e.message));
  checkFrame(frame([0.3, 3, 3, 5.7, 3, 3]), 'f.xyz', checks);
  // the same pair unwrapped by 7 cells is still an overlap (minimum image)
  assert.throws(() => checkFrame(frame([0.1, 3, 3, 5.9 + 42, 3, 3]), 'f.xyz', checks), /0\.200 Å apart/);
  // the check can be turned off
  checkFrame(frame([1, 1, 1, 1, 1, 1]), 'f.xyz', { ...checks, minDistanceAngstrom: 0 });
});

test('overlap is found among many atoms in a large cell (cell list at the mean spacing, not brute force)', () => {
  const pos: number[] = [];
  for (let i = 0; i < 10; i++) for (let j = 0; j < 10; j++) for (let k = 0; k < 10; k++) pos.push(2 * i + 0.5, 2 * j + 0.5, 2 * k + 0.5);
  checkFrame(frame(pos, 20), 'big.xyz', checks);
  pos[3 * 777] += 1.6; // atom 778 moves to 0.4 Å from atom 878 (its +x neighbour)
  assert.throws(() => checkFrame(frame(pos, 20), 'big.xyz', checks), /atoms 778 \(Li\) and 878 \(Li\) are 0\.400 Å apart/);
});

test('coordinates beyond the bound (1e200, or 1001 cells away) and non-finite ones are refused', () => {
  assert.throws(() => checkFrame(frame([1, 1, 1, 1e200, 3, 3]), 'f.xyz', checks), /atom 2 \(Li\) is at 1e\+200 3 3 Å, 1\.67e\+199 cell lengths along lattice vector a/);
  assert.throws(() => checkFrame(frame([1, 1, 1, 3, 3, -6 * 1001]), 'f.xyz', checks), /lattice vector c/);
  checkFrame(frame([1, 1, 1, 3, 3, -6 * 999]), 'f.xyz', checks);
  assert.throws(() => checkFrame(frame([1, NaN, 1, 3, 3, 3]), 'f.xyz', checks), /atom 1 has a non-finite position/);
});

test('a lattice vector longer than 1e5 Å (a corrupt number) is refused before any neighbour search', () => {
  const raw = { ...frame([1, 1, 1, 3, 3, 3]), cell: makeCell([1e200, 0, 0, 0, 6, 0, 0, 0, 6]) };
  assert.throws(() => checkFrame(raw, 'f.xyz', checks), /f\.xyz, frame 3, line 40: lattice vector a is 1\.00e\+200 Å long/);
});

/** Brute force: every pair and every lattice image within ±2 cells, the smallest distance, non-periodic axes unshifted. */
function bruteClosest(cell: ReturnType<typeof makeCell>, pos: Float64Array): number {
  const n = pos.length / 3, m = cell.matrix;
  let best = Infinity;
  const range = (d: number): number[] => (cell.pbc[d] ? [-2, -1, 0, 1, 2] : [0]);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) {
    for (const a of range(0)) for (const b of range(1)) for (const c of range(2)) {
      const vx = pos[3 * j] - pos[3 * i] + a * m[0] + b * m[3] + c * m[6];
      const vy = pos[3 * j + 1] - pos[3 * i + 1] + a * m[1] + b * m[4] + c * m[7];
      const vz = pos[3 * j + 2] - pos[3 * i + 2] + a * m[2] + b * m[5] + c * m[8];
      best = Math.min(best, Math.hypot(vx, vy, vz));
    }
  }
  return best;
}

/** Random skewed cells (some axes open) with a planted near pair; the check must refuse exactly when brute force finds a pair closer than the bound. */
function agreesWithBruteForce(seed: number, edgeMin: number, edgeSpan: number, atomsMax: number): void {
  const rng = createRng(seed);
  let found = 0, clear = 0;
  for (let trial = 0; trial < 300; trial++) {
    const edge = edgeMin + edgeSpan * rng.next();
    const tilt = (): number => (rng.next() - 0.5) * 0.6 * edge;
    const pbc: [boolean, boolean, boolean] = [true, rng.next() < 0.8, rng.next() < 0.6];
    const cell = makeCell([edge, 0, 0, tilt(), edge * (0.7 + 0.6 * rng.next()), 0, tilt(), tilt(), edge * (0.7 + 0.6 * rng.next())], pbc);
    const n = 2 + Math.floor((atomsMax - 1) * rng.next());
    const pos = new Float64Array(3 * n);
    for (let i = 0; i < n; i++) {
      // fractional in [-0.2, 1.2): unwrapped atoms, and atoms beyond a non-periodic face
      const s = [1.4 * rng.next() - 0.2, 1.4 * rng.next() - 0.2, 1.4 * rng.next() - 0.2];
      for (let c = 0; c < 3; c++) pos[3 * i + c] = s[0] * cell.matrix[c] + s[1] * cell.matrix[3 + c] + s[2] * cell.matrix[6 + c];
    }
    // move one atom to near another (sometimes through a periodic face) so the limit is met in about half the trials
    const a = Math.floor(rng.next() * n), b = (a + 1) % n;
    for (let c = 0; c < 3; c++) pos[3 * b + c] = pos[3 * a + c] + (rng.next() - 0.5) * 1.2 + (rng.next() < 0.3 && cell.pbc[0] ? cell.matrix[c] : 0);
    const limit = 0.5;
    const truth = bruteClosest(cell, pos);
    const raw: RawFrame = { index: 0, species: new Uint8Array(n).fill(3), positions: pos, cell };
    let refused: string | null = null;
    try {
      checkFrame(raw, 'f.xyz', { minDistanceAngstrom: limit, maxCellsAway: 1000 });
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      refused = e.message;
    }
    if (truth < limit) {
      assert.ok(refused !== null && /are 0\.\d{3} Å apart/.test(refused), `trial ${trial}: brute force finds ${truth} < ${limit}, the check passes the frame`);
      found++;
    } else {
      assert.equal(refused, null, `trial ${trial}: brute force closest ${truth}, yet the check says: ${refused}`);
      clear++;
    }
  }
  assert.ok(found > 50 && clear > 50, `both outcomes exercised (${found} overlaps, ${clear} clear)`);
}

test('the overlap check agrees with brute force on skewed and non-periodic cells with a planted near pair (the bin grid)', () => {
  agreesWithBruteForce(11, 4, 10, 44);
});

test('the overlap check agrees with brute force in cells narrower than three bounds (several images in reach: the general cell list)', () => {
  agreesWithBruteForce(12, 0.9, 0.6, 4);
});
