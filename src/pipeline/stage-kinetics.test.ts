import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createRng } from '../util/rng.ts';
import { encodeNpy } from '../util/npy.ts';
import { parseConfig } from './config.ts';
import { runKineticsStage, runPathsStage } from './stage-kinetics.ts';

// The kinetics and paths stages on a run folder holding only states.npy and segments.npy: a four-state chain of two
// metastable pairs, {0, 1} and {2, 3}. Within a pair a Li switches with probability 0.3 per frame, between pairs
// with 0.004, so at a lag of 5 frames exactly one process (the exchange between the pairs, ≈ 125 frames) is slower
// than the lag and the fast ones (≈ 1 frame) are not.
const N_LI = 24, N_FRAMES = 1500;
const dir = mkdtempSync(join(tmpdir(), 'getsei-kinetics-stage-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function pairedChain(seed: number): Int16Array {
  const rng = createRng(seed);
  const out = new Int16Array(N_LI * N_FRAMES);
  for (let r = 0; r < N_LI; r++) {
    let s = r % 4;
    for (let f = 0; f < N_FRAMES; f++) {
      out[r * N_FRAMES + f] = s;
      const u = rng.next();
      if (u < 0.3) s ^= 1; // the partner in the pair
      else if (u < 0.304) s ^= 2; // the same position in the other pair
    }
  }
  return out;
}

function runFolder(name: string): string {
  const run = join(dir, name);
  rmSync(run, { recursive: true, force: true });
  mkdirSync(run, { recursive: true });
  writeFileSync(join(run, 'states.npy'), encodeNpy(pairedChain(7), [N_LI, N_FRAMES]));
  writeFileSync(join(run, 'segments.npy'), encodeNpy(new Int32Array(N_FRAMES), [N_FRAMES]));
  return run;
}

const sorted = (sets: number[][]): number[][] => sets.map((s) => [...s].sort((a, b) => a - b)).sort((a, b) => a[0] - b[0]);

test('kinetics stage: PCCA+ (auto: 1 + resolved processes) finds the two pairs and proposes them as TPT source and target', async () => {
  const run = runFolder('pcca');
  const config = parseConfig({ kinetics: { lag: 5, bootstrap: 0 } });
  const { report } = await runKineticsStage(run, config, 0.1);
  assert.ok(report.pcca);
  assert.equal(report.pcca.nSets, 2);
  assert.equal(report.pcca.rule, 'auto: 1 + processes slower than the lag');
  assert.deepEqual(sorted(report.pcca.sets), [[0, 1], [2, 3]]);
  assert.ok(report.pcca.crispness > 0.95, `crispness ${report.pcca.crispness}`);
  assert.equal(report.pcca.lumped, false);
  const paths = await runPathsStage(run, config);
  assert.equal(paths.sourceTargetRule, 'PCCA+ metastable sets at the ends of the slowest process');
  assert.deepEqual(sorted([[...paths.metastableSetProposal!.source], [...paths.metastableSetProposal!.target]]), [[0, 1], [2, 3]]);
  const written = JSON.parse(readFileSync(join(run, 'paths.json'), 'utf8'));
  assert.deepEqual(sorted([written.source, written.target]), [[0, 1], [2, 3]]);
});

test('kinetics stage: lumpStates runs kinetics and TPT on the PCCA+ sets, with their summed populations', async () => {
  const run = runFolder('lumped');
  const plain = await runKineticsStage(runFolder('plain'), parseConfig({ kinetics: { lag: 5, bootstrap: 0, metastableSets: 0 } }), 0.1);
  assert.equal(plain.report.pcca, null, 'metastableSets = 0: no sets');
  const config = parseConfig({ kinetics: { lag: 5, bootstrap: 0, lumpStates: true } });
  const { report, model } = await runKineticsStage(run, config, 0.1);
  assert.equal(model.activeSet.length, 2);
  const pcca = report.pcca!;
  assert.equal(pcca.lumped, true);
  // the stationary populations of the two sets are the sums over their states in the four-state model (to counting
  // noise: the row-normalised estimator's stationary vector is not exactly additive under lumping)
  const pi4 = plain.model.stationary, pi2 = model.stationary;
  for (let set = 0; set < 2; set++) {
    const expected = pcca.sets[set].reduce((sum, s) => sum + pi4[plain.model.activeSet.indexOf(s)], 0);
    assert.ok(Math.abs(pi2[set] - expected) < 1e-3, `set ${set}: π ${pi2[set]} vs ${expected}`);
  }
  // one slow process remains, as in the four-state model
  assert.ok(Math.abs(model.impliedTimescales[0] - plain.model.impliedTimescales[0]) / plain.model.impliedTimescales[0] < 0.05);
  const paths = await runPathsStage(run, config);
  assert.deepEqual(sorted([[...paths.source], [...paths.target]]), [[0], [1]]);
});

test('kinetics stage: core-set counting reports its fraction of frames in cores and lengthens no timescale beyond the truth', async () => {
  const run = runFolder('cores');
  const plain = await runKineticsStage(runFolder('plain2'), parseConfig({ kinetics: { lag: 5, bootstrap: 0, metastableSets: 0 } }), 0.1);
  const { report, model } = await runKineticsStage(run, parseConfig({ kinetics: { lag: 5, bootstrap: 0, metastableSets: 0, coreMinDwell: 3 } }), 0.1);
  const cores = report.coreSets!;
  assert.equal(cores.rule, 'minimum-dwell');
  assert.equal(cores.minDwellFrames, 3);
  // a stay of ≥ 3 frames has probability 0.696² ≈ 0.48 per visit, so about two thirds of the frames are in cores
  assert.ok(cores.fractionInCores > 0.5 && cores.fractionInCores < 0.85, `fraction in cores ${cores.fractionInCores}`);
  assert.ok(cores.framesBeforeFirstCore > 0);
  // milestoning removes sub-lag recrossings, so the fast within-pair process slows down; the slow one stays
  assert.ok(model.impliedTimescales[1] > plain.model.impliedTimescales[1], 'the within-pair process is slower between cores');
  const rel = Math.abs(model.impliedTimescales[0] - plain.model.impliedTimescales[0]) / plain.model.impliedTimescales[0];
  assert.ok(rel < 0.15, `slow process moved by ${(100 * rel).toFixed(1)} %`);
});
