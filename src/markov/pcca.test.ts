import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { stationaryDistribution } from '../linalg/index.ts';
import { createRng } from '../util/rng.ts';
import { pccaPlus } from './index.ts';

/** A reversible chain whose states (labels interleaved) fall into blocks: K = row-normalised symmetric weights W,
 * W_ij random within a block and `eps` between blocks, so π ∝ Σ_j W_ij is its stationary distribution. */
function blockChain(blocks: number[][], eps: number, seed: number): { k: Float64Array; pi: Float64Array } {
  const n = blocks.flat().length;
  const rng = createRng(seed);
  const block = new Int32Array(n);
  blocks.forEach((b, bi) => { for (const i of b) block[i] = bi; });
  const w = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) w[i * n + j] = w[j * n + i] = block[i] === block[j] ? 0.2 + rng.next() : eps;
  }
  const rows = Float64Array.from({ length: n }, (_, i) => w.subarray(i * n, (i + 1) * n).reduce((s, v) => s + v, 0));
  const total = rows.reduce((s, v) => s + v, 0);
  return { k: w.map((v, e) => v / rows[Math.floor(e / n)]), pi: rows.map((r) => r / total) };
}

const BLOCKS = [[0, 3, 5], [1, 6], [2, 4]];

test('PCCA+ on a nearly decomposable chain recovers the blocks exactly, with memberships near 1', () => {
  const { k } = blockChain(BLOCKS, 1e-3, 11);
  const p = pccaPlus(k, stationaryDistribution(k), 3);
  assert.deepEqual(p.sets.map((s) => Array.from(s)), BLOCKS);
  for (const [j, b] of BLOCKS.entries()) for (const l of b) assert.ok(p.memberships[l * 3 + j] > 0.99, `χ[${l}][${j}] = ${p.memberships[l * 3 + j]}`);
  for (let l = 0; l < 7; l++) {
    const row = Array.from(p.memberships.subarray(l * 3, l * 3 + 3));
    assert.ok(row.every((v) => v >= 0) && Math.abs(row.reduce((s, v) => s + v, 0) - 1) < 1e-12);
  }
  assert.ok(p.crispness > 0.98, `crispness ${p.crispness}`);
  assert.ok(p.eigenvalues[2] > 0.99 && p.eigenvalues[3] < 0.9, `spectral gap after 3: ${Array.from(p.eigenvalues)}`);
  for (let i = 0; i < 3; i++) {
    const row = p.coarseTransitionMatrix.subarray(3 * i, 3 * i + 3);
    assert.ok(Math.abs(row.reduce((s, v) => s + v, 0) - 1) < 1e-10 && row[i] > 0.99, `coarse row ${Array.from(row)}`);
  }
});

test('PCCA+ on an exactly decomposable chain gives crisp 0/1 memberships and an identity coarse matrix', () => {
  const { k, pi } = blockChain(BLOCKS, 0, 3);
  const p = pccaPlus(k, pi, 3);
  assert.deepEqual(Array.from(p.assignment), [0, 1, 2, 0, 2, 0, 1]);
  for (let l = 0; l < 7; l++) for (let j = 0; j < 3; j++) assert.ok(Math.abs(p.memberships[l * 3 + j] - (p.assignment[l] === j ? 1 : 0)) < 1e-9);
  for (let e = 0; e < 9; e++) assert.ok(Math.abs(p.coarseTransitionMatrix[e] - (e % 4 === 0 ? 1 : 0)) < 1e-9);
});

test('PCCA+ memberships are feasible on a dense random chain, and two sets lie at the ends of the slowest process', () => {
  const rng = createRng(2);
  const n = 6;
  const k = Float64Array.from({ length: n * n }, () => rng.next());
  for (let i = 0; i < n; i++) {
    let z = 0;
    for (let j = 0; j < n; j++) z += k[i * n + j];
    for (let j = 0; j < n; j++) k[i * n + j] /= z;
  }
  for (const m of [2, 3, 4]) {
    const p = pccaPlus(k, stationaryDistribution(k), m);
    assert.ok(p.memberships.every((v) => v >= 0), `m = ${m}: negative membership`);
    for (let l = 0; l < n; l++) {
      let s = 0;
      for (let j = 0; j < m; j++) s += p.memberships[l * m + j];
      assert.ok(Math.abs(s - 1) < 1e-12);
    }
    assert.ok(p.slowestPair[0] < p.slowestPair[1]);
  }
  assert.throws(() => pccaPlus(k, stationaryDistribution(k), 1), /2 ≤ number of sets/);
  assert.throws(() => pccaPlus(k, stationaryDistribution(k), 7), /2 ≤ number of sets/);
});
