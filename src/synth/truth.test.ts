import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { createRng } from '../util/rng.ts';
import { presetModel, resolveModel } from './model.ts';
import { lumpToTypes, siteKinetics } from './kinetics.ts';
import { dominantPathways, generatorSpectrum, impliedTimescalesPs, reactiveFlux, transitionMatrixAt } from './truth.ts';

/** Reference exp(Qτ) by scaling and squaring of a Taylor series: independent of the eigendecomposition. */
function expmReference(Q: Float64Array, n: number, t: number): Float64Array {
  const norm = Math.max(...Array.from({ length: n }, (_, i) => Array.from(Q.subarray(i * n, i * n + n)).reduce((s, x) => s + Math.abs(x * t), 0)));
  const squarings = Math.max(0, Math.ceil(Math.log2(norm)) + 4);
  const A = Float64Array.from(Q, (x) => (x * t) / 2 ** squarings);
  const mul = (X: Float64Array, Y: Float64Array): Float64Array => {
    const Z = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) for (let j = 0; j < n; j++) Z[i * n + j] += X[i * n + k] * Y[k * n + j];
    return Z;
  };
  let E: Float64Array = new Float64Array(n * n);
  let term: Float64Array = new Float64Array(n * n);
  for (let i = 0; i < n; i++) E[i * n + i] = term[i * n + i] = 1;
  for (let k = 1; k < 30; k++) {
    term = mul(term, A).map((x) => x / k);
    E = E.map((x, i) => x + term[i]);
  }
  for (let s = 0; s < squarings; s++) E = mul(E, E);
  return E;
}

/** A random reversible generator: symmetric edge weights w_ij, Q_ij = w_ij / π_i. */
function randomReversible(n: number, seed: number): { Q: Float64Array; pi: Float64Array } {
  const rng = createRng(seed);
  const pi = Float64Array.from({ length: n }, () => 0.2 + rng.next());
  const s = pi.reduce((a, b) => a + b, 0);
  pi.forEach((x, i) => (pi[i] = x / s));
  const Q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (rng.next() < 0.3) continue;
      const w = 0.05 * rng.next();
      Q[i * n + j] = w / pi[i];
      Q[j * n + i] = w / pi[j];
    }
  }
  for (let i = 0; i < n; i++) {
    Q[i * n + i] = 0;
    Q[i * n + i] = -Q.subarray(i * n, i * n + n).reduce((a, b) => a + b, 0);
  }
  return { Q, pi };
}

function presetKinetics(): { Q: Float64Array; pi: Float64Array; n: number } {
  const model = resolveModel(presetModel('subtle'));
  const k = lumpToTypes(model, siteKinetics(model, 500));
  return { Q: k.generator, pi: k.stationary, n: model.types.length };
}

test('exact transition matrices agree with a Taylor-series exponential and obey the semigroup law', () => {
  for (const { Q, pi, n } of [presetKinetics(), { ...randomReversible(7, 3), n: 7 }]) {
    const spectrum = generatorSpectrum(Q, pi);
    for (const lag of [0.5, 10, 200]) {
      const T = transitionMatrixAt(spectrum, lag);
      const R = expmReference(Q, n, lag);
      for (let k = 0; k < n * n; k++) assert.ok(Math.abs(T[k] - R[k]) < 1e-11, `lag ${lag}: ${T[k]} vs ${R[k]}`);
      for (let i = 0; i < n; i++) {
        const row = T.subarray(i * n, i * n + n).reduce((a, b) => a + b, 0);
        assert.ok(Math.abs(row - 1) < 1e-12);
      }
      for (let j = 0; j < n; j++) {
        let pj = 0;
        for (let i = 0; i < n; i++) pj += pi[i] * T[i * n + j];
        assert.ok(Math.abs(pj - pi[j]) < 1e-12, 'π is stationary for T(τ)');
      }
    }
    const a = transitionMatrixAt(spectrum, 3), b = transitionMatrixAt(spectrum, 7), ab = transitionMatrixAt(spectrum, 10);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += a[i * n + k] * b[k * n + j];
        assert.ok(Math.abs(s - ab[i * n + j]) < 1e-12);
      }
    }
    const I = transitionMatrixAt(spectrum, 0);
    for (let k = 0; k < n * n; k++) assert.ok(Math.abs(I[k] - (k % (n + 1) === 0 ? 1 : 0)) < 1e-12);
  }
});

