import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { createRng } from '../util/index.ts';
import { Arena, mixtureKernels, padTo4 } from './simd.ts';

test('an arena beyond 4 GiB is refused with advice, not a RangeError', () => {
  const ar = new Arena();
  ar.reserve(5 * 2 ** 30);
  assert.throws(() => ar.memory(), /needs 5\.0 GiB of working memory, more than WebAssembly's 4 GiB: use a smaller/);
});

test('every SIMD kernel equals a plain loop, for odd and even dimensions', () => {
  const rng = createRng(1);
  for (const d of [1, 2, 3, 5, 8, 33]) {
    const dp = padTo4(d), n = 24, k = 3;
    const ar = new Arena();
    const X = ar.reserve(n * d * 8), Xf = ar.reserve(n * d * 4), M = ar.reserve(k * d * 8), B = ar.reserve(n * dp * 8);
    const U = ar.reserve(dp * dp * 8), O = ar.reserve(n * k * 8), A = ar.reserve(dp * dp * 8), R = ar.reserve(n * k * 8);
    const S = ar.reserve(k * d * 8);
    const mem = ar.memory();
    const kern = mixtureKernels(d, mem);
    const f = new Float64Array(mem.buffer), g = new Float32Array(mem.buffer);
    const x = (t: number, a: number): number => f[X / 8 + t * d + a];
    for (let i = 0; i < n * d; i++) {
      g[Xf / 4 + i] = rng.normal() * 3;
      f[X / 8 + i] = g[Xf / 4 + i]; // float32-representable, so both paths see the same numbers
    }
    for (let i = 0; i < k * d; i++) f[M / 8 + i] = rng.normal();
    for (let i = 0; i < d; i++) for (let j = i; j < d; j++) f[U / 8 + i * dp + j] = rng.normal();
    for (let i = 0; i < n * k; i++) f[R / 8 + i] = rng.next();
    const mean = (a: number): number => f[M / 8 + a];
    const maha = (t: number): number => {
      let s = 0;
      for (let j = 0; j < d; j++) {
        let y = 0;
        for (let i = 0; i <= j; i++) y += (x(t, i) - mean(i)) * f[U / 8 + i * dp + j];
        s += y * y;
      }
      return s;
    };
    kern.centre64(X, X + n * d * 8, M, B);
    kern.maha(B, B + n * dp * 8, U, O, k * 8);
    kern.centre32(Xf, Xf + n * d * 4, M, B);
    kern.maha(B, B + n * dp * 8, U, O + 8, k * 8);
    for (let t = 0; t < n; t++) {
      const want = maha(t);
      assert.ok(Math.abs(f[O / 8 + t * k] - want) < 1e-12 * Math.max(1, want), `d=${d} row ${t}`);
      assert.ok(Math.abs(f[O / 8 + t * k + 1] - want) < 1e-12 * Math.max(1, want), `d=${d} row ${t} (float32)`);
    }
    f.fill(0, A / 8, A / 8 + dp * dp);
    kern.scaledCentre64(X, X + n * d * 8, M, R, k * 8, B);
    kern.scatter(B, B + n * dp * 8, A);
    for (let a = 0; a < d; a++) {
      for (let b = a; b < d; b++) {
        let s = 0;
        for (let t = 0; t < n; t++) s += f[R / 8 + t * k] * (x(t, a) - mean(a)) * (x(t, b) - mean(b));
        assert.ok(Math.abs(s - f[A / 8 + a * dp + b]) < 1e-12 * Math.max(1, Math.abs(s)), `d=${d} scatter ${a},${b}`);
      }
    }
    f.fill(0, S / 8, S / 8 + k * d);
    kern.weightedSum(X, X + n * d * 8, R, k * 8, S);
    for (let c = 0; c < k; c++) {
      for (let a = 0; a < d; a++) {
        let s = 0;
        for (let t = 0; t < n; t++) s += f[R / 8 + t * k + c] * x(t, a);
        assert.ok(Math.abs(s - f[S / 8 + c * d + a]) < 1e-12 * Math.max(1, Math.abs(s)), `d=${d} weighted sum`);
      }
    }
  }
});

test('labelSum gives each centre the bytes of a row-by-row scalar sum, odd and even dimensions', () => {
  const rng = createRng(7);
  for (const d of [1, 3, 4, 33]) {
    const n = 101, k = 5;
    const ar = new Arena();
    const X = ar.reserve(n * d * 8), L = ar.reserve(n * 4), S = ar.reserve(k * d * 8);
    const mem = ar.memory();
    const kern = mixtureKernels(d, mem);
    const f = new Float64Array(mem.buffer), labels = new Int32Array(mem.buffer, L, n);
    // magnitudes spread over decades, so that another order of the additions would give other bytes
    for (let i = 0; i < n * d; i++) f[X / 8 + i] = rng.normal() * 10 ** Math.floor(6 * rng.next() - 3);
    for (let t = 0; t < n; t++) labels[t] = rng.int(k - 1); // the last centre gets no row: its sums stay 0
    kern.labelSum(X, X + n * d * 8, L, S);
    const want = new Float64Array(k * d);
    for (let t = 0; t < n; t++) for (let a = 0; a < d; a++) want[labels[t] * d + a] += f[X / 8 + t * d + a];
    assert.deepEqual(Array.from(f.subarray(S / 8, S / 8 + k * d)), Array.from(want), `d=${d}`);
  }
});

test('nearest gives the labels, distances and inertia of the scalar scan: first of equal entries, never a NaN', () => {
  const rng = createRng(9);
  for (const k of [1, 2, 6]) {
    const n = 57;
    const ar = new Arena();
    const D = ar.reserve(n * k * 8), L = ar.reserve(n * 4), Z = ar.reserve(n * 8);
    const mem = ar.memory();
    const kern = mixtureKernels(3, mem);
    const f = new Float64Array(mem.buffer);
    for (let i = 0; i < n * k; i++) f[D / 8 + i] = Math.round(rng.next() * 4) * 10 ** (rng.next() * 8 - 4);
    if (k > 1) {
      for (let c = 0; c < k; c++) f[D / 8 + 3 * k + c] = c < 2 ? 0.25 : 1; // a tie for the smallest: the first index wins
      f[D / 8 + 5 * k + 1] = NaN; // a NaN is never the smallest
    }
    const inertia = kern.nearest(D, D + n * k * 8, k * 8, L, Z);
    let want = 0;
    for (let i = 0; i < n; i++) {
      let bc = 0, best = f[D / 8 + i * k];
      for (let c = 1; c < k; c++) if (f[D / 8 + i * k + c] < best) { best = f[D / 8 + i * k + c]; bc = c; }
      assert.equal(new Int32Array(mem.buffer, L, n)[i], bc, `k=${k} row ${i}`);
      assert.equal(f[Z / 8 + i], best, `k=${k} row ${i}`);
      want += best;
    }
    assert.equal(inertia, want, `k=${k} inertia`);
    if (k > 1) assert.equal(new Int32Array(mem.buffer, L, n)[3], 0);
  }
});
