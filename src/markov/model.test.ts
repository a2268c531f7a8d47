import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { Matrix, solve as mlSolve } from 'ml-matrix';
import { eigenvalues, expm, fromRows, maxAbsDiff, scale } from '../linalg/index.ts';
import { GetseiError } from '../util/errors.ts';
import { createRng } from '../util/rng.ts';
import {
  chapmanKolmogorovTest, countTransitions, defaultLagGrid, edmdTransitionMatrix, fitMarkovModel, impliedTimescalesScan,
  mobilityRanking, mobilityScores, prepareTrajectories, rateMatrixFromTransitionMatrix, reversibleTransitionMatrix,
  toGenerator, bootstrapModels, summarise, estimateMarkovModel,
} from './index.ts';
import { simulateChain } from './testing.ts';

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what = ''): void {
  const err = maxAbsDiff(actual, expected);
  assert.ok(err <= tol, `${what}: max |difference| ${err} > ${tol}\n  actual   ${Array.from(actual)}\n  expected ${Array.from(expected)}`);
}

/** A trajectory whose lag-1 transition counts are exactly the given matrix: an Eulerian walk is not needed —
 * concatenating 2-frame trajectories [i, j] gives one count per pair. */
function trajectoriesWithCounts(c: number[][]): number[][] {
  const rows: number[][] = [];
  c.forEach((r, i) => r.forEach((m, j) => {
    for (let k = 0; k < m; k++) rows.push([i, j]);
  }));
  return rows;
}

test('EDMD (eq. 8) equals the least-squares solution (GₙᵀGₙ)⁻¹GₙᵀGₙ₊τ built from one-hot dictionaries', () => {
  const rng = createRng(1);
  const n = 4;
  const traj = Array.from({ length: 400 }, () => rng.int(n));
  const lag = 3;
  const rowsN: number[][] = [];
  const rowsNext: number[][] = [];
  for (let t = 0; t + lag < traj.length; t++) {
    rowsN.push(Array.from({ length: n }, (_, i) => (traj[t] === i ? 1 : 0)));
    rowsNext.push(Array.from({ length: n }, (_, i) => (traj[t + lag] === i ? 1 : 0)));
  }
  const G = new Matrix(rowsN);
  const G1 = new Matrix(rowsNext);
  const K = mlSolve(G.transpose().mmul(G), G.transpose().mmul(G1)).to1DArray();
  const model = fitMarkovModel([traj], { lag });
  close(model.transitionMatrix, K, 1e-12, 'EDMD vs least squares');
});

test('2-state chain: both estimators give the closed form K, π, timescale and rate matrix to 1e-10', () => {
  // counts [[a, b], [c, d]]: K = [[1−p, p], [q, 1−q]] with p = b/(a+b), q = c/(c+d); every 2-state chain is
  // reversible, so the reversible MLE is the same matrix
  const a = 700;
  const b = 37;
  const c = 53;
  const d = 410;
  const p = b / (a + b);
  const q = c / (c + d);
  for (const estimator of ['edmd', 'reversible'] as const) {
    const m = fitMarkovModel(trajectoriesWithCounts([[a, b], [c, d]]), { lag: 1, dtPs: 0.5, estimator });
    close(m.transitionMatrix, [1 - p, p, q, 1 - q], 1e-10, `${estimator} K`);
    close(m.stationary, [q / (p + q), p / (p + q)], 1e-10, `${estimator} π`);
    const lam = 1 - p - q;
    close(m.eigenvalues.re, [1, lam], 1e-10, `${estimator} eigenvalues`);
    close(m.impliedTimescales, [-0.5 / Math.log(lam)], 1e-10, `${estimator} implied timescale (ps)`);
    // R = −ln(1 − p − q) / ((p + q) τ) · [[−p, p], [q, −q]]
    const f = -Math.log(lam) / ((p + q) * 0.5);
    close(m.rateMatrix, [-p * f, p * f, q * f, -q * f], 1e-10, `${estimator} R`);
    close(m.totalEscapeRates, [p * f, q * f], 1e-10, `${estimator} escape rates`);
    assert.equal(m.timeUnit, 'ps');
    assert.equal(m.rateMatrixDiagnostics.isGenerator, true);
    assert.ok(m.rateMatrixDiagnostics.reconstructionError < 1e-13);
    assert.ok(m.estimatorDiagnostics.stationaryError < 1e-12);
  }
});

