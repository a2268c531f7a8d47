import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fromRows } from '../../linalg/index.ts';
import { simulateChain } from '../../markov/testing.ts';
import { runFileProblems } from '../../schema/index.ts';
import { encodeNpy } from '../../util/npy.ts';
import { createRng } from '../../util/rng.ts';
import { runCli } from '../run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'getsei-kinetics-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Run the CLI in this process (fast), capturing its error output. Its stdout summary is not captured: the test
 * runner reports results through this process's stdout, so intercepting it would swallow them (the summary is
 * checked in the separate-process test at the end).
 */
async function cli(...args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const err = process.stderr.write;
  process.stderr.write = ((chunk: string | Uint8Array) => { stderr += String(chunk); return true; }) as typeof process.stderr.write;
  try {
    const code = await runCli(['node', 'getsei', ...args]);
    return { code, stderr };
  } finally {
    process.stderr.write = err;
  }
}

// A run folder as the pipeline leaves it: states.npy int16 [nLi, nFrames] with −1 frames, segments.npy, manifest dtPs.
const K = fromRows([
  [0.96, 0.03, 0.01, 0, 0],
  [0.02, 0.95, 0.02, 0.01, 0],
  [0.01, 0.02, 0.94, 0.02, 0.01],
  [0, 0.01, 0.03, 0.93, 0.03],
  [0, 0, 0.01, 0.04, 0.95],
]);
const nLi = 12;
const nFrames = 3000;
const rng = createRng(2);
const states = new Int16Array(nLi * nFrames);
for (let i = 0; i < nLi; i++) {
  const traj = simulateChain(K, nFrames, rng, rng.int(5));
  for (let t = 0; t < nFrames; t++) states[i * nFrames + t] = rng.next() < 0.01 ? -1 : traj[t];
}
const segments = Int32Array.from({ length: nFrames }, (_, t) => (t < 1500 ? 0 : 1));
const run = join(dir, 'run');
const writeRun = (): void => {
  rmSync(run, { recursive: true, force: true });
  spawnSync('mkdir', ['-p', run]);
  writeFileSync(join(run, 'states.npy'), encodeNpy(states, [nLi, nFrames]));
  writeFileSync(join(run, 'segments.npy'), encodeNpy(segments, [nFrames]));
  writeFileSync(join(run, 'manifest.json'), JSON.stringify({ format: 'getsei-run/1', dtPs: 0.1 }));
};
writeRun();

const KINETICS_KEYS = ['lag', 'dt', 'activeSet', 'countMatrix', 'transitionMatrix', 'stationary', 'eigenvalues',
  'impliedTimescales', 'rateMatrix', 'rateMatrixDiagnostics', 'escapeRates', 'mobility', 'mobilityRanking', 'ckTest', 'bootstrap'];
const PATHS_KEYS = ['source', 'target', 'forwardCommittor', 'backwardCommittor', 'equilibriumFlux', 'grossFlux', 'netFlux',
  'totalFlux', 'rate', 'mfpt', 'pathways', 'pathwayDiversity'];

test('getsei kinetics RUN writes kinetics.json with the issue\'s keys, times in ps, and CSV tables beside it', async () => {
  const r = await cli('kinetics', run, '--lag', '2ps', '--lags', '1,2,5,10,20,40');
  assert.equal(r.code, 0, r.stderr);
  const k = JSON.parse(readFileSync(join(run, 'kinetics.json'), 'utf8'));
  for (const key of KINETICS_KEYS) assert.ok(key in k, `missing ${key}`);
  assert.equal(k.lagFrames, 20);
  assert.ok(Math.abs(k.lag - 2) < 1e-12);
  assert.equal(k.dt, 0.1);
  assert.ok(Math.abs(k.eigenvalues[0].re - 1) < 1e-12 && k.eigenvalues[0].im === 0);
  assert.equal(k.timeUnit, 'ps');
  assert.equal(k.rateUnit, '1/ps');
  assert.equal(k.counting.nSegments, 2);
  assert.equal(k.bootstrap, null);
  assert.equal(k.transitionMatrix.length, 5);
  for (const row of k.transitionMatrix) assert.ok(Math.abs(row.reduce((a: number, b: number) => a + b, 0) - 1) < 1e-12);
  assert.deepEqual(k.impliedTimescales.lagFrames, [1, 2, 5, 10, 20, 40]);
  assert.ok(Math.abs(k.impliedTimescales.lags[5] - 4) < 1e-12);
  assert.equal(k.ckTest.steps.length, 5);
  for (const t of ['countMatrix', 'transitionMatrix', 'rateMatrix', 'escapeRates', 'states', 'impliedTimescales']) {
    assert.ok(existsSync(join(run, `kinetics.${t}.csv`)), `kinetics.${t}.csv`);
  }
  const csv = readFileSync(join(run, 'kinetics.transitionMatrix.csv'), 'utf8').trim().split('\n');
  assert.equal(csv[0], 'from\\to,0,1,2,3,4');
  assert.equal(csv.length, 6);
});

