import { strict as assert } from 'node:assert';
import { after, test } from 'node:test';
import { GetseiError, InputError } from '../util/errors.ts';
import { detectReader, getReader, listReaders, registerReader } from './registry.ts';
import { collect, scratch } from './testing.ts';
import { assertHasLithium, readTrajectory, requireFrameIntervalPs, summarizeTrajectory } from './trajectory.ts';
import type { RawFrame, TextTrajectoryReader } from './types.ts';
import { makeCell } from '../structure/index.ts';

const tmp = scratch();
after(tmp.remove);

/** One extended XYZ frame; atom 0's x is a marker that names the file and frame. */
const xyzFrame = (x: number, opts: { symbols?: string[]; time?: number; edge?: number } = {}): string => {
  const symbols = opts.symbols ?? ['Li', 'S'];
  const edge = opts.edge ?? 10;
  const time = opts.time === undefined ? '' : ` time=${opts.time}`;
  return `${symbols.length}\nLattice="${edge} 0 0 0 ${edge} 0 0 0 ${edge}"${time}\n` + symbols.map((s, i) => `${s} ${i === 0 ? x : 5} ${i === 0 ? 5 : 2} 5\n`).join('');
};

/** Three files of four frames; frame j of file i has marker 10·i + j (in Å, so it also moves atom 0). */
const segments = [0, 1, 2].map((i) => tmp.write(`seg${i}.xyz`, [0, 1, 2, 3].map((j) => xyzFrame(i + 0.1 * j)).join('')));
const marker = (x: number): number => Math.round(x * 10);

test('consecutive files: start/stop/stride count over the concatenation; times continue with --dt', async () => {
  const frames = await collect(segments, { start: 2, stop: 10, stride: 3, dtPs: 0.5 });
  assert.deepEqual(frames.map((f) => marker(f.positions[0])), [2, 11, 20]);
  assert.deepEqual(frames.map((f) => [f.file, f.index, f.step, f.segment]), [
    [segments[0], 2, 0, 0],
    [segments[1], 1, 1, 0],
    [segments[2], 0, 2, 0],
  ]);
  assert.deepEqual(frames.map((f) => f.timePs), [1, 2.5, 4]);
});

test('independent files: the selection applies to each file, segment is the file index, times restart', async () => {
  const frames = await collect(segments, { start: 1, stride: 2, dtPs: 0.5, independent: true });
  assert.deepEqual(frames.map((f) => marker(f.positions[0])), [1, 3, 11, 13, 21, 23]);
  assert.deepEqual(frames.map((f) => f.segment), [0, 0, 1, 1, 2, 2]);
  assert.deepEqual(frames.map((f) => f.step), [0, 1, 2, 3, 4, 5]);
  assert.deepEqual(frames.map((f) => f.timePs), [0.5, 1.5, 0.5, 1.5, 0.5, 1.5]);
});

test('an empty selection is one InputError that gives the frame count', async () => {
  await assert.rejects(collect(segments, { start: 12 }), (e: unknown) => e instanceof InputError && /contains no frames; the input has 12 in all/.test(e.message));
  await assert.rejects(collect(segments, { start: 4, independent: true }), (e: unknown) => e instanceof InputError && /per file/.test(e.message) && /independent/.test(e.message));
  await assert.rejects(collect(segments, { start: 3, stop: 3 }), InputError);
});

test('reading is lazy: files after --stop are never opened, and the first frame does not read the rest', async () => {
  const frames = await collect([segments[0], tmp.dir + '/does-not-exist.xyz'], { stop: 4 });
  assert.equal(frames.length, 4);
  const broken = tmp.write('broken-tail.xyz', xyzFrame(1) + xyzFrame(2) + 'garbage that is no frame\n'.repeat(50000));
  for await (const f of readTrajectory([broken])) {
    assert.equal(f.positions[0], 1);
    break;
  }
  await assert.rejects(collect([broken]), (e: unknown) => e instanceof InputError && /frame 2, line 9: expected the number of atoms/.test(e.message));
  // frames do not share position buffers, so a consumer may keep any of them
  const all = await collect(segments);
  assert.equal(new Set(all.map((f) => f.positions)).size, all.length);
  assert.equal(new Set(all.map((f) => f.species)).size, 1, 'one species array for the whole trajectory');
});

test('option values are validated with messages that name the option', async () => {
  const cases: [object, RegExp][] = [
    [{ stride: 0 }, /--stride must be a whole number ≥ 1/],
    [{ start: -1 }, /--start must be a whole number ≥ 0/],
    [{ stop: 1.5 }, /--stop must be a whole number/],
    [{ dtPs: -0.1 }, /--dt must be a positive number/],
    [{ typeMap: { 1: 'Qq' } }, /--type-map: 'Qq'/],
  ];
  for (const [options, message] of cases) {
    await assert.rejects(collect(segments, options), (e: unknown) => e instanceof GetseiError && message.test(e.message));
  }
  await assert.rejects(collect([]), /no trajectory files/);
});

test('the frame interval is required with a clear message when no file stores times', async () => {
  await assert.rejects(requireFrameIntervalPs(segments), (e: unknown) => e instanceof GetseiError && /--dt PS/.test(e.message));
  assert.equal(await requireFrameIntervalPs(segments, { dtPs: 0.2, stride: 2 }), 0.4);
});

