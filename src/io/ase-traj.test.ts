import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, test } from 'node:test';
import { DEBIAN_PYTHON, pythonHas } from '../../test/helpers.ts';
import { detectReader } from './registry.ts';
import { collect, maxAbsDiff, scratch } from './testing.ts';

const tmp = scratch();
after(tmp.remove);

/**
 * A ULM file built by hand from the layout in ASE's ulm.py docstring (magic, tag, version, item count, offset-table
 * position; per item 8-byte aligned arrays, then int64 length + JSON). Arrays are float64 ('positions', 'cell') or
 * int64 ('numbers'); `bigEndian` writes them, and the flag in the JSON, as a big-endian machine would.
 */
function ulm(items: { json: Record<string, unknown>; arrays: Record<string, { shape: number[]; data: number[]; dtype: 'float64' | 'int64' }> }[], bigEndian = false): Buffer {
  const parts: Buffer[] = [];
  let size = 0;
  const push = (b: Buffer): number => {
    const at = size;
    parts.push(b);
    size += b.length;
    return at;
  };
  const head = Buffer.alloc(48 + 8 * items.length);
  head.write('- of Ulm', 0, 'latin1');
  head.write('ASE-Trajectory'.padEnd(16), 8, 'latin1');
  head.writeBigInt64LE(3n, 24);
  head.writeBigInt64LE(BigInt(items.length), 32);
  head.writeBigInt64LE(48n, 40);
  push(head);
  items.forEach((item, k) => {
    const json: Record<string, unknown> = { ...item.json };
    if (bigEndian) json._little_endian = false;
    for (const [name, a] of Object.entries(item.arrays)) {
      push(Buffer.alloc((8 - (size % 8)) % 8));
      const b = Buffer.alloc(8 * a.data.length);
      a.data.forEach((v, i) => {
        if (a.dtype === 'int64') {
          if (bigEndian) b.writeBigInt64BE(BigInt(v), 8 * i);
          else b.writeBigInt64LE(BigInt(v), 8 * i);
        } else if (bigEndian) b.writeDoubleBE(v, 8 * i);
        else b.writeDoubleLE(v, 8 * i);
      });
      json[`${name}.`] = { ndarray: [a.shape, a.dtype, push(b)] };
    }
    const text = Buffer.from(JSON.stringify(json));
    const len = Buffer.alloc(8);
    len.writeBigInt64LE(BigInt(text.length));
    head.writeBigInt64LE(BigInt(push(len)), 48 + 8 * k);
    push(text);
  });
  return Buffer.concat(parts);
}

const twoAtoms = (x: number): { json: Record<string, unknown>; arrays: Parameters<typeof ulm>[0][number]['arrays'] } => ({
  json: { cell: [[4, 0, 0], [0, 5, 0], [1, 0, 6]], info: { time_fs: 10 * x, label: 'md' } },
  arrays: { positions: { shape: [2, 3], data: [x, 0.5, 0.25, 1, 2, 3 + x], dtype: 'float64' } },
});

test('hand-built ULM: header in item 0 only, both byte orders, time from info.time_fs', async () => {
  for (const bigEndian of [false, true]) {
    const first = twoAtoms(0);
    first.json = { ...first.json, version: 1, pbc: [true, true, false] };
    first.arrays = { ...first.arrays, numbers: { shape: [2], data: [3, 16], dtype: 'int64' } };
    const path = join(tmp.dir, `hand-${bigEndian}.traj`);
    writeFileSync(path, ulm([first, twoAtoms(1), twoAtoms(2)], bigEndian));
    const frames = await collect([path]);
    assert.equal(frames.length, 3);
    assert.deepEqual([...frames[2].species], [3, 16]);
    assert.deepEqual([...frames[2].positions], [2, 0.5, 0.25, 1, 2, 5]);
    assert.deepEqual([...frames[1].cell.matrix], [4, 0, 0, 0, 5, 0, 1, 0, 6]);
    assert.deepEqual(frames[1].cell.pbc, [true, true, false]);
    assert.equal(frames[2].timePs, 0.02);
    assert.equal(frames[2].info?.label, 'md');
    // frames after the first carry no numbers: a selection that skips frame 0 still gets them from it
    const later = await collect([path], { start: 2 });
    assert.deepEqual([...later[0].species], [3, 16]);
  }
});

test('bad .traj input: wrong magic, another ULM tag, gzip, cut files → one message naming file and frame', async () => {
  const good = (() => {
    const first = twoAtoms(0);
    first.json = { ...first.json, pbc: [true, true, true] };
    first.arrays = { ...first.arrays, numbers: { shape: [2], data: [3, 16], dtype: 'int64' } };
    return ulm([first, twoAtoms(1), twoAtoms(2)]);
  })();
  const cases: [string, Buffer, RegExp][] = [
    ['magic.traj', Buffer.from('not a trajectory at all, just some text that is long enough\n'), /magic\.traj: not an ASE trajectory: the file starts with "not a tr".*ase\.io\.Trajectory/],
    ['tag.traj', Buffer.concat([good.subarray(0, 8), Buffer.from('GPAW'.padEnd(16)), good.subarray(24)]), /tag\.traj: this ULM file is tagged "GPAW"/],
    ['short.traj', good.subarray(0, 30), /short\.traj: the file has 30 bytes, fewer than the 48/],
    ['gz.traj', gzipSync(good), /gz\.traj: this ASE trajectory is gzip-compressed.*gunzip/],
    ['cut.traj', good.subarray(0, good.length - 20), /cut\.traj, frame 2: the file ends before the end of this frame .*--stop/],
    ['cut-array.traj', good.subarray(0, good.length - 150), /cut-array\.traj, frame 2: the file ends before the start of this frame/],
  ];
  for (const [name, bytes, message] of cases) {
    const path = join(tmp.dir, name);
    writeFileSync(path, bytes);
    await assert.rejects(collect([path], { format: 'ase-traj' }), (err: Error) => {
      assert.match(err.message, message);
      assert.equal(err.message.split('\n').length, 1);
      return true;
    }, name);
  }
  // the complete frames before the cut are still readable with --stop
  const cut = join(tmp.dir, 'cut.traj');
  assert.equal((await collect([cut], { stop: 2 })).length, 2);
});