test('getsei paths RUN reuses the lag of kinetics.json; default source/target = least → most mobile', async () => {
  const r = await cli('paths', run, '--coarse', '1,2;3');
  assert.equal(r.code, 0, r.stderr);
  const k = JSON.parse(readFileSync(join(run, 'kinetics.json'), 'utf8'));
  const p = JSON.parse(readFileSync(join(run, 'paths.json'), 'utf8'));
  for (const key of PATHS_KEYS) assert.ok(key in p, `missing ${key}`);
  assert.equal(p.lagFrames, k.lagFrames);
  assert.deepEqual(p.source, [k.mobilityRanking[k.mobilityRanking.length - 1]]);
  assert.deepEqual(p.target, [k.mobilityRanking[0]]);
  assert.equal(p.sourceTargetChoice, 'least mobile → most mobile');
  assert.ok(p.pathways.length >= 1 && p.pathways.length <= 5);
  const sum = p.pathways.reduce((a: number, x: { flux: number }) => a + x.flux, 0);
  assert.ok(sum <= p.totalFlux * (1 + 1e-12));
  assert.ok(p.pathwayDiversity.effectiveNumber >= 1);
  assert.ok(p.coarseGrained.sets.length >= 3);
  for (const t of ['equilibriumFlux', 'grossFlux', 'netFlux', 'states', 'pathways']) assert.ok(existsSync(join(run, `paths.${t}.csv`)));
  const given = await cli('paths', run, '--source', '0', '--target', 'S3,4', '--pathways', '2', '-o', join(dir, 'p2.json'));
  assert.equal(given.code, 0, given.stderr);
  const p2 = JSON.parse(readFileSync(join(dir, 'p2.json'), 'utf8'));
  assert.deepEqual([p2.source, p2.target, p2.sourceTargetChoice], [[0], [3, 4], 'given']);
  assert.ok(p2.pathways.length <= 2);
});

test('--dtrajs .json and .npy (1-D) with -o; lag in frames; times in frames without dt', async () => {
  const rows = Array.from({ length: 3 }, (_, i) => Array.from(states.subarray(i * nFrames, (i + 1) * nFrames)));
  writeFileSync(join(dir, 'd.json'), JSON.stringify(rows));
  const r = await cli('kinetics', '--dtrajs', join(dir, 'd.json'), '--lag', '5', '--estimator', 'reversible', '-o', join(dir, 'k.json'));
  assert.equal(r.code, 0, r.stderr);
  const k = JSON.parse(readFileSync(join(dir, 'k.json'), 'utf8'));
  assert.equal(k.timeUnit, 'frames');
  assert.equal(k.dt, null);
  assert.equal(k.estimator, 'reversible');
  assert.ok(k.estimatorDiagnostics.stationaryError < 1e-12);
  // no --lag: the same default as `run` (auto), chosen from the implied timescales even without dt
  const auto = await cli('kinetics', '--dtrajs', join(dir, 'd.json'), '--lags', '1,2', '-o', join(dir, 'k-auto.json'));
  assert.equal(auto.code, 0, auto.stderr);
  const ka = JSON.parse(readFileSync(join(dir, 'k-auto.json'), 'utf8'));
  assert.equal(ka.lagFrames, ka.lagChoice.lag);
  assert.match(ka.lagChoice.rule, /levelled-off|largest-timescale|shortest/);
  writeFileSync(join(dir, 'one.npy'), encodeNpy(Int32Array.from(rows[0]), [nFrames]));
  const one = await cli('paths', '--dtrajs', join(dir, 'one.npy'), '--lag', '3', '--dt', '0.5', '-o', join(dir, 'one-paths.json'));
  assert.equal(one.code, 0, one.stderr);
  assert.equal(JSON.parse(readFileSync(join(dir, 'one-paths.json'), 'utf8')).timeUnit, 'ps');
  // int64 arrays (numpy's default integer) are accepted
  writeFileSync(join(dir, 'i64ok.npy'), encodeNpy(BigInt64Array.from(rows[1].slice(0, 500), (v) => BigInt(v)), [1, 500]));
  const i64 = await cli('kinetics', '--dtrajs', join(dir, 'i64ok.npy'), '--lag', '2', '--lags', '1,2', '-o', join(dir, 'i64.json'));
  assert.equal(i64.code, 0, i64.stderr);
  // `-o FILE.json` has the shape of the run folder's file: the schema the report reads with finds no problem
  for (const [f, name] of [['k.json', 'kinetics.json'], ['k-auto.json', 'kinetics.json'], ['one-paths.json', 'paths.json'], ['p2.json', 'paths.json']] as const) {
    assert.deepEqual(runFileProblems(name, JSON.parse(readFileSync(join(dir, f), 'utf8'))), [], f);
  }
});

