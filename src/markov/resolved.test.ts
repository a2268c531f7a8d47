import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { runKineticsWithModel } from '../tpt/index.ts';
import { createRng } from '../util/rng.ts';
import {
  chapmanKolmogorovTest, chapmanKolmogorovVerdicts, estimateMarkovModel, fitMarkovModel, impliedTimescalesScan,
  NO_RESOLVED_PROCESS_WARNING, prepareTrajectories, resolvedProcesses,
} from './index.ts';
import { simulateChain } from './testing.ts';

// K = J/3 + 0.6 v₂v₂ᵀ + 0.1 v₃v₃ᵀ with v₂ = (1,−1,0)/√2, v₃ = (1,1,−2)/√6: eigenvalues 1, 0.6, 0.1, π uniform.
// At τ = 1 frame: t₂ = −1/ln 0.6 = 1.958 frames (resolved), t₃ = −1/ln 0.1 = 0.434 (not). At τ = 3 frames the
// eigenvalues are 0.216 and 0.001: t₂ = 1.958 < 3, nothing is resolved.
const K = [0.65, 0.05, 0.3, 0.05, 0.65, 0.3, 0.3, 0.3, 0.4];

function simulate(k: number[], nTraj: number, nFrames: number, seed: number): number[][] {
  const rng = createRng(seed);
  return Array.from({ length: nTraj }, (_, r) => Array.from(simulateChain(k, nFrames, rng, r % 3)));
}

test('resolved flags on a chain with known eigenvalues: t₂ = 1.958 > τ = 1 resolved, t₃ = 0.434 not', () => {
  const counts = Float64Array.from(K, (v) => 3000 * v);
  const model = estimateMarkovModel(counts, { lag: 1 });
  assert.ok(Math.abs(model.impliedTimescales[0] + 1 / Math.log(0.6)) < 1e-9, `t₂ = ${model.impliedTimescales[0]}`);
  assert.ok(Math.abs(model.impliedTimescales[1] + 1 / Math.log(0.1)) < 1e-9, `t₃ = ${model.impliedTimescales[1]}`);
  assert.deepEqual(resolvedProcesses(model.impliedTimescales, model.lagTime), [true, false]);
  assert.deepEqual(resolvedProcesses([5, 2, 1], 2), [true, false, false], 'tᵢ = τ is not resolved');
});

test('kinetics report: resolved flags per lag, and the sub-lag-flicker warning exactly when no process is resolved', () => {
  const dtrajs = simulate(K, 20, 3000, 7);
  const lags = [1, 2, 3, 6];
  const at1 = runKineticsWithModel(dtrajs, { lag: 1, lags }).report;
  assert.deepEqual(at1.impliedTimescales.resolvedAtLag, [true, false]);
  assert.equal(at1.impliedTimescales.processesSlowerThanModelLag, 1);
  assert.equal(at1.impliedTimescales.processesSlowerThanLag[0], 1, 'the scan at the model lag agrees');
  assert.ok(!at1.warnings.some((w) => w.code === 'no-resolved-process'));
  assert.deepEqual(at1.impliedTimescales.resolved[0], [true, false]);
  assert.deepEqual(at1.impliedTimescales.resolved[2], [false, false], 'τ = 3: nothing resolved');
  const at3 = runKineticsWithModel(dtrajs, { lag: 3, lags }).report;
  assert.equal(at3.impliedTimescales.processesSlowerThanModelLag, 0);
  assert.deepEqual(at3.impliedTimescales.resolvedAtLag, [false, false]);
  assert.deepEqual(at3.warnings[0], { code: 'no-resolved-process', message: NO_RESOLVED_PROCESS_WARNING });
  const scan = impliedTimescalesScan(prepareTrajectories(dtrajs), lags);
  assert.deepEqual(Array.from(scan.processesSlowerThanLag), scan.resolved.map((r) => r.filter(Boolean).length));
});

test('Chapman–Kolmogorov per-state verdicts: a Markov chain is consistent, a fixed-dwell process is not', () => {
  const markov = prepareTrajectories(simulate(K, 20, 2000, 3));
  const m = fitMarkovModel(markov, { lag: 1 });
  const v = chapmanKolmogorovVerdicts(markov, m, chapmanKolmogorovTest(markov, m, 4), { nSamples: 40, seed: 1 });
  assert.deepEqual(v.verdictPerState, ['consistent', 'consistent', 'consistent']);
  assert.equal(v.samplesUsed[0], 0, 'k = 1 is not tested');
  assert.ok(v.samplesUsed[1] === 40 && v.lower[1] !== null);
  // each Li cycles 0 → 1 → 2 → 0, staying exactly 8 frames in each state (random phase): K(1) is 7/8 on the
  // diagonal, but K(8) is a deterministic shift, which K(1)⁸ cannot predict
  const rng = createRng(5);
  const cyc = Array.from({ length: 20 }, () => {
    const phase = rng.int(24);
    return Array.from({ length: 2000 }, (_, t) => Math.floor(((t + phase) % 24) / 8));
  });
  const p = prepareTrajectories(cyc);
  const mc = fitMarkovModel(p, { lag: 1 });
  const vc = chapmanKolmogorovVerdicts(p, mc, chapmanKolmogorovTest(p, mc, 8), { nSamples: 40, seed: 1 });
  assert.deepEqual(vc.verdictPerState, ['inconsistent', 'inconsistent', 'inconsistent']);
  assert.ok(vc.failingSteps[0].includes(8));
});
