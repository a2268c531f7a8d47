import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodeNpy } from '../src/util/npy.ts';
import { fmt } from '../src/report/derive.ts';
import { loadReportInput } from '../src/report/index.ts';
import { getsei } from './helpers.ts';

const lgps = new URL('./data/LGPS-600K-small/LGPS-600K.extxyz.gz', import.meta.url).pathname;

// Small and fast: 150 frames × 20 Li of LGPS, one training epoch, 3 states, few restarts and resamples.
/** The report's metrics row for the lag, as report-page writes it. */
function reportLag(k: { lag: number; timeUnit: string }): string {
  return `<tr><td>lag time τ (${k.timeUnit})</td><td>${fmt(k.lag)}</td></tr>`;
}

const CONFIG = `
[input]
stop = 150
[contrastive]
epochs = 1
batchSize = 64
[states]
count = 3
minCount = 2
maxCount = 4
restarts = 1
fitSampleSize = 2000
silhouetteSampleSize = 500
mapSampleSize = 300
[kinetics]
lag = 5
bootstrap = 5
[stability]
repeats = 2
[transport]
bootstrap = 50
profileBins = 4
stateMaxLagPs = 0.5
`;

test('getsei run: every output exists and parses; a second run skips every stage; a new lag reruns only kinetics onwards', { timeout: 600_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'getsei-run-'));
  const run = join(dir, 'run');
  writeFileSync(join(dir, 'getsei.toml'), CONFIG);
  const first = getsei(['run', lgps, '-o', run, '-c', join(dir, 'getsei.toml'), '--threads', '2']);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /stages run: featurize, encoder, states, kinetics, transport, paths, stability, report/);
  assert.match(first.stdout, /report: .*report\.html/);

  for (const f of ['manifest.json', 'config.json', 'states.json', 'kinetics.json', 'paths.json', 'stability.json', 'encoder/config.json', 'encoder/training.json']) {
    assert.doesNotThrow(() => JSON.parse(readFileSync(join(run, f), 'utf8')), f);
  }
  const states = decodeNpy(readFileSync(join(run, 'states.npy')));
  assert.deepEqual(states.shape, [20, 150]);
  const labels = new Set(states.data as Int16Array);
  assert.ok([...labels].every((s) => s >= -1 && s < 3));
  const emb = decodeNpy(readFileSync(join(run, 'embeddings.npy')));
  assert.deepEqual(emb.shape, [3000, 32]);
  assert.ok(Array.from(emb.data as Float32Array).every(Number.isFinite));
  const graphs = decodeNpy(readFileSync(join(run, 'graphs.npy')));
  assert.deepEqual(graphs.shape, [3000, 2]);
  const kinetics = JSON.parse(readFileSync(join(run, 'kinetics.json'), 'utf8'));
  assert.equal(kinetics.lagFrames, 5);
  for (const row of kinetics.transitionMatrix) assert.ok(Math.abs(row.reduce((a: number, b: number) => a + b, 0) - 1) < 1e-9);
  const paths = JSON.parse(readFileSync(join(run, 'paths.json'), 'utf8'));
  assert.ok(Math.abs(paths.pathways.reduce((a: number, p: { fraction: number }) => a + p.fraction, 0) - 1) < 1e-6 || paths.pathways.length === 5);
  const stability = JSON.parse(readFileSync(join(run, 'stability.json'), 'utf8'));
  assert.equal(stability.repeats, 2);
  assert.ok(stability.meanAri >= -1 && stability.meanAri <= 1);
  assert.equal(stability.perStateStability.length, 3);
  assert.ok(stability.conclusions.length >= 3);
  const statesJson = JSON.parse(readFileSync(join(run, 'states.json'), 'utf8'));
  assert.equal(statesJson.count, 3);
  assert.equal(statesJson.representatives.length, 15);
  for (const r of statesJson.representatives) assert.ok(existsSync(join(run, r.file)), r.file);
  const figures = readdirSync(join(run, 'figures'));
  assert.ok(figures.filter((f) => f.endsWith('.svg')).length >= 10, figures.join(', '));
  assert.ok(figures.includes('implied-timescales.png'));
  const tables = readdirSync(join(run, 'tables'));
  assert.ok(tables.includes('transition-matrix.csv') && tables.includes('pathways.csv'), tables.join(', '));
  assert.deepEqual(tables.filter((f) => /^(kinetics|paths)\./.test(f)), [], 'one set of tables, the report\'s');
  // the report reads every file of a real run through its schema without a problem
  const loaded = await loadReportInput(run);
  assert.deepEqual(loaded.problems, []);
  assert.deepEqual(loaded.found, ['manifest.json', 'states.json', 'kinetics.json', 'paths.json', 'stability.json', 'transport.json']);
  const transport = JSON.parse(readFileSync(join(run, 'transport.json'), 'utf8'));
  assert.ok(transport.tracerDiffusion.value > 0 && transport.msd.li.length === transport.msd.timePs.length);
  // the [transport] section reaches the stage; after kinetics it has the states and the mobility
  assert.equal(transport.profile.nBins, 4);
  assert.equal(transport.perState.nStates, 3);
  assert.equal(transport.perState.timePs.length, 26);
  assert.equal(transport.perState.residence.perState.length, 3);
  assert.ok(transport.perState.mobilityCheck === null || Math.abs(transport.perState.mobilityCheck.rho) <= 1);
  assert.match(first.stdout, /transport: tracer D\* /);
  assert.ok(existsSync(join(run, 'transport-states.csv')) && existsSync(join(run, 'transport-profile.csv')));
  const manifest = JSON.parse(readFileSync(join(run, 'manifest.json'), 'utf8'));
  for (const s of ['featurize', 'encoder', 'states', 'kinetics', 'transport', 'paths', 'stability', 'report']) assert.equal(manifest.stages[s].status, 'done', s);
  assert.equal(manifest.dtPs, 0.02);
  assert.equal(manifest.inputs[0].sha256.length, 64);
  assert.ok(!readdirSync(run).some((f) => f.includes('.tmp') || f.includes('partial')));

  const second = getsei(['run', lgps, '-o', run, '-c', join(dir, 'getsei.toml')]);
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stdout, /stages run: none; up to date: featurize, encoder, states, kinetics, transport, paths, stability, report/);

  const third = getsei(['run', lgps, '-o', run, '-c', join(dir, 'getsei.toml'), '--lag', '3']);
  assert.equal(third.code, 0, third.stderr);
  assert.match(third.stdout, /stages run: kinetics, transport, paths, stability, report; up to date: featurize, encoder, states/);
  assert.equal(JSON.parse(readFileSync(join(run, 'kinetics.json'), 'utf8')).lagFrames, 3);

  // kinetics / paths on the run folder go through the manifest: never a folder mixing lags
  const lagsAgree = (frames: number, step: string): void => {
    const k = JSON.parse(readFileSync(join(run, 'kinetics.json'), 'utf8'));
    const p = JSON.parse(readFileSync(join(run, 'paths.json'), 'utf8'));
    assert.equal(k.lagFrames, frames, `${step}: kinetics.json`);
    assert.equal(p.lagFrames, frames, `${step}: paths.json`);
    assert.equal(JSON.parse(readFileSync(join(run, 'config.json'), 'utf8')).kinetics.lag, frames, `${step}: config.json`);
    const html = readFileSync(join(run, 'report.html'), 'utf8');
    assert.ok(html.includes(reportLag(k)), `${step}: the report shows lag ${reportLag(k)}`);
    const m = JSON.parse(readFileSync(join(run, 'manifest.json'), 'utf8'));
    for (const s of ['kinetics', 'paths', 'report']) assert.equal(m.stages[s].status, 'done', `${step}: ${s}`);
  };
  const k4 = getsei(['kinetics', run, '--lag', '4']);
  assert.equal(k4.code, 0, k4.stderr);
  assert.match(k4.stdout, /stages run: kinetics, transport, paths, stability, report/);
  lagsAgree(4, 'kinetics RUN --lag 4');
  // provenance: each stage records the command that ran it, and the report names the one behind its results
  const m4 = JSON.parse(readFileSync(join(run, 'manifest.json'), 'utf8'));
  assert.equal(m4.stages.kinetics.command, `getsei kinetics ${run} --lag 4`);
  assert.match(m4.stages.encoder.command, /^getsei run .* -o /);
  assert.ok(readFileSync(join(run, 'report.html'), 'utf8').includes(`getsei kinetics ${run} --lag 4`), 'the report shows the command');
  const back = getsei(['run', lgps, '-o', run, '-c', join(dir, 'getsei.toml'), '--lag', '3']);
  assert.equal(back.code, 0, back.stderr);
  assert.match(back.stdout, /stages run: kinetics, transport, paths, stability, report/);
  lagsAgree(3, 'then run --lag 3');
  const p2 = getsei(['paths', run, '--lag', '2']);
  assert.equal(p2.code, 0, p2.stderr);
  lagsAgree(2, 'paths RUN --lag 2');
  const back2 = getsei(['run', lgps, '-o', run, '-c', join(dir, 'getsei.toml'), '--lag', '3']);
  assert.equal(back2.code, 0, back2.stderr);
  lagsAgree(3, 'then run --lag 3 again');
  const refused = getsei(['kinetics', run, '--rate-method', 'clip']);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /pipeline run folder: .* no setting for --rate-method; write a separate result with -o FILE\.json/);

  // every count of the score table has a cross-validated VAMP-2 in [1 − noise, K]
  for (const row of statesJson.scoreTable) assert.ok(row.vamp2 > 0.9 && row.vamp2 <= row.count + 1e-9, `VAMP-2 ${row.vamp2} of ${row.count} states`);
  // the default: the mixture runs in the TICA space of the embeddings, recorded in states.json
  assert.equal(statesJson.projection.method, 'tica');
  assert.ok(statesJson.projection.dim >= 1 && statesJson.projection.dim <= 32);
  assert.ok(statesJson.projection.eigenvalues.every((v: number) => Math.abs(v) <= 1 + 1e-9));
  const y = decodeNpy(readFileSync(join(run, 'projected.npy')));
  assert.deepEqual(y.shape, [3000, statesJson.projection.dim]);

  // the paper's mode: only states onwards rerun, on the raw embeddings, and no projection is left behind
  const fourth = getsei(['run', lgps, '-o', run, '-c', join(dir, 'getsei.toml'), '--lag', '3', '--projection', 'none', '--no-stability']);
  assert.equal(fourth.code, 0, fourth.stderr);
  assert.match(fourth.stdout, /stages run: states, kinetics, transport, paths, report; up to date: featurize, encoder/);
  const paper = JSON.parse(readFileSync(join(run, 'states.json'), 'utf8'));
  assert.equal(paper.projection, null);
  assert.ok(!existsSync(join(run, 'projected.npy')));

  // VAMP-2 of the projected and of the paper's states side by side: each run scores the other kind by refitting it
  // with the same seed and sample, so the other row must reproduce the other run's own score exactly
  const row = (j: { scoreTable: { count: number; vamp2: number }[] }): number => j.scoreTable.find((r) => r.count === 3)?.vamp2 ?? NaN;
  assert.deepEqual(statesJson.kineticComparison.rows.map((r: { states: string }) => r.states), ['projected', 'paper']);
  assert.deepEqual(paper.kineticComparison.rows.map((r: { states: string }) => r.states), ['paper', 'projected']);
  assert.equal(paper.kineticComparison.rows[0].vamp2, row(paper));
  assert.equal(statesJson.kineticComparison.rows[1].vamp2, row(paper), 'the paper\'s states rescored inside the projected run');
  assert.equal(paper.kineticComparison.rows[1].vamp2, row(statesJson), 'the projected states rescored inside the paper\'s run');
  assert.ok(!existsSync(join(run, '.comparison-projected.npy')), 'no scratch file left');
  const page = readFileSync(join(run, 'report.html'), 'utf8');
  assert.ok(page.includes('Kinetic quality of the states') && page.includes(paper.kineticComparison.rows[1].vamp2.toFixed(3)), 'the report shows both VAMP-2');
});

test('getsei run: a bad config key is a clear error before any work', () => {
  const dir = mkdtempSync(join(tmpdir(), 'getsei-run-'));
  writeFileSync(join(dir, 'bad.toml'), '[states]\ncuont = 6\n');
  const r = getsei(['run', lgps, '-o', join(dir, 'run'), '-c', join(dir, 'bad.toml')]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown key\(s\) "cuont"/);
  assert.ok(!existsSync(join(dir, 'run')));
});