test('summary: counts, segments, and warnings for unwrapped coordinates, jumps, irregular and restarting times', async () => {
  // atom 0 along x in a 10 Å cell: 1 → 7 is a 0.6-cell move inside the cell (a jump: the move through the face is 0.4);
  // 9.9 → 0.1 is a boundary crossing of wrapped coordinates (no jump); 0.1 → 25 is unwrapped and a jump.
  const xs = [1, 7, 9.9, 0.1, 25];
  const times = [0, 1, 2, 3, 5];
  const path = tmp.write('warn.xyz', xs.map((x, i) => xyzFrame(x, { time: times[i] })).join(''));
  const restart = tmp.write('restart.xyz', xyzFrame(25, { time: 0 }) + xyzFrame(25, { time: 1 }));
  const s = await summarizeTrajectory([path, restart]);
  assert.equal(s.frames, 7);
  assert.equal(s.atoms, 2);
  assert.deepEqual(s.species, { Li: 1, S: 1 });
  assert.equal(s.liCount, 1);
  assert.equal(s.frameIntervalPs, 1);
  assert.equal(s.frameIntervalSource, 'file');
  assert.equal(s.segments, 1);
  assert.equal(s.cellChanges, false);
  assert.deepEqual(s.files.map((f) => [f.frames, f.framesInFile]), [[5, 5], [2, 2]]);
  const all = s.warnings.join('\n');
  assert.match(all, /2 time\(s\) in 2 frame\(s\) an atom jumped more than half a cell .*first: atom 0 moved 0\.600 of lattice vector a/);
  assert.match(all, /coordinates are unwrapped: in 3 frame\(s\)/);
  assert.match(all, /frame times are irregular: 1 of 5 steps/);
  assert.match(all, /do not continue those of/);
  assert.doesNotMatch(all, /no Li/);
  const independent = await summarizeTrajectory([path, restart], { independent: true, stop: 2 });
  assert.equal(independent.segments, 2);
  assert.equal(independent.frames, 4);
  assert.deepEqual(independent.files.map((f) => f.framesInFile), [undefined, 2], 'a file cut short by --stop has no frame total');
});

test('summary of an input without Li: liCount 0, a warning, and assertHasLithium throws a clear InputError', async () => {
  const path = tmp.write('noli.xyz', xyzFrame(1, { symbols: ['Na', 'S'] }));
  const s = await summarizeTrajectory([path]);
  assert.equal(s.liCount, 0);
  assert.match(s.warnings.join('\n'), /no Li atoms/);
  assert.throws(() => assertHasLithium(s), (e: unknown) => e instanceof InputError && /no Li atoms \(it has Na 1, S 1\)/.test(e.message) && /--type-map/.test(e.message));
  const changing = tmp.write('npt.xyz', xyzFrame(1) + xyzFrame(1, { edge: 11 }));
  assert.equal((await summarizeTrajectory([changing])).cellChanges, true);
});

test('registry: names, aliases and paths; content sniffing beats a misleading name; --format overrides', async () => {
  assert.equal(getReader('XDATCAR').name, 'xdatcar');
  assert.equal(getReader('lammps').name, 'lammps-dump');
  assert.equal(getReader('runs/run1.XDATCAR.gz').name, 'xdatcar');
  assert.equal(getReader('traj.extxyz.gz').name, 'extxyz');
  assert.equal(getReader('dump.atom').name, 'lammps-dump');
  assert.equal(getReader('md.xtc').name, 'xtc');
  assert.equal(getReader('md.dcd').name, 'dcd');
  assert.equal(getReader('dump.h5').name, 'h5md');
  assert.equal(getReader('md.ncdf').name, 'amber-netcdf');
  assert.throws(() => getReader('traj.pdb'), /--format/);
  const lammpsNamedXyz = tmp.write('really-a-dump.xyz', 'ITEM: TIMESTEP\n0\nITEM: NUMBER OF ATOMS\n1\nITEM: BOX BOUNDS pp pp pp\n0 5\n0 5\n0 5\nITEM: ATOMS id element x y z\n1 Li 1 2 3\n');
  assert.equal((await detectReader(lammpsNamedXyz)).name, 'lammps-dump');
  const unnamed = tmp.write('trajectory.data', xyzFrame(1));
  assert.equal((await detectReader(unnamed)).name, 'extxyz');
  assert.equal((await collect([unnamed])).length, 1);
  await assert.rejects(detectReader(unnamed, 'pdb'), /unknown format 'pdb'.*xdatcar, extxyz, lammps-dump/);
  await assert.rejects(detectReader(tmp.write('mystery.txt', 'hello\nworld\n')), /cannot tell the trajectory format/);
});

test('a registered reader is found by name, extension and sniff', async () => {
  const one: TextTrajectoryReader = {
    name: 'one-atom',
    aliases: [],
    extensions: ['.one'],
    description: 'test format: one line "x y z" per frame, a Li in a 10 Å cube',
    sniff: (head) => head[0]?.startsWith('#one') ?? false,
    async *read(lines, ctx): AsyncGenerator<RawFrame> {
      let index = 0;
      const cell = makeCell([10, 0, 0, 0, 10, 0, 0, 0, 10]);
      for (let line = await lines.nextLine(); line !== undefined; line = await lines.nextLine()) {
        if (line.startsWith('#') || line.trim() === '') continue;
        const plan = ctx.plan(index);
        if (plan === 'stop') return;
        if (plan === 'parse') yield { index, line: lines.lineNumber, species: Uint8Array.of(3), positions: Float64Array.from(line.split(' ').map(Number)), cell };
        index++;
      }
    },
  };
  registerReader(one);
  assert.ok(listReaders().includes(one));
  const path = tmp.write('t.one', '#one\n1 2 3\n4 5 6\n7 8 9\n');
  assert.equal(getReader(path), one);
  const frames = await collect([path], { start: 1 });
  assert.deepEqual(frames.map((f) => f.positions[0]), [4, 7]);
});
