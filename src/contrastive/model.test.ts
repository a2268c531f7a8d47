import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { l2Normalize, l2NormalizeBackward, ntXent } from '../tensor/index.ts';
import { gradCheck } from '../tensor/testing.ts';
import { createRng } from '../util/index.ts';
import { type EncoderConfig, modelLayout, resolveEncoderConfig } from './config.ts';
import { backward, createWorkspace, forward, initParams } from './model.ts';
import { createSyntheticSource, SYNTHETIC_FEATURES } from './testing.ts';
import { checkGraphBatch, viewCapacity, writeViews } from './views.ts';

const source = createSyntheticSource({ count: 20, seed: 5 });

/** The GAT encoder written out directly from its definition, node by node, as an independent forward reference. */
function referenceEmbed(c: EncoderConfig, params: Float64Array, gi: number): Float64Array {
  const b = source.batch(Int32Array.of(gi));
  const layout = modelLayout(c);
  const P = Object.fromEntries(layout.params.map((p) => [p.name, params.subarray(p.offset, p.offset + p.size)]));
  const n = b.nNodes, H = c.heads, C = c.hiddenPerHead;
  const nbrs: number[][] = Array.from({ length: n }, (_, i) => [i]);
  for (let e = 0; e < b.edgeSrc.length; e++) nbrs[b.edgeDst[e]].push(b.edgeSrc[e]);
  let h: number[][] = Array.from({ length: n }, (_, i) => Array.from(b.x.subarray(i * c.nFeatures, (i + 1) * c.nFeatures)));
  layout.layers.forEach((d, l) => {
    const W = P[`conv${l + 1}.lin.weight`], as = P[`conv${l + 1}.att_src`], ad = P[`conv${l + 1}.att_dst`];
    const bias = P[`conv${l + 1}.bias`];
    const wh = h.map((row) => Array.from({ length: d.hc }, (_, o) => row.reduce((s, v, k) => s + v * W[o * d.inDim + k], 0)));
    const score = (i: number, hd: number, a: Float64Array) => {
      let s = 0;
      for (let q = 0; q < C; q++) s += a[hd * C + q] * wh[i][hd * C + q];
      return s;
    };
    h = wh.map((_, i) => {
      const out = new Array<number>(d.hc).fill(0);
      for (let hd = 0; hd < H; hd++) {
        const logits = nbrs[i].map((j) => {
          const e = score(j, hd, as) + score(i, hd, ad);
          return e > 0 ? e : c.negativeSlope * e;
        });
        const mx = Math.max(...logits);
        const w = logits.map((v) => Math.exp(v - mx));
        const z = w.reduce((s, v) => s + v, 0);
        nbrs[i].forEach((j, k) => {
          for (let q = 0; q < C; q++) out[hd * C + q] += (w[k] / z) * wh[j][hd * C + q];
        });
      }
      const comb = d.concat ? out : Array.from({ length: C }, (_, q) => out.reduce((s, v, k) => s + (k % C === q ? v / H : 0), 0));
      return comb.map((v, k) => {
        const y = v + bias[k];
        return y > 0 ? y : Math.expm1(y);
      });
    });
  });
  const D = h[0].length;
  const mean = Array.from({ length: D }, (_, q) => h.reduce((s, row) => s + row[q], 0) / n);
  const r = c.readout === 'mean+centre' ? [...mean, ...h[b.centre[0]]] : mean;
  const Wp = P['proj.weight'], bp = P['proj.bias'];
  return Float64Array.from({ length: c.embeddingDim }, (_, o) => bp[o] + r.reduce((s, v, k) => s + v * Wp[o * r.length + k], 0));
}

const variants: Partial<EncoderConfig>[] = [
  { hiddenPerHead: 3, heads: 2 },
  { hiddenPerHead: 2, heads: 3, lastLayerHeads: 'mean', readout: 'mean+centre', embeddingDim: 5 },
  { hiddenPerHead: 4, heads: 1, layers: 3, embeddingDim: 3 },
];

test('the encoder forward pass equals a node-by-node GAT written from its definition', () => {
  for (const v of variants) {
    const c = resolveEncoderConfig({ nFeatures: SYNTHETIC_FEATURES, ...v });
    const layout = modelLayout(c);
    const params = Float64Array.from(initParams(layout, createRng(1)));
    for (let k = 0; k < params.length; k++) params[k] += 0.05 * Math.sin(k); // non-zero biases too
    const idx = Int32Array.of(3, 7, 11);
    const b = source.batch(idx);
    const ws = createWorkspace(c, layout, viewCapacity(b, 1), 'f64');
    const counts = writeViews(b, ws, 1);
    forward(c, layout, params, ws, counts);
    idx.forEach((gi, g) => {
      const ref = referenceEmbed(c, params, gi);
      for (let q = 0; q < c.embeddingDim; q++) {
        assert.ok(Math.abs(ws.z[g * c.embeddingDim + q] - ref[q]) < 1e-10, `${JSON.stringify(v)} graph ${gi} dim ${q}`);
      }
    });
  }
});

test('the whole model gradient (GAT → readout → projection → NT-Xent) matches finite differences', () => {
  for (const v of variants) {
    const c = resolveEncoderConfig({ nFeatures: SYNTHETIC_FEATURES, ...v });
    const layout = modelLayout(c);
    const params = Float64Array.from(initParams(layout, createRng(2)));
    for (let k = 0; k < params.length; k++) params[k] += 0.05 * Math.cos(k);
    const b = source.batch(Int32Array.of(0, 4, 9, 13));
    checkGraphBatch(b, SYNTHETIC_FEATURES);
    const ws = createWorkspace(c, layout, viewCapacity(b, 2), 'f64');
    const counts = writeViews(b, ws, 2, {
      options: { edgeDropRate: 0.1, featureMaskRate: 0.2 }, seed: 3, keys: Int32Array.of(0, 4, 9, 13),
    });
    const G = counts.nGraphs, E = c.embeddingDim;
    const u = new Float64Array(G * E), norms = new Float64Array(G), sim = new Float64Array(G * G);
    const ut = new Float64Array(G * E), du = new Float64Array(G * E);
    const loss = (): number => {
      forward(c, layout, params, ws, counts);
      l2Normalize(ws.z, G, E, u, norms);
      return ntXent(u, G / 2, E, 0.5, sim, ut, du);
    };
    loss();
    l2NormalizeBackward(u, norms, du, G, E, ws.dz);
    backward(c, layout, params, ws, counts);
    const analytic = Float64Array.from(ws.grads);
    const r = gradCheck(loss, params, analytic, { h: 1e-5, rtol: 1e-4, atol: 1e-9 });
    const name = layout.params.find((p) => r.index >= p.offset && r.index < p.offset + p.size)?.name;
    assert.ok(r.worst <= 1, `${JSON.stringify(v)}: ${name} analytic ${r.analytic} numeric ${r.numeric}`);
  }
});
