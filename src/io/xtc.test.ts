import { strict as assert } from 'node:assert';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { getsei, pythonHas } from '../../test/helpers.ts';
import { InputError } from '../util/errors.ts';
import { writeWithMdTools, type MdJob, type ReferenceFrame } from '../../test/md-crosscheck.ts';
import { detectReader } from './registry.ts';
import { collect, maxAbsDiff, scratch } from './testing.ts';
import type { ReadOptions, TrajectoryFrame } from './types.ts';

const tmp = scratch();
after(tmp.remove);
const available = pythonHas(['MDAnalysis', 'mdtraj']);
const at = (name: string): string => join(tmp.dir, name);

// 301 atoms in triples of neighbours (runs of small differences, the swap of a run's first two atoms) with a
// triclinic box every other frame, by MDAnalysis and by mdtraj; 7 atoms (stored uncompressed); precision 10⁷
// (coordinate ranges above 2²⁴: three separate bit fields instead of one mixed-radix number); precision 10 (coarse)
const jobs: MdJob[] = [
  { format: 'xtc', path: at('mda.xtc'), atoms: 301, frames: 4, options: { triclinic: true } },
  { format: 'xtc-mdtraj', path: at('mdtraj.xtc'), atoms: 301, frames: 3, options: { triclinic: true } },
  { format: 'xtc', path: at('seven.xtc'), atoms: 7, frames: 3 },
  { format: 'xtc', path: at('fine.xtc'), atoms: 60, frames: 2, options: { precision: 7 } },
  { format: 'xtc', path: at('coarse.xtc'), atoms: 60, frames: 2, options: { precision: 1 } },
  { format: 'xtc', path: at('topo.xtc'), atoms: 12, frames: 2 },
  { format: 'xtc', path: at('bad.xtc'), atoms: 301, frames: 3 },
  { format: 'xtc', path: at('inspect.xtc'), atoms: 30, frames: 3 },
];
const refs = available ? writeWithMdTools(jobs) : [];
const species = (n: number): string => `Li:${n - Math.floor(n / 3)},S:${Math.floor(n / 3)}`;
/** the test atoms are random, some closer than the default 0.5 Å bound */
const loose: ReadOptions = { minDistanceAngstrom: 0 };

function assertSame(ours: TrajectoryFrame[], ref: ReferenceFrame[], tolerance: number): void {
  assert.equal(ours.length, ref.length);
  for (let i = 0; i < ref.length; i++) {
    assert.ok(maxAbsDiff(ours[i].positions, ref[i].positions) < tolerance, `frame ${i}: positions differ by ${maxAbsDiff(ours[i].positions, ref[i].positions)} Å`);
    assert.ok(maxAbsDiff(ours[i].cell.matrix, ref[i].box) < 1e-5, `frame ${i}: box differs`);
    assert.ok(Math.abs((ours[i].timePs as number) - ref[i].time) < 1e-6, `frame ${i}: time ${ours[i].timePs} vs ${ref[i].time}`);
  }
}

test('XTC written by MDAnalysis and by mdtraj: positions, boxes and times as MDAnalysis reads them', async (t) => {
  if (!available) return t.skip('MDAnalysis/mdtraj are not installed under /usr/bin/python3; cross-check not run');
  for (let j = 0; j < 5; j++) {
    const { format, path, atoms } = jobs[j];
    const ref = refs[j];
    const ours = await collect([path], { ...loose, species: species(atoms) });
    // MDAnalysis returns float32 (≈ 2e-6 Å at 30 Å); getsei divides the stored integers in double precision
    assertSame(ours, ref, 1e-5);
    assert.equal(ours[0].species.length, atoms);
    assert.equal(ours[0].species[0], 3);
    assert.equal(ours[0].species[atoms - 1], 16);
    if (format === 'xtc-mdtraj') assert.equal(ours[1].info?.step, 10);
  }
  // recognised by its magic number whatever the name; a stride steps over frames without decoding them
  const renamed = join(tmp.dir, 'renamed.bin');
  copyFileSync(join(tmp.dir, 'mda.xtc'), renamed);
  assert.equal((await detectReader(renamed)).name, 'xtc');
  const every = await collect([join(tmp.dir, 'mda.xtc')], { ...loose, species: species(301) });
  const strided = await collect([renamed], { ...loose, species: species(301), start: 1, stride: 2 });
  assert.deepEqual(strided.map((f) => f.index), [1, 3]);
  assert.deepEqual([...strided[1].positions], [...every[3].positions]);
});

