import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arrheniusFit, BOLTZMANN_EV_PER_K } from './arrhenius.ts';

const Z = 1.959963985;

test('Arrhenius: exact points give E_a and the prefactor back; two points give the hand-derived standard error', () => {
  const ea = 0.3, d0 = 50;
  const at = (T: number, rel: number) => {
    const v = d0 * Math.exp(-ea / (BOLTZMANN_EV_PER_K * T));
    return { temperatureK: T, value: v, lower: v * Math.exp(-rel), upper: v * Math.exp(rel) };
  };
  const f = arrheniusFit([at(400, 0.1), at(500, 0.2), at(700, 0.15)]);
  assert.ok(Math.abs(f.activationEnergyEv - ea) < 1e-12);
  assert.ok(Math.abs(f.prefactor - d0) < 1e-9 * d0);
  assert.ok((f.reducedChiSquare as number) < 1e-20);
  assert.equal(f.weighting, 'interval');
  // two points: slope = Δy/Δx, var = (σ₁² + σ₂²)/Δx² with σ = half the log-interval / 1.96
  const two = arrheniusFit([at(500, 0.1), at(600, 0.3)]);
  const s1 = 0.1 / Z, s2 = 0.3 / Z;
  const se = BOLTZMANN_EV_PER_K * Math.sqrt(s1 ** 2 + s2 ** 2) / (1 / 500 - 1 / 600);
  assert.ok(Math.abs(two.standardErrorEv - se) < 1e-12, `${two.standardErrorEv} vs ${se}`);
  assert.ok(Math.abs(two.upperEv - (ea + Z * se)) < 1e-12);
  assert.equal(two.reducedChiSquare, null);
});

test('Arrhenius without intervals: ordinary least squares and the residual standard error', () => {
  const pts = [{ temperatureK: 400, value: 1 }, { temperatureK: 500, value: 3 }, { temperatureK: 600, value: 5 }];
  const f = arrheniusFit(pts);
  const x = pts.map((p) => 1 / p.temperatureK), y = pts.map((p) => Math.log(p.value));
  const mx = x.reduce((a, b) => a + b) / 3, my = y.reduce((a, b) => a + b) / 3;
  const sxx = x.reduce((a, v) => a + (v - mx) ** 2, 0);
  const slope = x.reduce((a, v, i) => a + (v - mx) * (y[i] - my), 0) / sxx;
  const rss = x.reduce((a, v, i) => a + (y[i] - my - slope * (v - mx)) ** 2, 0);
  assert.ok(Math.abs(f.activationEnergyEv + slope * BOLTZMANN_EV_PER_K) < 1e-12);
  assert.ok(Math.abs(f.standardErrorEv - BOLTZMANN_EV_PER_K * Math.sqrt(rss / 1 / sxx)) < 1e-12);
  assert.equal(f.weighting, 'none');
  assert.ok(Number.isNaN(arrheniusFit(pts.slice(0, 2)).standardErrorEv));
  assert.throws(() => arrheniusFit([{ temperatureK: 500, value: 1 }, { temperatureK: 500, value: 2 }]), /two different temperatures/);
  assert.throws(() => arrheniusFit([{ temperatureK: 500, value: 1 }, { temperatureK: 600, value: -2 }]), /positive/);
});
