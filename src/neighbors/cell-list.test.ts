import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { makeCell, perpendicularWidths, type Cell } from '../structure/cell.ts';
import { createRng, type Rng } from '../util/rng.ts';
import { neighborList } from './cell-list.ts';

/** Every image of every atom within the cutoff, by brute force over a generous box of lattice shifts. */
function bruteForce(cell: Cell, pos: Float64Array, rc: number): string[][] {
  const n = pos.length / 3;
  const w = perpendicularWidths(cell);
  const reach = w.map((wd, d) => (cell.pbc[d] ? Math.ceil(rc / wd) + 1 : 0));
  const m = cell.matrix;
  const out: string[][] = [];
  for (let i = 0; i < n; i++) {
    const row: string[] = [];
    for (let j = 0; j < n; j++) {
      for (let a = -reach[0]; a <= reach[0]; a++) {
        for (let b = -reach[1]; b <= reach[1]; b++) {
          for (let c = -reach[2]; c <= reach[2]; c++) {
            if (i === j && a === 0 && b === 0 && c === 0) continue;
            const vx = pos[3 * j] + a * m[0] + b * m[3] + c * m[6] - pos[3 * i];
            const vy = pos[3 * j + 1] + a * m[1] + b * m[4] + c * m[7] - pos[3 * i + 1];
            const vz = pos[3 * j + 2] + a * m[2] + b * m[5] + c * m[8] - pos[3 * i + 2];
            const r = Math.hypot(vx, vy, vz);
            if (r < rc) row.push(key(j, vx, vy, vz));
          }
        }
      }
    }
    out.push(row.sort());
  }
  return out;
}

const key = (j: number, x: number, y: number, z: number): string => `${j}:${x.toFixed(6)},${y.toFixed(6)},${z.toFixed(6)}`;

function fromList(nl: ReturnType<typeof neighborList>): string[][] {
  const out: string[][] = [];
  for (let c = 0; c < nl.centers.length; c++) {
    const row: string[] = [];
    for (let e = nl.offsets[c]; e < nl.offsets[c + 1]; e++) {
      row.push(key(nl.index[e], nl.vector[3 * e], nl.vector[3 * e + 1], nl.vector[3 * e + 2]));
      assert.ok(Math.abs(nl.distance[e] - Math.hypot(nl.vector[3 * e], nl.vector[3 * e + 1], nl.vector[3 * e + 2])) < 1e-12);
    }
    out.push(row.sort());
  }
  return out;
}

function randomCell(rng: Rng, scale: number, skew: number): Cell {
  const a = [scale * (0.7 + 0.6 * rng.next()), 0, 0];
  const b = [skew * scale * (rng.next() - 0.5), scale * (0.7 + 0.6 * rng.next()), 0];
  const c = [skew * scale * (rng.next() - 0.5), skew * scale * (rng.next() - 0.5), scale * (0.7 + 0.6 * rng.next())];
  return makeCell([...a, ...b, ...c]);
}

function randomPositions(rng: Rng, cell: Cell, n: number, spill: number): Float64Array {
  const pos = new Float64Array(3 * n);
  const m = cell.matrix;
  for (let i = 0; i < n; i++) {
    // fractional coordinates partly outside [0, 1): the search must not need wrapped input
    const f = [0, 1, 2].map(() => rng.next() * (1 + 2 * spill) - spill);
    for (let d = 0; d < 3; d++) pos[3 * i + d] = f[0] * m[d] + f[1] * m[3 + d] + f[2] * m[6 + d];
  }
  return pos;
}

test('matches brute force on random triclinic cells, large and skewed', () => {
  const rng = createRng(11);
  for (let trial = 0; trial < 12; trial++) {
    const cell = randomCell(rng, 9 + 6 * rng.next(), trial % 2 === 0 ? 0.4 : 1.2);
    const pos = randomPositions(rng, cell, 40, 0.3);
    const nl = neighborList(cell, pos, 3.0 + rng.next() * 1.5);
    assert.deepEqual(fromList(nl), bruteForce(cell, pos, nl.cutoffAngstrom), `trial ${trial}`);
  }
});

