import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { makeFixtureReportInput, writeFixtureRun } from './report-fixture.ts';

const main = new URL('../src/cli/main.ts', import.meta.url).pathname;

function getsei(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', main, ...args], { encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

let root: string;
before(async () => { root = await mkdtemp(join(tmpdir(), 'getsei-report-cli-')); });
after(async () => { await rm(root, { recursive: true, force: true }); });

test('getsei report RUN writes report.html, an SVG and a PNG per figure and CSV tables, leaving no temporary files', async () => {
  const run = join(root, 'run-a');
  await writeFixtureRun(run);
  const r = getsei(['report', run]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /17 figures, \d+ tables\nreport: .*run-a\/report\.html/);
  const figures = await readdir(join(run, 'figures'));
  const names = figures.filter((f) => f.endsWith('.svg')).map((f) => f.slice(0, -4)).sort();
  assert.equal(names.length, 17);
  for (const n of names) {
    assert.ok(figures.includes(`${n}.png`), `${n}.png`);
    assert.ok((await stat(join(run, 'figures', `${n}.png`))).size > 5000);
  }
  const tables = await readdir(join(run, 'tables'));
  for (const t of ['metrics.csv', 'states.csv', 'transition-matrix.csv', 'rate-matrix.csv', 'implied-timescales.csv', 'mobility.csv', 'net-flux.csv', 'pathways.csv', 'committors.csv', 'ck-test.csv', 'inputs.csv']) {
    assert.ok(tables.includes(t), t);
  }
  const pathways = (await readFile(join(run, 'tables', 'pathways.csv'), 'utf8')).trim().split('\n');
  assert.equal(pathways[0], 'rank,pathway,flux,share of total flux,bottleneck from,bottleneck to,flux lower,flux upper');
  assert.equal(pathways.length, 1 + makeFixtureReportInput().paths!.pathways.length);
  const all = [...figures, ...tables, ...(await readdir(run))];
  assert.ok(!all.some((f) => f.includes('.tmp-')), 'no temporary files left');
  const html = await readFile(join(run, 'report.html'), 'utf8');
  assert.ok(html.length > 500_000 && html.length < 5_000_000, `self-contained page of ${html.length} bytes`);
});

test('re-rendering a run that lost a stage removes the stale figures and says "not computed"', async () => {
  const run = join(root, 'run-partial');
  await writeFixtureRun(run);
  assert.equal(getsei(['report', run, '--no-png']).code, 0);
  await rm(join(run, 'paths.json'));
  const r = getsei(['report', run, '--no-png', '--title', 'partial <b>run</b>']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /not computed: equilibrium-flux, reactive-flux, flux-network, pathways/);
  const figures = await readdir(join(run, 'figures'));
  assert.ok(!figures.includes('pathways.svg') && !figures.includes('flux-network.svg'));
  const html = await readFile(join(run, 'report.html'), 'utf8');
  assert.match(html, /<strong>Transition path theory<\/strong>: not computed — the paths stage has not run/);
  assert.ok(html.includes('partial &lt;b&gt;run&lt;/b&gt;'));
});

test('getsei compare RUN_A RUN_B -o DIR puts the runs side by side', async () => {
  const a = join(root, 'lpscl');
  const b = join(root, 'lgps');
  await writeFixtureRun(a, makeFixtureReportInput({ seed: 1 }));
  // the second run at 600 K with twice the D*: E_a = k_B ln 2 / (1/500 − 1/600) K⁻¹ = 0.1792 eV
  const hot = makeFixtureReportInput({ seed: 2 });
  const tr = hot.transport!;
  hot.transport = { ...tr, temperatureK: 600, tracerDiffusion: { value: 0.2, lower: 0.17, upper: 0.23 } };
  await writeFixtureRun(b, hot);
  const out = join(root, 'cmp');
  const r = getsei(['compare', a, b, '-o', out, '--names', 'LPSCl/Li,LGPS/Li', '--no-png']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /2 runs, 4 figures\ncomparison: .*cmp\/compare\.html/);
  const html = await readFile(join(out, 'compare.html'), 'utf8');
  assert.ok(html.includes('<th>LPSCl/Li</th><th>LGPS/Li</th>'));
  for (const f of ['compare-implied-timescales', 'compare-mobility', 'compare-pathways']) {
    assert.ok(html.includes(`data-figure="${f}"`), f);
    const svg = await readFile(join(out, 'figures', `${f}.svg`), 'utf8');
    assert.ok(svg.includes('LPSCl/Li') && svg.includes('LGPS/Li'), `${f} has a panel per run`);
  }
  const csv = (await readFile(join(out, 'tables', 'compare-metrics.csv'), 'utf8')).split('\n');
  assert.equal(csv[0], 'metric,LPSCl/Li,LGPS/Li');
  assert.ok(csv.some((l) => l.startsWith('silhouette score,0.29,0.29')));
  assert.ok(html.includes('data-figure="compare-arrhenius"'));
  const arr = (await readFile(join(out, 'tables', 'compare-arrhenius.csv'), 'utf8')).trim().split('\n');
  assert.equal(arr[0], 'quantity,unit,run,temperature_K,value,lower,upper,activation_energy_eV,standard_error_eV');
  const ea = Number(arr[1].split(',')[7]);
  assert.ok(Math.abs(ea - (8.617333262e-5 * Math.LN2) / (1 / 500 - 1 / 600)) < 1e-9, `E_a ${ea}`);
  assert.match(html, /tracer D\* \(Å²\/ps\)<\/td><td>0\.179/);
});

test('CLI errors: one run to compare, names that do not match, a folder without results', async () => {
  const a = join(root, 'lpscl-err');
  await writeFixtureRun(a);
  let r = getsei(['compare', a, '-o', join(root, 'x')]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /at least two run folders/);
  r = getsei(['compare', a, a, '-o', join(root, 'x'), '--names', 'only-one']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--names gives 1 name\(s\) for 2 runs/);
  const empty = join(root, 'empty');
  r = getsei(['report', empty]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /does not exist/);
  assert.ok(!r.stderr.includes('    at '), 'no stack trace');
});
