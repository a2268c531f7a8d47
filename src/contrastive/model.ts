import {
  addBias, addBiasBackward, addBiasElu, aggregate, aggregateBackward, attentionScores, attentionScoresBackward, edgeScores,
  edgeScoresBackward, eluBackward, gatherRows, gatherRowsBackward, headMean, headMeanBackward, leakyRelu,
  leakyReluBackward, matmulAB, matmulABt, matmulAtB, meanReadout, meanReadoutBackward, segmentSoftmax,
  segmentSoftmaxBackward, type Vec,
} from '../tensor/index.ts';
import type { Rng } from '../util/index.ts';
import type { EncoderConfig, ModelLayout } from './config.ts';

/** Array sizes a workspace is allocated for (views, i.e. after augmentation, self-loops included). */
export interface Capacity {
  readonly graphs: number;
  readonly nodes: number;
  /** incoming-edge entries including one self-loop per node */
  readonly edges: number;
}

/** Element type of the float arrays: float32 for training and embedding, float64 for gradient checks. */
export type FloatKind = 'f32' | 'f64';

interface LayerBuffers {
  wh: Vec; sSrc: Vec; sDst: Vec; logit: Vec; alpha: Vec; agg: Vec; out: Vec;
  dOut: Vec; dAgg: Vec; dWh: Vec; dAlpha: Vec; dsSrc: Vec; dsDst: Vec;
}

/**
 * Everything one forward/backward pass over a batch of views reads and writes, carved out of a single buffer so
 * that it can be a SharedArrayBuffer: a worker fills the views and runs the forward pass, the main thread reads `z`
 * and writes `dz`, and any worker can then run the backward pass on the same memory.
 */
export interface Workspace {
  readonly capacity: Capacity;
  readonly kind: FloatKind;
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  /** the views' node features [nodes × nFeatures] (augmented) */
  readonly x: Vec;
  /** incoming edges of each node (CSR by destination, self-loop first): [segStart[i], segStart[i+1]) */
  readonly segStart: Int32Array;
  readonly src: Int32Array;
  readonly graphNodeStart: Int32Array;
  readonly centre: Int32Array;
  readonly layers: readonly LayerBuffers[];
  readonly readout: Vec;
  readonly z: Vec;
  readonly dReadout: Vec;
  readonly dz: Vec;
  readonly grads: Vec;
  /** transposes for the weight-gradient and input-gradient products */
  readonly scratchA: Vec;
  readonly scratchB: Vec;
  readonly scratchW: Vec;
}

/** Bytes a workspace needs; allocate a SharedArrayBuffer of this size to share one between threads. */
export function workspaceBytes(config: EncoderConfig, layout: ModelLayout, cap: Capacity, kind: FloatKind): number {
  return carve(config, layout, cap, kind, null).bytes;
}

/**
 * Views of a workspace over `buffer` (a fresh ArrayBuffer when omitted). The same arguments on the same buffer give
 * the same views in every thread.
 */
export function createWorkspace(
  config: EncoderConfig, layout: ModelLayout, cap: Capacity, kind: FloatKind,
  buffer?: ArrayBuffer | SharedArrayBuffer,
): Workspace {
  const buf = buffer ?? new ArrayBuffer(workspaceBytes(config, layout, cap, kind));
  return carve(config, layout, cap, kind, buf).ws as Workspace;
}

