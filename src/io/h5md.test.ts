import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DEBIAN_PYTHON, getsei, pythonHas } from '../../test/helpers.ts';
import { writeWithMdTools, type MdJob } from '../../test/md-crosscheck.ts';
import { detectReader } from './registry.ts';
import { collect, maxAbsDiff, scratch } from './testing.ts';

const tmp = scratch();
after(tmp.remove);
const available = pythonHas(['MDAnalysis', 'h5py']);
const at = (name: string): string => join(tmp.dir, name);
const loose = { minDistanceAngstrom: 0 };

const jobs: MdJob[] = [{ format: 'h5md', path: at('mda.h5md'), atoms: 60, frames: 4, options: { triclinic: true } }];
const refs = available ? writeWithMdTools(jobs) : [];

/**
 * An H5MD file in the layout LAMMPS `dump h5md` writes (group "all", species = atom types as a time-dependent
 * element), written with h5py: positions in nm with a unit attribute, step and time as fixed intervals (scalars with
 * an offset), the box sampled every second frame, z not periodic.
 */
const LAMMPS_STYLE = `
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], 'w') as f:
    f.create_group('h5md').attrs['version'] = np.array([1, 1])
    g = f.create_group('particles/all')
    pos = g.create_group('position')
    x = np.array([[[0.1 * i + 0.01 * t, 0.2, 0.3 + 0.05 * i] for i in range(4)] for t in range(5)], dtype=np.float64)
    v = pos.create_dataset('value', data=x)
    v.attrs['unit'] = 'nm'
    s = pos.create_dataset('step', data=100)
    s.attrs['offset'] = 1000
    tm = pos.create_dataset('time', data=0.5)
    tm.attrs['offset'] = 10.0
    tm.attrs['unit'] = 'fs'
    box = g.create_group('box')
    box.attrs['dimension'] = 3
    box.attrs['boundary'] = np.array([b'periodic', b'periodic', b'none'])
    e = box.create_group('edges')
    e.create_dataset('value', data=np.array([[2.0 + 0.1 * k, 2.1, 2.2] for k in range(3)]))
    e['value'].attrs['unit'] = 'nm'
    e.create_dataset('step', data=np.array([1000, 1200, 1400]))
    e.create_dataset('time', data=np.array([0.0, 1.0, 2.0]))
    sp = g.create_group('species')
    sp.create_dataset('value', data=np.array([[1, 2, 2, 1]] * 5, dtype=np.int32))
    sp.create_dataset('step', data=np.array([1000, 1100, 1200, 1300, 1400]))
    sp.create_dataset('time', data=np.array([0.0, 0.5, 1.0, 1.5, 2.0]))
`;

test('H5MD written by MDAnalysis: positions, triclinic boxes and times as MDAnalysis reads them', async (t) => {
  if (!available) return t.skip('MDAnalysis/h5py are not installed under /usr/bin/python3; cross-check not run');
  assert.equal((await detectReader(jobs[0].path)).name, 'h5md');
  const ours = await collect([jobs[0].path], { ...loose, species: 'Li:40,S:20' });
  const ref = refs[0];
  assert.equal(ours.length, ref.length);
  for (let i = 0; i < ref.length; i++) {
    assert.ok(maxAbsDiff(ours[i].positions, ref[i].positions) < 1e-6, `frame ${i}: positions`);
    assert.ok(maxAbsDiff(ours[i].cell.matrix, ref[i].box) < 1e-5, `frame ${i}: box`);
    assert.equal(ours[i].timePs, ref[i].time);
  }
  assert.ok(Math.abs(ours[1].cell.matrix[6]) > 1, 'frame 1 is triclinic');
  const strided = await collect([jobs[0].path], { ...loose, species: 'Li:40,S:20', start: 1, stride: 2 });
  assert.deepEqual([...strided[1].positions], [...ours[3].positions]);
});

test('H5MD in the LAMMPS layout: species through --type-map, nm → Å, fixed-interval step/time, box matched by step, z not periodic', async (t) => {
  if (!available) return t.skip('h5py is not installed under /usr/bin/python3');
  const path = at('lammps.h5');
  const r = spawnSync(DEBIAN_PYTHON, ['-c', LAMMPS_STYLE, path], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const frames = await collect([path], { ...loose, typeMap: { 1: 'Li', 2: 'S' } });
  assert.equal(frames.length, 5);
  assert.deepEqual([...frames[0].species], [3, 16, 16, 3]);
  assert.ok(maxAbsDiff(frames[2].positions.subarray(0, 3), [1.2 * 0 + 0.2, 2, 3]) < 1e-12);
  assert.deepEqual(frames.map((f) => f.info?.step), [1000, 1100, 1200, 1300, 1400]);
  assert.deepEqual(frames.map((f) => f.timePs), [0.01, 0.0105, 0.011, 0.0115, 0.012]);
  // boxes at steps 1000, 1200, 1400: frame 1 (step 1100) keeps the first, frame 3 the second
  assert.deepEqual(frames.map((f) => Number(f.cell.matrix[0].toFixed(12))), [20, 20, 21, 21, 22]);
  assert.deepEqual(frames[0].cell.pbc, [true, true, false]);
  await assert.rejects(collect([path], loose), /lammps\.h5: the species numbers 1, 2 have no element \(species in the file: 1, 2\)\. give --type-map/);
  const inspect = getsei(['inspect', path, '--type-map', '1=Li,2=S', '--min-distance', '0']);
  assert.equal(inspect.code, 0, inspect.stderr);
  assert.match(inspect.stdout, /h5md/);
  assert.match(inspect.stdout, /c non-periodic/);
});

test('H5MD bad input: not HDF5, cut file, HDF5 without particles', async (t) => {
  if (!available) return t.skip('MDAnalysis/h5py are not installed under /usr/bin/python3');
  const opts = { ...loose, species: 'Li:40,S:20' };
  await assert.rejects(collect([tmp.write('text.h5md', 'not hdf5\n')], opts), /text\.h5md: not an HDF5 file/);
  const src = readFileSync(jobs[0].path);
  writeFileSync(at('cut.h5md'), src.subarray(0, Math.floor(src.length * 0.6)));
  await assert.rejects(collect([at('cut.h5md')], opts), /cut\.h5md(, frame \d+)?: (cannot be opened as HDF5|the positions cannot be read|the box edges cannot be read)/);
  const r = spawnSync(DEBIAN_PYTHON, ['-c', 'import sys, h5py; h5py.File(sys.argv[1], "w").create_dataset("x", data=[1])', at('plain.h5')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  await assert.rejects(collect([at('plain.h5')], opts), /plain\.h5: this HDF5 file has no \/particles group/);
  const cli = getsei(['inspect', at('cut.h5md'), '--species', 'Li:40,S:20']);
  assert.equal(cli.code, 2, cli.stderr);
  assert.equal(cli.stderr.trim().split('\n').length, 1);
});
