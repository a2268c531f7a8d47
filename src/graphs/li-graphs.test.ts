import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { LiGraphBuilder, type FrameTables } from './li-graphs.ts';

// atoms: 0 Li (centre), 1 S, 2 S, 3 Cl, 4 Li (second centre); two atom features per atom
const species = Uint8Array.from([3, 16, 16, 17, 3]);
const features = Float32Array.from([1, 10, 2, 20, 3, 30, 4, 40, 5, 50]);
// Li0 neighbours: S1 at (2.5,0,0), S2 at (0,2.5,0) [S1–S2 3.54 Å: no edge], Cl3 at (2.5,1.5,0) [1.5 Å from S1]
// Li4 neighbours: S1 at (-1,0,0) only
const tables: FrameTables = {
  features,
  liNeighborhoods: {
    li: Int32Array.from([0, 4]),
    offsets: Int32Array.from([0, 3, 4]),
    index: Int32Array.from([1, 2, 3, 1]),
    vector: Float32Array.from([2.5, 0, 0, 0, 2.5, 0, 2.5, 1.5, 0, -1, 0, 0]),
  },
};
const builder = new LiGraphBuilder(species, Uint8Array.from([3, 16, 17]), { mean: Float64Array.from([3, 30]), std: Float64Array.from([2, 10]) }, { edgeCutoffAngstrom: 3.0 });

const edgesOf = (src: Int32Array, dst: Int32Array) => Array.from(src, (s, e) => `${s}-${dst[e]}`).sort();

test('graph nodes are the centre then its neighbour entries; edges join nodes closer than the cutoff, both ways', () => {
  const b = builder.batch([tables], Int32Array.from([0]), Int32Array.from([0]));
  assert.equal(b.nGraphs, 1);
  assert.equal(b.nNodes, 4);
  assert.equal(b.nFeatures, 5);
  // Li0–S1 2.5, Li0–S2 2.5, Li0–Cl3 2.92, S1–Cl3 1.5; S2–Cl3 2.92; S1–S2 3.54 (none)
  assert.deepEqual(edgesOf(b.edgeSrc, b.edgeDst), ['0-1', '0-2', '0-3', '1-0', '1-3', '2-0', '2-3', '3-0', '3-1', '3-2']);
  // one-hot element then standardised features
  assert.deepEqual(Array.from(b.x.subarray(0, 5)), [1, 0, 0, (1 - 3) / 2, (10 - 30) / 10]);
  assert.deepEqual(Array.from(b.x.subarray(15, 20)), [0, 0, 1, (4 - 3) / 2, (40 - 30) / 10]);
  assert.equal(b.centre[0], 0);
});

test('a batch is a disjoint union with offset node indices', () => {
  const b = builder.batch([tables], Int32Array.from([0, 0]), Int32Array.from([1, 0]));
  assert.deepEqual(Array.from(b.graphNodeStart), [0, 2, 6]);
  assert.deepEqual(Array.from(b.nodeGraph), [0, 0, 1, 1, 1, 1]);
  assert.deepEqual(Array.from(b.centre), [0, 2]);
  const e = edgesOf(b.edgeSrc, b.edgeDst);
  assert.ok(e.includes('0-1') && e.includes('2-5') && e.includes('3-5'));
  for (let k = 0; k < b.edgeSrc.length; k++) assert.equal(b.nodeGraph[b.edgeSrc[k]], b.nodeGraph[b.edgeDst[k]]);
  // the second graph's centre is Li4 with feature row (5, 50)
  assert.deepEqual(Array.from(b.x.subarray(0, 5)), [1, 0, 0, 1, 2]);
});

test('a frames source numbers graphs frame-major and builds the same graphs as the builder', async () => {
  const { FramesGraphSource } = await import('./li-graphs.ts');
  const src = new FramesGraphSource(builder, [tables, tables], 2);
  assert.equal(src.count, 4);
  const viaSource = src.batch(Int32Array.from([3, 0]));
  const direct = builder.batch([tables, tables], Int32Array.from([1, 0]), Int32Array.from([1, 0]));
  assert.deepEqual(viaSource, direct);
});