test('cells smaller than twice the cutoff: every periodic image is a separate neighbour', () => {
  const rng = createRng(5);
  for (let trial = 0; trial < 10; trial++) {
    const cell = randomCell(rng, 2.5 + 3 * rng.next(), 0.8);
    const pos = randomPositions(rng, cell, 6, 0.1);
    const nl = neighborList(cell, pos, 4.0);
    assert.deepEqual(fromList(nl), bruteForce(cell, pos, 4.0), `trial ${trial}`);
  }
});

test('a single atom in a cubic cell of 3 Å sees its own 6 face images within 3.5 Å', () => {
  const cell = makeCell([3, 0, 0, 0, 3, 0, 0, 0, 3]);
  const nl = neighborList(cell, Float64Array.from([1, 1, 1]), 3.5);
  assert.equal(nl.offsets[1], 6);
  for (let e = 0; e < 6; e++) {
    assert.equal(nl.index[e], 0);
    assert.ok(Math.abs(nl.distance[e] - 3) < 1e-12);
  }
});

test('only the requested centres are listed, in order', () => {
  const rng = createRng(3);
  const cell = randomCell(rng, 10, 0.5);
  const pos = randomPositions(rng, cell, 30, 0);
  const all = fromList(neighborList(cell, pos, 4));
  const some = fromList(neighborList(cell, pos, 4, Int32Array.from([7, 2, 19])));
  assert.deepEqual(some, [all[7], all[2], all[19]]);
});

test('non-periodic directions have no images', () => {
  const cell = makeCell([4, 0, 0, 0, 4, 0, 0, 0, 4], [true, true, false]);
  const pos = Float64Array.from([1, 1, 0.5, 1, 1, 3.7]);
  const nl = neighborList(cell, pos, 3.5);
  const bf = bruteForce(cell, pos, 3.5);
  assert.deepEqual(fromList(nl), bf);
  // across z only the direct 3.2 Å partner, never its image at 0.8 Å
  assert.ok(!Array.from(nl.distance).some((d) => d < 1));
});

test('slabs: every combination of non-periodic axes, atoms in a vacuum gap and outside the cell, equals brute force', () => {
  const rng = createRng(12);
  const flags: [boolean, boolean, boolean][] = [[true, true, false], [true, false, false], [false, false, false], [false, true, true], [true, false, true]];
  for (const pbc of flags) {
    for (let trial = 0; trial < 3; trial++) {
      // a triclinic slab cell: 9–11 Å in plane, 25 Å normal with a tilt; atoms fill the lowest 8 Å of c
      const m = [9 + 2 * rng.next(), 0, 0, 1.5 * rng.next(), 9 + 2 * rng.next(), 0, rng.next(), rng.next(), 25];
      const cell = makeCell(m, pbc);
      const n = 40;
      const pos = new Float64Array(3 * n);
      for (let i = 0; i < n; i++) {
        // fractional c from −0.05 to 0.32: a few atoms lie below the cell, as in a shrink-wrapped or unwrapped slab
        const f = [rng.next() * 1.2 - 0.1, rng.next() * 1.2 - 0.1, -0.05 + 0.37 * rng.next()];
        for (let d = 0; d < 3; d++) pos[3 * i + d] = f[0] * m[d] + f[1] * m[3 + d] + f[2] * m[6 + d];
      }
      const nl = neighborList(cell, pos, 4.5);
      assert.deepEqual(fromList(nl), bruteForce(cell, pos, 4.5), `pbc ${pbc.join(' ')} trial ${trial}`);
    }
  }
});

test('a slab whose vacuum is thinner than the cutoff: periodic c links the two surfaces, non-periodic c does not', () => {
  const pos = Float64Array.from([2, 2, 0.5, 2, 2, 9.0]); // 8.5 Å apart inside, 1.5 Å through a periodic c face
  const periodic = neighborList(makeCell([6, 0, 0, 0, 6, 0, 0, 0, 10]), pos, 3);
  const slab = neighborList(makeCell([6, 0, 0, 0, 6, 0, 0, 0, 10], [true, true, false]), pos, 3);
  assert.deepEqual(Array.from(periodic.distance, (d) => +d.toFixed(6)), [1.5, 1.5]);
  assert.equal(slab.distance.length, 0);
});
