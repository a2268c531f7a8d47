import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { after, test } from 'node:test';
import { DEBIAN_PYTHON, pythonHas } from '../../test/helpers.ts';
import { collect, maxAbsDiff, scratch } from './testing.ts';

/**
 * Cross-check against ASE (Debian python3-ase under /usr/bin/python3). Without ASE the tests are skipped locally
 * (marked SKIP) and fail under CI (pythonHas throws), so the check can never pass by not running.
 */
const PYTHON = DEBIAN_PYTHON;
const aseAvailable = (): boolean => pythonHas(['ase.io']);

const tmp = scratch();
after(tmp.remove);

interface AseFrame {
  cell: number[];
  positions: number[];
  numbers: number[];
  celldisp: number[];
  arrays: Record<string, number[]>;
  info: Record<string, unknown>;
}

/** Frames as ASE reads them: ase.io.read(path, index, format). */
function aseRead(path: string, index: string, format: string): AseFrame[] {
  const script = `
import json, sys, numpy as np, ase.io
frames = ase.io.read(sys.argv[1], index=sys.argv[2], format=sys.argv[3])
out = []
for a in frames:
    arrays = {k: np.asarray(v).ravel().tolist() for k, v in a.arrays.items() if np.asarray(v).dtype.kind in 'if'}
    info = {k: (v.item() if isinstance(v, np.generic) else v) for k, v in a.info.items()}
    info = {k: v for k, v in info.items() if isinstance(v, (str, int, float, bool))}
    out.append(dict(cell=a.cell[:].ravel().tolist(), positions=a.positions.ravel().tolist(), numbers=a.numbers.tolist(),
                    celldisp=np.asarray(a.get_celldisp()).ravel().tolist(), arrays=arrays, info=info))
print(json.dumps(out))
`;
  const r = spawnSync(PYTHON, ['-c', script, path, index, format], { encoding: 'utf8', maxBuffer: 1 << 28 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as AseFrame[];
}

const example = (name: string): string => new URL(`../../${name}`, import.meta.url).pathname;

test('XDATCAR: cells, species and positions equal to ASE (first and last frame of run1)', async (t) => {
  if (!aseAvailable()) return t.skip('ASE is not installed under /usr/bin/python3; cross-check not run');
  const path = example('examples/Li6PS5Cl-50p-500K/run1.XDATCAR.gz');
  const ase = aseRead(path, '0:140:139', 'vasp-xdatcar');
  const ours = await collect([path], { stride: 139 });
  assert.equal(ours.length, 2);
  for (let i = 0; i < 2; i++) {
    assert.ok(maxAbsDiff(ours[i].cell.matrix, ase[i].cell) < 1e-12);
    assert.deepEqual([...ours[i].species], ase[i].numbers);
    assert.ok(maxAbsDiff(ours[i].positions, ase[i].positions) < 1e-9);
  }
});

test('extended XYZ: the LGPS frames and an ASE-written file with I/R/S/L columns and info read as ASE reads them', async (t) => {
  if (!aseAvailable()) return t.skip('ASE is not installed under /usr/bin/python3; cross-check not run');
  const lgps = example('test/data/LGPS-600K-small/LGPS-600K.extxyz.gz');
  // ASE reads a gzip extended XYZ slowly, so two frames (the last is checked against a plain parse in extxyz.test.ts)
  const ase = aseRead(lgps, '0:2', 'extxyz');
  const ours = await collect([lgps], { stop: 2 });
  for (let i = 0; i < 2; i++) {
    assert.ok(maxAbsDiff(ours[i].cell.matrix, ase[i].cell) < 1e-12);
    assert.deepEqual([...ours[i].species], ase[i].numbers);
    assert.ok(maxAbsDiff(ours[i].positions, ase[i].positions) < 1e-12);
  }
  const written = tmp.dir + '/ase-written.extxyz';
  const write = spawnSync(PYTHON, ['-c', `
import sys, numpy as np, ase.io
from ase import Atoms
a = Atoms('Li2SP', positions=[[0,0,0],[1,1,1],[2.5,1,0.5],[3,3,3]], cell=[[5,0,0],[1,6,0],[0.5,0.2,7]], pbc=True)
a.new_array('site_type', np.array([1,2,-3,4], dtype=int))
a.new_array('charge', np.array([0.5,0.5,-1.0,0.0]))
a.new_array('label', np.array(['a','bb','c','d']))
a.new_array('fixed', np.array([True,False,True,False]))
a.new_array('vec', np.arange(12.).reshape(4,3)*0.1)
a.info.update(time=1.5, energy_eV=-12.25, name='two words', flag=True, step=7)
ase.io.write(sys.argv[1], [a, a], format='extxyz')
`, written], { encoding: 'utf8' });
  assert.equal(write.status, 0, write.stderr);
  const [ref] = aseRead(written, '0:1', 'extxyz');
  const [f] = await collect([written]);
  assert.ok(maxAbsDiff(f.cell.matrix, ref.cell) < 1e-12);
  assert.ok(maxAbsDiff(f.positions, ref.positions) < 1e-12);
  assert.deepEqual([...f.species], ref.numbers);
  // ASE renames a 'charge' column to initial_charges
  for (const [ours, theirs] of [['site_type', 'site_type'], ['charge', 'initial_charges'], ['vec', 'vec']]) {
    assert.ok(maxAbsDiff(f.arrays?.[ours] ?? [], ref.arrays[theirs] ?? []) < 1e-12, ours);
  }
  assert.ok(f.arrays?.site_type instanceof Int32Array);
  assert.deepEqual(f.info, ref.info);
  assert.equal(f.timePs, 1.5);
});

test('LAMMPS triclinic dump: the cell equals ASE\'s, positions equal ASE\'s minus its cell displacement (the box origin)', async (t) => {
  if (!aseAvailable()) return t.skip('ASE is not installed under /usr/bin/python3; cross-check not run');
  const text = [
    'ITEM: TIMESTEP', '0', 'ITEM: NUMBER OF ATOMS', '3', 'ITEM: BOX BOUNDS xy xz yz pp pp pp',
    '2.0 13.5 1.0', '-1.5 7.0 0.5', '1.0 7.0 -0.5', 'ITEM: ATOMS id type x y z',
    '3 2 7.75 2.75 4', '1 1 2.5 -0.5 1.5', '2 1 12 0 1.2',
    'ITEM: TIMESTEP', '10', 'ITEM: NUMBER OF ATOMS', '3', 'ITEM: BOX BOUNDS xy xz yz pp pp pp',
    '-1.0 10.5 -1.0', '0 8.25 0.5', '0 6 0.25', 'ITEM: ATOMS id type xs ys zs',
    '2 1 0.5 0.5 0.5', '3 2 0.1 0.2 0.3', '1 1 0.9 0.0 0.25',
  ].join('\n') + '\n';
  const path = tmp.write('tri.lammpstrj', text);
  const ase = aseRead(path, ':', 'lammps-dump-text');
  const ours = await collect([path], { typeMap: { 1: 'H', 2: 'He' } });
  for (let i = 0; i < 2; i++) {
    assert.ok(maxAbsDiff(ours[i].cell.matrix, ase[i].cell) < 1e-12);
    const shifted = ase[i].positions.map((v, k) => v - ase[i].celldisp[k % 3]);
    assert.ok(maxAbsDiff(ours[i].positions, shifted) < 1e-12);
    // ASE numbers LAMMPS types as atomic numbers when no element is given: type 1 → H, 2 → He
    assert.deepEqual([...ours[i].species], ase[i].numbers);
  }
});
