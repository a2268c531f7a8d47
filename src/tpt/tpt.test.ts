import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { fromRows, maxAbsDiff, stationaryDistribution } from '../linalg/index.ts';
import { simulateChain } from '../markov/testing.ts';
import { GetseiError } from '../util/errors.ts';
import { createRng } from '../util/rng.ts';
import { coarseGrainFlux, dominantPathways, pathwayDiversity, reactiveFlux } from './index.ts';

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what = ''): void {
  const err = maxAbsDiff(actual, expected);
  assert.ok(err <= tol, `${what}: max |difference| ${err} > ${tol}\n  actual   ${Array.from(actual)}\n  expected ${Array.from(expected)}`);
}

// ---- exact rational arithmetic, to derive reference values independently of the code under test ----
class Q {
  readonly n: bigint;
  readonly d: bigint;
  constructor(n: bigint, d = 1n) {
    if (d < 0n) {
      n = -n;
      d = -d;
    }
    const g = gcd(n < 0n ? -n : n, d);
    this.n = g === 0n ? 0n : n / g;
    this.d = g === 0n ? 1n : d / g;
  }
  static of(x: number): Q {
    // decimal literal → exact fraction (the test matrices have at most 6 decimals)
    return new Q(BigInt(Math.round(x * 1e6)), 1000000n);
  }
  add(o: Q): Q { return new Q(this.n * o.d + o.n * this.d, this.d * o.d); }
  sub(o: Q): Q { return new Q(this.n * o.d - o.n * this.d, this.d * o.d); }
  mul(o: Q): Q { return new Q(this.n * o.n, this.d * o.d); }
  div(o: Q): Q { return new Q(this.n * o.d, this.d * o.n); }
  isZero(): boolean { return this.n === 0n; }
  num(): number { return Number(this.n) / Number(this.d); }
}
function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}
const ZERO = new Q(0n);
const ONE = new Q(1n);

/** Gauss–Jordan elimination with exact fractions: solves A x = b. */
function solveExact(a: Q[][], b: Q[]): Q[] {
  const m = a.length;
  const M = a.map((r, i) => [...r, b[i]]);
  for (let c = 0; c < m; c++) {
    const p = M.findIndex((r, i) => i >= c && !r[c].isZero());
    [M[c], M[p]] = [M[p], M[c]];
    for (let r = 0; r < m; r++) {
      if (r === c || M[r][c].isZero()) continue;
      const f = M[r][c].div(M[c][c]);
      M[r] = M[r].map((v, k) => v.sub(f.mul(M[c][k])));
    }
  }
  return M.map((r, i) => r[m].div(r[i]));
}

/** TPT by the textbook formulas in exact arithmetic (Metzner, Schütte & Vanden-Eijnden 2009, discrete time). */
function exactTpt(P: number[][], A: number[], B: number[]) {
  const n = P.length;
  const K = P.map((r) => r.map(Q.of));
  // π: πK = π, Σπ = 1 (replace the last balance equation by the normalisation)
  const rows = Array.from({ length: n }, (_, j) => Array.from({ length: n }, (_, i) => K[i][j].sub(i === j ? ONE : ZERO)));
  rows[n - 1] = Array.from({ length: n }, () => ONE);
  const pi = solveExact(rows, Array.from({ length: n }, (_, i) => (i === n - 1 ? ONE : ZERO)));
  const comm = (T: Q[][], zero: number[], one: number[]): Q[] => {
    const I = Array.from({ length: n }, (_, i) => i).filter((i) => !zero.includes(i) && !one.includes(i));
    const x = solveExact(
      I.map((i) => I.map((j) => (i === j ? ONE : ZERO).sub(T[i][j]))),
      I.map((i) => one.reduce((s, j) => s.add(T[i][j]), ZERO)),
    );
    return Array.from({ length: n }, (_, i) => (one.includes(i) ? ONE : zero.includes(i) ? ZERO : x[I.indexOf(i)]));
  };
  const qp = comm(K, A, B);
  const Krev = K.map((r, i) => r.map((_, j) => pi[j].mul(K[j][i]).div(pi[i])));
  const qm = comm(Krev, B, A);
  const f = K.map((r, i) => r.map((kij, j) => (i === j ? ZERO : pi[i].mul(qm[i]).mul(kij).mul(qp[j]))));
  let F = ZERO;
  for (const i of A) for (let j = 0; j < n; j++) if (!A.includes(j)) F = F.add(f[i][j]);
  const density = pi.reduce((s, p, i) => s.add(p.mul(qm[i])), ZERO);
  return { pi, qp, qm, f, F, rate: F.div(density) };
}

