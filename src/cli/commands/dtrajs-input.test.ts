import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DEBIAN_PYTHON, pythonHas } from '../../../test/helpers.ts';
import { trajectoryRows, type DiscreteTrajectories } from '../../markov/index.ts';
import { encodeNpy } from '../../util/npy.ts';
import { loadDiscreteTrajectories, loadInput } from './kinetics.ts';

const dir = mkdtempSync(join(tmpdir(), 'getsei-dtrajs-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const rows = (d: DiscreteTrajectories): number[][] => trajectoryRows(d).map((r) => Array.from(r));

// 6 frames of 2 Li atoms, stored [frames, atoms]: Li 0 visits 0 0 1 1 2 2, Li 1 stays in 3 except frame 4
const perFrame = [[0, 3], [0, 3], [1, 3], [1, 3], [2, -1], [2, 3]];
const trajectories = [[0, 0, 1, 1, 2, 2], [3, 3, 3, 3, -1, 3]];

test('a 2-D array with more rows than columns needs --frames-first or --atoms-first', async () => {
  const file = join(dir, 'frames.npy');
  writeFileSync(file, encodeNpy(Int16Array.from(perFrame.flat()), [6, 2]));
  await assert.rejects(loadDiscreteTrajectories(file), /frames\.npy: the state array has shape \[6, 2\]: more rows than columns.*--frames-first/);
  assert.deepEqual(rows(await loadDiscreteTrajectories(file, 'frames-first')), trajectories);
  assert.equal(rows(await loadDiscreteTrajectories(file, 'atoms-first')).length, 6);
  await assert.rejects(loadInput(undefined, { dtrajs: file, framesFirst: true, atomsFirst: true }), /not both/);
  assert.deepEqual(rows((await loadInput(undefined, { dtrajs: file, framesFirst: true })).dtrajs), trajectories);
  // [atoms, frames] with fewer rows than columns is read as rows = trajectories, as before
  const wide = join(dir, 'wide.npy');
  writeFileSync(wide, encodeNpy(Int16Array.from(trajectories.flat()), [2, 6]));
  assert.deepEqual(rows(await loadDiscreteTrajectories(wide)), trajectories);
});

test('CSV tables (BOM, CRLF, header line) and JSON with --frames-first', async () => {
  const csv = join(dir, 'states.csv');
  writeFileSync(csv, '\uFEFFli0,li1\r\n' + perFrame.map((r) => r.join(',')).join('\r\n') + '\r\n');
  assert.deepEqual(rows(await loadDiscreteTrajectories(csv, 'frames-first')), trajectories);
  const bad = join(dir, 'bad.csv');
  writeFileSync(bad, '0,1\n2,x\n');
  await assert.rejects(loadDiscreteTrajectories(bad, 'atoms-first'), /bad\.csv, line 2: 'x' is not an integer state/);
  const json = join(dir, 'frames.json');
  writeFileSync(json, JSON.stringify(perFrame));
  assert.deepEqual(rows(await loadDiscreteTrajectories(json, 'frames-first')), trajectories);
});

test('states saved by numpy transposed (Fortran order), big-endian, int64 and uint8 read as the same trajectories', async (t) => {
  if (!pythonHas(['numpy'])) return t.diagnostic(`numpy is not installed under ${DEBIAN_PYTHON}; cross-check not run`);
  execFileSync(DEBIAN_PYTHON, ['-c', `
import sys, numpy as np
d = sys.argv[1]
per_frame = np.array(${JSON.stringify(perFrame)})
np.save(d + '/t.npy', per_frame.T.astype(np.int16))          # [atoms, frames], Fortran order
np.save(d + '/be.npy', per_frame.astype('>i8'))              # [frames, atoms], big-endian int64
np.save(d + '/u8.npy', np.where(per_frame < 0, 9, per_frame).astype(np.uint8))
np.savez(d + '/one.npz', per_frame.T.astype(np.int32))
np.savez_compressed(d + '/two.npz', dtrajs=per_frame.T.astype('>i2'), lag=np.arange(3))
`, dir]);
  // .npz: the only array, or the one named after the colon (np.savez stores, np.savez_compressed deflates)
  assert.deepEqual(rows(await loadDiscreteTrajectories(join(dir, 'one.npz'))), trajectories);
  assert.deepEqual(rows(await loadDiscreteTrajectories(`${join(dir, 'two.npz')}:dtrajs`)), trajectories);
  await assert.rejects(loadDiscreteTrajectories(join(dir, 'two.npz')), /two\.npz: the archive holds 2 arrays\. give the one with the states as FILE\.npz:KEY \(keys: dtrajs, lag\)/);
  await assert.rejects(loadDiscreteTrajectories(`${join(dir, 'two.npz')}:nope`), /two\.npz: the archive has no array 'nope'.*keys: dtrajs, lag/);
  assert.deepEqual(rows(await loadDiscreteTrajectories(join(dir, 't.npy'))), trajectories);
  assert.deepEqual(rows(await loadDiscreteTrajectories(join(dir, 'be.npy'), 'frames-first')), trajectories);
  assert.deepEqual(rows(await loadDiscreteTrajectories(join(dir, 'u8.npy'), 'frames-first'))[1], [3, 3, 3, 3, 9, 3]);
});
