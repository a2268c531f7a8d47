import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { after, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { interpretValue, parseCommentLine } from './extxyz.ts';
import { collect, maxAbsDiff, scratch } from './testing.ts';
import { frameIntervalPs, readTrajectory } from './trajectory.ts';

const tmp = scratch();
after(tmp.remove);

test('comment line: bare, quoted (with escapes), braced values, spaces around =, and keys without a value', () => {
  const kv = parseCommentLine('a=1 b="two words" c = {1 2 3} d="say \\"hi\\"" flag e=\'x y\'');
  assert.deepEqual(kv, [
    { key: 'a', value: '1', quoted: false },
    { key: 'b', value: 'two words', quoted: true },
    { key: 'c', value: '1 2 3', quoted: true },
    { key: 'd', value: 'say "hi"', quoted: true },
    { key: 'flag', value: 'T', quoted: false },
    { key: 'e', value: 'x y', quoted: true },
  ]);
  assert.throws(() => parseCommentLine('a="open'), /not closed/);
  assert.deepEqual(['T', 'False', '42', '-3', '1.5e2', 'abc', '1 2'].map(interpretValue), [true, false, 42, -3, 150, 'abc', '1 2']);
});

test('extra columns of every type are read (I, R → frame.arrays) or skipped (S, L); other keys go to info', async () => {
  const text =
    '3\n' +
    'Lattice="5.0 0.0 0.0 1.0 6.0 0.0 0.0 0.0 7.0" Properties=species:S:1:pos:R:3:tag:S:1:site_type:I:1:forces:R:3:fixed:L:1:vel:R:2 ' +
    'pbc="T T T" energy=-12.5 config_type="bulk phase" step=42 done=T flag=False time=1.5 label="T"\n' +
    'Li 0.0 0.0 0.0 a 1 0.1 0.2 0.3 T 1 2\n' +
    'S 1.5 2.5 3.5 b 2 0.4 0.5 0.6 F 3 4\n' +
    'Li 1 1 1 c -3 0.7 0.8 0.9 T 5 6\n';
  const [f] = await collect([tmp.write('cols.extxyz', text)]);
  assert.deepEqual([...f.species], [3, 16, 3]);
  assert.deepEqual([...f.positions], [0, 0, 0, 1.5, 2.5, 3.5, 1, 1, 1]);
  assert.deepEqual([...f.cell.matrix], [5, 0, 0, 1, 6, 0, 0, 0, 7]);
  assert.ok(f.arrays?.site_type instanceof Int32Array);
  assert.deepEqual([...(f.arrays?.site_type ?? [])], [1, 2, -3]);
  assert.ok(f.arrays?.forces instanceof Float64Array);
  assert.deepEqual([...(f.arrays?.forces ?? [])], [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]);
  assert.deepEqual([...(f.arrays?.vel ?? [])], [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(Object.keys(f.arrays ?? {}).sort(), ['forces', 'site_type', 'vel']);
  assert.deepEqual(f.info, { energy: -12.5, config_type: 'bulk phase', step: 42, done: true, flag: false, time: 1.5, label: 'T' });
  assert.equal(f.timePs, 1.5, '`time` is read as ps');
});

test('Z:I:1 stands in for species; pbc flags reach the cell; a missing Properties key means species:S:1:pos:R:3', async () => {
  const z = '2\nLattice="4 0 0 0 4 0 0 0 4" Properties=Z:I:1:positions:R:3 pbc="T T F"\n3 0 0 0\n8 1 1 1\n';
  const [f] = await collect([tmp.write('z.xyz', z)]);
  assert.deepEqual([...f.species], [3, 8]);
  assert.deepEqual(f.cell.pbc, [true, true, false]);
  const plain = '1\nLattice="4 0 0 0 4 0 0 0 4"\nli 1 2 3\n';
  const [g] = await collect([tmp.write('plain.xyz', plain)]);
  assert.deepEqual([...g.species], [3], 'symbols are case-insensitive');
  assert.deepEqual([...g.positions], [1, 2, 3]);
});

test('time_fs and time_ps are converted to ps; the frame interval comes from the first two times × stride', async () => {
  const frame = (key: string, t: number): string => `1\nLattice="4 0 0 0 4 0 0 0 4" ${key}=${t}\nLi 0 0 0\n`;
  const fs = tmp.write('fs.xyz', frame('time_fs', 0) + frame('time_fs', 20) + frame('time_fs', 40));
  const frames = await collect([fs], { stride: 2 });
  assert.deepEqual(frames.map((f) => f.timePs), [0, 0.04]);
  assert.ok(Math.abs(((await frameIntervalPs([fs], { stride: 2 })) ?? NaN) - 0.04) < 1e-15);
  const ps = tmp.write('ps.xyz', frame('time_ps', 1) + frame('time_ps', 1.5));
  assert.equal(await frameIntervalPs([ps]), 0.5);
  // --dt overrides the file's times; they stay in info
  const over = await collect([fs], { dtPs: 0.1 });
  assert.deepEqual(over.map((f) => f.timePs), [0, 0.1, 0.2]);
  assert.equal(over[2].info?.time_fs, 40);
  assert.equal(await frameIntervalPs([fs], { dtPs: 0.1, stride: 3 }), 0.1 * 3);
});

test('gzip is detected by its magic bytes, with or without a .gz name', async () => {
  const text = '1\nLattice="4 0 0 0 4 0 0 0 4" time=0\nLi 0.5 0.25 0.125\n1\nLattice="4 0 0 0 4 0 0 0 4" time=1\nLi 1 2 3\n';
  const plain = await collect([tmp.write('g.xyz', text)]);
  const gz = await collect([tmp.write('g.xyz.gz', text, true)]);
  const hidden = await collect([tmp.write('g2.xyz', text, true)]);
  for (const other of [gz, hidden]) {
    assert.equal(other.length, 2);
    for (let i = 0; i < 2; i++) {
      assert.deepEqual([...other[i].positions], [...plain[i].positions]);
      assert.equal(other[i].timePs, plain[i].timePs);
    }
  }
});

test('the LGPS test case: 1000 frames × 50 atoms, 0.02 ps apart, equal to an independent parse', async () => {
  const path = new URL('../../test/data/LGPS-600K-small/LGPS-600K.extxyz.gz', import.meta.url).pathname;
  const lines = gunzipSync(readFileSync(path)).toString('utf8').split('\n');
  const reference = (frame: number): number[] =>
    lines.slice(frame * 52 + 2, frame * 52 + 52).flatMap((l) => l.trim().split(/\s+/).slice(1, 4).map(Number));
  let count = 0;
  let last: Float64Array | undefined;
  for await (const f of readTrajectory([path])) {
    assert.equal(f.species.length, 50);
    if (count === 0) {
      assert.ok(maxAbsDiff(f.positions, reference(0)) === 0);
      assert.equal(f.species.filter((z) => z === 3).length, 20);
    }
    last = f.positions;
    count++;
  }
  assert.equal(count, 1000);
  assert.ok(maxAbsDiff(last ?? [], reference(999)) === 0);
  assert.equal(await frameIntervalPs([path]), 0.02);
});
