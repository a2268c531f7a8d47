import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeCell } from '../structure/index.ts';
import { createRng } from '../util/rng.ts';
import {
  analyseTransport, defaultFitWindow, fitChargeDiffusion, fitTracerDiffusion, MsdAccumulator, nernstEinsteinSPerCm, Unwrapper,
  type TransportFrame,
} from './index.ts';

const wrap = (x: number, l: number): number => x - l * Math.floor(x / l);

/** nLi Li (+ one S) moving at velocity v (Å/ps), wrapped into a cubic box of side l. */
function constantVelocity(nFrames: number, dtPs: number, v: [number, number, number], l: number, nLi = 2): TransportFrame[] {
  const cell = makeCell([l, 0, 0, 0, l, 0, 0, 0, l]);
  const species = Uint8Array.from([...Array<number>(nLi).fill(3), 16]);
  return Array.from({ length: nFrames }, (_, f) => {
    const pos = new Float64Array(3 * (nLi + 1));
    for (let i = 0; i < nLi; i++) for (let k = 0; k < 3; k++) pos[3 * i + k] = wrap(1 + i + v[k] * f * dtPs, l);
    return { frame: { index: f, species, positions: pos, cell }, newTrajectory: false };
  });
}

test('constant velocity through the wrapped boundary: MSD = |v|² τ², charge MSD = N |v|² τ², D components', async () => {
  const v: [number, number, number] = [3, -1, 2]; // Å/ps; 0.3 Å per 0.1 ps frame, crosses a 5 Å box many times
  const r = await analyseTransport(constantVelocity(60, 0.1, v, 5, 4), { dtPs: 0.1, nFrames: 60, nBootstrap: 50 });
  const v2 = v[0] ** 2 + v[1] ** 2 + v[2] ** 2;
  for (let i = 1; i < r.msd.timePs.length; i++) {
    const t = r.msd.timePs[i];
    assert.ok(Math.abs(r.msd.li[i] - v2 * t * t) < 1e-9 * v2 * t * t, `lag ${i}: ${r.msd.li[i]} vs ${v2 * t * t}`);
    assert.ok(Math.abs(r.msd.x[i] - 9 * t * t) < 1e-9 * 9 * t * t);
    assert.ok(Math.abs(r.msd.charge[i] - 4 * v2 * t * t) < 1e-9 * 4 * v2 * t * t);
    assert.equal(r.msd.origins[i], 60 - i);
  }
  assert.equal(r.nLi, 4);
  assert.equal(r.unwrapWarnings.largeSteps, 0);
  // all Li move together: the collective D is N times the tracer one, Haven ratio 1/N
  assert.ok(Math.abs(r.havenRatio.value - 0.25) < 1e-9);
});

test('unwrapping a triclinic cell: the unwrapped path is the true path; independent trajectories are never joined', () => {
  const m = [6, 0, 0, 2, 5, 0, 1, -1, 7];
  const cell = makeCell(m);
  const u = new Unwrapper(1);
  const truth = (f: number): number[] => [0.5 + 0.9 * f, 0.2 - 0.7 * f, 0.4 + 0.5 * f];
  for (let f = 0; f < 40; f++) {
    const p = truth(f);
    // wrap through fractional coordinates
    const fr = [0, 1, 2].map((k) => p[0] * cell.inverse[k] + p[1] * cell.inverse[3 + k] + p[2] * cell.inverse[6 + k]).map((x) => x - Math.floor(x));
    const w = Float64Array.from([0, 1, 2].map((k) => fr[0] * m[k] + fr[1] * m[3 + k] + fr[2] * m[6 + k]));
    const out = u.push(w, cell, false);
    for (let k = 0; k < 3; k++) assert.ok(Math.abs(out[k] - p[k]) < 1e-9, `frame ${f}: ${out[k]} vs ${p[k]}`);
  }
  const restarted = u.push(Float64Array.from([3, 3, 3]), cell, true);
  assert.deepEqual(Array.from(restarted), [3, 3, 3]);
  // MSD: two trajectories, the second starting far away; no displacement spans the two
  const acc = new MsdAccumulator(1, { maxLagFrames: 3 });
  for (let f = 0; f < 4; f++) acc.push(Float64Array.from([f, 0, 0]), f === 0);
  for (let f = 0; f < 4; f++) acc.push(Float64Array.from([100 + 2 * f, 0, 0]), f === 0);
  const r = acc.result();
  assert.deepEqual(Array.from(r.origins), [0, 6, 4, 2]);
  // lag 1: three steps of 1 and three of 2 → (3·1 + 3·4) / 6
  assert.ok(Math.abs(r.msd[1] - 15 / 6) < 1e-12);
  assert.ok(Math.abs(r.msd[3] - (9 + 36) / 2) < 1e-12);
});

