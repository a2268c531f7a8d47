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
import { RUN_FILE_SCHEMAS, runFileProblems, type RunFileName } from '../src/schema/index.ts';

let root: string;
before(async () => { root = await mkdtemp(join(tmpdir(), 'getsei-report-load-')); });
after(async () => { await rm(root, { recursive: true, force: true }); });

test('a fixture run folder (the writers\' shapes, checked by the schema) loads back into the ReportInput it was written from', async () => {
  const fixture = makeFixtureReportInput();
  const dir = join(root, 'fixture');
  await writeFixtureRun(dir, fixture);
  for (const name of Object.keys(RUN_FILE_SCHEMAS) as RunFileName[]) {
    assert.deepEqual(runFileProblems(name, JSON.parse(await readFile(join(dir, name), 'utf8'))), [], name);
  }
  const { input, found, problems } = await loadReportInput(dir);
  assert.deepEqual(problems, []);
  assert.deepEqual(found, ['manifest.json', 'states.json', 'kinetics.json', 'paths.json', 'stability.json', 'transport.json']);
  assert.equal(input.title, 'fixture');
  const { ckTest, ...kinetics } = input.kinetics!;
  const { ckTest: fixtureCk, ...fixtureKinetics } = fixture.kinetics!;
  assert.deepEqual(kinetics, fixtureKinetics);
  assert.deepEqual(ckTest, { steps: fixtureCk!.steps, predicted: fixtureCk!.predicted, estimated: fixtureCk!.estimated });
  assert.deepEqual({ ...input.paths, timeUnit: undefined, activeSet: undefined }, { ...fixture.paths, timeUnit: undefined, activeSet: undefined });
  const s = input.states!;
  const f = fixture.states!;
  assert.deepEqual([s.count, s.populations, s.silhouette, s.embeddingMap], [f.count, f.populations, f.silhouette, f.embeddingMap]);
  assert.deepEqual(s.scoreTable, f.scoreTable);
  assert.deepEqual([s.descriptors!.elements, s.descriptors!.coordination, s.descriptors!.angleMeanDeg], [f.descriptors!.elements, f.descriptors!.coordination, f.descriptors!.angleMeanDeg]);
  // representatives come back from their .xyz files, in order
  assert.deepEqual(s.representatives!.map((r) => r.xyz), f.representatives!.map((r) => r.xyz));
  assert.deepEqual(input.zProfile!.fractions, fixture.zProfile!.fractions);
  assert.deepEqual(input.frameView!.stateByAtom, fixture.frameView!.stateByAtom);
  assert.deepEqual(input.stability, fixture.stability);
  assert.deepEqual(input.transport, fixture.transport);
  assert.deepEqual(input.kineticQuality, fixture.kineticQuality);
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

test('a file that does not fit its schema is named field by field and its part left out; the rest still renders', async () => {
  const dir = join(root, 'bad-field');
  const fixture = makeFixtureReportInput();
  await writeFixtureRun(dir, fixture);
  const k = JSON.parse(await readFile(join(dir, 'kinetics.json'), 'utf8')) as Record<string, unknown>;
  k.mobilityRanking = 'S5 > S0';
  await writeFile(join(dir, 'kinetics.json'), JSON.stringify(k));
  await rm(join(dir, 'representatives', 'S0-0.xyz'));
  const { input, problems } = await loadReportInput(dir);
  assert.deepEqual(problems, [
    'kinetics.json: mobilityRanking: Invalid input: expected array, received string',
    'states.json: representatives/S0-0.xyz cannot be read (ENOENT)',
  ]);
  assert.equal(input.kinetics, undefined);
  assert.deepEqual(input.warnings!.find((w) => w.code === 'run-file'), { code: 'run-file', message: problems[0] }, 'the problems are shown in the report');
  assert.equal(input.states!.representatives!.length, fixture.states!.representatives!.length - 1);
  const html = await readFile((await renderReport(input, dir, { png: false })).html, 'utf8');
  assert.match(html, /mobilityRanking: Invalid input/);
});

test('the stages\' warnings (codes) reach the report once: the stability stage\'s "encoder adds no separation" too', async () => {
  const dir = join(root, 'warnings');
  await writeFixtureRun(dir);
  const patch = async (name: RunFileName, warnings: unknown[]): Promise<void> => {
    const o = JSON.parse(await readFile(join(dir, name), 'utf8')) as Record<string, unknown>;
    await writeFile(join(dir, name), JSON.stringify({ ...o, warnings }));
  };
  const encoder = { code: 'encoder-adds-no-separation', message: 'a mixture on the raw features separates as well (silhouette 0.4 vs 0.3): the encoder adds no separation here' };
  const unstable = { code: 'unstable-states', message: 'unstable states (mean Jaccard overlap < 0.6 across repeats): S2' };
  await patch('stability.json', [encoder, unstable]);
  await patch('states.json', [{ code: 'weak-separation', message: 'the states are weakly separated: silhouette 0.120 < 0.25' }]);
  const fixture = makeFixtureReportInput();
  const { input, problems } = await loadReportInput(dir);
  assert.deepEqual(problems, []);
  input.states!.silhouette = { overall: 0.12, perState: [0.1, 0.1, 0.1, 0.1, 0.1, 0.1] };
  input.stability = { ...fixture.stability!, unstableStates: [2] };
  const html = await readFile((await renderReport(input, dir, { png: false })).html, 'utf8');
  assert.equal((html.match(/the encoder adds no separation here/g) ?? []).length, 2, 'once at the top, once under diagnostics');
  assert.equal((html.match(/weakly separated/g) ?? []).length, 2, 'the report does not derive a second weak-separation warning');
  assert.doesNotMatch(html, /Unstable state\(s\) between repeats/, 'nor a second unstable-states one');
  await patch('stability.json', [{ code: 'encoder', message: 'prose only' }]);
  assert.match((await loadReportInput(dir)).problems[0], /^stability\.json: warnings\[0\]\.code: Invalid option/);
});

test('errors: a missing folder, an empty folder or a file is one clear error; invalid JSON is a problem naming the file', async () => {
  await assert.rejects(loadReportInput(join(root, 'nope')), (e: unknown) => e instanceof GetseiError && /does not exist/.test(e.message));
  const empty = join(root, 'empty');
  await mkdir(empty);
  await assert.rejects(loadReportInput(empty), (e: unknown) => e instanceof GetseiError && /no results to report.*getsei run/.test(e.message));
  await writeFile(join(empty, 'kinetics.json'), '{"lag": 80,');
  assert.match((await loadReportInput(empty)).problems[0], /^kinetics\.json: is not valid JSON .*rerun the stage/);
  await writeFile(join(empty, 'kinetics.json'), '[1, 2]');
  assert.match((await loadReportInput(empty)).problems[0], /^kinetics\.json: \(the whole file\): Invalid input: expected object, received array/);
  const file = join(root, 'a-file');
  await writeFile(file, 'x');
  await assert.rejects(loadReportInput(file), /is not a folder/);
});
