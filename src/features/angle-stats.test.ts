import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { makeCell } from '../structure/cell.ts';
import { neighborList } from '../neighbors/cell-list.ts';
import { createRng } from '../util/rng.ts';
import { atomFeatures, featureLayout, frameFeatures, useReferenceAngleStatistics } from './atom-features.ts';

/**
 * The angle statistics are computed without sorting and taken only when certified to round to the same float32
 * as the reference computation (angles sorted ascending, sums in that order): these tests compare the bytes of
 * both paths, and against the reference computed independently, on random and on symmetric structures.
 */
const SPECIES = [3, 15, 16, 17];

function randomFrame(seed: number, n: number, edge: number): { cell: ReturnType<typeof makeCell>; species: Uint8Array; positions: Float64Array } {
  const rng = createRng(seed);
  const cell = makeCell([edge, 0, 0, 0.2 * edge * (rng.next() - 0.5), edge, 0, 0, 0, edge], [true, true, true]);
  const species = Uint8Array.from({ length: n }, () => SPECIES[Math.floor(rng.next() * SPECIES.length)]);
  species[0] = 3;
  const positions = Float64Array.from({ length: 3 * n }, () => edge * rng.next());
  return { cell, species, positions };
}

/** A simple cubic lattice: many equal angles, so that ties, exact means and zero spreads occur. */
function lattice(spacing: number, cells: number, jitter: number, seed: number): ReturnType<typeof randomFrame> {
  const rng = createRng(seed);
  const n = cells ** 3, edge = spacing * cells;
  const positions = new Float64Array(3 * n);
  for (let i = 0; i < n; i++) {
    const c = [i % cells, Math.floor(i / cells) % cells, Math.floor(i / cells ** 2)];
    for (let d = 0; d < 3; d++) positions[3 * i + d] = spacing * c[d] + jitter * (rng.next() - 0.5);
  }
  const species = Uint8Array.from({ length: n }, (_, i) => SPECIES[i % SPECIES.length]);
  return { cell: makeCell([edge, 0, 0, 0, edge, 0, 0, 0, edge], [true, true, true]), species, positions };
}

/** The five statistics straight from the sorted angles, as float32. */
function referenceStats(list: ReturnType<typeof neighborList>, c: number, shell: number): number[] {
  const nb: number[][] = [];
  for (let e = list.offsets[c]; e < list.offsets[c + 1]; e++) {
    if (list.distance[e] < shell) nb.push([list.vector[3 * e], list.vector[3 * e + 1], list.vector[3 * e + 2], list.distance[e]]);
  }
  const angles: number[] = [];
  for (let x = 0; x < nb.length; x++) for (let y = x + 1; y < nb.length; y++) {
    const cos = (nb[x][0] * nb[y][0] + nb[x][1] * nb[y][1] + nb[x][2] * nb[y][2]) / (nb[x][3] * nb[y][3]);
    angles.push((Math.acos(cos > 1 ? 1 : cos < -1 ? -1 : cos) * 180) / Math.PI);
  }
  if (angles.length === 0) return [0, 0, 0, 0, 0];
  angles.sort((u, v) => u - v);
  const q = angles.length;
  let sum = 0;
  for (const v of angles) sum += v;
  const mean = sum / q;
  let ss = 0;
  for (const v of angles) ss += (v - mean) * (v - mean);
  const median = q % 2 === 1 ? angles[(q - 1) >> 1] : 0.5 * (angles[q / 2 - 1] + angles[q / 2]);
  return [mean, Math.sqrt(ss / q), angles[0], angles[q - 1], median].map(Math.fround);
}

const frames = [
  ...[1, 2, 3, 4, 5, 6].map((s) => randomFrame(s, 300, 14)),
  randomFrame(7, 600, 14), // dense: about 50 neighbours, 1 200 angles per atom
  lattice(2.5, 5, 0, 1),
  lattice(2.0, 6, 0, 2),
  lattice(2.0, 6, 1e-9, 3),
  lattice(2.0, 6, 0.3, 4),
];

test('angle statistics: the certified fast path gives the reference bytes, atom by atom', () => {
  frames.forEach((f, fi) => {
    const layout = featureLayout(f.species);
    const list = neighborList(f.cell, f.positions, 4.0);
    const got = atomFeatures(f.species, layout, list, { shellAngstrom: 4.0 });
    const s = 1 + layout.countSpecies.length;
    for (let c = 0; c < f.species.length; c++) {
      const want = referenceStats(list, c, 4.0);
      for (let k = 0; k < 5; k++) {
        assert.ok(Object.is(got[c * layout.width + s + k], want[k]), `frame ${fi} atom ${c} ${layout.names[s + k]}: ${got[c * layout.width + s + k]} vs ${want[k]}`);
      }
    }
  });
});

test('angle statistics: the fast path and the reference path write the same bytes (features and Li neighbourhoods)', () => {
  for (const f of frames) {
    const layout = featureLayout(f.species);
    const li = Int32Array.from(Array.from(f.species.keys()).filter((i) => f.species[i] === 3));
    const opts = { shellAngstrom: 4.0, graphRadiusAngstrom: 4.0 };
    const fast = frameFeatures(f.cell, f.species, f.positions, layout, li, opts);
    useReferenceAngleStatistics(true);
    try {
      const ref = frameFeatures(f.cell, f.species, f.positions, layout, li, opts);
      assert.deepEqual(new Uint8Array(fast.features.buffer), new Uint8Array(ref.features.buffer));
    } finally {
      useReferenceAngleStatistics(false);
    }
  }
});
