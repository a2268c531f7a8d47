import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { createRng } from '../util/index.ts';
import {
  addBias, addBiasBackward, addBiasElu, aggregate, aggregateBackward, attentionScores, attentionScoresBackward, edgeScores,
  edgeScoresBackward, elu, eluBackward, gatherRows, gatherRowsBackward, headMean, headMeanBackward, l2Normalize,
  l2NormalizeBackward, leakyRelu, leakyReluBackward, matmulAB, matmulABt, matmulAtB, meanReadout,
  meanReadoutBackward, ntXent, segmentSoftmax, segmentSoftmaxBackward, transpose,
} from './index.ts';
import { dot, gradCheck, randomVec } from './testing.ts';
import { wasmGemmAvailable } from './wasm-gemm.ts';

const rng = createRng(20240611);

function assertGrad(name: string, r: ReturnType<typeof gradCheck>): void {
  assert.ok(r.worst <= 1, `${name}: entry ${r.index} analytic ${r.analytic} vs numeric ${r.numeric}`);
}

/** Brute-force C = A·B with explicit index functions. */
function naive(n: number, k: number, m: number, a: (i: number, p: number) => number, b: (p: number, j: number) => number) {
  const c = new Float64Array(n * m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) {
    let s = 0;
    for (let p = 0; p < k; p++) s += a(i, p) * b(p, j);
    c[i * m + j] = s;
  }
  return c;
}

function assertClose(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(a.length, b.length, what);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= tol * (1 + Math.abs(b[i])), `${what}[${i}]: ${a[i]} vs ${b[i]}`);
}

test('matmul kernels match a brute-force product for shapes off and on the 4×4 tile', () => {
  for (const [n, k, m] of [[1, 1, 1], [4, 4, 4], [7, 5, 9], [12, 3, 8], [5, 17, 2], [9, 8, 13]]) {
    const a = randomVec(rng, n * k), b = randomVec(rng, m * k);
    const c = new Float64Array(n * m);
    matmulABt(a, b, c, n, k, m);
    const ref = naive(n, k, m, (i, p) => a[i * k + p], (p, j) => b[j * k + p]);
    assertClose(c, ref, 1e-12, `ABt ${n}x${k}x${m}`);
    matmulABt(a, b, c, n, k, m, true);
    assertClose(c, ref.map((v) => 2 * v), 1e-12, 'ABt accumulate');

    const bkm = randomVec(rng, k * m), scratch = new Float64Array(k * m);
    matmulAB(a, bkm, c, n, k, m, scratch);
    assertClose(c, naive(n, k, m, (i, p) => a[i * k + p], (p, j) => bkm[p * m + j]), 1e-12, 'AB');

    const akn = randomVec(rng, k * n), sa = new Float64Array(k * n);
    matmulAtB(akn, bkm, c, k, n, m, sa, scratch);
    assertClose(c, naive(n, k, m, (i, p) => akn[p * n + i], (p, j) => bkm[p * m + j]), 1e-12, 'AtB');
  }
  const t = new Float64Array(6);
  transpose(Float64Array.of(1, 2, 3, 4, 5, 6), t, 2, 3);
  assert.deepEqual(Array.from(t), [1, 4, 2, 5, 3, 6]);
});

test('float32 products run on the WebAssembly SIMD kernel, agree with float64, and do not depend on row position', () => {
  assert.ok(wasmGemmAvailable(), 'Node ≥ 20 supports WebAssembly SIMD');
  for (const [n, k, m] of [[1, 1, 1], [5, 3, 9], [8, 16, 8], [13, 7, 21], [3, 40, 2]]) {
    const a = randomVec(rng, n * k), b = randomVec(rng, m * k), bkm = randomVec(rng, k * m), akn = randomVec(rng, k * n);
    const f = (v: Float64Array) => Float32Array.from(v);
    const c = new Float32Array(n * m).fill(1);
    const tol = 1e-5 * Math.sqrt(k);
    matmulABt(f(a), f(b), c, n, k, m, true);
    assertClose(c, naive(n, k, m, (i, p) => Math.fround(a[i * k + p]), (p, j) => Math.fround(b[j * k + p])).map((v) => v + 1), tol, 'ABt f32');
    matmulAB(f(a), f(bkm), c, n, k, m, new Float32Array(0));
    assertClose(c, naive(n, k, m, (i, p) => Math.fround(a[i * k + p]), (p, j) => Math.fround(bkm[p * m + j])), tol, 'AB f32');
    matmulAtB(f(akn), f(bkm), c, k, n, m, new Float32Array(0), new Float32Array(0));
    assertClose(c, naive(n, k, m, (i, p) => Math.fround(akn[p * n + i]), (p, j) => Math.fround(bkm[p * m + j])), tol, 'AtB f32');
    // the last row computed alone is bitwise the same as within the matrix
    const last = new Float32Array(m);
    matmulABt(f(a).subarray((n - 1) * k), f(b), last, 1, k, m);
    matmulABt(f(a), f(b), c, n, k, m);
    assert.deepEqual(last, c.subarray((n - 1) * m));
  }
});

