import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readTrajectory } from '../src/io/index.ts';
import { getsei } from './helpers.ts';

const example = (k: number) => new URL(`../examples/Li6PS5Cl-50p-500K/run${k}.XDATCAR.gz`, import.meta.url).pathname;

/** The paper's features of one atom by brute force over the 27 nearest images (the cell is 20 Å ≫ 2 × 4 Å). */
function bruteForceRow(species: Uint8Array, pos: Float64Array, m: Float64Array, i: number, order: number[]) {
  const vecs: number[][] = [];
  for (let j = 0; j < species.length; j++) {
    for (let a = -1; a <= 1; a++) for (let b = -1; b <= 1; b++) for (let c = -1; c <= 1; c++) {
      if (j === i && a === 0 && b === 0 && c === 0) continue;
      const v = [0, 1, 2].map((d) => pos[3 * j + d] + a * m[d] + b * m[3 + d] + c * m[6 + d] - pos[3 * i + d]);
      if (Math.hypot(...v) < 4) vecs.push([...v, species[j]]);
    }
  }
  const counts = order.map((z) => vecs.filter((v) => v[3] === z).length);
  const dists = vecs.map((v) => Math.hypot(v[0], v[1], v[2]));
  const ang: number[] = [];
  for (let a = 0; a < vecs.length; a++) for (let b = a + 1; b < vecs.length; b++) {
    const dot = vecs[a][0] * vecs[b][0] + vecs[a][1] * vecs[b][1] + vecs[a][2] * vecs[b][2];
    ang.push((Math.acos(Math.max(-1, Math.min(1, dot / (dists[a] * dists[b])))) * 180) / Math.PI);
  }
  ang.sort((x, y) => x - y);
  const mean = ang.reduce((s, x) => s + x, 0) / ang.length;
  const sd = Math.sqrt(ang.reduce((s, x) => s + (x - mean) ** 2, 0) / ang.length);
  const med = ang.length % 2 ? ang[(ang.length - 1) / 2] : (ang[ang.length / 2 - 1] + ang[ang.length / 2]) / 2;
  return [dists.reduce((s, x) => s + x, 0) / dists.length, ...counts, mean, sd, ang[0], ang[ang.length - 1], med];
}

test('featurize writes the frame store; `features` prints the paper\'s table, equal to brute force', async () => {
  const run = join(mkdtempSync(join(tmpdir(), 'getsei-feat-')), 'run');
  const r = getsei(['featurize', example(5), example(6), '-o', run, '--dt', '0.1', '--stride', '10', '--threads', '2']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /featurised 14 frames × 416 atoms \(192 Li\)/);
  assert.ok(existsSync(join(run, 'frames', 'index.json')));
  assert.ok(existsSync(join(run, 'segments.npy')));
  assert.ok(!readdirSync(run).some((f) => f.includes('partial')));

  const csv = getsei(['features', run, '--frame', '3']);
  assert.equal(csv.code, 0, csv.stderr);
  const lines = csv.stdout.trim().split('\n');
  assert.equal(lines[0], 'atom,element,x,y,z,mean_distance,count_Cl,count_Li,count_P,count_S,adf_mean,adf_std,adf_min,adf_max,adf_median');
  assert.equal(lines.length, 417);

  // frame 3 of the selection = frame 30 of run5
  let frame;
  for await (const f of readTrajectory([example(5)], { start: 30, stop: 31 })) frame = f;
  assert.ok(frame);
  const order = [17, 3, 15, 16]; // Cl, Li, P, S
  for (const atom of [0, 57, 191, 192, 250, 415]) {
    const row = lines[atom + 1].split(',');
    const want = bruteForceRow(frame.species, frame.positions, frame.cell.matrix, atom, order);
    const got = row.slice(5).map(Number);
    want.forEach((w, c) => assert.ok(Math.abs(got[c] - w) < 1e-4, `atom ${atom} column ${c}: ${got[c]} vs ${w}`));
  }
});

test('featurize refuses a trajectory without Li and leaves no run folder behind', () => {
  const dir = mkdtempSync(join(tmpdir(), 'getsei-feat-'));
  const run = join(dir, 'run');
  const r = getsei(['featurize', new URL('./data/no-lithium.extxyz', import.meta.url).pathname, '-o', run]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /no Li/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
  assert.ok(!existsSync(join(run, 'frames')));
});

test('features: a clear error for a folder that was never featurised and for a frame out of range', () => {
  const dir = mkdtempSync(join(tmpdir(), 'getsei-feat-'));
  const r = getsei(['features', dir]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /getsei featurize/);
});