test('3-state closed forms: EDMD row-normalises; the reversible MLE of balanced counts is (C + Cᵀ)/2c', () => {
  // circulant counts: every row and column sums to c = 60, so π is uniform and K_rev = (C + Cᵀ) / (2c)
  const C = [[30, 20, 10], [10, 30, 20], [20, 10, 30]];
  const cs = 60;
  const edmd = fitMarkovModel(trajectoriesWithCounts(C), { lag: 1, estimator: 'edmd' });
  close(edmd.transitionMatrix, C.flat().map((v) => v / cs), 1e-12, 'edmd');
  const rev = fitMarkovModel(trajectoriesWithCounts(C), { lag: 1, estimator: 'reversible' });
  const want = C.flatMap((r, i) => r.map((v, j) => (v + C[j][i]) / (2 * cs)));
  close(rev.transitionMatrix, want, 1e-10, 'reversible');
  close(rev.stationary, [1 / 3, 1 / 3, 1 / 3], 1e-10, 'π');
  assert.ok(rev.estimatorDiagnostics.stationaryError < 1e-12);
  assert.ok(rev.estimatorDiagnostics.detailedBalanceError < 1e-15);
  // the non-reversible estimate of the same counts breaks detailed balance
  assert.ok(edmd.estimatorDiagnostics.detailedBalanceError > 1e-3);
  // a chain on a path graph 0 – 1 – 2 is always reversible, so the reversible MLE is the row-normalised matrix
  const P = [[50, 7, 0], [3, 80, 11], [0, 5, 20]];
  const path = fitMarkovModel(trajectoriesWithCounts(P), { lag: 1, estimator: 'reversible' });
  close(path.transitionMatrix, P.flatMap((r) => r.map((v) => v / r.reduce((x, y) => x + y, 0))), 1e-10, 'path graph');
});

test('reversible MLE: likelihood is maximal among reversible matrices, even for a metastable chain', () => {
  const C = fromRows([[5000, 2, 1, 0], [3, 800, 40, 0], [0, 25, 900, 1], [1, 0, 3, 7000]]);
  const est = reversibleTransitionMatrix(C);
  const k = est.transitionMatrix;
  const pi = est.stationary as Float64Array;
  assert.ok((est.fixedPointResidual as number) < 1e-12, `residual ${est.fixedPointResidual}`);
  const n = 4;
  const ll = (t: Float64Array): number => {
    let s = 0;
    for (let e = 0; e < 16; e++) if (C[e] > 0) s += C[e] * Math.log(t[e]);
    return s;
  };
  const best = ll(k);
  // perturb the symmetric flux matrix X_ij = π_i K_ij (any symmetric positive X gives a reversible K)
  const rng = createRng(4);
  for (let trial = 0; trial < 200; trial++) {
    const x = new Float64Array(16);
    for (let i = 0; i < n; i++) {
      for (let j = i; j < n; j++) {
        const base = pi[i] * k[i * n + j];
        if (base === 0) continue;
        const v = base * Math.exp(1e-3 * rng.normal());
        x[i * n + j] = x[j * n + i] = v;
      }
    }
    const t = new Float64Array(16);
    for (let i = 0; i < n; i++) {
      const rs = x.subarray(i * n, (i + 1) * n).reduce((a, b) => a + b, 0);
      for (let j = 0; j < n; j++) t[i * n + j] = x[i * n + j] / rs;
    }
    assert.ok(ll(t) <= best + 1e-9, `perturbation ${trial} has higher likelihood`);
  }
  // πK = π to 1e-12
  for (let j = 0; j < n; j++) {
    let v = 0;
    for (let i = 0; i < n; i++) v += pi[i] * k[i * n + j];
    assert.ok(Math.abs(v - pi[j]) < 1e-12);
  }
});