function carve(
  config: EncoderConfig, layout: ModelLayout, cap: Capacity, kind: FloatKind,
  buffer: ArrayBuffer | SharedArrayBuffer | null,
): { bytes: number; ws: Workspace | null } {
  const fb = kind === 'f32' ? 4 : 8;
  let off = 0;
  const f = (len: number): Vec => {
    const at = off;
    off += Math.ceil((len * fb) / 8) * 8;
    if (!buffer) return new Float32Array(0);
    return kind === 'f32' ? new Float32Array(buffer, at, len) : new Float64Array(buffer, at, len);
  };
  const i32 = (len: number): Int32Array => {
    const at = off;
    off += Math.ceil((len * 4) / 8) * 8;
    return buffer ? new Int32Array(buffer, at, len) : new Int32Array(0);
  };
  const { nodes: N, edges: E, graphs: G } = cap;
  const H = config.heads;
  let maxIn = 0, maxHc = 0, maxW = 0;
  const layers = layout.layers.map((d) => {
    maxIn = Math.max(maxIn, d.inDim);
    maxHc = Math.max(maxHc, d.hc);
    maxW = Math.max(maxW, d.hc * d.inDim);
    return {
      wh: f(N * d.hc), sSrc: f(N * H), sDst: f(N * H), logit: f(E * H), alpha: f(E * H),
      agg: f(N * d.hc), out: d.concat ? null : f(N * d.outDim),
      dOut: f(N * d.outDim), dAgg: d.concat ? null : f(N * d.hc), dWh: f(N * d.hc), dAlpha: f(E * H),
      dsSrc: f(N * H), dsDst: f(N * H),
    };
  });
  const Rd = layout.readoutDim, Ed = config.embeddingDim;
  const ws = {
    capacity: cap,
    kind,
    buffer,
    x: f(N * config.nFeatures),
    segStart: i32(N + 1),
    src: i32(E),
    graphNodeStart: i32(G + 1),
    centre: i32(G),
    // a concatenating layer adds its bias and applies ELU in place, so its output is its aggregation buffer
    layers: layers.map((b) => ({ ...b, out: b.out ?? b.agg, dAgg: b.dAgg ?? b.dOut })),
    readout: f(G * Rd),
    z: f(G * Ed),
    dReadout: f(G * Rd),
    dz: f(G * Ed),
    grads: f(layout.nParams),
    scratchA: f(Math.max(N * maxHc, G * Ed)),
    scratchB: f(Math.max(N * maxIn, G * Rd)),
    scratchW: f(Math.max(maxW, Ed * Rd)),
  };
  return { bytes: off, ws: buffer ? { ...ws, buffer } : null };
}

/** Named sub-views of a flat parameter (or gradient) vector, in the order of `layout.params`. */
export function paramViews(layout: ModelLayout, flat: Vec): Vec[] {
  return layout.params.map((p) => flat.subarray(p.offset, p.offset + p.size));
}

/** Glorot-uniform weights (fan in + fan out from the last two dimensions, as PyG's `glorot`), zero biases. */
export function initParams(layout: ModelLayout, rng: Rng): Float32Array {
  const p = new Float32Array(layout.nParams);
  for (const s of layout.params) {
    if (s.init !== 'glorot') continue;
    const fans = s.shape[s.shape.length - 1] + s.shape[s.shape.length - 2];
    const bound = Math.sqrt(6 / fans);
    for (let i = 0; i < s.size; i++) p[s.offset + i] = (2 * rng.next() - 1) * bound;
  }
  return p;
}

/** Sizes of the batch of views currently in a workspace. */
export interface ViewCounts {
  readonly nGraphs: number;
  readonly nNodes: number;
}

/**
 * Encoder forward pass on the views in `ws` (x, CSR, graph ranges), writing every activation the backward pass needs
 * and the embeddings ws.z[nGraphs × embeddingDim]. Per GAT layer (PyG GATConv): Wh = X·Wᵀ; e_ij =
 * LeakyReLU(a_src·Wh_j + a_dst·Wh_i) over j → i edges and the self-loop; α = softmax_j(e_ij); h_i = Σ_j α_ij Wh_j,
 * heads concatenated (or averaged in the last layer), + bias, ELU. Then the readout and the linear projection.
 */
export function forward(config: EncoderConfig, layout: ModelLayout, params: Vec, ws: Workspace, n: ViewCounts): void {
  const P = paramViews(layout, params);
  const H = config.heads, C = config.hiddenPerHead, N = n.nNodes, G = n.nGraphs;
  const slope = config.negativeSlope;
  const nE = ws.segStart[N];
  let xin: Vec = ws.x;
  layout.layers.forEach((d, l) => {
    const b = ws.layers[l];
    const [W, aSrc, aDst, bias] = P.slice(4 * l, 4 * l + 4);
    matmulABt(xin, W, b.wh, N, d.inDim, d.hc);
    attentionScores(b.wh, aSrc, aDst, b.sSrc, b.sDst, N, H, C);
    edgeScores(b.sSrc, b.sDst, ws.segStart, ws.src, N, H, b.logit);
    leakyRelu(b.logit, b.logit, nE * H, slope);
    segmentSoftmax(b.logit, ws.segStart, N, H, b.alpha);
    aggregate(b.alpha, ws.src, ws.segStart, N, b.wh, H, C, b.agg);
    if (!d.concat) headMean(b.agg, b.out, N, H, C);
    addBiasElu(b.out, bias, N, d.outDim);
    xin = b.out;
  });
  const D = layout.layers[layout.layers.length - 1].outDim, Rd = layout.readoutDim;
  meanReadout(xin, ws.graphNodeStart, G, D, ws.readout, Rd, 0);
  if (config.readout === 'mean+centre') gatherRows(xin, ws.centre, G, D, ws.readout, Rd, D);
  const [Wp, bp] = P.slice(P.length - 2);
  matmulABt(ws.readout, Wp, ws.z, G, Rd, config.embeddingDim);
  addBias(ws.z, bp, G, config.embeddingDim);
}