// The five-state toy chain used as the TPT teaching example (PyEMMA/deeptime documentation and test suites), A = {0}, B = {4}.
const P5 = [
  [0.8, 0.15, 0.05, 0.0, 0.0],
  [0.1, 0.75, 0.05, 0.05, 0.05],
  [0.05, 0.1, 0.8, 0.0, 0.05],
  [0.0, 0.2, 0.0, 0.8, 0.0],
  [0.0, 0.02, 0.02, 0.0, 0.96],
];

test('5-state example: committors, fluxes, total flux, rate and mfpt equal exact rational TPT', () => {
  const ex = exactTpt(P5, [0], [4]);
  const r = reactiveFlux({ transitionMatrix: fromRows(P5) }, [0], [4]);
  close(r.stationary, ex.pi.map((x) => x.num()), 1e-14, 'π');
  close(r.forwardCommittor, ex.qp.map((x) => x.num()), 1e-14, 'q⁺');
  close(r.backwardCommittor, ex.qm.map((x) => x.num()), 1e-14, 'q⁻');
  close(r.grossFlux, ex.f.flat().map((x) => x.num()), 1e-15, 'gross flux');
  const net = ex.f.flatMap((row, i) => row.map((fij, j) => Math.max(0, fij.sub(ex.f[j][i]).num())));
  close(r.netFlux, net, 1e-15, 'net flux');
  close([r.totalFlux, r.rate, r.mfpt], [ex.F.num(), ex.rate.num(), 1 / ex.rate.num()], 1e-12, 'F, k, mfpt');
  // the exact committors are simple fractions: q⁺ = (0, 5/14, 3/7, 5/14, 1), q⁻ = (1, 17/26, 17/32, 17/26, 0)
  close(r.forwardCommittor, [0, 5 / 14, 3 / 7, 5 / 14, 1], 1e-14, 'q⁺ fractions');
  close(r.backwardCommittor, [1, 17 / 26, 17 / 32, 17 / 26, 0], 1e-14, 'q⁻ fractions');
  // and agree with the values published in the deeptime/PyEMMA test suite to their printed digits
  close([r.totalFlux, r.rate, r.mfpt], [0.0108050847458, 0.0272727272727, 36.6666666667], 1e-10, 'published F, k, mfpt');
  assert.deepEqual(Array.from(r.intermediate), [1, 2, 3]);
  // the chain is not reversible: q⁻ differs from 1 − q⁺
  assert.ok(Math.abs(r.backwardCommittor[1] - (1 - r.forwardCommittor[1])) > 0.01);
  // equilibrium flux π_i K_ij off the diagonal
  assert.equal(r.equilibriumFlux[0 * 5 + 1], r.stationary[0] * 0.15);
  assert.equal(r.equilibriumFlux[0], 0);
});

