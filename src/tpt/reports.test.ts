import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { fromRows } from '../linalg/index.ts';
import { bootstrapModels, fitMarkovModel, prepareTrajectories } from '../markov/index.ts';
import { simulateChain } from '../markov/testing.ts';
import { GetseiError } from '../util/errors.ts';
import { createRng } from '../util/rng.ts';
import { bootstrapAnalysis, kineticsTables, pathsTables, runKinetics, runPaths } from './index.ts';

/** Every number in a JSON-ready value must be finite (JSON.stringify would silently turn NaN into null). */
function assertFinite(value: unknown, path = '$'): void {
  if (typeof value === 'number') assert.ok(Number.isFinite(value), `${path} = ${value}`);
  else if (Array.isArray(value)) value.forEach((v, i) => assertFinite(v, `${path}[${i}]`));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) assertFinite(v, `${path}.${k}`);
}

const K = fromRows([[0.9, 0.08, 0.02, 0], [0.05, 0.9, 0.04, 0.01], [0.01, 0.04, 0.9, 0.05], [0, 0.02, 0.08, 0.9]]);
const rng = createRng(17);
const rows = Array.from({ length: 16 }, () => simulateChain(K, 2000, rng, rng.int(4)));

test('runKinetics / runPaths: JSON-ready reports with finite numbers, consistent with the model', () => {
  const report = runKinetics(rows, { lag: 2, dtPs: 0.5, bootstrap: { nSamples: 20, seed: 1 } });
  assertFinite(report);
  assert.equal(report.lag, 1);
  assert.equal(report.lagFrames, 2);
  assert.equal(report.timeUnit, 'ps');
  assert.deepEqual(JSON.parse(JSON.stringify(report)), report, 'survives a JSON round trip unchanged');
  const model = fitMarkovModel(rows, { lag: 2, dtPs: 0.5 });
  assert.deepEqual(report.transitionMatrix.flat(), Array.from(model.transitionMatrix));
  assert.deepEqual(report.mobilityRanking, Array.from(model.mobilityRanking));
  const paths = runPaths(model, { coarseSets: [[1, 2]] });
  assertFinite(paths);
  assert.deepEqual(paths.source, [model.mobilityRanking[3]]);
  assert.deepEqual(paths.target, [model.mobilityRanking[0]]);
  assert.ok(paths.pathwayDiversity.nPathways >= paths.pathways.length);
  const tables = kineticsTables(report);
  assert.equal(tables.transitionMatrix.trim().split('\n').length, 5);
  assert.equal(tables.impliedTimescales.trim().split('\n').length, 1 + report.impliedTimescales.lags.length);
  assert.equal(pathsTables(paths).pathways.trim().split('\n').length, 1 + paths.pathways.length);
});

test('bootstrap errors: every resample disconnected, one trajectory only, bad confidence', () => {
  // unit 0 only has 0 → 1, unit 1 only 1 → 0: a resample of one unit twice is disconnected
  const two = [[0, 1], [1, 0]];
  const prepared = prepareTrajectories(two);
  const model = fitMarkovModel(prepared, { lag: 1 });
  let seed = 0;
  while (bootstrapModels(prepared, model, { nSamples: 1, seed }, () => undefined).nFailed === 0) seed++;
  assert.throws(() => bootstrapAnalysis(prepared, model, { nSamples: 1, seed }), (e: unknown) => e instanceof GetseiError && /all 1 bootstrap samples failed/.test(e.message));
  const one = prepareTrajectories([[0, 1, 0, 1, 1, 0]]);
  assert.throws(() => bootstrapAnalysis(one, fitMarkovModel(one, { lag: 1 }), { nSamples: 3, seed: 0 }), /at least two trajectories/);
  assert.throws(() => bootstrapAnalysis(prepared, model, { nSamples: 3, seed: 0, confidence: 1 }), /confidence must be between 0 and 1/);
});