test('a step near half a width is reported; mode none reports steps over half a width', () => {
  const cell = makeCell([10, 0, 0, 0, 10, 0, 0, 0, 10]);
  const u = new Unwrapper(1);
  u.push(Float64Array.from([1, 1, 1]), cell);
  u.push(Float64Array.from([1.5, 1, 1]), cell);
  assert.equal(u.warnings().largeSteps, 0);
  u.push(Float64Array.from([6, 1, 1]), cell); // 4.5 Å = 0.45 of the width: ambiguous
  const w = u.warnings();
  assert.equal(w.largeSteps, 1);
  assert.equal(w.firstFrame, 2);
  assert.ok(Math.abs(w.largestFraction - 0.45) < 1e-12);
  const none = new Unwrapper(1, 'none');
  none.push(Float64Array.from([1, 1, 1]), cell);
  const moved = none.push(Float64Array.from([7, 1, 1]), cell);
  assert.ok(Math.abs(moved[0] - 7) < 1e-12 && moved[1] === 1 && moved[2] === 1);
  assert.equal(none.warnings().largeSteps, 1);
});

test('random walk with known D: D* inside its 95 % bootstrap interval in at least 90 of 100 seeded walks', () => {
  const D = 0.05; // Å²/ps
  const dt = 0.1;
  const sigma = Math.sqrt(2 * D * dt);
  const nLi = 24, nFrames = 120, maxLag = 60;
  const window = defaultFitWindow(maxLag, dt);
  let covered = 0;
  let meanD = 0;
  for (let seed = 0; seed < 100; seed++) {
    const rng = createRng(seed);
    const acc = new MsdAccumulator(nLi, { maxLagFrames: maxLag });
    const pos = new Float64Array(3 * nLi);
    for (let f = 0; f < nFrames; f++) {
      if (f > 0) for (let k = 0; k < pos.length; k++) pos[k] += sigma * rng.normal();
      acc.push(pos);
    }
    const est = fitTracerDiffusion(acc.result(), { dtPs: dt, window, nBootstrap: 200, seed });
    if (est.lower <= D && D <= est.upper) covered++;
    meanD += est.value / 100;
  }
  assert.ok(covered >= 90, `covered ${covered} / 100`);
  assert.ok(Math.abs(meanD - D) < 0.05 * D, `mean D ${meanD} vs ${D}`);
});

test('independent walkers: charge D_σ equals D, inside its random-walk-covariance interval in at least 85 of 100 walks', () => {
  const D = 0.05, dt = 0.1, sigma = Math.sqrt(2 * D * dt);
  const nLi = 8, nFrames = 400, maxLag = 100;
  const window = defaultFitWindow(maxLag, dt);
  let covered = 0, meanD = 0;
  for (let seed = 0; seed < 100; seed++) {
    const rng = createRng(1000 + seed);
    const acc = new MsdAccumulator(nLi, { maxLagFrames: maxLag });
    const pos = new Float64Array(3 * nLi);
    for (let f = 0; f < nFrames; f++) {
      if (f > 0) for (let k = 0; k < pos.length; k++) pos[k] += sigma * rng.normal();
      acc.push(pos);
    }
    const est = fitChargeDiffusion(acc.result(), { dtPs: dt, window });
    if (est.lower <= D && D <= est.upper) covered++;
    meanD += est.value / 100;
  }
  assert.ok(covered >= 85 && covered <= 99, `covered ${covered} / 100`);
  assert.ok(Math.abs(meanD - D) < 0.1 * D, `mean D_σ ${meanD} vs ${D}`);
});

test('Nernst–Einstein by hand: one carrier in 1000 Å³ at 300 K with D = 1 Å²/ps is 0.6198 S/cm', () => {
  // n = 1e27 m⁻³, e² = 2.56697e-38 C², D = 1e-8 m²/s, k_B T = 4.14195e-21 J → 61.975 S/m
  assert.ok(Math.abs(nernstEinsteinSPerCm(1, 1, 1, 1000, 300) - 0.61975) < 1e-4);
});