test('float32 bias + ELU runs on the SIMD kernel and matches expm1 to float32 accuracy', () => {
  const xs = [-200, -87.5, -87, -20, -3, -1, -0.1, -1e-3, -1e-6, -1e-30, 0, 1e-6, 0.5, 3, 100];
  const n = 3, m = xs.length;
  const bias = Float32Array.from(xs, (_, j) => (j % 3) * 0.25 - 0.25);
  const y = new Float32Array(n * m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) y[i * m + j] = xs[j] * (i + 1) - bias[j];
  const ref = Float64Array.from(y, (v, k) => {
    const x = Math.fround(Math.fround(v) + bias[k % m]);
    return x > 0 ? x : Math.expm1(x);
  });
  addBiasElu(y, bias, n, m);
  for (let k = 0; k < y.length; k++) {
    assert.ok(Math.abs(y[k] - ref[k]) <= 2e-7 + 1e-6 * Math.abs(ref[k]), `entry ${k}: ${y[k]} vs ${ref[k]}`);
  }
  // the float32 backward (SIMD) equals the float64 one
  const dy = Float32Array.from(y, (_, k) => Math.sin(k));
  const dx = new Float32Array(y.length), dx64 = new Float64Array(y.length);
  eluBackward(y, dy, dx, y.length);
  eluBackward(Float64Array.from(y), Float64Array.from(dy), dx64, y.length);
  assertClose(dx, dx64, 1e-7, 'eluBackward f32');
  // the float64 path is the exact composition of addBias and elu
  const y64 = Float64Array.of(-1, 2, -0.5, 0), b64 = Float64Array.of(0.5, -3);
  addBiasElu(y64, b64, 2, 2);
  assertClose(y64, [Math.expm1(-0.5), Math.expm1(-1), 0, Math.expm1(-3)], 1e-15, 'addBiasElu f64');
});

test('bias, ELU, LeakyReLU and head mean: hand values and finite-difference gradients', () => {
  const y = Float64Array.of(1, 2, 3, 4, 5, 6);
  addBias(y, Float64Array.of(10, 20, 30), 2, 3);
  assert.deepEqual(Array.from(y), [11, 22, 33, 14, 25, 36]);
  const db = new Float64Array(3);
  addBiasBackward(Float64Array.of(1, 2, 3, 4, 5, 6), db, 2, 3);
  assert.deepEqual(Array.from(db), [5, 7, 9]);

  const e = new Float64Array(3);
  elu(Float64Array.of(-1, 0, 2), e, 3);
  assertClose(e, [Math.exp(-1) - 1, 0, 2], 1e-15, 'elu');
  const l = new Float64Array(3);
  leakyRelu(Float64Array.of(-1, 0, 2), l, 3, 0.2);
  assertClose(l, [-0.2, 0, 2], 1e-15, 'leaky');

  const n = 40, x = randomVec(rng, n), w = randomVec(rng, n), out = new Float64Array(n), dx = new Float64Array(n);
  elu(x, out, n);
  eluBackward(out, w, dx, n);
  assertGrad('elu', gradCheck(() => (elu(x, out, n), dot(w, out)), x, dx));
  leakyRelu(x, out, n, 0.2);
  leakyReluBackward(out, w, dx, n, 0.2);
  assertGrad('leakyRelu', gradCheck(() => (leakyRelu(x, out, n, 0.2), dot(w, out)), x, dx));

  const [nn, h, c] = [3, 4, 5];
  const xh = randomVec(rng, nn * h * c), wm = randomVec(rng, nn * c), m = new Float64Array(nn * c);
  const dxh = new Float64Array(nn * h * c);
  headMean(xh, m, nn, h, c);
  assert.ok(Math.abs(m[0] - (xh[0] + xh[5] + xh[10] + xh[15]) / 4) < 1e-15);
  headMeanBackward(wm, dxh, nn, h, c);
  assertGrad('headMean', gradCheck(() => (headMean(xh, m, nn, h, c), dot(wm, m)), xh, dxh));
});

/** A small CSR-by-destination graph: 5 nodes, incoming edges per node with sources. */
const seg = Int32Array.of(0, 2, 3, 6, 7, 9);
const src = Int32Array.of(0, 3, 2, 1, 2, 4, 0, 3, 1);
const nNodes = 5, nEdges = 9;