test('5-state example: dominant pathways, their fluxes and bottlenecks; run to exhaustion they sum to F', () => {
  const r = reactiveFlux({ transitionMatrix: fromRows(P5) }, [0], [4]);
  const all = dominantPathways(r, { maxPathways: Infinity });
  assert.equal(all.exhausted, true);
  assert.deepEqual(all.pathways.map((p) => Array.from(p.states)), [[0, 1, 4], [0, 2, 4], [0, 1, 2, 4]]);
  // by hand from the net flux: 0→1→4 carries f⁺₁₄ (f⁺₁₄ < f⁺₀₁); then 0→2→4 carries f⁺₀₂; the rest f⁺₀₁ − f⁺₁₄ = f⁺₁₂
  const f = (i: number, j: number): number => r.netFlux[i * 5 + j];
  close(all.pathways.map((p) => p.flux), [f(1, 4), f(0, 2), f(0, 1) - f(1, 4)], 1e-17, 'path fluxes');
  close(all.pathways.map((p) => p.flux), [0.00720338983051, 0.00308716707022, 0.000514527845036], 1e-13, 'published path fluxes');
  assert.deepEqual(all.pathways.map((p) => [p.bottleneck.from, p.bottleneck.to]), [[1, 4], [0, 2], [0, 1]]);
  assert.ok(Math.abs(all.capturedFlux - r.totalFlux) < 1e-15);
  close(all.pathways.map((p) => p.fraction), all.pathways.map((p) => p.flux / r.totalFlux), 1e-15, 'fractions');
  const top2 = dominantPathways(r, { maxPathways: 2 });
  assert.equal(top2.pathways.length, 2);
  assert.equal(top2.exhausted, false);
});

test('2- and 3-state closed forms: committor, flux, rate = p/τ, mfpt = τ/p', () => {
  const p = 0.03;
  const q = 0.07;
  const r2 = reactiveFlux({ transitionMatrix: fromRows([[1 - p, p], [q, 1 - q]]), lagTime: 0.5, timeUnit: 'ps' }, [0], [1]);
  const pi0 = q / (p + q);
  close(r2.grossFlux, [0, pi0 * p, 0, 0], 1e-17, 'gross');
  close([r2.totalFlux, r2.rate, r2.mfpt], [pi0 * p, p / 0.5, 0.5 / p], 1e-14, 'F, rate, mfpt');
  assert.equal(r2.timeUnit, 'ps');
  // path graph 0 – 1 – 2: q⁺₁ = K₁₂ / (K₁₀ + K₁₂) and, reversible, q⁻ = 1 − q⁺
  const K3 = fromRows([[0.9, 0.1, 0], [0.2, 0.5, 0.3], [0, 0.4, 0.6]]);
  const r3 = reactiveFlux({ transitionMatrix: K3 }, [0], [2]);
  close(r3.forwardCommittor, [0, 0.3 / 0.5, 1], 1e-15, 'q⁺');
  close(r3.backwardCommittor, [1, 0.2 / 0.5, 0], 1e-15, 'q⁻');
  // all reactive flux passes 0 → 1 → 2
  const paths = dominantPathways(r3, { maxPathways: Infinity });
  assert.deepEqual(paths.pathways.map((x) => Array.from(x.states)), [[0, 1, 2]]);
  assert.ok(Math.abs(paths.pathways[0].flux - r3.totalFlux) < 1e-17);
  // labels other than 0…n−1 are used throughout
  const lab = reactiveFlux({ transitionMatrix: K3, activeSet: [2, 5, 7] }, [2], [7]);
  assert.deepEqual(Array.from(lab.intermediate), [5]);
  assert.deepEqual(Array.from(dominantPathways(lab).pathways[0].states), [2, 5, 7]);
});

function randomChain(n: number, rng: ReturnType<typeof createRng>, reversible: boolean, sparsity = 0.4): Float64Array {
  const k = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = reversible ? i : 0; j < n; j++) {
      const v = i === j || (Math.abs(i - j) === 1) || rng.next() > sparsity ? rng.next() + (i === j ? 2 : 0) : 0;
      k[i * n + j] = v;
      if (reversible) k[j * n + i] = v;
    }
  }
  for (let i = 0; i < n; i++) {
    const s = k.subarray(i * n, (i + 1) * n).reduce((a, b) => a + b, 0);
    for (let j = 0; j < n; j++) k[i * n + j] /= s;
  }
  return k;
}