/**
 * Backward pass for the activations left by `forward`: reads ws.dz = dL/dz and overwrites ws.grads with dL/dθ
 * (same layout as the parameters). Every scatter runs in a fixed order, so the gradient is bitwise reproducible.
 */
export function backward(config: EncoderConfig, layout: ModelLayout, params: Vec, ws: Workspace, n: ViewCounts): void {
  const P = paramViews(layout, params);
  ws.grads.fill(0);
  const Gr = paramViews(layout, ws.grads);
  const H = config.heads, C = config.hiddenPerHead, N = n.nNodes, G = n.nGraphs, Ed = config.embeddingDim;
  const slope = config.negativeSlope;
  const nE = ws.segStart[N];
  const L = layout.layers.length;
  const D = layout.layers[L - 1].outDim, Rd = layout.readoutDim;

  const [Wp] = P.slice(P.length - 2);
  const [gWp, gbp] = Gr.slice(Gr.length - 2);
  addBiasBackward(ws.dz, gbp, G, Ed);
  matmulAtB(ws.dz, ws.readout, gWp, G, Ed, Rd, ws.scratchA, ws.scratchB, true);
  matmulAB(ws.dz, Wp, ws.dReadout, G, Ed, Rd, ws.scratchW);
  const dLast = ws.layers[L - 1].dOut;
  dLast.fill(0, 0, N * D);
  meanReadoutBackward(ws.dReadout, ws.graphNodeStart, G, D, dLast, Rd, 0);
  if (config.readout === 'mean+centre') gatherRowsBackward(ws.dReadout, ws.centre, G, D, dLast, Rd, D);

  for (let l = L - 1; l >= 0; l--) {
    const d = layout.layers[l], b = ws.layers[l];
    const [W, aSrc, aDst] = P.slice(4 * l, 4 * l + 4);
    const [gW, gSrc, gDst, gBias] = Gr.slice(4 * l, 4 * l + 4);
    const xin = l === 0 ? ws.x : ws.layers[l - 1].out;
    eluBackward(b.out, b.dOut, b.dOut, N * d.outDim);
    addBiasBackward(b.dOut, gBias, N, d.outDim);
    if (!d.concat) headMeanBackward(b.dOut, b.dAgg, N, H, C);
    b.dWh.fill(0, 0, N * d.hc);
    aggregateBackward(b.alpha, ws.src, ws.segStart, N, b.wh, H, C, b.dAgg, b.dAlpha, b.dWh);
    segmentSoftmaxBackward(b.alpha, b.dAlpha, ws.segStart, N, H, b.dAlpha);
    leakyReluBackward(b.logit, b.dAlpha, b.dAlpha, nE * H, slope);
    b.dsSrc.fill(0, 0, N * H);
    b.dsDst.fill(0, 0, N * H);
    edgeScoresBackward(b.dAlpha, ws.segStart, ws.src, N, H, b.dsSrc, b.dsDst);
    attentionScoresBackward(b.wh, aSrc, aDst, b.dsSrc, b.dsDst, b.dWh, gSrc, gDst, N, H, C);
    matmulAtB(b.dWh, xin, gW, N, d.hc, d.inDim, ws.scratchA, ws.scratchB, true);
    // the first layer's input is data: its gradient is never needed
    if (l > 0) matmulAB(b.dWh, W, ws.layers[l - 1].dOut, N, d.hc, d.inDim, ws.scratchW);
  }
}