test('XTC species from --topology (an extended XYZ of the same atoms); wrong counts and no species are clear errors', async (t) => {
  if (!available) return t.skip('MDAnalysis is not installed under /usr/bin/python3');
  const path = at('topo.xtc');
  const atoms = Array.from({ length: 12 }, (_, i) => `${i < 4 ? 'Li' : i < 8 ? 'P' : 'S'} ${i} ${i} ${i}`);
  const topology = tmp.write('topo.extxyz', `12\nLattice="30 0 0 0 31 0 0 0 32"\n${atoms.join('\n')}\n`);
  const frames = await collect([path], { ...loose, topology });
  assert.deepEqual([...frames[0].species], [3, 3, 3, 3, 15, 15, 15, 15, 16, 16, 16, 16]);
  await assert.rejects(collect([path], loose), (e: unknown) => e instanceof InputError && /topo\.xtc: no elements given\. XTC files store no elements: give them with --topology FILE/.test(e.message));
  await assert.rejects(collect([path], { ...loose, species: 'Li:10' }), /topo\.xtc, frame 0: the frame has 12 atoms but --species gives 10/);
  await assert.rejects(collect([path], { ...loose, species: 'Li:12', topology }), /--species or with --topology, not both/);
});

test('XTC bad input: cut files, damaged frames and other files each give one message naming file and frame', async (t) => {
  if (!available) return t.skip('MDAnalysis is not installed under /usr/bin/python3');
  const path = at('bad.xtc');
  const bytes = readFileSync(path);
  // frame 1 starts after frame 0's header (92 bytes up to the byte count) and its compressed bytes, padded to 4
  const frameBytes = 92 + Math.ceil(bytes.readInt32BE(88) / 4) * 4;
  const opts = { ...loose, species: species(301) };
  const cut = tmp.write('cut.xtc', '');
  writeFileSync(cut, bytes.subarray(0, bytes.length - 200));
  await assert.rejects(collect([cut], opts), /cut\.xtc, frame 2: the file ends (inside this frame|before).*--stop/);
  assert.equal((await collect([cut], { ...opts, stop: 2 })).length, 2);
  // a damaged magic number in frame 1
  const damaged = Buffer.from(bytes);
  damaged.writeInt32BE(1234, frameBytes);
  writeFileSync(join(tmp.dir, 'magic.xtc'), damaged);
  await assert.rejects(collect([join(tmp.dir, 'magic.xtc')], opts), /magic\.xtc, frame 1: this frame does not start with the XTC magic number: .*1234, not 1995/);
  // compressed bytes cut short inside the frame (the byte count says fewer bytes than the atoms need)
  const short = Buffer.from(bytes);
  const countAt = 56 + 32;
  short.writeInt32BE(8, countAt);
  writeFileSync(join(tmp.dir, 'short.xtc'), short);
  await assert.rejects(collect([join(tmp.dir, 'short.xtc')], opts), /short\.xtc, frame 0: (the compressed coordinates end before the last atom|this frame does not start)/);
  // the CLI: one line, exit 2
  const r = getsei(['inspect', cut, '--species', species(301), '--min-distance', '0']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr.trim(), /^(getsei: )?.*cut\.xtc, frame 2: the file ends/);
  assert.equal(r.stderr.trim().split('\n').length, 1);
});

test('getsei inspect on an XTC: format, atoms, species, frame interval from the stored times', async (t) => {
  if (!available) return t.skip('MDAnalysis is not installed under /usr/bin/python3');
  const path = at('inspect.xtc');
  const r = getsei(['inspect', path, '--species', 'Li:20,S:10', '--min-distance', '0', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const summary = JSON.parse(r.stdout) as { format: string; atoms: number; frames: number; species: Record<string, number>; frameIntervalPs: number };
  assert.equal(summary.format, 'xtc');
  assert.equal(summary.frames, 3);
  assert.deepEqual(summary.species, { Li: 20, S: 10 });
  assert.equal(summary.frameIntervalPs, 2.5);
});
