import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { getsei, pythonHas } from '../../test/helpers.ts';
import { InputError } from '../util/errors.ts';
import { writeWithMdTools, type MdJob } from '../../test/md-crosscheck.ts';
import { detectReader } from './registry.ts';
import { collect, maxAbsDiff, scratch } from './testing.ts';

const tmp = scratch();
after(tmp.remove);
const available = pythonHas(['MDAnalysis', 'mdtraj']);
const at = (name: string): string => join(tmp.dir, name);
const opts = { minDistanceAngstrom: 0, species: 'Li:40,S:20' };

// MDAnalysis writes CHARMM DCD with angles in degrees; mdtraj (VMD's dcdplugin) writes their cosines
const jobs: MdJob[] = [
  { format: 'dcd', path: at('mda.dcd'), atoms: 60, frames: 4, options: { triclinic: true } },
  { format: 'dcd-mdtraj', path: at('mdtraj.dcd'), atoms: 60, frames: 3, options: { triclinic: true } },
];
const refs = available ? writeWithMdTools(jobs) : [];

/**
 * Re-encode a little-endian DCD with 4-byte markers (as the tools write it) record by record: in big-endian byte
 * order and/or with 8-byte markers, as other machines and compilers write it. Record kinds by position: header
 * ("CORD" + int32), title (int32 count + text), atom count, then per frame the cell (float64) and x, y, z (float32).
 */
function reencode(src: Buffer, bigEndian: boolean, marker: 4 | 8): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  let k = 0;
  while (at < src.length) {
    const len = src.readInt32LE(at);
    const data = Buffer.from(src.subarray(at + 4, at + 4 + len));
    if (bigEndian) {
      const words = (from: number, to: number, size: 4 | 8): void => {
        for (let i = from; i + size <= to; i += size) data.subarray(i, i + size).reverse();
      };
      if (k === 0) words(4, len, 4); // after "CORD"
      else if (k === 1) words(0, 4, 4); // the title count; the 80-character lines stay text
      else if (k === 2 || (k - 3) % 4 !== 0) words(0, len, 4); // atom count, x, y, z
      else words(0, len, 8); // unit cell
    }
    const m = Buffer.alloc(marker);
    if (marker === 4 && bigEndian) m.writeInt32BE(len);
    else if (marker === 4) m.writeInt32LE(len);
    else if (bigEndian) m.writeBigInt64BE(BigInt(len));
    else m.writeBigInt64LE(BigInt(len));
    parts.push(m, data, m);
    at += 8 + len;
    k++;
  }
  return Buffer.concat(parts);
}

test('DCD written by MDAnalysis (angles) and mdtraj (cosines): positions, cells and times as MDAnalysis reads them', async (t) => {
  if (!available) return t.skip('MDAnalysis/mdtraj are not installed under /usr/bin/python3; cross-check not run');
  for (let j = 0; j < jobs.length; j++) {
    const ours = await collect([jobs[j].path], opts);
    const ref = refs[j];
    assert.equal(ours.length, ref.length);
    for (let i = 0; i < ref.length; i++) {
      assert.ok(maxAbsDiff(ours[i].positions, ref[i].positions) < 1e-6, `${jobs[j].format} frame ${i}: positions`);
      // MDAnalysis hands the cell back in float32
      assert.ok(maxAbsDiff(ours[i].cell.matrix, ref[i].box) < 1e-5, `${jobs[j].format} frame ${i}: cell ${[...ours[i].cell.matrix]} vs ${ref[i].box}`);
      assert.ok(Math.abs((ours[i].timePs as number) - ref[i].time) < 1e-6, `${jobs[j].format} frame ${i}: time`);
    }
    assert.deepEqual([...ours[0].species.subarray(38, 42)], [3, 3, 16, 16]);
  }
  // the triclinic frame really is triclinic (β = 80°: c has an x component)
  assert.ok(Math.abs((await collect([jobs[0].path], { ...opts, start: 1, stop: 2 }))[0].cell.matrix[6]) > 1);
});

test('DCD in big-endian byte order and with 8-byte record markers reads the same frames', async (t) => {
  if (!available) return t.skip('MDAnalysis is not installed under /usr/bin/python3');
  const src = readFileSync(jobs[0].path);
  const reference = await collect([jobs[0].path], opts);
  for (const [bigEndian, marker] of [[true, 4], [false, 8], [true, 8]] as const) {
    const path = at(`other-${bigEndian}-${marker}.bin`);
    writeFileSync(path, reencode(src, bigEndian, marker));
    assert.equal((await detectReader(path)).name, 'dcd');
    const frames = await collect([path], opts);
    assert.equal(frames.length, reference.length);
    for (let i = 0; i < frames.length; i++) {
      assert.deepEqual([...frames[i].positions], [...reference[i].positions]);
      assert.deepEqual([...frames[i].cell.matrix], [...reference[i].cell.matrix]);
      assert.equal(frames[i].timePs, reference[i].timePs);
    }
  }
});

test('DCD bad input: cut file, damaged record, wrong atom count, no species, not a DCD', async (t) => {
  if (!available) return t.skip('MDAnalysis is not installed under /usr/bin/python3');
  const src = readFileSync(jobs[0].path);
  writeFileSync(at('cut.dcd'), src.subarray(0, src.length - 100));
  await assert.rejects(collect([at('cut.dcd')], opts), /cut\.dcd, frame 3: the file ends inside this frame.*--stop/);
  assert.equal((await collect([at('cut.dcd')], { ...opts, stop: 3 })).length, 3);
  // frame 2's x record marker overwritten
  const frameBytes = (src.length - (4 + 84 + 4) - (8 + src.readInt32LE(92)) - 12) / 4;
  const damaged = Buffer.from(src);
  const frame2 = src.length - 2 * frameBytes;
  damaged.writeInt32LE(7, frame2 + 56);
  writeFileSync(at('damaged.dcd'), damaged);
  await assert.rejects(collect([at('damaged.dcd')], opts), /damaged\.dcd, frame 2: the x record does not have the 240 bytes/);
  await assert.rejects(collect([jobs[0].path], { ...opts, species: 'Li:59' }), /mda\.dcd: the file has 60 atoms but --species gives 59/);
  await assert.rejects(collect([jobs[0].path], { minDistanceAngstrom: 0 }), (e: unknown) => e instanceof InputError && /DCD files store no elements: give them with --topology/.test(e.message));
  const notDcd = tmp.write('text.dcd', 'hello\n');
  await assert.rejects(collect([notDcd], opts), /text\.dcd: not a DCD file/);
  const r = getsei(['inspect', at('cut.dcd'), '--species', 'Li:40,S:20', '--min-distance', '0']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /cut\.dcd, frame 3: the file ends inside this frame/);
  assert.equal(r.stderr.trim().split('\n').length, 1);
});
