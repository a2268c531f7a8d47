import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { after, test } from 'node:test';
import { detectReader } from './registry.ts';
import { collect, scratch } from './testing.ts';
import type { ReadOptions, TrajectoryFrame } from './types.ts';

const tmp = scratch();
after(tmp.remove);

const example = (name: string): string => new URL(`../../${name}`, import.meta.url).pathname;

/** The same frames: species, cells, positions, times and info are identical. */
function assertSameFrames(a: TrajectoryFrame[], b: TrajectoryFrame[], what: string): void {
  assert.equal(a.length, b.length, what);
  assert.ok(a.length > 1, what);
  a.forEach((f, i) => {
    assert.deepEqual([...f.species], [...b[i].species], `${what} frame ${i}`);
    assert.deepEqual([...f.cell.matrix], [...b[i].cell.matrix], `${what} frame ${i}`);
    assert.deepEqual(f.cell.pbc, b[i].cell.pbc, `${what} frame ${i}`);
    assert.deepEqual([...f.positions], [...b[i].positions], `${what} frame ${i}`);
    assert.equal(f.timePs, b[i].timePs, `${what} frame ${i}`);
    assert.deepEqual(f.info, b[i].info, `${what} frame ${i}`);
    assert.equal(f.line, b[i].line, `${what} frame ${i}`);
  });
}

const lammps = [
  'ITEM: UNITS', 'metal', 'ITEM: TIME', '0.5', 'ITEM: TIMESTEP', '100', 'ITEM: NUMBER OF ATOMS', '2',
  'ITEM: BOX BOUNDS xy xz yz pp pp ff', '0 10 1', '0 10 0', '0 30 0', 'ITEM: ATOMS id type x y z',
  '2 2 2 2 29', '1 1 1 1 1',
  'ITEM: TIME', '0.6', 'ITEM: TIMESTEP', '120', 'ITEM: NUMBER OF ATOMS', '2',
  'ITEM: BOX BOUNDS xy xz yz pp pp ff', '0 10 1', '0 10 0', '0 30 0', 'ITEM: ATOMS id type x y z',
  '1 1 1.5 1 1', '2 2 2 2.5 29', '',
].join('\n');

const cases: { name: string; text: string; options: ReadOptions }[] = [
  { name: 'run1.XDATCAR', text: gunzipSync(readFileSync(example('examples/Li6PS5Cl-50p-500K/run1.XDATCAR.gz'))).toString('latin1'), options: { stop: 12 } },
  { name: 'lgps.extxyz', text: gunzipSync(readFileSync(example('test/data/LGPS-600K-small/LGPS-600K.extxyz.gz'))).toString('latin1'), options: { stop: 30 } },
  { name: 'slab.dump', text: lammps, options: { typeMap: { 1: 'Li', 2: 'S' } } },
];

test('every text reader reads a file with CRLF line endings and a UTF-8 BOM as it reads the LF original (also gzip)', async () => {
  for (const { name, text, options } of cases) {
    const plain = tmp.write(name, text);
    const windows = '\uFEFF' + text.replace(/\n/g, '\r\n');
    const crlf = tmp.write(`crlf-${name}`, windows);
    const gz = tmp.write(`crlf-${name}.gz`, windows, true);
    const reference = await collect([plain], options);
    for (const path of [crlf, gz]) {
      assert.equal((await detectReader(path)).name, (await detectReader(plain)).name, path);
      assertSameFrames(await collect([path], options), reference, path);
    }
  }
});