test('the spectrum: first eigenvalue 0, implied timescales −1/λ, and a non-reversible generator is refused', () => {
  const { Q, pi } = presetKinetics();
  const s = generatorSpectrum(Q, pi);
  assert.ok(Math.abs(s.eigenvalues[0]) < 1e-12);
  const its = impliedTimescalesPs(s);
  for (let k = 1; k < its.length; k++) assert.ok(its[k] <= its[k - 1]);
  // eigenvalues of T(τ) are exp(−τ / t_k): check the slowest through the trace of T(τ) against Σ exp(λτ)
  const T = transitionMatrixAt(s, 25);
  let trace = 0;
  for (let i = 0; i < 6; i++) trace += T[i * 7];
  const expected = Array.from(s.eigenvalues).reduce((acc, l) => acc + Math.exp(25 * l), 0);
  assert.ok(Math.abs(trace - expected) < 1e-12);
  const bad = Float64Array.from([-1, 1, 0, 0, -1, 1, 1, 0, -1]); // a one-way cycle: no detailed balance
  assert.throws(() => generatorSpectrum(bad, Float64Array.from([1 / 3, 1 / 3, 1 / 3])), /not reversible/);
});

test('TPT on a three-state chain matches the hand-derived committor, flux and rate', () => {
  // A=0 ⇄ I=1 ⇄ B=2 with rates a = k01, b = k10, c = k12, d = k21
  const a = 0.3, b = 0.5, c = 0.2, d = 0.4;
  const Q = Float64Array.from([-a, a, 0, b, -(b + c), c, 0, d, -d]);
  // detailed balance: π1 = π0 a / b, π2 = π1 c / d
  const w = [1, a / b, (a / b) * (c / d)];
  const z = w[0] + w[1] + w[2];
  const pi = Float64Array.from(w, (x) => x / z);
  const f = reactiveFlux('generator', Q, pi, [0], [2]);
  const qI = c / (b + c);
  assert.ok(Math.abs(f.forwardCommittor[1] - qI) < 1e-14);
  assert.ok(Math.abs(f.backwardCommittor[1] - (1 - qI)) < 1e-14);
  assert.deepEqual(Array.from(f.forwardCommittor).map((x, i) => (i === 1 ? 0 : x)), [0, 0, 1]);
  const flux = pi[0] * a * qI; // A → I, then it must commit to B
  assert.ok(Math.abs(f.totalFlux - flux) < 1e-15);
  assert.ok(Math.abs(f.netFlux[1 * 3 + 2] - flux) < 1e-15);
  assert.ok(Math.abs(f.rate - flux / (pi[0] + pi[1] * (1 - qI))) < 1e-15);
  assert.equal(f.pathways.length, 1);
  assert.deepEqual(f.pathways[0].states, [0, 1, 2]);
  assert.ok(Math.abs(f.pathways[0].share - 1) < 1e-12);
});

test('on the preset ring the flux splits like currents through two chains of resistors 1/(π_i Q_ij)', () => {
  const { Q, pi, n } = presetKinetics();
  const resistance = (path: number[]): number => path.slice(1).reduce((r, j, k) => r + 1 / (pi[path[k]] * Q[path[k] * n + j]), 0);
  const rx = resistance([0, 1, 2, 3]), ry = resistance([0, 5, 4, 3]);
  const f = reactiveFlux('generator', Q, pi, [0], [3]);
  assert.ok(Math.abs(f.totalFlux - (1 / rx + 1 / ry)) < 1e-12 * f.totalFlux);
  assert.equal(f.pathways.length, 2);
  assert.deepEqual(f.pathways[0].states, [0, 1, 2, 3]);
  assert.deepEqual(f.pathways[1].states, [0, 5, 4, 3]);
  assert.ok(Math.abs(f.pathways[0].share - rx ** -1 / (rx ** -1 + ry ** -1)) < 1e-10);
  assert.ok(f.pathways[0].share > 0.6 && f.pathways[1].share > 0.2, 'two competing pathways');
  // in a chain every edge carries the same net flux; the rate-limiting hop has the largest resistance
  assert.deepEqual(f.pathways[1].bottleneck, [5, 4]);
  const fluxSum = f.pathways.reduce((s, p) => s + p.flux, 0);
  assert.ok(Math.abs(fluxSum - f.totalFlux) < 1e-12 * f.totalFlux);
});

