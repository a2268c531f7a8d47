import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { inverse as mlInverse, Matrix } from 'ml-matrix';
import { createRng } from '../util/rng.ts';
import {
  eigenvalues, expm, fromRows, gaussLegendre, identity, LinalgError, logm, matmul, matpow, maxAbsDiff, normOne,
  orderOf, regulariseEigenvalues, sqrtm, stationaryDistribution, toRows,
} from './index.ts';

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what = ''): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  const err = maxAbsDiff(actual, expected);
  assert.ok(err <= tol, `${what}: max |difference| ${err} > ${tol}\nactual   ${Array.from(actual)}\nexpected ${Array.from(expected)}`);
}

/** V diag(d) V⁻¹ with ml-matrix's inverse: an independent way to build f(A) for a diagonalisable A. */
function similar(v: number[][], d: number[]): Float64Array {
  const V = new Matrix(v);
  const D = Matrix.diag(d);
  return Float64Array.from(V.mmul(D).mmul(mlInverse(V)).to1DArray());
}

test('expm matches closed forms: rotation generator, nilpotent shear, diagonal, 2-state generator', () => {
  const th = 2.9;
  close(expm(fromRows([[0, -th], [th, 0]])), [Math.cos(th), -Math.sin(th), Math.sin(th), Math.cos(th)], 1e-14, 'rotation');
  close(expm(fromRows([[0, 7], [0, 0]])), [1, 7, 0, 1], 1e-14, 'shear');
  close(expm(fromRows([[-50, 0], [0, 3]])), [Math.exp(-50), 0, 0, Math.exp(3)], 1e-12 * Math.exp(3), 'diagonal');
  // P(t) = exp(Qt) for Q = [[-a, a], [b, -b]]: P = (1/(a+b)) [[b + a e, a − a e], [b − b e, a + b e]], e = exp(−(a+b)t)
  const a = 0.7;
  const b = 0.2;
  for (const t of [0.01, 1, 40]) {
    const e = Math.exp(-(a + b) * t);
    const want = [b + a * e, a - a * e, b - b * e, a + b * e].map((x) => x / (a + b));
    close(expm(fromRows([[-a * t, a * t], [b * t, -b * t]])), want, 1e-14, `2-state generator t=${t}`);
  }
});

test('expm of a diagonalisable matrix equals V exp(D) V⁻¹', () => {
  const v = [[1, 2, 0], [0, 1, 1], [1, 0, 3]];
  const d = [-3.5, 0.2, 1.1];
  const a = similar(v, d);
  close(expm(a), similar(v, d.map(Math.exp)), 1e-12, 'diagonalisable');
});

test('logm matches closed forms: rotation, scaled rotation, shear, Jordan block', () => {
  const th = 3.0; // close to π: the principal branch still applies
  close(logm(fromRows([[Math.cos(th), -Math.sin(th)], [Math.sin(th), Math.cos(th)]])), [0, -th, th, 0], 1e-12, 'rotation');
  const r = 0.3;
  const scaled = fromRows([[r * Math.cos(1.2), -r * Math.sin(1.2)], [r * Math.sin(1.2), r * Math.cos(1.2)]]);
  close(logm(scaled), [Math.log(r), -1.2, 1.2, Math.log(r)], 1e-12, 'scaled rotation');
  close(logm(fromRows([[1, 5], [0, 1]])), [0, 5, 0, 0], 1e-12, 'shear');
  const lam = 0.04;
  close(logm(fromRows([[lam, 1], [0, lam]])), [Math.log(lam), 1 / lam, 0, Math.log(lam)], 1e-9, 'Jordan block');
});

test('logm of a diagonalisable matrix equals V log(D) V⁻¹, and of the identity is zero', () => {
  const v = [[2, 1, 0, 1], [0, 1, 1, 0], [1, 0, 3, 1], [0, 1, 0, 2]];
  const d = [0.01, 0.5, 1, 37];
  close(logm(similar(v, d)), similar(v, d.map(Math.log)), 1e-10, 'diagonalisable');
  close(logm(identity(3)), new Float64Array(9), 0, 'identity');
});

