import type { Vec } from './types.ts';
import { wasmAggregate, wasmExp } from './wasm-gemm.ts';

/**
 * Graph-attention kernels over edges grouped by destination (CSR): the incoming edges of node i are
 * e ∈ [segStart[i], segStart[i + 1]) with source node src[e]. Grouping by destination turns the softmax over a node's
 * neighbourhood and the weighted aggregation into contiguous loops (a gather per destination), and the backward
 * scatter into a fixed sequential order, so every result is bitwise reproducible. Per-node and per-edge arrays are
 * row-major with the head as the fastest index: score[i·H + h], alpha[e·H + h], features wh[(i·H + h)·C + c].
 */

/**
 * Both attention halves of Veličković et al. per node and head: sSrc[i,h] = a_src[h,:]·Wh[i,h,:] and
 * sDst[i,h] = a_dst[h,:]·Wh[i,h,:], computed in one pass over Wh.
 */
export function attentionScores(
  wh: Vec, attSrc: Vec, attDst: Vec, sSrc: Vec, sDst: Vec, n: number, heads: number, ch: number,
): void {
  const c2 = ch - (ch % 2);
  for (let i = 0; i < n; i++) {
    for (let h = 0; h < heads; h++) {
      const w = (i * heads + h) * ch, a = h * ch;
      let s0 = 0, s1 = 0, d0 = 0, d1 = 0;
      for (let c = 0; c < c2; c += 2) {
        const x0 = wh[w + c], x1 = wh[w + c + 1];
        s0 += x0 * attSrc[a + c];
        s1 += x1 * attSrc[a + c + 1];
        d0 += x0 * attDst[a + c];
        d1 += x1 * attDst[a + c + 1];
      }
      if (c2 < ch) {
        s0 += wh[w + c2] * attSrc[a + c2];
        d0 += wh[w + c2] * attDst[a + c2];
      }
      sSrc[i * heads + h] = s0 + s1;
      sDst[i * heads + h] = d0 + d1;
    }
  }
}

/** dWh += dsSrc ⊗ a_src + dsDst ⊗ a_dst; dAttSrc += Σ_i dsSrc[i,h]·Wh[i,h,:], dAttDst likewise (all accumulate). */
export function attentionScoresBackward(
  wh: Vec, attSrc: Vec, attDst: Vec, dsSrc: Vec, dsDst: Vec, dWh: Vec, dAttSrc: Vec, dAttDst: Vec,
  n: number, heads: number, ch: number,
): void {
  for (let i = 0; i < n; i++) {
    for (let h = 0; h < heads; h++) {
      const gs = dsSrc[i * heads + h], gd = dsDst[i * heads + h];
      const w = (i * heads + h) * ch, a = h * ch;
      for (let c = 0; c < ch; c++) {
        const x = wh[w + c];
        dWh[w + c] += gs * attSrc[a + c] + gd * attDst[a + c];
        dAttSrc[a + c] += gs * x;
        dAttDst[a + c] += gd * x;
      }
    }
  }
}

/** Raw edge logits e[e,h] = sSrc[src[e],h] + sDst[i,h] for every incoming edge e of every node i. */
export function edgeScores(
  sSrc: Vec, sDst: Vec, segStart: Int32Array, src: Int32Array, nNodes: number, heads: number, out: Vec,
): void {
  for (let i = 0; i < nNodes; i++) {
    const di = i * heads;
    for (let e = segStart[i]; e < segStart[i + 1]; e++) {
      const si = src[e] * heads, o = e * heads;
      for (let h = 0; h < heads; h++) out[o + h] = sSrc[si + h] + sDst[di + h];
    }
  }
}

/** dSSrc[src[e]] += dOut[e] and dSDst[i] += dOut[e] (both accumulate, in edge order). */
export function edgeScoresBackward(
  dOut: Vec, segStart: Int32Array, src: Int32Array, nNodes: number, heads: number, dSSrc: Vec, dSDst: Vec,
): void {
  for (let i = 0; i < nNodes; i++) {
    const di = i * heads;
    for (let e = segStart[i]; e < segStart[i + 1]; e++) {
      const si = src[e] * heads, o = e * heads;
      for (let h = 0; h < heads; h++) {
        const g = dOut[o + h];
        dSSrc[si + h] += g;
        dSDst[di + h] += g;
      }
    }
  }
}

/**
 * Softmax of edge logits over each destination's incoming edges, per head (max-shifted for stability). A node with
 * no incoming edge has nothing to normalise; the GAT layer always adds self-loops, so every segment is non-empty.
 * The exponentials of all shifted logits are taken in one pass (on the SIMD kernel for float32). `out` may alias
 * `logits`.
 */
