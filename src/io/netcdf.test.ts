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
const available = pythonHas(['MDAnalysis', 'netCDF4']);
const at = (name: string): string => join(tmp.dir, name);
const opts = { minDistanceAngstrom: 0, species: 'Li:40,S:20' };

// MDAnalysis writes NetCDF-3 with 64-bit offsets (through scipy)
const jobs: MdJob[] = [{ format: 'ncdf', path: at('mda.ncdf'), atoms: 60, frames: 4, options: { triclinic: true } }];
const refs = available ? writeWithMdTools(jobs) : [];

/**
 * AMBER-convention files written with netCDF4 in the LAMMPS `dump netcdf` manner (atom_types per frame, time in
 * femtoseconds, coordinates with a scale factor), as NetCDF-3 classic, and the same as netCDF-4 (HDF5).
 */
const LAMMPS_STYLE = `
import sys, numpy as np, netCDF4
for path, fmt in ((sys.argv[1], 'NETCDF3_CLASSIC'), (sys.argv[2], 'NETCDF4')):
    d = netCDF4.Dataset(path, 'w', format=fmt)
    d.Conventions = 'AMBER'; d.ConventionVersion = '1.0'; d.program = 'LAMMPS'
    d.createDimension('frame', None); d.createDimension('atom', 4); d.createDimension('spatial', 3)
    d.createDimension('cell_spatial', 3); d.createDimension('cell_angular', 3); d.createDimension('label', 5)
    t = d.createVariable('time', 'f4', ('frame',)); t.units = 'femtosecond'
    c = d.createVariable('coordinates', 'f4', ('frame', 'atom', 'spatial')); c.units = 'angstrom'; c.scale_factor = 2.0
    c.set_auto_scale(False)
    cl = d.createVariable('cell_lengths', 'f8', ('frame', 'cell_spatial')); cl.units = 'angstrom'
    ca = d.createVariable('cell_angles', 'f8', ('frame', 'cell_angular')); ca.units = 'degree'
    ty = d.createVariable('atom_types', 'i4', ('frame', 'atom'))
    for f in range(3):
        t[f] = 500.0 * f
        c[f] = np.array([[0.5 * i + 0.1 * f, 1.0, 1.5] for i in range(4)], dtype=np.float32)
        cl[f] = [10.0 + f, 11.0, 12.0]
        ca[f] = [90.0, 90.0, 120.0]
        ty[f] = [1, 2, 2, 1]
    d.close()
`;

test('AMBER NetCDF written by MDAnalysis: positions, triclinic cells and times as MDAnalysis reads them', async (t) => {
  if (!available) return t.skip('MDAnalysis/netCDF4 are not installed under /usr/bin/python3; cross-check not run');
  assert.equal((await detectReader(jobs[0].path)).name, 'amber-netcdf');
  const ours = await collect([jobs[0].path], opts);
  const ref = refs[0];
  assert.equal(ours.length, ref.length);
  for (let i = 0; i < ref.length; i++) {
    assert.ok(maxAbsDiff(ours[i].positions, ref[i].positions) < 1e-6, `frame ${i}: positions`);
    assert.ok(maxAbsDiff(ours[i].cell.matrix, ref[i].box) < 1e-5, `frame ${i}: cell`);
    assert.ok(Math.abs((ours[i].timePs as number) - ref[i].time) < 1e-6, `frame ${i}: time`);
  }
  assert.ok(Math.abs(ours[1].cell.matrix[6]) > 1, 'frame 1 is triclinic');
  const strided = await collect([jobs[0].path], { ...opts, start: 1, stride: 2 });
  assert.deepEqual([...strided[1].positions], [...ours[3].positions]);
});

test('AMBER NetCDF in the LAMMPS manner (NetCDF-3 classic): atom_types through --type-map, fs, scale_factor, γ = 120°; netCDF-4 refused clearly', async (t) => {
  if (!available) return t.skip('netCDF4 is not installed under /usr/bin/python3');
  const r = spawnSync(DEBIAN_PYTHON, ['-c', LAMMPS_STYLE, at('lammps.nc'), at('nc4.nc')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const frames = await collect([at('lammps.nc')], { minDistanceAngstrom: 0, typeMap: { 1: 'Li', 2: 'S' } });
  assert.equal(frames.length, 3);
  assert.deepEqual([...frames[0].species], [3, 16, 16, 3]);
  assert.ok(maxAbsDiff(frames[2].positions.subarray(3, 6), [2 * 0.7, 2, 3]) < 1e-6);
  assert.deepEqual(frames.map((f) => f.timePs), [0, 0.5, 1]);
  assert.ok(maxAbsDiff(frames[1].cell.matrix, [11, 0, 0, -5.5, 11 * Math.sin((2 * Math.PI) / 3), 0, 0, 0, 12]) < 1e-12);
  await assert.rejects(collect([at('lammps.nc')], { minDistanceAngstrom: 0 }), /lammps\.nc: atom types 1, 2 have no element \(types in the file: 1, 2\)/);
  await assert.rejects(collect([at('nc4.nc')], opts), /nc4\.nc: this HDF5 file has no \/particles group.*ncks -3/);
  await assert.rejects(collect([at('nc4.nc')], { ...opts, format: 'netcdf' }), /nc4\.nc: this is a netCDF-4 \(HDF5\) file.*ncks -3/);
});

test('AMBER NetCDF bad input: cut file, wrong atom count, not NetCDF', async (t) => {
  if (!available) return t.skip('MDAnalysis is not installed under /usr/bin/python3');
  const src = readFileSync(jobs[0].path);
  writeFileSync(at('cut.ncdf'), src.subarray(0, src.length - 50));
  await assert.rejects(collect([at('cut.ncdf')], opts), /cut\.ncdf, frame 3: the file ends inside this frame/);
  assert.equal((await collect([at('cut.ncdf')], { ...opts, stop: 3 })).length, 3);
  await assert.rejects(collect([jobs[0].path], { ...opts, species: 'Li:3' }), /mda\.ncdf: the file has 60 atoms but --species gives 3/);
  await assert.rejects(collect([tmp.write('text.nc', 'hello world\n')], opts), /text\.nc: not a NetCDF-3 file/);
  const cli = getsei(['inspect', at('cut.ncdf'), '--species', 'Li:40,S:20', '--min-distance', '0']);
  assert.equal(cli.code, 2, cli.stderr);
  assert.match(cli.stderr, /cut\.ncdf, frame 3: the file ends inside this frame/);
  assert.equal(cli.stderr.trim().split('\n').length, 1);
});