test('logm returns the real logarithm of a real matrix with a complex eigenvalue pair', () => {
  // B = V blockdiag([[α, −β], [β, α]], γ) V⁻¹ has eigenvalues α ± iβ (|β| < π) and γ; logm(expm(B)) = B.
  const V = new Matrix([[1, 0.5, 0.2], [0.1, 1, 0.3], [0.4, 0.2, 1]]);
  const blk = new Matrix([[-0.4, -2.5, 0], [2.5, -0.4, 0], [0, 0, 0.7]]);
  const b = Float64Array.from(V.mmul(blk).mmul(mlInverse(V)).to1DArray());
  const a = expm(b);
  const eig = eigenvalues(a);
  assert.ok(Math.abs(eig.im[0]) > 0.1 || Math.abs(eig.im[1]) > 0.1, 'test matrix has complex eigenvalues');
  const l = logm(a);
  close(l, b, 1e-11, 'complex pair');
  for (const x of l) assert.ok(Number.isFinite(x));
});

test('expm(logm(A)) = A and logm(expm(B)) = B on random matrices (seeded)', () => {
  const rng = createRng(11);
  for (let trial = 0; trial < 40; trial++) {
    const n = 2 + (trial % 7);
    const b = Float64Array.from({ length: n * n }, () => rng.normal() * 0.8);
    const a = expm(b);
    const l = logm(a);
    close(expm(l), a, 1e-11 * Math.max(1, normOne(a)), `expm(logm(A)) n=${n}`);
    // the principal branch returns B itself when all eigenvalues of B have |Im| < π
    const eb = eigenvalues(b);
    if (Array.from(eb.im).every((x) => Math.abs(x) < 3)) close(l, b, 1e-9, `logm(expm(B)) n=${n}`);
  }
});

test('logm of stochastic matrices: rows of the logarithm sum to zero and expm returns the matrix', () => {
  const rng = createRng(5);
  for (let trial = 0; trial < 20; trial++) {
    const n = 3 + (trial % 6);
    const k = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) {
        const v = (i === j ? 4 * n : 0) + rng.next();
        k[i * n + j] = v;
        s += v;
      }
      for (let j = 0; j < n; j++) k[i * n + j] /= s;
    }
    const l = logm(k);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += l[i * n + j];
      assert.ok(Math.abs(s) < 1e-12, `row ${i} of log K sums to ${s}`);
    }
    close(expm(l), k, 1e-13, 'round trip');
  }
});

test('logm refuses matrices with an eigenvalue on the closed negative real axis', () => {
  assert.throws(() => logm(fromRows([[-1, 0], [0, 2]])), (e: unknown) => e instanceof LinalgError && /negative/.test(e.message));
  assert.throws(() => logm(fromRows([[1, 1], [1, 1]])), (e: unknown) => e instanceof LinalgError && /singular/.test(e.message));
  // a stochastic matrix that flips: eigenvalue −1
  assert.throws(() => logm(fromRows([[0, 1], [1, 0]])), LinalgError);
  assert.throws(() => logm(fromRows([[NaN, 0], [0, 1]])), RangeError);
});

test('regulariseEigenvalues replaces real eigenvalues ≤ 0 by their modulus and keeps the rest', () => {
  const v = [[1, 0.3, 0.1], [0.2, 1, 0.4], [0.1, 0.2, 1]];
  const r = regulariseEigenvalues(similar(v, [-0.3, 0.5, 1]));
  assert.ok(r !== null);
  assert.equal(r.changed, 1);
  close(r.matrix, similar(v, [0.3, 0.5, 1]), 1e-13, 'reflected');
  const zero = regulariseEigenvalues(similar(v, [0, 0.5, 1]), 1e-3);
  close((zero as { matrix: Float64Array }).matrix, similar(v, [1e-3, 0.5, 1]), 1e-13, 'floored');
  // a rotation block (complex pair) is left alone
  const rot = fromRows([[0, -1, 0], [1, 0, 0], [0, 0, -0.5]]);
  close((regulariseEigenvalues(rot) as { matrix: Float64Array }).matrix, [0, -1, 0, 1, 0, 0, 0, 0, 0.5], 1e-14, 'rotation kept');
});