test('a pooled source keeps the order of its indices across sources and builds the graphs of one batch', async () => {
  const { FramesGraphSource, PooledGraphSource } = await import('./li-graphs.ts');
  const pooled = new PooledGraphSource([new FramesGraphSource(builder, [tables], 2), new FramesGraphSource(builder, [tables, tables], 2)]);
  assert.equal(pooled.count, 6);
  // B's graph 3 (Li4), A's 0 (Li0), B's 0 (Li0), A's 1 (Li4): one disjoint union, in that order
  const viaPool = pooled.batch(Int32Array.from([5, 0, 2, 1]));
  const direct = builder.batch([tables], Int32Array.from([0, 0, 0, 0]), Int32Array.from([1, 0, 0, 1]));
  assert.deepEqual(viaPool, direct);
});

/** Frames of `nLi` Li among `nAtoms` atoms, each Li with a random neighbourhood of 0–14 entries within 4 Å. */
function randomTables(seed: number, nFrames: number, nAtoms: number, nLi: number): FrameTables[] {
  let s = seed;
  const rand = (): number => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  return Array.from({ length: nFrames }, () => {
    const offsets = new Int32Array(nLi + 1);
    const index: number[] = [], vector: number[] = [];
    for (let c = 0; c < nLi; c++) {
      const k = Math.floor(rand() * 15);
      for (let e = 0; e < k; e++) {
        index.push(Math.floor(rand() * nAtoms));
        vector.push(8 * rand() - 4, 8 * rand() - 4, 8 * rand() - 4);
      }
      offsets[c + 1] = index.length;
    }
    return {
      features: Float32Array.from({ length: nAtoms * 2 }, () => 100 * rand()),
      liNeighborhoods: { li: Int32Array.from({ length: nLi }, (_, c) => c), offsets, index: Int32Array.from(index), vector: Float32Array.from(vector) },
    };
  });
}

test('a sampled source builds its graphs once, reads only frames with a sampled graph, and gives the frames source\'s batches byte for byte', async () => {
  const { FramesGraphSource, SampledGraphSource } = await import('./li-graphs.ts');
  const nAtoms = 40, nLi = 12, nFrames = 9;
  const sp = Uint8Array.from({ length: nAtoms }, (_, i) => (i < nLi ? 3 : i % 2 === 0 ? 16 : 17));
  const b = new LiGraphBuilder(sp, Uint8Array.from([3, 16, 17]), { mean: Float64Array.from([50, 50]), std: Float64Array.from([29, 29]) }, { edgeCutoffAngstrom: 3.0 });
  const frames = randomTables(7, nFrames, nAtoms, nLi);
  // frames 2 and 6 have no sampled graph
  const sample = Int32Array.from([0, 3, 4, 11, 12, 13, 40, 41, 47, 48, 49, 60, 61, 84, 90, 100, 107]);
  const read: number[] = [];
  const sampled = await SampledGraphSource.build(b, nFrames, nLi, sample, async (k) => {
    read.push(k);
    return frames[k];
  });
  assert.deepEqual(read, [0, 1, 3, 4, 5, 7, 8]);
  const whole = new FramesGraphSource(b, frames, nLi);
  assert.equal(sampled.count, whole.count);
  for (const indices of [sample, Int32Array.from([107, 0, 49, 49, 3, 90]), Int32Array.from([61])]) {
    assert.deepEqual(sampled.batch(indices), whole.batch(indices));
  }
  assert.throws(() => sampled.batch(Int32Array.from([5])), /not in the sample/);
  await assert.rejects(SampledGraphSource.build(b, nFrames, nLi, Int32Array.from([4, 3]), async (k) => frames[k]), /ascending/);
});