export function segmentSoftmax(logits: Vec, segStart: Int32Array, nSeg: number, heads: number, out: Vec): void {
  for (let i = 0; i < nSeg; i++) {
    const e0 = segStart[i], e1 = segStart[i + 1];
    for (let h = 0; h < heads; h++) {
      let mx = -Infinity;
      for (let e = e0; e < e1; e++) mx = Math.max(mx, logits[e * heads + h]);
      for (let e = e0; e < e1; e++) out[e * heads + h] = logits[e * heads + h] - mx;
    }
  }
  const len = segStart[nSeg] * heads;
  if (!(out instanceof Float32Array && wasmExp(out, len))) for (let k = 0; k < len; k++) out[k] = Math.exp(out[k]);
  for (let i = 0; i < nSeg; i++) {
    const e0 = segStart[i], e1 = segStart[i + 1];
    for (let h = 0; h < heads; h++) {
      let z = 0;
      for (let e = e0; e < e1; e++) z += out[e * heads + h];
      const inv = 1 / z;
      for (let e = e0; e < e1; e++) out[e * heads + h] *= inv;
    }
  }
}

/** dLogits[e,h] = α[e,h] (dα[e,h] − Σ_{e′ in segment} α[e′,h] dα[e′,h]) (overwrites; may alias dAlpha). */
export function segmentSoftmaxBackward(
  alpha: Vec, dAlpha: Vec, segStart: Int32Array, nSeg: number, heads: number, dLogits: Vec,
): void {
  for (let i = 0; i < nSeg; i++) {
    const e0 = segStart[i], e1 = segStart[i + 1];
    for (let h = 0; h < heads; h++) {
      let dot = 0;
      for (let e = e0; e < e1; e++) dot += alpha[e * heads + h] * dAlpha[e * heads + h];
      for (let e = e0; e < e1; e++) {
        const k = e * heads + h;
        dLogits[k] = alpha[k] * (dAlpha[k] - dot);
      }
    }
  }
}

/**
 * Attention-weighted aggregation out[i,h,:] = Σ_{e into i} α[e,h] · wh[src[e],h,:] (the scatter-add of messages to
 * their destinations, computed as a gather per destination). Overwrites out[nNodes×H×C]. Float32 with C a multiple
 * of 4 runs on the SIMD kernel; otherwise four channels are summed in registers across a node's edges (then one
 * store), which halves the time of a store per edge and channel.
 */
export function aggregate(
  alpha: Vec, src: Int32Array, segStart: Int32Array, nNodes: number, wh: Vec, heads: number, ch: number, out: Vec,
): void {
  if (alpha instanceof Float32Array && wh instanceof Float32Array && out instanceof Float32Array
    && wasmAggregate(alpha, src, segStart, nNodes, wh, heads, ch, out)) return;
  const hc = heads * ch, c4 = ch - (ch % 4);
  for (let i = 0; i < nNodes; i++) {
    const e0 = segStart[i], e1 = segStart[i + 1];
    for (let h = 0; h < heads; h++) {
      const b = h * ch, o = i * hc + b;
      for (let c = 0; c < c4; c += 4) {
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (let e = e0; e < e1; e++) {
          const a = alpha[e * heads + h], w = src[e] * hc + b + c;
          s0 += a * wh[w];
          s1 += a * wh[w + 1];
          s2 += a * wh[w + 2];
          s3 += a * wh[w + 3];
        }
        out[o + c] = s0;
        out[o + c + 1] = s1;
        out[o + c + 2] = s2;
        out[o + c + 3] = s3;
      }
      for (let c = c4; c < ch; c++) {
        let s0 = 0;
        for (let e = e0; e < e1; e++) s0 += alpha[e * heads + h] * wh[src[e] * hc + b + c];
        out[o + c] = s0;
      }
    }
  }
}

/**
 * Backward of `aggregate`: dα[e,h] = dOut[i,h,:]·wh[src[e],h,:] (overwrites) and dWh[src[e],h,:] += α[e,h]·dOut[i,h,:]
 * (accumulates, scattered in fixed edge order).
 */
export function aggregateBackward(
  alpha: Vec, src: Int32Array, segStart: Int32Array, nNodes: number, wh: Vec, heads: number, ch: number,
  dOut: Vec, dAlpha: Vec, dWh: Vec,
): void {
  const hc = heads * ch, c4 = ch - (ch % 4);
  for (let i = 0; i < nNodes; i++) {
    const o = i * hc;
    for (let e = segStart[i]; e < segStart[i + 1]; e++) {
      const w = src[e] * hc;
      for (let h = 0; h < heads; h++) {
        const a = alpha[e * heads + h], b = h * ch;
        let d0 = 0, d1 = 0, d2 = 0, d3 = 0;
        for (let c = 0; c < c4; c += 4) {
          const k = w + b + c, g = o + b + c;
          const g0 = dOut[g], g1 = dOut[g + 1], g2 = dOut[g + 2], g3 = dOut[g + 3];
          d0 += g0 * wh[k];
          d1 += g1 * wh[k + 1];
          d2 += g2 * wh[k + 2];
          d3 += g3 * wh[k + 3];
          dWh[k] += a * g0;
          dWh[k + 1] += a * g1;
          dWh[k + 2] += a * g2;
          dWh[k + 3] += a * g3;
        }
        for (let c = c4; c < ch; c++) {
          const g = dOut[o + b + c];
          d0 += g * wh[w + b + c];
          dWh[w + b + c] += a * g;
        }
        dAlpha[e * heads + h] = d0 + d1 + d2 + d3;
      }
    }
  }
}