test('invariants on random chains: 0 ≤ q ≤ 1, flux conservation, F in = F out, pathways sum to F', () => {
  const rng = createRng(77);
  for (let trial = 0; trial < 40; trial++) {
    const n = 4 + (trial % 9);
    const reversible = trial % 2 === 0;
    const k = randomChain(n, rng, reversible);
    const A = [0, n > 6 ? 1 : 0].filter((v, i, a) => a.indexOf(v) === i);
    const B = [n - 1];
    const r = reactiveFlux({ transitionMatrix: k }, A, B);
    for (const q of [...r.forwardCommittor, ...r.backwardCommittor]) assert.ok(q >= 0 && q <= 1);
    if (reversible) close(r.backwardCommittor, r.forwardCommittor.map((q) => 1 - q), 1e-12, 'q⁻ = 1 − q⁺');
    // conservation of the net flux at every intermediate state
    for (const i of Array.from(r.states).filter((s) => !A.includes(s) && !B.includes(s))) {
      let bal = 0;
      for (let j = 0; j < n; j++) bal += r.netFlux[i * n + j] - r.netFlux[j * n + i];
      assert.ok(Math.abs(bal) < 1e-14, `net flux not conserved at ${i}: ${bal}`);
    }
    // what leaves A arrives in B
    let into = 0;
    for (let i = 0; i < n; i++) if (!B.includes(i)) for (const j of B) into += r.grossFlux[i * n + j];
    assert.ok(Math.abs(into - r.totalFlux) < 1e-14 * Math.max(1, r.totalFlux) + 1e-16);
    const all = dominantPathways(r, { maxPathways: Infinity });
    assert.equal(all.exhausted, true);
    assert.ok(Math.abs(all.capturedFlux - r.totalFlux) <= 1e-9 * r.totalFlux, `pathways ${all.capturedFlux} vs F ${r.totalFlux}`);
    for (const p of all.pathways) {
      assert.ok(A.includes(p.states[0]) && B.includes(p.states[p.states.length - 1]));
      assert.equal(new Set(p.states).size, p.states.length, 'paths are simple');
    }
    // capacities only shrink, so each extracted path is no wider than the one before
    for (let x = 1; x < all.pathways.length; x++) assert.ok(all.pathways[x].flux <= all.pathways[x - 1].flux * (1 + 1e-12));
  }
});

test('brute force: the TPT rate equals the observed A → B transitions per time spent last in A (simulation)', () => {
  const rng = createRng(31);
  const k = randomChain(5, rng, false, 0.3);
  const traj = simulateChain(k, 400000, rng);
  const A = 0;
  const B = 4;
  let last = -1; // last visited of A/B: 0 = A, 1 = B
  let transitions = 0;
  let timeLastA = 0;
  for (const s of traj) {
    if (s === A) {
      last = 0;
    } else if (s === B) {
      if (last === 0) transitions++;
      last = 1;
    }
    if (last === 0) timeLastA++;
  }
  const r = reactiveFlux({ transitionMatrix: k }, [A], [B]);
  const observed = transitions / timeLastA;
  const sd = Math.sqrt(transitions) / timeLastA;
  assert.ok(Math.abs(observed - r.rate) < 4 * sd, `observed ${observed} ± ${sd} vs TPT ${r.rate}`);
});