test('estimators refuse rows without counts', () => {
  assert.throws(() => edmdTransitionMatrix(fromRows([[1, 0], [0, 0]])), GetseiError);
  assert.throws(() => reversibleTransitionMatrix(fromRows([[1, 0], [0, 0]])), GetseiError);
});

test('brute force: simulate a known chain (seeded), estimate, and recover K and π within statistical error', () => {
  // a reversible 4-state chain (symmetric flux matrix)
  const X = [[0.30, 0.02, 0.01, 0], [0.02, 0.20, 0.03, 0.01], [0.01, 0.03, 0.15, 0.02], [0, 0.01, 0.02, 0.17]];
  const z = X.flat().reduce((a, b) => a + b, 0);
  const piTrue = X.map((r) => r.reduce((a, b) => a + b, 0) / z);
  const K = fromRows(X.map((r) => { const s = r.reduce((a, b) => a + b, 0); return r.map((v) => v / s); }));
  const rng = createRng(2024);
  const rows = Array.from({ length: 8 }, () => simulateChain(K, 25000, rng, rng.int(4)));
  for (const estimator of ['edmd', 'reversible'] as const) {
    const m = fitMarkovModel(rows, { lag: 1, estimator });
    const counts = m.countMatrix;
    for (let i = 0; i < 4; i++) {
      const ni = counts.subarray(i * 4, i * 4 + 4).reduce((a, b) => a + b, 0);
      for (let j = 0; j < 4; j++) {
        const p = K[i * 4 + j];
        const sd = Math.sqrt(Math.max(p * (1 - p), 1e-6) / ni);
        assert.ok(Math.abs(m.transitionMatrix[i * 4 + j] - p) < 5 * sd, `${estimator} K[${i}][${j}]`);
      }
    }
    close(m.stationary, piTrue, 0.01, `${estimator} π`);
    // K[0][3] = 0 while (K²)[0][3] > 0: no generator gives this K exactly (not embeddable), and the diagnostics
    // say so; the principal logarithm itself reproduces K to rounding
    assert.equal(m.rateMatrixDiagnostics.isGenerator, false);
    assert.equal(m.rateMatrixDiagnostics.correction, 'qog');
    assert.ok((m.rateMatrixDiagnostics.logarithmReconstructionError as number) < 1e-12);
    assert.ok(m.rateMatrixDiagnostics.reconstructionError < 0.02);
  }
});

test('rate matrix: a K generated by a known generator returns that generator (eq. 4)', () => {
  const Q = fromRows([[-0.5, 0.3, 0.2, 0], [0.1, -0.4, 0.1, 0.2], [0.05, 0.05, -0.1, 0], [0, 0.3, 0.3, -0.6]]);
  const tau = 2.5;
  const K = expm(scale(Q, tau));
  const r = rateMatrixFromTransitionMatrix(K, tau);
  close(r.rateMatrix, Q, 1e-10, 'R');
  assert.equal(r.diagnostics.isGenerator, true);
  assert.equal(r.diagnostics.correction, 'none');
  assert.equal(r.diagnostics.source, 'logm');
  for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) if (i !== j) assert.ok(r.rateMatrix[i * 4 + j] >= 0);
});

test('rate matrix: a non-generator logarithm is projected (QOG) or clipped; the reconstruction error is reported', () => {
  // a near-deterministic cycle: ln K has negative off-diagonal entries
  const K = fromRows([[0.6, 0.4, 0], [0, 0.6, 0.4], [0.4, 0, 0.6]]);
  for (const method of ['qog', 'clip', 'none'] as const) {
    const r = rateMatrixFromTransitionMatrix(K, 1, method);
    const d = r.diagnostics;
    assert.equal(d.isGenerator, false);
    assert.ok(d.negativeOffDiagonal > 0 && d.mostNegativeOffDiagonal < 0);
    assert.equal(d.complexEigenvalues, 2);
    assert.equal(d.correction, method === 'none' ? 'none' : method);
    assert.ok(Math.abs(d.reconstructionError - maxAbsDiff(expm(r.rateMatrix), K)) < 1e-15);
    assert.equal(d.warnings.length, 1);
    if (method !== 'none') {
      for (let i = 0; i < 3; i++) {
        let s = 0;
        for (let j = 0; j < 3; j++) {
          s += r.rateMatrix[i * 3 + j];
          if (i !== j) assert.ok(r.rateMatrix[i * 3 + j] >= 0);
        }
        assert.ok(Math.abs(s) < 1e-14);
      }
    } else {
      assert.ok(d.logarithmReconstructionError !== null && d.logarithmReconstructionError < 1e-13);
      assert.ok(d.reconstructionError < 1e-13);
    }
  }
});