/** Writes the files with ASE and prints what ase.io.read finds in them (the reference). */
const ASE_SCRIPT = `
import json, sys, numpy as np
from ase import Atoms
from ase.io import Trajectory, read
from ase.io import ulm
from ase.constraints import FixAtoms
from ase.calculators.singlepoint import SinglePointCalculator
out = sys.argv[1]
rng = np.random.default_rng(7)
symbols = ['Li'] * 6 + ['P'] * 2 + ['S'] * 4
base = rng.uniform(0, 8, (12, 3))
# 1. an NPT-like run: 50 frames (more than the 42 offsets of the first table), a changing triclinic cell,
#    slab boundaries, times in atoms.info, constraints, momenta and a calculator that getsei ignores
with Trajectory(out + '/md.traj', 'w') as t:
    for i in range(50):
        cell = np.array([[8.0 + 0.01 * i, 0, 0], [0.3, 8.1, 0], [0.2, -0.1, 20.0]])
        a = Atoms(symbols, positions=base + rng.normal(0, 0.3, (12, 3)), cell=cell, pbc=[True, True, False])
        a.info['time_fs'] = 2.0 * i
        a.info['step'] = 10 * i
        a.set_constraint(FixAtoms(indices=[0]))
        a.set_momenta(rng.normal(0, 1, (12, 3)))
        a.calc = SinglePointCalculator(a, energy=-float(i), forces=rng.normal(0, 1, (12, 3)))
        t.write(a)
# 2. pbc changes after frame 2: ASE then writes numbers and pbc in every later frame
with Trajectory(out + '/headers.traj', 'w') as t:
    for i in range(5):
        a = Atoms(symbols, positions=base + 0.1 * i, cell=[9, 9, 9], pbc=i < 3)
        t.write(a)
# 3. the ULM layout with every entry an array (cell, pbc as ndarrays; int32 numbers; float32 positions)
with ulm.open(out + '/arrays.traj', 'w', tag='ASE-Trajectory') as w:
    for i in range(3):
        if i == 0:
            w.write(version=1, pbc=np.array([True, False, True]), numbers=np.array([3] * 6 + [15] * 2 + [16] * 4, np.int32))
        w.write(positions=(base + i).astype(np.float32), cell=np.diag([10.0, 11.0, 12.0]) + i)
        w.sync()
ref = {}
for name in ['md', 'headers', 'arrays']:
    ref[name] = [dict(numbers=a.numbers.tolist(), positions=a.positions.ravel().tolist(), cell=a.cell[:].ravel().tolist(),
                      pbc=a.pbc.tolist(), info={k: v for k, v in a.info.items() if isinstance(v, (int, float, str))})
                 for a in read(out + '/' + name + '.traj', ':')]
print(json.dumps(ref))
`;

interface AseTrajFrame { numbers: number[]; positions: number[]; cell: number[]; pbc: boolean[]; info: Record<string, number | string> }

test('ASE-written .traj files read as ase.io.read reads them (frames, species, cells, pbc, positions, times)', async (t) => {
  if (!pythonHas(['ase', 'numpy'])) return t.diagnostic(`ASE is not installed under ${DEBIAN_PYTHON}; cross-check not run`);
  const r = spawnSync(DEBIAN_PYTHON, ['-c', ASE_SCRIPT, tmp.dir], { encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.equal(r.status, 0, r.stderr);
  const ref = JSON.parse(r.stdout) as Record<string, AseTrajFrame[]>;
  for (const name of ['md', 'headers', 'arrays']) {
    const path = join(tmp.dir, `${name}.traj`);
    assert.equal((await detectReader(path)).name, 'ase-traj');
    const ours = await collect([path], { minDistanceAngstrom: 0 }); // random test positions, not physics: overlap check off
    assert.equal(ours.length, ref[name].length, name);
    ours.forEach((f, i) => {
      const a = ref[name][i];
      assert.deepEqual([...f.species], a.numbers, `${name} frame ${i}`);
      assert.ok(maxAbsDiff(f.positions, a.positions) < 1e-5, `${name} frame ${i} positions`);
      assert.ok(maxAbsDiff(f.cell.matrix, a.cell) < 1e-12, `${name} frame ${i} cell`);
      assert.deepEqual(f.cell.pbc, a.pbc, `${name} frame ${i} pbc`);
      for (const [k, v] of Object.entries(a.info)) assert.equal(f.info?.[k], v, `${name} frame ${i} info ${k}`);
    });
  }
  const md = await collect([join(tmp.dir, 'md.traj')], { start: 45, stride: 2, minDistanceAngstrom: 0 });
  assert.deepEqual(md.map((f) => f.index), [45, 47, 49]);
  assert.deepEqual(md.map((f) => f.timePs), [0.09, 0.094, 0.098]);
  assert.ok(maxAbsDiff(md[2].positions, ref.md[49].positions) < 1e-5);
  // the written file is what ASE wrote (no getsei rewrite in between)
  assert.equal(readFileSync(join(tmp.dir, 'md.traj')).toString('latin1', 0, 8), '- of Ulm');
});