test('coarse-graining reproduces the deeptime 16-state reference and conserves the total flux', () => {
  const P2 = [
    [0.5, 0.2, 0, 0, 0.3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    [0.2, 0.5, 0.1, 0, 0, 0.2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    [0, 0.1, 0.5, 0.2, 0, 0, 0.2, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    [0, 0, 0.1, 0.5, 0, 0, 0, 0.4, 0, 0, 0, 0, 0, 0, 0, 0],
    [0.3, 0, 0, 0, 0.5, 0.1, 0, 0, 0.1, 0, 0, 0, 0, 0, 0, 0],
    [0, 0.1, 0, 0, 0.2, 0.5, 0.1, 0, 0, 0.1, 0, 0, 0, 0, 0, 0],
    [0, 0, 0.1, 0, 0, 0.1, 0.5, 0.2, 0, 0, 0.1, 0, 0, 0, 0, 0],
    [0, 0, 0, 0.1, 0, 0, 0.3, 0.5, 0, 0, 0, 0.1, 0, 0, 0, 0],
    [0, 0, 0, 0, 0.1, 0, 0, 0, 0.5, 0.1, 0, 0, 0.3, 0, 0, 0],
    [0, 0, 0, 0, 0, 0.1, 0, 0, 0.2, 0.5, 0.1, 0, 0, 0.1, 0, 0],
    [0, 0, 0, 0, 0, 0, 0.1, 0, 0, 0.1, 0.5, 0.1, 0, 0, 0.2, 0],
    [0, 0, 0, 0, 0, 0, 0, 0.1, 0, 0, 0.2, 0.5, 0, 0, 0, 0.2],
    [0, 0, 0, 0, 0, 0, 0, 0, 0.3, 0, 0, 0, 0.5, 0.2, 0, 0],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0.1, 0, 0, 0.3, 0.5, 0.1, 0],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.2, 0, 0, 0.1, 0.5, 0.2],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.3, 0, 0, 0.2, 0.5],
  ];
  // made reversible as in the reference: C = diag(π) P, K = (C + Cᵀ) row-normalised
  const P = fromRows(P2);
  const pi = stationaryDistribution(P);
  const n = 16;
  const K = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) K[i * n + j] = pi[i] * P[i * n + j] + pi[j] * P[j * n + i];
  for (let i = 0; i < n; i++) {
    const s = K.subarray(i * n, (i + 1) * n).reduce((a, b) => a + b, 0);
    for (let j = 0; j < n; j++) K[i * n + j] /= s;
  }
  const r = reactiveFlux({ transitionMatrix: K }, [0, 4], [11, 15]);
  const cg = coarseGrainFlux(r, [[2, 3, 6, 7], [10, 11, 14, 15], [0, 1, 4, 5], [8, 9, 12, 13]]);
  assert.deepEqual(cg.sets.map((s) => Array.from(s)), [[0, 4], [2, 3, 6, 7], [10, 14], [1, 5], [8, 9, 12, 13], [11, 15]]);
  close(cg.stationary, [0.15995388, 0.18360442, 0.12990937, 0.11002342, 0.31928127, 0.09722765], 1e-8, 'π');
  close(cg.forwardCommittor, [0, 0.56060272, 0.73052426, 0.19770537, 0.36514272, 1], 1e-8, 'q⁺');
  close(cg.backwardCommittor, [1, 0.43939728, 0.26947574, 0.80229463, 0.63485728, 0], 1e-8, 'q⁻');
  close(cg.grossFlux, [
    0, 0, 0, 0.00427986, 0.00282259, 0,
    0, 0, 0.00234578, 0.00104307, 0, 0.00201899,
    0, 0.00113892, 0, 0, 0.00142583, 0.00508346,
    0, 0.00426892, 0, 0, 0.00190226, 0,
    0, 0, 0.00530243, 0.00084825, 0, 0,
    0, 0, 0, 0, 0, 0,
  ], 1e-8, 'gross');
  close(cg.netFlux, [
    0, 0, 0, 0.00427986, 0.00282259, 0,
    0, 0, 0.00120686, 0, 0, 0.00201899,
    0, 0, 0, 0, 0, 0.00508346,
    0, 0.00322585, 0, 0, 0.00105401, 0,
    0, 0, 0.0038766, 0, 0, 0,
    0, 0, 0, 0, 0, 0,
  ], 1e-8, 'net');
  let out = 0;
  for (let b = 1; b < 6; b++) out += cg.grossFlux[b];
  assert.ok(Math.abs(out - r.totalFlux) < 1e-15);
  // uncovered intermediate states become singletons
  const partial = coarseGrainFlux(r, [[2, 3]]);
  assert.equal(partial.sets.length, 2 + 1 + 10);
  assert.throws(() => coarseGrainFlux(r, [[2, 3], [3, 5]]), /overlap in state 3/);
  assert.throws(() => coarseGrainFlux(r, [[]]), /empty/);
  assert.throws(() => coarseGrainFlux(r, [[99]]), /state 99 is not in the active set/);
});

