import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { after, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { atomicNumber } from '../structure/index.ts';
import { collect, maxAbsDiff, scratch } from './testing.ts';
import { readTrajectory } from './trajectory.ts';

const tmp = scratch();
after(tmp.remove);

const header = (scale: string, lattice: string[], symbols: string, counts: string): string =>
  ['test system', scale, ...lattice, symbols, counts].join('\n') + '\n';

const TRICLINIC = ['4.0 0.0 0.0', '1.0 5.0 0.0', '0.5 0.5 6.0'];

test('Direct coordinates become f · lattice (hand-computed on a triclinic cell), species from the header', async () => {
  const text =
    header('1.0', TRICLINIC, 'Li S', '2 1') +
    'Direct configuration=     1\n0.0 0.0 0.0\n0.5 0.5 0.5\n0.25 0.0 1.0\n' +
    'Direct configuration=     2\n0.1 0.2 0.3\n0.0 0.0 0.0\n0.0 0.0 0.0\n';
  const frames = await collect([tmp.write('tri.XDATCAR', text)], { minDistanceAngstrom: 0 });
  assert.equal(frames.length, 2);
  const [a, b] = frames;
  assert.deepEqual([...a.species], [3, 3, 16]);
  assert.deepEqual([...a.cell.matrix], [4, 0, 0, 1, 5, 0, 0.5, 0.5, 6]);
  // 0.5·(4,0,0) + 0.5·(1,5,0) + 0.5·(0.5,0.5,6) = (2.75, 2.75, 3); 0.25·a + 1·c = (1.5, 0.5, 6)
  assert.ok(maxAbsDiff(a.positions, [0, 0, 0, 2.75, 2.75, 3, 1.5, 0.5, 6]) < 1e-12);
  // 0.1·a + 0.2·b + 0.3·c = (0.4+0.2+0.15, 1+0.15, 1.8)
  assert.ok(maxAbsDiff(b.positions.subarray(0, 3), [0.75, 1.15, 1.8]) < 1e-12);
  assert.equal(b.cell, a.cell, 'a constant cell is one shared object');
  assert.equal(b.species, a.species);
  assert.deepEqual([a.index, b.index, a.step, b.step, a.segment], [0, 1, 0, 1, 0]);
  assert.deepEqual(b.info, { configuration: 2 });
  assert.equal(a.line, 8);
  assert.equal(b.line, 12);
  assert.equal(a.timePs, undefined, 'XDATCAR stores no time');
});

test('Cartesian coordinates are scaled like the lattice (POSCAR convention)', async () => {
  const text = header('2.0', ['1 0 0', '0 1 0', '0 0 1'], 'Li', '1') + 'Cartesian configuration=  1\n0.5 0.25 0.1\n';
  const [f] = await collect([tmp.write('cart.XDATCAR', text)]);
  assert.deepEqual([...f.cell.matrix], [2, 0, 0, 0, 2, 0, 0, 0, 2]);
  assert.ok(maxAbsDiff(f.positions, [1, 0.5, 0.2]) < 1e-15);
});

test('a negative scale factor is the cell volume; three scale factors scale x, y, z', async () => {
  // lattice diag(1, 2, 0.5) has volume 1, so −27 Å³ scales every vector by 3
  const vol = header('-27', ['1 0 0', '0 2 0', '0 0 0.5'], 'Li', '1') + 'Direct configuration= 1\n0.5 0.5 0.5\n';
  const [f] = await collect([tmp.write('vol.XDATCAR', vol)]);
  assert.ok(maxAbsDiff(f.cell.matrix, [3, 0, 0, 0, 6, 0, 0, 0, 1.5]) < 1e-12);
  assert.ok(maxAbsDiff(f.positions, [1.5, 3, 0.75]) < 1e-12);
  const three = header('2 3 4', ['1 0 0', '0 1 0', '0 0 1'], 'Li', '1') + 'Cartesian configuration= 1\n1 1 1\n';
  const [g] = await collect([tmp.write('three.XDATCAR', three)]);
  assert.deepEqual([...g.cell.matrix], [2, 0, 0, 0, 3, 0, 0, 0, 4]);
  assert.deepEqual([...g.positions], [2, 3, 4]);
});

test('variable cell: a header before every frame (NPT) sets that frame\'s cell', async () => {
  const block = (edge: number, n: number): string =>
    header('1.0', [`${edge} 0 0`, `0 ${edge} 0`, `0 0 ${edge}`], 'Li_sv S_GW/7f3a', '1 1') +
    `Direct configuration=     ${n}\n0.5 0.5 0.5\n0.1 0.2 0.3\n`;
  const frames = await collect([tmp.write('npt.XDATCAR', block(10, 1) + block(11, 2) + block(11, 3))]);
  assert.deepEqual(frames.map((f) => f.positions[0]), [5, 5.5, 5.5]);
  assert.deepEqual([...frames[0].species], [3, 16], 'POTCAR suffixes (_sv, /hash) are stripped');
  assert.notEqual(frames[1].cell, frames[0].cell);
  assert.equal(frames[2].cell, frames[1].cell, 'an unchanged header reuses the cell');
});

/** An independent parse of the plain-text XDATCAR with split(), to check the streaming reader against. */
function referenceFrames(path: string): { lattice: number[]; frames: number[][] } {
  const lines = gunzipSync(readFileSync(path)).toString('utf8').split('\n');
  const nums = (l: string): number[] => l.trim().split(/\s+/).map(Number);
  const lattice = [2, 3, 4].flatMap((i) => nums(lines[i]));
  const n = nums(lines[6]).reduce((a, b) => a + b, 0);
  const frames: number[][] = [];
  for (let at = 7; at < lines.length && lines[at].includes('configuration'); at += n + 1) {
    const cart: number[] = [];
    for (let i = 0; i < n; i++) {
      const [a, b, c] = nums(lines[at + 1 + i]);
      for (let k = 0; k < 3; k++) cart.push(a * lattice[k] + b * lattice[3 + k] + c * lattice[6 + k]);
    }
    frames.push(cart);
  }
  return { lattice, frames };
}

test('the bundled Li6PS5Cl run: 700 frames of 416 atoms over six gzip files, equal to an independent parse', async () => {
  const dir = new URL('../../examples/Li6PS5Cl-50p-500K/', import.meta.url).pathname;
  const files = [1, 2, 3, 4, 5, 6].map((i) => `${dir}run${i}.XDATCAR.gz`);
  const ref = referenceFrames(files[0]);
  const wanted = new Set([0, 1, 139, 140, 699]);
  const kept = new Map<number, { positions: Float64Array; file: string; index: number; timePs?: number }>();
  let count = 0;
  let li = -1;
  for await (const f of readTrajectory(files, { dtPs: 0.1 })) {
    if (count === 0) li = f.species.filter((z) => z === atomicNumber('Li')).length;
    assert.equal(f.species.length, 416);
    assert.equal(f.step, count);
    if (wanted.has(count)) kept.set(count, f);
    count++;
  }
  assert.equal(count, 700);
  assert.equal(li, 192);
  assert.ok(maxAbsDiff(kept.get(0)?.positions ?? [], ref.frames[0]) < 1e-9);
  assert.ok(maxAbsDiff(kept.get(139)?.positions ?? [], ref.frames[139]) < 1e-9);
  const second = kept.get(140);
  assert.ok(second?.file.endsWith('run2.XDATCAR.gz') && second.index === 0);
  assert.ok(Math.abs((second?.timePs ?? NaN) - 14) < 1e-12, 'time continues across consecutive files');
  assert.ok(Math.abs((kept.get(699)?.timePs ?? NaN) - 69.9) < 1e-9);
});
