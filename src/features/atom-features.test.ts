import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { makeCell } from '../structure/cell.ts';
import { neighborList } from '../neighbors/cell-list.ts';
import { atomFeatures, featureLayout, frameFeatures } from './atom-features.ts';

const LI = 3, P = 15, S = 16, CL = 17;
const box = makeCell([30, 0, 0, 0, 30, 0, 0, 0, 30]);

function featuresOf(species: number[], xyz: number[][], shell = 4.0) {
  const sp = Uint8Array.from(species);
  const pos = Float64Array.from(xyz.flat());
  const layout = featureLayout(sp);
  const f = atomFeatures(sp, layout, neighborList(box, pos, shell), { shellAngstrom: shell });
  const row = (i: number) => Object.fromEntries(layout.names.map((nm, c) => [nm, f[i * layout.width + c]]));
  return { layout, row };
}

const close = (a: number, b: number, tol = 1e-4) => assert.ok(Math.abs(a - b) < tol, `${a} vs ${b}`);

test('column order: mean distance, counts alphabetical by symbol, then angle statistics', () => {
  const layout = featureLayout(Uint8Array.from([LI, S, P, CL, LI]));
  assert.deepEqual(layout.names, ['mean_distance', 'count_Cl', 'count_Li', 'count_P', 'count_S', 'adf_mean', 'adf_std', 'adf_min', 'adf_max', 'adf_median']);
});

test('a tetrahedral LiS4: four S at 2.4 Å, every angle 109.47°', () => {
  const d = 2.4 / Math.sqrt(3);
  const { row } = featuresOf([LI, S, S, S, S], [[15, 15, 15], [15 + d, 15 + d, 15 + d], [15 + d, 15 - d, 15 - d], [15 - d, 15 + d, 15 - d], [15 - d, 15 - d, 15 + d]]);
  const r = row(0);
  close(r.mean_distance, 2.4);
  assert.equal(r.count_S, 4);
  assert.equal(r.count_Li, 0);
  const tet = (Math.acos(-1 / 3) * 180) / Math.PI;
  for (const k of ['adf_mean', 'adf_min', 'adf_max', 'adf_median']) close(r[k], tet);
  close(r.adf_std, 0, 1e-3);
});

test('a square-planar LiS4 has the same counts but other angle statistics (4 × 90°, 2 × 180°)', () => {
  const { row } = featuresOf([LI, S, S, S, S], [[15, 15, 15], [17.5, 15, 15], [12.5, 15, 15], [15, 17.5, 15], [15, 12.5, 15]]);
  const r = row(0);
  close(r.mean_distance, 2.5);
  assert.equal(r.count_S, 4);
  close(r.adf_mean, 120);
  close(r.adf_std, Math.sqrt(1800));
  close(r.adf_min, 90);
  close(r.adf_max, 180);
  close(r.adf_median, 90);
  // each S sees the Li at 2.5 Å and two S at 2.5·√2 = 3.54 Å (inside 4 Å), but not the opposite S at 5 Å
  const s = row(1);
  assert.equal(s.count_Li, 1);
  assert.equal(s.count_S, 2);
  close(s.mean_distance, (2.5 + 2 * 2.5 * Math.SQRT2) / 3);
});

test('edge cases: no neighbour → mean distance = shell radius and zero angles; one neighbour → zero angles', () => {
  const { row } = featuresOf([LI, CL, LI], [[5, 5, 5], [8, 5, 5], [20, 20, 20]]);
  const lone = row(2);
  assert.equal(lone.mean_distance, 4);
  for (const k of ['adf_mean', 'adf_std', 'adf_min', 'adf_max', 'adf_median']) assert.equal(lone[k], 0);
  const pair = row(0);
  close(pair.mean_distance, 3);
  assert.equal(pair.count_Cl, 1);
  assert.equal(pair.adf_max, 0);
});

test('the shell boundary is strict: 3.999 Å counts, 4.001 Å does not', () => {
  const { row } = featuresOf([LI, S, S], [[5, 5, 5], [8.999, 5, 5], [5, 9.001, 5]]);
  assert.equal(row(0).count_S, 1);
});

test('even number of angles: the median is the mean of the two middle ones', () => {
  // three neighbours → 3 angles (odd); four on a tetrahedron distorted → 6 angles (even): checked by brute force
  const xyz = [[10, 10, 10], [12.1, 10.2, 10.1], [9.1, 12.0, 10.3], [9.5, 9.2, 12.2], [8.4, 8.9, 8.7]];
  const { row } = featuresOf([LI, S, S, P, CL], xyz);
  const v = xyz.slice(1).map((p) => p.map((x, d) => x - xyz[0][d]));
  const ang: number[] = [];
  for (let a = 0; a < 4; a++) for (let b = a + 1; b < 4; b++) {
    const dot = v[a].reduce((s, x, d) => s + x * v[b][d], 0);
    ang.push((Math.acos(dot / (Math.hypot(...v[a]) * Math.hypot(...v[b]))) * 180) / Math.PI);
  }
  ang.sort((x, y) => x - y);
  const mean = ang.reduce((s, x) => s + x, 0) / 6;
  close(row(0).adf_median, (ang[2] + ang[3]) / 2);
  close(row(0).adf_mean, mean);
  close(row(0).adf_std, Math.sqrt(ang.reduce((s, x) => s + (x - mean) ** 2, 0) / 6));
});

test('Li neighbourhoods hold the atoms within the graph radius with their displacements', () => {
  const sp = Uint8Array.from([LI, S, LI, S]);
  const pos = Float64Array.from([1, 1, 1, 3, 1, 1, 5.5, 1, 1, 9.5, 1, 1]);
  const cell = makeCell([10, 0, 0, 0, 10, 0, 0, 0, 10]);
  const { liNeighborhoods: nb, features } = frameFeatures(cell, sp, pos, featureLayout(sp), Int32Array.from([0, 2]), { shellAngstrom: 4, graphRadiusAngstrom: 3 });
  // Li0: S1 at +2, S3 through the boundary at −1.5; Li2: S1 at −2.5
  assert.deepEqual(Array.from(nb.offsets), [0, 2, 3]);
  const first = Array.from(nb.index.subarray(0, 2)).sort();
  assert.deepEqual(first, [1, 3]);
  assert.equal(nb.index[2], 1);
  close(nb.vector[6], -2.5);
  // features still use the 4 Å shell: Li0 also sees Li2 at 4.5? no (4.5 > 4); Li2 sees S3 at 4.0 → excluded (strict)
  assert.equal(features.length, 4 * featureLayout(sp).width);
});