test('attention scores and edge logits: finite-difference gradients', () => {
  const H = 3, C = 4;
  const wh = randomVec(rng, nNodes * H * C), aS = randomVec(rng, H * C), aD = randomVec(rng, H * C);
  const s = new Float64Array(nNodes * H), d = new Float64Array(nNodes * H);
  const ws = randomVec(rng, nNodes * H), wd = randomVec(rng, nNodes * H);
  const dWh = new Float64Array(wh.length), dS = new Float64Array(aS.length), dD = new Float64Array(aD.length);
  attentionScores(wh, aS, aD, s, d, nNodes, H, C);
  assert.ok(Math.abs(s[2 * H + 1] - [0, 1, 2, 3].reduce((t, c) => t + wh[(2 * H + 1) * C + c] * aS[C + c], 0)) < 1e-14);
  attentionScoresBackward(wh, aS, aD, ws, wd, dWh, dS, dD, nNodes, H, C);
  const f = () => (attentionScores(wh, aS, aD, s, d, nNodes, H, C), dot(ws, s) + dot(wd, d));
  assertGrad('scores/wh', gradCheck(f, wh, dWh));
  assertGrad('scores/att_src', gradCheck(f, aS, dS));
  assertGrad('scores/att_dst', gradCheck(f, aD, dD));

  const sSrc = randomVec(rng, nNodes * H), sDst = randomVec(rng, nNodes * H), out = new Float64Array(nEdges * H);
  const we = randomVec(rng, nEdges * H), dSrc = new Float64Array(sSrc.length), dDst = new Float64Array(sDst.length);
  edgeScores(sSrc, sDst, seg, src, nNodes, H, out);
  assert.equal(out[2 * H + 1], sSrc[2 * H + 1] + sDst[1 * H + 1]); // edge 2 runs 2 → 1
  edgeScoresBackward(we, seg, src, nNodes, H, dSrc, dDst);
  const g = () => (edgeScores(sSrc, sDst, seg, src, nNodes, H, out), dot(we, out));
  assertGrad('edge/src', gradCheck(g, sSrc, dSrc));
  assertGrad('edge/dst', gradCheck(g, sDst, dDst));
});

test('segment softmax normalises each destination per head, ignores shifts, and has the right gradient', () => {
  const H = 2;
  const logits = randomVec(rng, nEdges * H, 2), alpha = new Float64Array(nEdges * H);
  segmentSoftmax(logits, seg, nNodes, H, alpha);
  for (let i = 0; i < nNodes; i++) for (let h = 0; h < H; h++) {
    let z = 0;
    for (let e = seg[i]; e < seg[i + 1]; e++) z += alpha[e * H + h];
    assert.ok(Math.abs(z - 1) < 1e-14);
  }
  assert.equal(alpha[2 * H], 1); // node 1 has a single incoming edge
  const shifted = logits.map((v, k) => v + 1000 * (k % H === 0 ? 1 : -1)), alpha2 = new Float64Array(alpha.length);
  segmentSoftmax(shifted, seg, nNodes, H, alpha2);
  assertClose(alpha2, alpha, 1e-9, 'shift invariance');
  // float32 takes its exponentials on the SIMD kernel
  const alpha32 = new Float32Array(alpha.length);
  segmentSoftmax(Float32Array.from(logits), seg, nNodes, H, alpha32);
  assertClose(alpha32, alpha, 1e-6, 'float32 softmax');

  const w = randomVec(rng, nEdges * H), dl = new Float64Array(nEdges * H);
  segmentSoftmaxBackward(alpha, w, seg, nNodes, H, dl);
  assertGrad('softmax', gradCheck(() => (segmentSoftmax(logits, seg, nNodes, H, alpha), dot(w, alpha)), logits, dl));
});

test('aggregation equals a brute-force scatter-add over the edge list and has the right gradients', () => {
  const H = 2, C = 3, HC = H * C;
  const alpha = randomVec(rng, nEdges * H), wh = randomVec(rng, nNodes * HC), out = new Float64Array(nNodes * HC);
  aggregate(alpha, src, seg, nNodes, wh, H, C, out);
  const ref = new Float64Array(nNodes * HC);
  for (let i = 0; i < nNodes; i++) for (let e = seg[i]; e < seg[i + 1]; e++)
    for (let h = 0; h < H; h++) for (let c = 0; c < C; c++) ref[i * HC + h * C + c] += alpha[e * H + h] * wh[src[e] * HC + h * C + c];
  assertClose(out, ref, 1e-14, 'aggregate');

  // float32 with 4 channels per head runs on the SIMD kernel
  const C4 = 8, wh4 = randomVec(rng, nNodes * H * C4), out4 = new Float32Array(nNodes * H * C4);
  const out4ref = new Float64Array(nNodes * H * C4);
  aggregate(Float32Array.from(alpha), src, seg, nNodes, Float32Array.from(wh4), H, C4, out4);
  aggregate(alpha.map(Math.fround), src, seg, nNodes, wh4.map(Math.fround), H, C4, out4ref);
  assertClose(out4, out4ref, 1e-6, 'aggregate f32');

  const w = randomVec(rng, nNodes * HC), dA = new Float64Array(alpha.length), dW = new Float64Array(wh.length);
  aggregateBackward(alpha, src, seg, nNodes, wh, H, C, w, dA, dW);
  const f = () => (aggregate(alpha, src, seg, nNodes, wh, H, C, out), dot(w, out));
  assertGrad('aggregate/alpha', gradCheck(f, alpha, dA));
  assertGrad('aggregate/wh', gradCheck(f, wh, dW));
});

