import { strict as assert } from 'node:assert';
import { after, test } from 'node:test';
import { collect, maxAbsDiff, scratch } from './testing.ts';
import { frameIntervalPs } from './trajectory.ts';

const tmp = scratch();
after(tmp.remove);

interface DumpFrame {
  step?: number;
  box: string;
  bounds: string[];
  columns: string;
  atoms: string[];
  extra?: string;
}

function dump(frames: DumpFrame[]): string {
  return frames
    .map((f) =>
      [
        ...(f.extra === undefined ? [] : [f.extra]),
        'ITEM: TIMESTEP', String(f.step ?? 0),
        'ITEM: NUMBER OF ATOMS', String(f.atoms.length),
        `ITEM: BOX BOUNDS ${f.box}`, ...f.bounds,
        `ITEM: ATOMS ${f.columns}`, ...f.atoms,
      ].join('\n'),
    )
    .join('\n') + '\n';
}

/**
 * Triclinic box with xlo=2, xhi=12, ylo=−1, yhi=7, zlo=1, zhi=7, xy=1, xz=0.5, yz=−0.5. By the LAMMPS rules the
 * written bounds are xlo_bound = 2 + min(0, 1, 0.5, 1.5) = 2, xhi_bound = 12 + max(…) = 13.5,
 * ylo_bound = −1 + min(0, −0.5) = −1.5, yhi_bound = 7 + max(0, −0.5) = 7.
 */
const TRICLINIC = { box: 'xy xz yz pp pp pp', bounds: ['2.0 13.5 1.0', '-1.5 7.0 0.5', '1.0 7.0 -0.5'] };
const CELL = [10, 0, 0, 1, 8, 0, 0.5, -0.5, 6];

test('triclinic bounds become the cell by the LAMMPS rules; scaled coordinates are fractional in it', async () => {
  const text = dump([{ ...TRICLINIC, columns: 'id type xs ys zs', atoms: ['3 2 0.5 0.5 0.5', '1 1 0 0 0', '2 1 1 0 0'] }]);
  const [f] = await collect([tmp.write('tri.lammpstrj', text)], { typeMap: { 1: 'Li', 2: 'S' }, minDistanceAngstrom: 0 });
  assert.ok(maxAbsDiff(f.cell.matrix, CELL) < 1e-12);
  // sorted by id: 1 → (0,0,0); 2 → a = (10,0,0); 3 → (a+b+c)/2 = (5.75, 3.75, 3)
  assert.ok(maxAbsDiff(f.positions, [0, 0, 0, 10, 0, 0, 5.75, 3.75, 3]) < 1e-12);
  assert.deepEqual([...f.species], [3, 3, 16]);
  assert.deepEqual([...(f.arrays?.type ?? [])], [1, 1, 2]);
  assert.deepEqual(f.info, { timestep: 0 });
});

test('negative tilts: the bounds correction uses min/max over 0, xy, xz, xy+xz', async () => {
  // xy = −1, xz = 0.5 → min = −1, max = 0.5; true xlo = 0, xhi = 10 → bounds −1 and 10.5; yz = 0.25 → ylo_bound = 0, yhi_bound = 8.25
  const text = dump([{ box: 'xy xz yz pp pp pp', bounds: ['-1 10.5 -1', '0 8.25 0.5', '0 6 0.25'], columns: 'id element x y z', atoms: ['1 Li 1 2 3'] }]);
  const [f] = await collect([tmp.write('neg.dump', text)]);
  assert.ok(maxAbsDiff(f.cell.matrix, [10, 0, 0, -1, 8, 0, 0.5, 0.25, 6]) < 1e-12);
  assert.deepEqual([...f.positions], [1, 2, 3]);
});

test('cartesian columns are shifted by the box origin (a rigid translation); ids need not be contiguous', async () => {
  const text = dump([{ ...TRICLINIC, columns: 'id element x y z', atoms: ['30 S 2 -1 1', '10 Li 7.75 2.75 4', '20 P 12 -1 1'] }]);
  const [f] = await collect([tmp.write('cart.dump', text)], { minDistanceAngstrom: 0 });
  assert.deepEqual([...f.species], [3, 15, 16], 'ordered by id 10, 20, 30');
  assert.ok(maxAbsDiff(f.positions, [5.75, 3.75, 3, 10, 0, 0, 0, 0, 0]) < 1e-12);
});

test('unwrapped columns are preferred over wrapped; xsu is scaled and unwrapped', async () => {
  const ortho = { box: 'pp pp pp', bounds: ['0 10', '0 10', '0 10'] };
  const both = dump([{ ...ortho, columns: 'id element x y z xu yu zu', atoms: ['1 Li 1 1 1 11 -9 21'] }]);
  const [a] = await collect([tmp.write('both.dump', both)], { minDistanceAngstrom: 0 });
  assert.deepEqual([...a.positions], [11, -9, 21]);
  const su = dump([{ ...ortho, columns: 'id element xsu ysu zsu', atoms: ['1 Li 1.5 -0.25 0.5'] }]);
  const [b] = await collect([tmp.write('su.dump', su)]);
  assert.deepEqual([...b.positions], [15, -2.5, 5]);
  assert.deepEqual(b.cell.pbc, [true, true, true]);
  const fixed = dump([{ box: 'pp pp fs', bounds: ['0 10', '0 10', '0 10'], columns: 'id element x y z', atoms: ['1 Li 1 1 1'] }]);
  const [c] = await collect([tmp.write('fixed.dump', fixed)]);
  assert.deepEqual(c.cell.pbc, [true, true, false]);
});

test('general triclinic "abc origin" boxes: rows are the edge vectors, positions relative to the origin', async () => {
  const text = dump([{ box: 'abc origin pp pp pp', bounds: ['4 0 0 1', '1 5 0 2', '0 1 6 3'], columns: 'id element x y z', atoms: ['1 Li 2 3 4'] }]);
  const [f] = await collect([tmp.write('abc.dump', text)]);
  assert.deepEqual([...f.cell.matrix], [4, 0, 0, 1, 5, 0, 0, 1, 6]);
  assert.deepEqual([...f.positions], [1, 1, 1]);
});

test('ITEM: TIME with ITEM: UNITS gives times in ps (metal: ps, real: fs); timesteps go to info', async () => {
  const ortho = { box: 'pp pp pp', bounds: ['0 10', '0 10', '0 10'], columns: 'id element x y z', atoms: ['1 Li 1 1 1'] };
  const metal = tmp.write('metal.dump', dump([
    { ...ortho, step: 0, extra: 'ITEM: UNITS\nmetal\nITEM: TIME\n0' },
    { ...ortho, step: 100, extra: 'ITEM: TIME\n0.1' },
  ]));
  const frames = await collect([metal]);
  assert.deepEqual(frames.map((f) => f.timePs), [0, 0.1]);
  assert.deepEqual(frames.map((f) => f.info?.timestep), [0, 100]);
  assert.equal(await frameIntervalPs([metal]), 0.1);
  const real = tmp.write('real.dump', dump([
    { ...ortho, extra: 'ITEM: UNITS\nreal\nITEM: TIME\n0' },
    { ...ortho, step: 1, extra: 'ITEM: TIME\n50' },
  ]));
  assert.equal(await frameIntervalPs([real]), 0.05);
  // no TIME: the dump has no time per frame (the timestep size is not in it)
  const plain = tmp.write('plain.dump', dump([{ ...ortho }, { ...ortho, step: 10 }]));
  assert.equal(await frameIntervalPs([plain]), undefined);
  assert.equal(await frameIntervalPs([plain], { dtPs: 0.01, stride: 5 }), 0.05);
});