test('bootstrap through the CLI: error bars for π, escape rates, TPT rate and pathway fluxes; seeded', async () => {
  const a = await cli('kinetics', run, '--lag', '10', '--lags', '5,10', '--bootstrap', '15', '--seed', '4', '-o', join(dir, 'b1.json'));
  assert.equal(a.code, 0, a.stderr);
  const b = await cli('kinetics', run, '--lag', '10', '--lags', '5,10', '--bootstrap', '15', '--seed', '4', '-o', join(dir, 'b2.json'));
  assert.equal(b.code, 0, b.stderr);
  const j1 = JSON.parse(readFileSync(join(dir, 'b1.json'), 'utf8'));
  const j2 = JSON.parse(readFileSync(join(dir, 'b2.json'), 'utf8'));
  assert.deepEqual(j1.bootstrap, j2.bootstrap);
  const bs = j1.bootstrap;
  assert.equal(bs.nSamples, 15);
  assert.equal(bs.nUnits, nLi * 2);
  assert.equal(bs.stationary.mean.length, 5);
  assert.ok(bs.tpt.rate.std > 0);
  assert.ok(bs.tpt.pathways.length >= 1);
  assert.ok(bs.tpt.rate.lower <= bs.tpt.rate.upper);
  const p = await cli('paths', run, '--lag', '10', '--bootstrap', '10', '-o', join(dir, 'bp.json'));
  assert.equal(p.code, 0, p.stderr);
  assert.equal(JSON.parse(readFileSync(join(dir, 'bp.json'), 'utf8')).bootstrap.nSamples, 10);
});