test('mean and centre readouts: hand values and gradients into a shared wide row', () => {
  const nodeStart = Int32Array.of(0, 2, 5), centre = Int32Array.of(1, 2), d = 2;
  const x = Float64Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), out = new Float64Array(2 * 2 * d);
  meanReadout(x, nodeStart, 2, d, out, 2 * d, 0);
  gatherRows(x, centre, 2, d, out, 2 * d, d);
  assert.deepEqual(Array.from(out), [2, 3, 3, 4, 7, 8, 5, 6]);

  const xr = randomVec(rng, 10), w = randomVec(rng, 8), dx = new Float64Array(10);
  meanReadoutBackward(w, nodeStart, 2, d, dx, 2 * d, 0);
  gatherRowsBackward(w, centre, 2, d, dx, 2 * d, d);
  const f = () => {
    meanReadout(xr, nodeStart, 2, d, out, 2 * d, 0);
    gatherRows(xr, centre, 2, d, out, 2 * d, d);
    return dot(w, out);
  };
  assertGrad('readout', gradCheck(f, xr, dx));
});

/** Direct NT-Xent from its definition, for comparison. */
function ntXentReference(z: Float64Array, nPairs: number, d: number, tau: number): number {
  const n2 = 2 * nPairs;
  const cos = (a: number, b: number) => {
    let s = 0, na = 0, nb = 0;
    for (let q = 0; q < d; q++) {
      s += z[a * d + q] * z[b * d + q];
      na += z[a * d + q] ** 2;
      nb += z[b * d + q] ** 2;
    }
    return s / Math.sqrt(na * nb);
  };
  let loss = 0;
  for (let a = 0; a < n2; a++) {
    const p = (a + nPairs) % n2;
    let den = 0;
    for (let b = 0; b < n2; b++) if (b !== a) den += Math.exp(cos(a, b) / tau);
    loss += -Math.log(Math.exp(cos(a, p) / tau) / den);
  }
  return loss / n2;
}

test('L2 normalisation and NT-Xent: definition, special cases and gradient through both', () => {
  const nPairs = 5, d = 6, n2 = 2 * nPairs, tau = 0.5;
  const z = randomVec(rng, n2 * d), u = new Float64Array(z.length), norms = new Float64Array(n2);
  const sim = new Float64Array(n2 * n2), ut = new Float64Array(z.length), du = new Float64Array(z.length);
  const dz = new Float64Array(z.length);
  l2Normalize(z, n2, d, u, norms);
  const loss = ntXent(u, nPairs, d, tau, sim, ut, du);
  assert.ok(Math.abs(loss - ntXentReference(z, nPairs, d, tau)) < 1e-12);
  l2NormalizeBackward(u, norms, du, n2, d, dz);
  const f = () => (l2Normalize(z, n2, d, u, norms), ntXent(u, nPairs, d, tau, sim, ut, du));
  assertGrad('ntXent', gradCheck(f, z, dz));

  // one pair: the positive is the only other view, so every anchor's loss is exactly 0
  const one = randomVec(rng, 2 * d), u1 = new Float64Array(2 * d), n1 = new Float64Array(2);
  l2Normalize(one, 2, d, u1, n1);
  assert.ok(Math.abs(ntXent(u1, 1, d, tau, new Float64Array(4), new Float64Array(2 * d), new Float64Array(2 * d))) < 1e-15);

  // two pairs with identical views on orthogonal axes: ℓ = −2 + log(e² + 2) for every anchor (s = 1, 0, 0)
  const ortho = Float64Array.of(1, 0, 0, 1, 1, 0, 0, 1);
  const l2 = ntXent(ortho, 2, 2, tau, new Float64Array(16), new Float64Array(8), new Float64Array(8));
  assert.ok(Math.abs(l2 - (-2 + Math.log(Math.exp(2) + 2))) < 1e-14);

  const zero = new Float64Array(d), uz = new Float64Array(d), nz = new Float64Array(1);
  l2Normalize(zero, 1, d, uz, nz);
  assert.ok(uz.every((v) => v === 0), 'a zero vector normalises to zero, not NaN');
});