test('pathway diversity: entropy of the shares and the effective number of pathways', () => {
  const one = pathwayDiversity([0.3]);
  assert.equal(one.entropy, 0);
  assert.equal(one.effectiveNumber, 1);
  const four = pathwayDiversity([2, 2, 2, 2]);
  assert.ok(Math.abs(four.effectiveNumber - 4) < 1e-12);
  const d = pathwayDiversity([3, 1]);
  const h = -(0.75 * Math.log(0.75) + 0.25 * Math.log(0.25));
  assert.ok(Math.abs(d.entropy - h) < 1e-15);
  assert.equal(pathwayDiversity([]).effectiveNumber, 0);
  assert.throws(() => pathwayDiversity([1, -1]), GetseiError);
});

test('errors: empty, overlapping or unknown sets; invalid matrices; bad pathway counts', () => {
  const K = fromRows(P5);
  const isErr = (re: RegExp) => (e: unknown): boolean => e instanceof GetseiError && re.test(e.message);
  assert.throws(() => reactiveFlux({ transitionMatrix: K }, [], [4]), isErr(/source set is empty/));
  assert.throws(() => reactiveFlux({ transitionMatrix: K }, [0], []), isErr(/target set is empty/));
  assert.throws(() => reactiveFlux({ transitionMatrix: K }, [0, 2], [2, 4]), isErr(/overlap in state\(s\) 2/));
  assert.throws(() => reactiveFlux({ transitionMatrix: K }, [0], [9]), isErr(/target state 9 is not in the active set/));
  assert.throws(() => reactiveFlux({ transitionMatrix: K, activeSet: [1, 2, 3, 4, 5] }, [0], [5]), isErr(/source state 0/));
  // a label the data never had is named as nonexistent, not as outside the active set (where a shorter lag helps)
  assert.throws(() => reactiveFlux({ transitionMatrix: K, nStates: 5 }, [0], [5]), isErr(/target state 5 does not exist: there are 5 states, 0–4/));
  assert.throws(() => reactiveFlux({ transitionMatrix: K, activeSet: [1, 2, 3, 4, 5], nStates: 6 }, [0], [5]), isErr(/source state 0 is not in the active set/));
  assert.throws(() => reactiveFlux({ transitionMatrix: fromRows([[0.5, 0.6], [0.3, 0.7]]) }, [0], [1]), isErr(/sums to/));
  assert.throws(() => reactiveFlux({ transitionMatrix: fromRows([[1.5, -0.5], [0.3, 0.7]]) }, [0], [1]), isErr(/not a probability/));
  assert.throws(() => reactiveFlux({ transitionMatrix: K, activeSet: [0, 1] }, [0], [1]), isErr(/5 states but 2 labels/));
  assert.throws(() => reactiveFlux({ transitionMatrix: K, lagTime: 0 }, [0], [4]), isErr(/lag time/));
  const r = reactiveFlux({ transitionMatrix: K }, [0], [4]);
  assert.throws(() => dominantPathways(r, { maxPathways: 0 }), isErr(/positive integer/));
  assert.throws(() => dominantPathways(r, { maxPathways: 2.5 }), isErr(/positive integer/));
});