test('QOG is the Euclidean projection: KKT conditions hold row by row', () => {
  const rng = createRng(8);
  for (let trial = 0; trial < 50; trial++) {
    const n = 3 + (trial % 5);
    const a = Float64Array.from({ length: n * n }, () => rng.normal());
    const x = toGenerator(a, 'qog');
    for (let i = 0; i < n; i++) {
      // x_j = a_j − μ where positive (and on the diagonal), x_j = 0 only where a_j − μ ≤ 0
      const mu = a[i * n + i] - x[i * n + i];
      let s = 0;
      for (let j = 0; j < n; j++) {
        s += x[i * n + j];
        if (j === i) continue;
        if (x[i * n + j] > 0) assert.ok(Math.abs(x[i * n + j] - (a[i * n + j] - mu)) < 1e-12);
        else assert.ok(a[i * n + j] - mu <= 1e-12);
      }
      assert.ok(Math.abs(s) < 1e-12);
    }
  }
});

test('rate matrix without a real logarithm: eigenvalue regularisation (default) or first-order (K − I)/τ', () => {
  // eigenvalues 1 and −0.8: regularised K′ = [[0.9, 0.1], [0.1, 0.9]] (eigenvalue 0.8), whose logarithm is
  // ln(0.8)/2 · [[1, −1], [−1, 1]]
  const K = fromRows([[0.1, 0.9], [0.9, 0.1]]);
  const tau = 2;
  const reg = rateMatrixFromTransitionMatrix(K, tau);
  const d = reg.diagnostics;
  assert.equal(d.logarithmExists, false);
  assert.equal(d.source, 'regularised-logm');
  assert.equal(d.regularisedEigenvalues, 1);
  assert.match(d.obstruction as string, /negative/);
  assert.equal(d.nonPositiveRealEigenvalues, 1);
  const a = -Math.log(0.8) / (2 * tau);
  close(reg.rateMatrix, [-a, a, a, -a], 1e-14, 'regularised R');
  close([d.reconstructionError], [maxAbsDiff(expm(scale(reg.rateMatrix, tau)), K)], 1e-15, 'error');
  assert.ok(Math.abs(d.reconstructionError - 0.8) < 1e-12);
  const fo = rateMatrixFromTransitionMatrix(K, tau, { fallback: 'first-order' });
  assert.equal(fo.diagnostics.source, 'first-order');
  close(fo.rateMatrix, [-0.45, 0.45, 0.45, -0.45], 1e-15, '(K − I)/τ');
  close([fo.diagnostics.reconstructionError], [maxAbsDiff(expm(scale(fo.rateMatrix, tau)), K)], 1e-15, 'error');
  // regularising a noisy near-zero eigenvalue changes K by about that eigenvalue only
  const noisy = fromRows([[0.2, 0.5, 0.3], [0.5, 0.2, 0.3], [0.3, 0.3, 0.4]]);
  const r = rateMatrixFromTransitionMatrix(noisy, 1);
  assert.equal(r.diagnostics.source, 'regularised-logm');
  const lamMin = Math.min(...Array.from(eigenvalues(noisy).re));
  assert.ok(lamMin < 0);
  assert.ok((r.diagnostics.logarithmReconstructionError as number) <= 2 * Math.abs(lamMin) + 1e-12);
  assert.throws(() => rateMatrixFromTransitionMatrix(K, 0), GetseiError);
  assert.throws(() => rateMatrixFromTransitionMatrix(K, 1, 'nearest' as 'qog'), GetseiError);
  assert.throws(() => rateMatrixFromTransitionMatrix(K, 1, { fallback: 'none' as 'regularise' }), GetseiError);
});

