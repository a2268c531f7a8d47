import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { makeCell } from '../structure/cell.ts';
import { neighborList } from '../neighbors/cell-list.ts';
import { createRng } from '../util/rng.ts';
import { AcosKernel } from './acos-approx.ts';
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
  // angles that differ by less than the arc-cosine kernel's error bound (≈ 1e-11°): its order of them may be wrong,
  // so min, max and median must come from the exact candidates
  lattice(2.0, 6, 1e-12, 5),
  lattice(2.5, 5, 1e-13, 6),
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

/**
 * A neighbour vector (x, 1, 0) and its length whose angle with (1, 0, 0), computed as the features compute it, is
 * exactly halfway between two consecutive float32 values near `deg`, and whose angle from the arc-cosine kernel rounds
 * to the other float32 (the first such midpoint above `deg`; not every double is an angle, and the kernel is mostly
 * exact to the double).
 */
function vectorAtMidpoint(deg: number): [number, number, number, number] {
  const degreesOf = (x: number, d: number): number => {
    const cos = (1 * x + 0 * 1 + 0 * 0) / (1 * d);
    return (Math.acos(cos > 1 ? 1 : cos < -1 ? -1 : cos) * 180) / Math.PI;
  };
  const kernel = new AcosKernel();
  let f = Math.fround(deg);
  for (let tries = 0; tries < 100_000; tries++) {
    const next = new Float32Array(new Int32Array([new Int32Array(Float32Array.of(f).buffer)[0] + 1]).buffer)[0];
    const mid = (f + next) / 2;
    const x0 = 1 / Math.tan((mid * Math.PI) / 180);
    const step = Math.abs(x0) * 2 ** -52;
    for (let k = -64; k <= 64; k++) {
      const x = x0 + k * step, d = Math.sqrt(x * x + 1);
      if (degreesOf(x, d) !== mid) continue;
      kernel.cosines[0] = x / d;
      kernel.run(1);
      if (Math.fround(kernel.angles[0]) !== Math.fround(mid)) return [x, 1, 0, d];
    }
    f = next;
  }
  throw new Error(`no vector found near ${deg}°`);
}

test('angle statistics: an angle exactly halfway between two float32 values still gives the reference bytes as min, max and median', () => {
  // The kernel's angles are within 1e-10° of the reference's: a statistic taken from them rounds to the other float32
  // when the reference value is a float32 midpoint. Min, max and median must come from the exact candidates.
  const u = Math.SQRT1_2;
  /** the other neighbours, each with its vector and distance, making the midpoint angle the min, the median or the max */
  const inPlane = (deg: number): number[] => [Math.cos((deg * Math.PI) / 180), Math.sin((deg * Math.PI) / 180), 0, 1];
  const others: Record<string, (deg: number) => number[][]> = {
    min: () => [[-u, -u, 0, 1], [-u, 0, -u, 1]],
    // one more neighbour in the plane at 1.6 × the angle: three angles, 0.6×, 1× and 1.6× it (an odd count: the
    // median is the middle angle itself, not the mean of two)
    median: (deg) => [inPlane(1.6 * deg)],
    max: () => [[0.8, 0, 0.6, 1], [0.6, 0.8, 0, 1]],
  };
  const targets: Record<string, number[]> = { min: [41.3, 55.7, 63.1, 70.9, 77.2, 84.4], median: [71.3, 75.9, 80.2, 86.6, 92.1, 97.7], max: [121.3, 128.9, 135.4, 142.2, 150.6, 158.8] };
  for (const role of Object.keys(targets)) {
    for (const deg of targets[role]) {
      const b = vectorAtMidpoint(deg);
      const nb = [[1, 0, 0, 1], b, ...others[role](deg)];
      const list = {
        cutoffAngstrom: 4, centers: Int32Array.of(0), offsets: Int32Array.of(0, nb.length),
        index: Int32Array.from(nb, (_, i) => i + 1), vector: Float64Array.from(nb.flatMap((v) => v.slice(0, 3))), distance: Float64Array.from(nb, (v) => v[3]),
      };
      const species = Uint8Array.from({ length: nb.length + 1 }, (_, i) => (i === 0 ? 3 : 16));
      const layout = featureLayout(species);
      const got = atomFeatures(species, layout, list, { shellAngstrom: 4.0 });
      const want = referenceStats(list, 0, 4.0);
      const s = 1 + layout.countSpecies.length;
      for (let k = 0; k < 5; k++) assert.ok(Object.is(got[s + k], want[k]), `${role} at ${deg}°, ${layout.names[s + k]}: ${got[s + k]} vs ${want[k]}`);
    }
  }
});
