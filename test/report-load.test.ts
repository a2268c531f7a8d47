import { strict as assert } from 'node:assert';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { makeFixtureReportInput, writeFixtureRun } from './report-fixture.ts';
import { loadReportInput, renderReport } from '../src/report/index.ts';
import { reportFigures } from '../src/report/figures.ts';
import { runKineticsWithModel, runPaths } from '../src/tpt/index.ts';
import { createRng } from '../src/util/rng.ts';
import { GetseiError } from '../src/util/errors.ts';

/** As JSON sees it: keys holding undefined are absent. */
const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

let root: string;
before(async () => { root = await mkdtemp(join(tmpdir(), 'getsei-report-load-')); });
after(async () => { await rm(root, { recursive: true, force: true }); });

test('a fixture run folder loads back into the ReportInput it was written from', async () => {
  const fixture = makeFixtureReportInput();
  const dir = join(root, 'fixture');
  await writeFixtureRun(dir, fixture);
  const { input, found, problems } = await loadReportInput(dir);
  assert.deepEqual(problems, []);
  assert.deepEqual(found, ['manifest.json', 'states.json', 'kinetics.json', 'paths.json']);
  assert.equal(input.title, 'fixture');
  assert.deepEqual(input.kinetics, fixture.kinetics);
  assert.deepEqual(input.paths, fixture.paths);
  const { representatives, ...states } = input.states!;
  const { representatives: fixtureReps, ...fixtureStates } = fixture.states!;
  assert.deepEqual(plain(states), fixtureStates);
  // representatives come back from their .xyz files, in order, with the centre and where they came from
  assert.deepEqual(representatives!.map((r) => r.xyz), fixtureReps!.map((r) => r.xyz));
  assert.deepEqual(input.zProfile, fixture.zProfile);
  assert.deepEqual(input.frameView, fixture.frameView);
  assert.deepEqual(plain(input.stability), fixture.stability);
  assert.deepEqual(input.provenance!.inputs, fixture.provenance!.inputs);
  assert.deepEqual(input.provenance!.timings, fixture.provenance!.timings);
  assert.deepEqual(input.provenance!.seeds, fixture.provenance!.seeds);
});

/** A 6-state chain simulated from the fixture's transition matrix: trajectories as the states stage would give. */
function simulate(nTraj: number, nFrames: number, seed: number): Int16Array[] {
  const k = makeFixtureReportInput().kinetics!.transitionMatrix;
  const rng = createRng(seed);
  return Array.from({ length: nTraj }, () => {
    const t = new Int16Array(nFrames);
    let s = rng.int(6);
    for (let f = 0; f < nFrames; f++) {
      t[f] = s;
      let u = rng.next();
      let next = 0;
      while (next < 5 && u > k[s][next]) u -= k[s][next++];
      s = next;
    }
    return t;
  });
}

test('kinetics.json and paths.json as the kinetics engine writes them load completely and draw every kinetic figure', async () => {
  const dir = join(root, 'engine');
  await mkdir(dir, { recursive: true });
  const dtrajs = simulate(24, 300, 3);
  const { report, model } = runKineticsWithModel(dtrajs, { lag: 2, dtPs: 10, nStates: 6, bootstrap: { nSamples: 8, seed: 5 } });
  const paths = runPaths(model);
  await writeFile(join(dir, 'kinetics.json'), JSON.stringify(report));
  await writeFile(join(dir, 'paths.json'), JSON.stringify(paths));
  const { input, problems } = await loadReportInput(dir);
  assert.deepEqual(problems, []);
  const k = input.kinetics!;
  assert.equal(k.timeUnit, 'ps');
  assert.equal(k.lag, 20, 'the lag in ps, not frames');
  assert.deepEqual(k.transitionMatrix, report.transitionMatrix);
  assert.deepEqual(k.mobilityRanking, report.mobilityRanking);
  assert.deepEqual(k.escapeRates, report.totalEscapeRates);
  assert.deepEqual(k.impliedTimescalesScan!.lags, report.impliedTimescales.lags);
  assert.ok(k.impliedTimescales!.length >= 1 && k.impliedTimescales!.every((t) => t > 0));
  assert.equal(k.ckTest!.steps.length, report.ckTest.steps.length);
  assert.equal(k.eigenvalues!.length, 6);
  assert.equal(k.bootstrap!.samples, report.bootstrap!.nSucceeded);
  assert.ok(k.bootstrap!.stationary!.lower.every((x, i) => x <= k.stationary[i] + 1e-12));
  assert.equal(k.mobilityNormalisation, 'total escape rate divided by the largest');
  const d = report.rateMatrixDiagnostics;
  assert.equal(k.rateMatrixDiagnostics!.method, d.description, 'the engine says in words what R is');
  assert.equal(k.rateMatrixDiagnostics!.valid, d.isGenerator && d.source === 'logm');
  assert.equal(k.rateMatrixDiagnostics!.reconstructionError, d.reconstructionError);
  const p = input.paths!;
  assert.deepEqual(p.source, paths.source);
  assert.deepEqual(p.pathways.map((w) => w.bottleneck), paths.pathways.map((w) => [w.bottleneck.from, w.bottleneck.to]));
  assert.equal(p.pathwayDiversity!.effectiveNumber, paths.pathwayDiversity.effectiveNumber);
  assert.equal(k.bootstrap!.pathwayFlux!.lower.length, p.pathways.length, 'pathway error bars matched by state sequence');
  // every figure that needs only kinetics and paths can be drawn
  const missing = reportFigures(input).filter((f) => f.missing).map((f) => f.name).sort();
  assert.deepEqual(missing, ['coordination', 'embedding-map', 'escape-rate-correlation', 'state-count', 'transport-msd', 'transport-profile', 'transport-states', 'z-profile']);
});