test('mobility: normalisations and ranking', () => {
  const k = Float64Array.of(2, 8, 4);
  const pi = Float64Array.of(0.5, 0.1, 0.4);
  close(mobilityScores(k, 'max'), [0.25, 1, 0.5], 1e-15, 'max');
  close(mobilityScores(k, 'sum'), [2 / 14, 8 / 14, 4 / 14], 1e-15, 'sum');
  close(mobilityScores(k, 'stationary', pi), [1 / 3.4, 0.8 / 3.4, 1.6 / 3.4], 1e-15, 'stationary');
  close(mobilityScores(k, 'none'), [2, 8, 4], 0, 'none');
  assert.deepEqual(Array.from(mobilityRanking(mobilityScores(k), [3, 5, 9])), [5, 9, 3]);
  assert.throws(() => mobilityScores(k, 'stationary'), GetseiError);
  assert.throws(() => mobilityScores(k, 'median' as 'max'), GetseiError);
});

test('implied timescales over lags: constant for Markovian data; processes slower than the lag counted', () => {
  // 3-state chain with known eigenvalues
  const K = fromRows([[0.98, 0.015, 0.005], [0.01, 0.97, 0.02], [0.004, 0.016, 0.98]]);
  const rng = createRng(99);
  const rows = Array.from({ length: 10 }, () => simulateChain(K, 20000, rng, rng.int(3)));
  const exact = estimateMarkovModel(new Float64Array(K), { lag: 1 }).impliedTimescales; // K as "counts"
  const scan = impliedTimescalesScan(rows, [1, 2, 5, 10, 20], { dtPs: 0.1 });
  assert.equal(scan.timeUnit, 'ps');
  scan.timescales.forEach((ts, i) => {
    assert.equal(ts.length, 2);
    for (let p = 0; p < 2; p++) {
      const want = exact[p] * 0.1;
      assert.ok(Math.abs(ts[p] - want) / want < 0.15, `lag ${scan.lags[i]} process ${p}: ${ts[p]} vs ${want}`);
    }
    assert.equal(scan.processesSlowerThanLag[i], ts.filter((t) => t > scan.lagTimes[i]).length);
  });
  assert.equal(scan.processesSlowerThanLag[0], 2);
  const beyond = impliedTimescalesScan(rows, [5, 30000]);
  assert.equal(beyond.failures[0], null);
  assert.match(beyond.failures[1] as string, /not shorter than the longest/);
  assert.equal(beyond.timescales[1].length, 0);
  assert.throws(() => impliedTimescalesScan(rows, []), GetseiError);
  assert.throws(() => impliedTimescalesScan(rows, [0]), GetseiError);
});

test('default lag grid: geometric up to twice the lag, within the data', () => {
  const g = defaultLagGrid(800, 100000);
  assert.equal(g[0], 1);
  assert.equal(g[g.length - 1], 1600);
  assert.ok(g.includes(800));
  assert.ok(g.length >= 20 && g.length <= 21);
  assert.deepEqual(defaultLagGrid(50, 20), [...new Set(defaultLagGrid(50, 20))]);
  assert.ok(Math.max(...defaultLagGrid(50, 20)) <= 19);
});

