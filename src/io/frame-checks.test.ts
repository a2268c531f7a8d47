import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { makeCell } from '../structure/index.ts';
import { InputError } from '../util/errors.ts';
import { checkFrame } from './frame-checks.ts';
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