test('the states stage\'s states.json (descriptors under "mean", t-SNE map as arrays, nulls) loads', async () => {
  const dir = join(root, 'states');
  await mkdir(join(dir, 'representatives'), { recursive: true });
  await writeFile(join(dir, 'representatives', 'S0_0.extxyz'), '2\nProperties=species:S:1:pos:R:3 centre=0\nLi 0 0 0\nS 2.4 0 0\n');
  await writeFile(join(dir, 'states.json'), JSON.stringify({
    format: 'getsei-states/1', count: 2, silhouette: 0.12, silhouettePerState: [0.2, null],
    scoreTable: [{ count: 2, bic: -10, aic: -12, logLikelihood: 5, silhouette: 0.12, converged: true }, { count: 3, bic: -8, aic: -9, logLikelihood: 6, silhouette: null, converged: true }],
    populations: [0.7, 0.3],
    descriptors: [0, 1].map((s) => ({ state: s, samples: 10, population: s ? 0.3 : 0.7, mean: { mean_distance: 3 + s, count_Li: 4 - s, count_S: 1 + s, adf_mean: 60, adf_std: 20, adf_min: 30, adf_max: 170, adf_median: 62, li_density: 0.01 * (s + 1), z_fraction: 0.2 + 0.5 * s }, std: {} })),
    representatives: [{ state: 0, file: 'representatives/S0_0.extxyz', frame: 12, atom: 3, distance: 0.1 }, { state: 1, file: 'representatives/missing.extxyz' }],
    map: { method: 'tsne', x: [0, 1, 2], y: [1, 2, 3], state: [0, 1, 1], graph: [5, 6, 7] },
    warnings: ['the states are weakly separated: silhouette 0.120 < 0.25'],
  }));
  const { input, problems } = await loadReportInput(dir);
  const s = input.states!;
  assert.equal(s.silhouette!.overall, 0.12);
  assert.ok(Number.isNaN(s.silhouette!.perState![1]));
  assert.deepEqual(s.descriptors!.elements, ['Li', 'S']);
  assert.deepEqual(s.descriptors!.coordination, [[4, 1], [3, 2]]);
  assert.deepEqual(s.descriptors!.liDensity, [10, 20], 'Å⁻³ → nm⁻³');
  assert.deepEqual(s.descriptors!.meanZFraction, [0.2, 0.7]);
  assert.equal(s.embeddingMap!.method, 't-SNE');
  assert.deepEqual(s.embeddingMap!.points[2], { x: 2, y: 3, state: 1 });
  assert.equal(s.representatives!.length, 1);
  assert.equal(s.representatives![0].note, 'frame 12, atom 3');
  assert.equal(problems.length, 1, 'the unreadable representative is reported');
  assert.match(problems[0], /states\.json: "representatives".*missing\.extxyz/);
  assert.ok(input.warnings!.includes('the states are weakly separated: silhouette 0.120 < 0.25'));
  // the report does not say the same thing twice
  const html = await readFile((await renderReport(input, dir, { png: false })).html, 'utf8');
  assert.equal((html.match(/weakly separated/g) ?? []).length, 2, 'once at the top, once under diagnostics');
});

test('wrongly shaped fields are left out and named; the rest of the report still renders', async () => {
  const dir = join(root, 'bad-field');
  const fixture = makeFixtureReportInput();
  await writeFixtureRun(dir, fixture);
  const k = JSON.parse(await readFile(join(dir, 'kinetics.json'), 'utf8')) as Record<string, unknown>;
  k.rateMatrix = [[1, 2], [3]];
  k.mobilityRanking = 'S5 > S0';
  await writeFile(join(dir, 'kinetics.json'), JSON.stringify(k));
  const { input, problems } = await loadReportInput(dir);
  assert.equal(problems.length, 2);
  assert.ok(problems.some((p) => /kinetics\.json: "rateMatrix" is not a 6×6 matrix/.test(p)));
  assert.ok(problems.some((p) => /"mobilityRanking"/.test(p)));
  assert.equal(input.kinetics!.rateMatrix, undefined);
  assert.deepEqual(input.kinetics!.transitionMatrix, fixture.kinetics!.transitionMatrix);
  const missing = reportFigures(input).filter((f) => f.missing).map((f) => f.name);
  assert.deepEqual(missing, ['escape-rates'], 'escape-rate heatmap needs R; mobility and correlation use the escape rates');
});

test('errors: a missing folder, an empty folder, invalid JSON — each names the file and what to do', async () => {
  await assert.rejects(loadReportInput(join(root, 'nope')), (e: unknown) => e instanceof GetseiError && /does not exist/.test(e.message));
  const empty = join(root, 'empty');
  await mkdir(empty);
  await assert.rejects(loadReportInput(empty), (e: unknown) => e instanceof GetseiError && /no results to report.*getsei run/.test(e.message));
  await writeFile(join(empty, 'kinetics.json'), '{"lag": 80,');
  await assert.rejects(loadReportInput(empty), (e: unknown) => e instanceof GetseiError && /kinetics\.json is not valid JSON/.test(e.message));
  await writeFile(join(empty, 'kinetics.json'), '[1, 2]');
  await assert.rejects(loadReportInput(empty), (e: unknown) => e instanceof GetseiError && /should hold a JSON object, found an array/.test(e.message));
  await writeFile(join(empty, 'kinetics.json'), '{"lag": 80}');
  const { input, problems } = await loadReportInput(empty);
  assert.equal(input.kinetics, undefined);
  assert.match(problems[0], /"transitionMatrix" is missing/);
  const file = join(root, 'a-file');
  await writeFile(file, 'x');
  await assert.rejects(loadReportInput(file), /is not a folder/);
});