test('committors by direct simulation of the jump chain agree with the solved ones', () => {
  const { Q, pi, n } = presetKinetics();
  const f = reactiveFlux('generator', Q, pi, [0], [3]);
  const rng = createRng(11);
  const trials = 4000;
  for (const start of [1, 2, 4, 5]) {
    let hits = 0;
    for (let t = 0; t < trials; t++) {
      let s = start;
      while (s !== 0 && s !== 3) {
        let u = rng.next() * -Q[s * n + s];
        let next = 0;
        for (let j = 0; j < n; j++) {
          if (j === s) continue;
          u -= Q[s * n + j];
          next = j;
          if (u < 0) break;
        }
        s = next;
      }
      if (s === 3) hits++;
    }
    const q = f.forwardCommittor[start];
    const se = Math.sqrt((q * (1 - q)) / trials);
    assert.ok(Math.abs(hits / trials - q) < 5 * se, `state ${start}: ${hits / trials} vs ${q}`);
  }
});

test('discrete-time TPT: committors solve q = T q, flux is conserved, and flux per ps tends to the generator flux', () => {
  const { Q, pi, n } = presetKinetics();
  const spectrum = generatorSpectrum(Q, pi);
  const cont = reactiveFlux('generator', Q, pi, [0], [3]);
  for (const lag of [1e-4, 5, 50]) {
    const T = transitionMatrixAt(spectrum, lag);
    const f = reactiveFlux('transition', T, pi, [0], [3]);
    for (const i of [1, 2, 4, 5]) {
      let tq = 0;
      for (let j = 0; j < n; j++) tq += T[i * n + j] * f.forwardCommittor[j];
      assert.ok(Math.abs(tq - f.forwardCommittor[i]) < 1e-12);
      let into = 0, out = 0;
      for (let j = 0; j < n; j++) {
        into += f.netFlux[j * n + i];
        out += f.netFlux[i * n + j];
      }
      assert.ok(Math.abs(into - out) < 1e-12 * f.totalFlux, `net flux conserved at ${i}`);
    }
    let intoTarget = 0;
    for (let j = 0; j < n; j++) intoTarget += f.netFlux[j * n + 3];
    assert.ok(Math.abs(intoTarget - f.totalFlux) < 1e-12 * f.totalFlux);
    if (lag === 1e-4) assert.ok(Math.abs(f.totalFlux / lag - cont.totalFlux) < 1e-3 * cont.totalFlux);
  }
});

test('widest-path decomposition on a hand-made network: paths, fluxes, unique and tied bottlenecks', () => {
  // 0 → 1 → 3 carries 5, 0 → 2 → 3 carries 2, and 1 → 2 carries 1 (so 2 → 3 carries 3)
  const n = 4;
  const F = new Float64Array(n * n);
  F[0 * n + 1] = 6; F[1 * n + 3] = 5; F[1 * n + 2] = 1; F[0 * n + 2] = 2; F[2 * n + 3] = 3;
  const p = dominantPathways(F, n, [0], [3], 8, 10);
  assert.deepEqual(p.map((x) => x.states), [[0, 1, 3], [0, 2, 3], [0, 1, 2, 3]]);
  assert.deepEqual(p.map((x) => x.flux), [5, 2, 1]);
  assert.deepEqual(p[0].bottleneck, [1, 3]);
  assert.deepEqual(p[2].bottleneck, [0, 1]); // after the first two paths, 0→1 and 1→2 both hold 1: the first wins
  assert.equal(dominantPathways(F, n, [0], [3], 8, 1).length, 1);
});

test('TPT refuses empty or overlapping source and target', () => {
  const { Q, pi } = presetKinetics();
  assert.throws(() => reactiveFlux('generator', Q, pi, [], [3]), /at least one state/);
  assert.throws(() => reactiveFlux('generator', Q, pi, [0, 3], [3]), /must not share/);
  assert.throws(() => reactiveFlux('generator', Q, pi, [0], [9]), /no state 9/);
});