test('sqrtm(A)² = A, including a complex pair', () => {
  const a = fromRows([[4, 1, 0], [-2, 3, 0.5], [0, 0.2, 9]]);
  close(matmul(sqrtm(a), sqrtm(a)), a, 1e-12, 'sqrtm');
  close(sqrtm(fromRows([[9, 0], [0, 0.25]])), [3, 0, 0, 0.5], 1e-14, 'diagonal root');
});

test('eigenvalues: rotation gives cos θ ± i sin θ; sorted by modulus', () => {
  const th = 0.6;
  const e = eigenvalues(fromRows([[Math.cos(th), -Math.sin(th)], [Math.sin(th), Math.cos(th)]]));
  close(e.re, [Math.cos(th), Math.cos(th)], 1e-14, 're');
  close(e.im, [Math.sin(th), -Math.sin(th)], 1e-14, 'im');
  const d = eigenvalues(fromRows([[0.1, 0, 0], [0, -0.9, 0], [0, 0, 0.5]]));
  close(d.re, [-0.9, 0.5, 0.1], 1e-15, 'sorted');
});

test('stationary distribution: 2-state closed form, brute force on random chains, tiny populations', () => {
  const a = 0.3;
  const b = 0.01;
  close(stationaryDistribution(fromRows([[1 - a, a], [b, 1 - b]])), [b / (a + b), a / (a + b)], 2e-16, '2-state');
  const rng = createRng(3);
  for (let trial = 0; trial < 10; trial++) {
    const n = 2 + trial;
    const k = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += (k[i * n + j] = rng.next());
      for (let j = 0; j < n; j++) k[i * n + j] /= s;
    }
    const pi = stationaryDistribution(k);
    // brute force: power iteration from uniform
    let p = new Float64Array(n).fill(1 / n);
    const k64 = matpow(k, 4096);
    p = Float64Array.from({ length: n }, (_, j) => p.reduce((acc, pi_, i) => acc + pi_ * k64[i * n + j], 0));
    close(pi, p, 1e-12, `random n=${n}`);
  }
  // birth–death chain with π ∝ r^i (r = 1e-3): relative accuracy even where π ~ 1e-27
  const n = 10;
  const r = 1e-3;
  const up = 0.5 * r;
  const down = 0.5;
  const k = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    if (i + 1 < n) k[i * n + i + 1] = up;
    if (i > 0) k[i * n + i - 1] = down;
    k[i * n + i] = 1 - (i + 1 < n ? up : 0) - (i > 0 ? down : 0);
  }
  const pi = stationaryDistribution(k);
  const z = (1 - r ** n) / (1 - r);
  for (let i = 0; i < n; i++) {
    const want = r ** i / z;
    assert.ok(Math.abs(pi[i] - want) <= 1e-13 * want, `π[${i}] = ${pi[i]}, want ${want}`);
  }
});

test('stationary distribution of a reducible chain is an error', () => {
  assert.throws(() => stationaryDistribution(fromRows([[1, 0], [0, 1]])), LinalgError);
  assert.throws(() => stationaryDistribution(fromRows([[0.5, 0.5, 0], [0.5, 0.5, 0], [0, 0, 1]])), LinalgError);
});

test('Gauss–Legendre (8 nodes) integrates polynomials up to degree 15 exactly on [0, 1]', () => {
  const { nodes, weights } = gaussLegendre(8);
  for (let deg = 0; deg <= 15; deg++) {
    let s = 0;
    for (let i = 0; i < 8; i++) s += weights[i] * nodes[i] ** deg;
    assert.ok(Math.abs(s - 1 / (deg + 1)) < 1e-15, `degree ${deg}: ${s}`);
  }
});

test('dense helpers: orderOf rejects non-square lengths; toRows/fromRows round-trip', () => {
  assert.throws(() => orderOf(new Float64Array(5)), RangeError);
  assert.deepEqual(toRows(fromRows([[1, 2], [3, 4]])), [[1, 2], [3, 4]]);
  assert.throws(() => fromRows([[1, 2], [3]]), RangeError);
});
