import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DEBIAN_PYTHON, getsei, pythonHas, referencesRequired } from '../../test/helpers.ts';
import { neighborList } from '../neighbors/index.ts';
import { collect, scratch } from './testing.ts';
import { summarizeTrajectory } from './trajectory.ts';

const tmp = scratch();
after(tmp.remove);

/** LAMMPS (Debian `lammps`, binary `lmp`) for dumps written by the real program; required under CI. */
function lammpsAvailable(): boolean {
  const r = spawnSync('lmp', ['-h'], { encoding: 'utf8' });
  if (r.status === 0) return true;
  if (referencesRequired()) throw new Error('cross-check reference missing under CI: `lmp` (Debian lammps) is not installed; .ci/run installs it');
  return false;
}

/** No neighbour of any atom lies across a non-periodic face: every displacement along it is a plain difference. */
function assertNoImagesAlong(axis: number, positions: Float64Array, nl: ReturnType<typeof neighborList>): void {
  for (let c = 0; c < nl.centers.length; c++) {
    const i = nl.centers[c];
    for (let e = nl.offsets[c]; e < nl.offsets[c + 1]; e++) {
      const j = nl.index[e];
      assert.ok(Math.abs(nl.vector[3 * e + axis] - (positions[3 * j + axis] - positions[3 * i + axis])) < 1e-9, `image of ${j} across axis ${axis}`);
    }
  }
}

test('extended XYZ pbc="T T F": a slab with vacuum is non-periodic along c, inspect shows each axis', async () => {
  // two layers 1 Å from the bottom and top faces of a 12 Å cell: 2 Å apart through the c face, 10 Å inside
  const atoms = ['Li 1 1 1', 'S 3 1 1', 'Li 1 1 11', 'S 3 1 11'];
  const text = (pbc: string): string => `4\nLattice="6 0 0 0 6 0 0 0 12" Properties=species:S:1:pos:R:3 pbc="${pbc}"\n${atoms.join('\n')}\n`;
  const slab = tmp.write('slab.extxyz', text('T T F'));
  const bulk = tmp.write('bulk.extxyz', text('T T T'));
  const [fs] = await collect([slab]);
  const [fb] = await collect([bulk]);
  assert.deepEqual(fs.cell.pbc, [true, true, false]);
  const through = (f: typeof fs): number => {
    const nl = neighborList(f.cell, f.positions, 3);
    return nl.distance.filter((d, e) => Math.abs(nl.vector[3 * e + 2]) > 1).length;
  };
  assert.equal(through(fb), 8); // each atom: its like partner (2 Å) and the other species (2.83 Å) across the c face
  assert.equal(through(fs), 0);
  assertNoImagesAlong(2, fs.positions, neighborList(fs.cell, fs.positions, 5));

  const s = await summarizeTrajectory([slab], { dtPs: 1 });
  assert.deepEqual(s.boundary, ['periodic', 'periodic', 'non-periodic']);
  assert.ok(!s.warnings.some((w) => /periodic/.test(w)), s.warnings.join('\n'));
  const cli = getsei(['inspect', slab, '--dt', '1']);
  assert.equal(cli.code, 0, cli.stderr);
  assert.match(cli.stdout, /boundary\s+a periodic, b periodic, c non-periodic/);
});

test('boundaries that change between frames are reported', async () => {
  const frame = (pbc: string): string => `1\nLattice="5 0 0 0 5 0 0 0 5" Properties=species:S:1:pos:R:3 pbc="${pbc}"\nLi 1 1 1\n`;
  const path = tmp.write('changing.extxyz', frame('T T T') + frame('T T F'));
  const s = await summarizeTrajectory([path], { dtPs: 1 });
  assert.deepEqual(s.boundary, ['periodic', 'periodic', 'periodic']);
  assert.match(s.warnings.join('\n'), /periodic boundaries change between frames \(first: .*changing\.extxyz, frame 1 has pbc T T F but the first frame has T T T\)/);
});

test('LAMMPS triclinic box flags "xy xz yz pp pp ff" make c non-periodic', async () => {
  const dump = ['ITEM: TIMESTEP', '0', 'ITEM: NUMBER OF ATOMS', '2', 'ITEM: BOX BOUNDS xy xz yz pp pp ff',
    '0 10 1', '0 10 0', '0 30 0', 'ITEM: ATOMS id type x y z', '1 1 1 1 1', '2 1 2 2 29'].join('\n');
  const [f] = await collect([tmp.write('tri.dump', dump)], { typeMap: { 1: 'Li' } });
  assert.deepEqual(f.cell.pbc, [true, true, false]);
});

test('LAMMPS dumps written by lmp with boundary p s fm: flags per axis, no images across s/f faces, as ASE reads them', async (t) => {
  if (!lammpsAvailable()) return t.diagnostic('LAMMPS (lmp) is not installed; cross-check not run');
  const input = `units metal
atom_style atomic
boundary p p f
lattice fcc 4.0
region box block 0 3 0 3 0 6
create_box 2 box
region slab block 0 3 0 3 0.5 3
create_atoms 1 region slab
set type 1 type/fraction 2 0.25 42
mass 1 6.94
mass 2 32.06
pair_style lj/cut 5.0
pair_coeff * * 0.01 2.5
velocity all create 300 7
fix 1 all nve
dump d all custom 5 slab.dump id type x y z
dump_modify d time yes units yes
change_box all boundary p s fm
run 10
`;
  tmp.write('in.slab', input);
  const r = spawnSync('lmp', ['-in', 'in.slab', '-log', 'none', '-screen', 'none'], { cwd: tmp.dir, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const path = join(tmp.dir, 'slab.dump');
  const frames = await collect([path], { typeMap: { 1: 'Li', 2: 'S' } });
  assert.equal(frames.length, 3);
  for (const f of frames) {
    assert.deepEqual(f.cell.pbc, [true, false, false]);
    const nl = neighborList(f.cell, f.positions, 4.5);
    assertNoImagesAlong(1, f.positions, nl);
    assertNoImagesAlong(2, f.positions, nl);
  }
  const s = await summarizeTrajectory([path], { typeMap: { 1: 'Li', 2: 'S' } });
  assert.deepEqual(s.boundary, ['periodic', 'non-periodic', 'non-periodic']);
  if (pythonHas(['ase.io'])) {
    const py = spawnSync(DEBIAN_PYTHON, ['-c', 'import sys, ase.io; print([a.pbc.tolist() for a in ase.io.read(sys.argv[1], ":", format="lammps-dump-text")])', path], { encoding: 'utf8' });
    assert.equal(py.status, 0, py.stderr);
    assert.equal(py.stdout.trim(), '[[True, False, False], [True, False, False], [True, False, False]]');
  }
});