test('Chapman–Kolmogorov: small for Markovian data, large for a hidden (non-Markovian) process', () => {
  const K = fromRows([[0.9, 0.1, 0], [0.05, 0.9, 0.05], [0, 0.1, 0.9]]);
  const rng = createRng(5);
  const rows = Array.from({ length: 10 }, () => simulateChain(K, 10000, rng, rng.int(3)));
  const model = fitMarkovModel(rows, { lag: 2 });
  const ck = chapmanKolmogorovTest(rows, model, 5);
  assert.deepEqual(Array.from(ck.lags), [2, 4, 6, 8, 10]);
  assert.equal(ck.maxError[0], 0);
  for (const e of ck.maxError) assert.ok((e as number) < 0.02, `Markovian CK error ${e}`);
  // observe only "in {0, 1}" vs "in 2" of a chain where hidden state 0 is left fast and hidden state 1 slowly: the
  // residence time in the lumped state is bi-exponential, which no 2-state Markov chain reproduces
  const K3 = fromRows([[0.5, 0, 0.5], [0, 0.999, 0.001], [0.3, 0.003, 0.697]]);
  const lumped = Array.from({ length: 10 }, () => Array.from(simulateChain(K3, 10000, rng, rng.int(3)), (s) => (s === 2 ? 1 : 0)));
  const m2 = fitMarkovModel(lumped, { lag: 1 });
  const ck2 = chapmanKolmogorovTest(lumped, m2, 5);
  assert.ok((ck2.maxError[4] as number) > 0.1, `non-Markovian CK error ${ck2.maxError[4]}`);
  assert.equal(ck2.errorPerState[4]?.length, 2);
  // steps beyond the data are reported as null
  const short = chapmanKolmogorovTest([[0, 1, 0, 1, 1, 0]], fitMarkovModel([[0, 1, 0, 1, 1, 0]], { lag: 2 }), 3);
  assert.equal(short.estimated[2], null);
  assert.equal(short.maxError[2], null);
  assert.throws(() => chapmanKolmogorovTest(rows, model, 0), GetseiError);
});

test('bootstrap: seeded and reproducible; spread matches the binomial error of K', () => {
  const K = fromRows([[0.95, 0.05], [0.1, 0.9]]);
  const rng = createRng(12);
  const rows = Array.from({ length: 40 }, () => simulateChain(K, 2000, rng, rng.int(2)));
  const prepared = prepareTrajectories(rows);
  const model = fitMarkovModel(prepared, { lag: 1 });
  const collect = (seed: number): number[] => {
    const v: number[] = [];
    bootstrapModels(prepared, model, { nSamples: 200, seed }, (m) => v.push(m.transitionMatrix[1]));
    return v;
  };
  const a = collect(3);
  assert.deepEqual(a, collect(3));
  assert.notDeepEqual(a, collect(4));
  const s = summarise(a);
  const n0 = model.countMatrix[0] + model.countMatrix[1];
  const sd = Math.sqrt(0.05 * 0.95 / n0);
  assert.ok(s.std > 0.6 * sd && s.std < 1.6 * sd, `bootstrap sd ${s.std} vs binomial ${sd}`);
  assert.ok(s.lower < model.transitionMatrix[1] && model.transitionMatrix[1] < s.upper);
  assert.throws(() => bootstrapModels(prepared, model, { nSamples: 0, seed: 1 }, () => undefined), GetseiError);
  assert.throws(() => bootstrapModels(prepared, model, { nSamples: 5, seed: 1.5 }, () => undefined), GetseiError);
});

test('fitMarkovModel: states outside the active set are reported; lag and connectivity errors say what to do', () => {
  // state 2 is entered once and never left: outside the strongly connected set {0, 1}
  const m = fitMarkovModel([[0, 1, 0, 1, 1, 0, 0, 1, 2]], { lag: 1 });
  assert.deepEqual(Array.from(m.activeSet), [0, 1]);
  assert.deepEqual(Array.from(m.statesOutsideActiveSet), [2]);
  assert.deepEqual(Array.from(m.stateFrames), [4, 4, 1]);
  assert.equal(m.timeUnit, 'frames');
  assert.ok(Object.isFrozen(m));
  assert.throws(() => fitMarkovModel([[0, 1, 0, 1]], { lag: 4 }), /lag \(4 frames\) is not shorter than .* use a lag below 4/);
  assert.throws(() => fitMarkovModel([[0, 0, 1, 1, 2, 2]], { lag: 1 }), /no two states are connected/);
  assert.throws(() => fitMarkovModel([[0, 1, 0, 1]], { lag: 1, estimator: 'msm' as 'edmd' }), /unknown estimator 'msm'/);
  assert.throws(() => fitMarkovModel([[0, 1, 0, 1]], { lag: 1, dtPs: -1 }), /positive number of ps/);
  assert.throws(() => fitMarkovModel([[-1, -1, -1]], { lag: 1 }), GetseiError);
  assert.equal(countTransitions([[-1, -1]], 1).nStates, 0);
});