test('every CLI error path exits 2 with one clear message', async () => {
  writeFileSync(join(dir, 'bad.json'), '{not json');
  writeFileSync(join(dir, 'obj.json'), '{"a": 1}');
  writeFileSync(join(dir, 'neg.json'), JSON.stringify([[0, 1, -2, 1]]));
  writeFileSync(join(dir, 'float.npy'), encodeNpy(Float64Array.of(0, 1, 0), [3]));
  writeFileSync(join(dir, 'cube.npy'), encodeNpy(new Int16Array(8), [2, 2, 2]));
  writeFileSync(join(dir, 'short.json'), JSON.stringify([[0, 1, 0, 1]]));
  writeFileSync(join(dir, 'seg.json'), JSON.stringify([0, 0]));
  writeFileSync(join(dir, 'd.txt'), '0 1 0');
  writeFileSync(join(dir, 'seg2d.npy'), encodeNpy(new Int32Array(4), [2, 2]));
  writeFileSync(join(dir, 'segf.npy'), encodeNpy(Float32Array.of(0, 0, 1, 1), [4]));
  writeFileSync(join(dir, 'segobj.json'), '{"ids": [0, 0]}');
  writeFileSync(join(dir, 'segfrac.json'), JSON.stringify([0, 0.5, 1, 1]));
  writeFileSync(join(dir, 'i64.npy'), encodeNpy(BigInt64Array.of(0n, 1n, -2n, 1n), [4]));
  writeFileSync(join(dir, 'ragged.json'), JSON.stringify([[0, 1, 0], 5]));
  const empty = join(dir, 'empty-run');
  spawnSync('mkdir', ['-p', empty]);
  const badManifest = join(dir, 'bad-manifest-run');
  spawnSync('mkdir', ['-p', badManifest]);
  writeFileSync(join(badManifest, 'states.npy'), encodeNpy(Int16Array.of(0, 1, 0, 1, 1, 0), [1, 6]));
  writeFileSync(join(badManifest, 'manifest.json'), '{oops');
  const badKinetics = join(dir, 'bad-kinetics-run');
  spawnSync('mkdir', ['-p', badKinetics]);
  writeFileSync(join(badKinetics, 'states.npy'), encodeNpy(Int16Array.of(0, 1, 0, 1, 1, 0), [1, 6]));
  writeFileSync(join(badKinetics, 'kinetics.json'), '[');
  const cases: [string[], RegExp][] = [
    [['kinetics'], /give a RUN folder .* or --dtrajs FILE/],
    [['kinetics', run, '--dtrajs', join(dir, 'd.json')], /not both/],
    [['kinetics', empty], /has no states .*states\.npy is missing/],
    [['kinetics', '--dtrajs', join(dir, 'd.json'), '--lag', '5'], /give the output file with -o/],
    [['kinetics', '--dtrajs', join(dir, 'nope.npy'), '--lag', '5', '-o', join(dir, 'x.json')], /no such file/],
    [['kinetics', '--dtrajs', join(dir, 'd.txt'), '--lag', '5', '-o', join(dir, 'x.json')], /unknown discrete-trajectory format/],
    [['kinetics', '--dtrajs', join(dir, 'bad.json'), '--lag', '5', '-o', join(dir, 'x.json')], /bad\.json: not valid JSON/],
    [['kinetics', '--dtrajs', join(dir, 'obj.json'), '--lag', '5', '-o', join(dir, 'x.json')], /expected an array of trajectories/],
    [['kinetics', '--dtrajs', join(dir, 'neg.json'), '--lag', '1', '-o', join(dir, 'x.json')], /neg\.json: trajectory 0, frame 2: state -2 is negative/],
    [['kinetics', '--dtrajs', join(dir, 'float.npy'), '--lag', '1', '-o', join(dir, 'x.json')], /float\.npy: states must be stored as integers/],
    [['kinetics', '--dtrajs', join(dir, 'cube.npy'), '--lag', '1', '-o', join(dir, 'x.json')], /1-D or 2-D array/],
    [['kinetics', '--dtrajs', join(dir, 'short.json'), '--lag', '10', '-o', join(dir, 'x.json')], /lag \(10 frames\) is not shorter .* use a lag below 4/],
    [['kinetics', '--dtrajs', join(dir, 'short.json'), '--segments', join(dir, 'seg.json'), '--lag', '1', '-o', join(dir, 'x.json')], /segment ids have 2 entries/],
    [['kinetics', run, '--segments', join(dir, 'seg.json'), '--lag', '1'], /--segments is for --dtrajs/],
    [['kinetics', '--dtrajs', join(dir, 'short.json'), '--segments', join(dir, 'seg2d.npy'), '--lag', '1', '-o', join(dir, 'x.json')], /seg2d\.npy: segment ids must be a 1-D array/],
    [['kinetics', '--dtrajs', join(dir, 'short.json'), '--segments', join(dir, 'segf.npy'), '--lag', '1', '-o', join(dir, 'x.json')], /segf\.npy: segment ids must be integers/],
    [['kinetics', '--dtrajs', join(dir, 'short.json'), '--segments', join(dir, 'segobj.json'), '--lag', '1', '-o', join(dir, 'x.json')], /expected an array of segment ids/],
    [['kinetics', '--dtrajs', join(dir, 'short.json'), '--segments', join(dir, 'segfrac.json'), '--lag', '1', '-o', join(dir, 'x.json')], /segment id 1 \(0\.5\) is not an integer/],
    [['kinetics', '--dtrajs', join(dir, 'i64.npy'), '--lag', '1', '-o', join(dir, 'x.json')], /i64\.npy: entry 2 \(-2\) is not a state label/],
    [['kinetics', '--dtrajs', join(dir, 'ragged.json'), '--lag', '1', '-o', join(dir, 'x.json')], /trajectory 1 is not an array of states/],
    [['kinetics', badManifest, '--lag', '1'], /manifest\.json: not valid JSON/],
    [['paths', badKinetics], /kinetics\.json: not valid JSON .* give --lag/],
    [['kinetics', '--dtrajs', join(dir, 'short.json'), '--lag', '1', '--bootstrap', '5', '-o', join(dir, 'x.json')], /bootstrap needs at least two trajectories/],
    [['kinetics', run, '--lag', 'soon'], /neither a number of frames .* nor "auto"/],
    [['kinetics', run, '--lag', '0'], /at least 1 frame/],
    [['kinetics', run, '--lag', '0.15ps'], /1\.5 frames of 0\.1 ps, not a whole number; give --lag 1 \(0\.1 ps\) or 2/],
    [['kinetics', '--dtrajs', join(dir, 'd.json'), '--lag', '2ps', '-o', join(dir, 'x.json')], /frame interval is unknown; give --dt/],
    [['kinetics', run, '--lag', '5', '--estimator', 'msm'], /--estimator must be one of edmd, reversible/],
    [['kinetics', run, '--lag', '5', '--rate-method', 'magic'], /--rate-method must be one of/],
    [['kinetics', run, '--lag', '5', '--mobility', 'median'], /--mobility must be one of/],
    [['kinetics', run, '--lag', '5', '--undefined', 'skip'], /--undefined must be one of split, pairs/],
    [['kinetics', run, '--lag', '5', '--dt', '-1'], /--dt must be a positive number/],
    [['kinetics', run, '--lag', '5', '--bootstrap', '-3'], /--bootstrap must be a non-negative integer/],
    [['kinetics', run, '--lag', '5', '--confidence', '1.5'], /--confidence must be between 0 and 1/],
    [['kinetics', run, '--lag', '5', '--ck-steps', '0'], /--ck-steps must be a positive integer/],
    [['kinetics', run, '--lag', '5', '--lags', '1,x'], /--lags: "x" is neither/],
    [['kinetics', run, '--lag', '5', '--bootstrap', '3', '--source', '1', '--target', '1'], /overlap in state\(s\) 1/],
    [['paths', run, '--lag', '5', '--source', '0', '--target', '9'], /target state 9 does not exist: there are 5 states, 0–4 \(S0–S4 in the report\)/],
    [['paths', run, '--lag', '5', '--source', 'x'], /--source: "x" is not a state number/],
    [['paths', run, '--lag', '5', '--source', ','], /--source: give state numbers/],
    [['paths', run, '--lag', '5', '--coarse', '1,2;2,3'], /overlap in state 2/],
    [['paths', run, '--lag', '5', '--coarse', ';'], /--coarse: give sets/],
    [['paths', run, '--lag', '5', '--pathways', '0'], /--pathways must be a positive integer/],
  ];
  for (const [args, re] of cases) {
    const r = await cli(...args);
    assert.equal(r.code, 2, `${args.join(' ')} → exit ${r.code}: ${r.stderr}`);
    assert.match(r.stderr, /^getsei: error: /, args.join(' '));
    assert.match(r.stderr, re, `${args.join(' ')}: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
});

test('end to end as a user runs it (separate process): kinetics then paths on a run folder', () => {
  writeRun();
  const main = new URL('../main.ts', import.meta.url).pathname;
  const k = spawnSync(process.execPath, ['--import', 'tsx', main, 'kinetics', run, '--lag', '1ps', '--lags', '5,10'], { encoding: 'utf8' });
  assert.equal(k.status, 0, k.stderr);
  assert.match(k.stdout, /at lag 10 frames = 1 ps: 5 active states/);
  assert.match(k.stdout, /mobility ranking/);
  const p = spawnSync(process.execPath, ['--import', 'tsx', main, 'paths', run], { encoding: 'utf8' });
  assert.equal(p.status, 0, p.stderr);
  assert.match(p.stdout, /path 1: /);
  assert.equal(JSON.parse(readFileSync(join(run, 'paths.json'), 'utf8')).lagFrames, 10);
});
