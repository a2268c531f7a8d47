import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import type { GraphBatch } from '../graphs/index.ts';
import { GetseiError } from '../util/index.ts';
import { resolveEncoderConfig } from './config.ts';
import { layoutOf } from './engine.ts';
import { createWorkspace, type Workspace } from './model.ts';
import { createSyntheticSource, SYNTHETIC_FEATURES } from './testing.ts';
import { checkGraphBatch, viewCapacity, writeViews } from './views.ts';

const source = createSyntheticSource({ count: 400, seed: 9 });
const config = resolveEncoderConfig({ nFeatures: SYNTHETIC_FEATURES });
const options = { edgeDropRate: 0.1, featureMaskRate: 0.2 };

function views(b: GraphBatch, keys: Int32Array, seed: number, nViews = 2): Workspace {
  const ws = createWorkspace(config, layoutOf(config), viewCapacity(b, nViews), 'f32');
  writeViews(b, ws, nViews, nViews === 2 ? { options, seed, keys } : undefined);
  return ws;
}

/** Directed edges of view-graph g as "src>dst" strings in graph-local node numbering (self-loops excluded). */
function edgesOf(ws: Workspace, g: number): Set<string> {
  const s = ws.graphNodeStart[g], e = ws.graphNodeStart[g + 1], out = new Set<string>();
  for (let i = s; i < e; i++) {
    assert.equal(ws.src[ws.segStart[i]], i, 'the self-loop comes first');
    for (let k = ws.segStart[i] + 1; k < ws.segStart[i + 1]; k++) {
      assert.ok(ws.src[k] >= s && ws.src[k] < e, 'an edge stays inside its graph');
      const key = `${ws.src[k] - s}>${i - s}`;
      assert.ok(!out.has(key), 'no duplicate edge');
      out.add(key);
    }
  }
  return out;
}

test('views drop about 10 % of undirected edges (both directions together) and mask about 20 % of entries', () => {
  const keys = Int32Array.from({ length: 400 }, (_, i) => i);
  const b = source.batch(keys);
  const ws = views(b, keys, 17);
  let kept = 0, masked = 0, maskable = 0;
  for (let v = 0; v < 2; v++) {
    for (let g = 0; g < b.nGraphs; g++) {
      const edges = edgesOf(ws, v * b.nGraphs + g);
      for (const key of edges) {
        const [a, c] = key.split('>');
        assert.ok(edges.has(`${c}>${a}`), `view ${v} graph ${g}: edge ${key} kept without its reverse`);
      }
      kept += edges.size;
    }
    for (let k = 0; k < b.x.length; k++) {
      if (b.x[k] === 0) continue;
      maskable++;
      if (ws.x[v * b.x.length + k] === 0) masked++;
      else assert.equal(ws.x[v * b.x.length + k], b.x[k]);
    }
  }
  const dropped = 1 - kept / (2 * b.edgeSrc.length);
  assert.ok(Math.abs(dropped - 0.1) < 0.015, `dropped fraction ${dropped}`);
  assert.ok(Math.abs(masked / maskable - 0.2) < 0.01, `masked fraction ${masked / maskable}`);
  // the two views differ
  assert.notDeepEqual(Array.from(ws.x.subarray(0, b.x.length)), Array.from(ws.x.subarray(b.x.length, 2 * b.x.length)));
});

test("a graph's views depend on the seed and its key, not on the other graphs in the batch", () => {
  const alone = views(source.batch(Int32Array.of(42)), Int32Array.of(42), 5);
  const keys = Int32Array.of(7, 42, 3);
  const together = views(source.batch(keys), keys, 5);
  const n = source.batch(Int32Array.of(42)).nNodes, F = SYNTHETIC_FEATURES;
  const off = together.graphNodeStart[1], nTogether = together.graphNodeStart[3];
  for (let v = 0; v < 2; v++) {
    assert.deepEqual(edgesOf(alone, v), edgesOf(together, 1 + 3 * v));
    const a = alone.x.subarray(v * n * F, (v + 1) * n * F);
    const t = together.x.subarray((v * nTogether + off) * F, (v * nTogether + off + n) * F);
    assert.deepEqual(Array.from(a), Array.from(t));
  }
  const other = views(source.batch(Int32Array.of(42)), Int32Array.of(42), 6);
  assert.notDeepEqual(Array.from(other.x.subarray(0, n * F)), Array.from(alone.x.subarray(0, n * F)));
});

test('a plain view keeps every edge and feature and adds one self-loop per node', () => {
  const b = source.batch(Int32Array.of(1, 2));
  const ws = views(b, Int32Array.of(1, 2), 0, 1);
  assert.equal(ws.segStart[b.nNodes], b.nNodes + b.edgeSrc.length);
  assert.deepEqual(Array.from(ws.x.subarray(0, b.x.length)), Array.from(b.x));
});

test('inconsistent batches are rejected with a message naming the problem', () => {
  const b = source.batch(Int32Array.of(0, 1));
  const broken = (patch: Partial<GraphBatch>, pattern: RegExp): void => {
    assert.throws(() => checkGraphBatch({ ...b, ...patch }, SYNTHETIC_FEATURES), (e: unknown) => e instanceof GetseiError && pattern.test(e.message));
  };
  checkGraphBatch(b, SYNTHETIC_FEATURES);
  broken({ nFeatures: 3 }, /3 node features, the encoder expects 11/);
  const loop = b.edgeSrc.slice();
  loop[0] = b.edgeDst[0];
  broken({ edgeSrc: loop }, /self-loop/);
  const far = b.edgeSrc.slice();
  far[1] = b.nNodes + 5;
  broken({ edgeSrc: far }, /outside the batch/);
  const across = b.edgeDst.slice();
  across[0] = b.graphNodeStart[1] + (b.edgeSrc[0] >= b.graphNodeStart[1] ? -1 : 1);
  broken({ edgeDst: across }, /two different graphs|self-loop/);
  const nan = b.x.slice();
  nan[5] = NaN;
  broken({ x: nan }, /feature 5 of node 0 is not finite/);
  broken({ centre: Int32Array.of(0, 0) }, /centre of graph 1/);
  broken({ graphNodeStart: Int32Array.of(0, 3, 4) }, /graphNodeStart/);
});
