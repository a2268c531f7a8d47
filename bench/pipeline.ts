/**
 * End-to-end benchmark (issue 15): `getsei run` (the compiled package, as users run it) against the Python pipeline
 * a user would write instead (../shared/reference/pipeline_ref.py: ASE reading + neighbour-list features, a PyTorch
 * GAT trained with NT-Xent, scikit-learn GaussianMixture + silhouette_score, numpy/scipy MSM + TPT), both in this run,
 * on the bundled Li6PS5Cl example (700 frames × 416 atoms, 192 Li) at the same settings: 6 states, 5 epochs,
 * 20 % training frames, batch 256, 4 heads × 32, mixture fitted on 50 000 rows with 3 restarts, silhouette on 10 000,
 * lag 10 frames, no bootstrap, no stability, 2 threads each. Then a scaling row: getsei on the same frames ×4
 * (the six files given four times = 2 800 consecutive frames): time should grow ×4 (linear), peak RSS stay flat.
 *
 * Stage mapping. getsei's featurize (read + per-atom features + frame store) is compared with Python's read +
 * features + graphs: getsei builds the graphs on the fly inside the encoder stage, so that cost is in its encoder
 * row. getsei's states stage (mixture, silhouette, VAMP scores, descriptors, representatives, t-SNE map) is compared
 * with scikit-learn's fit + predict + silhouette, twice: with getsei's defaults (which do more: TICA, the paper's
 * mixture beside the projected one, a 1 000-point t-SNE) and rerun like for like on a copy of the run folder
 * (the paper's 32-d mixture, no comparison, a 100-point map). getsei's transport stage (MSD, diffusion: the Python pipeline has
 * none) and its report stage (figures, report.html) are left out of its total.
 *
 * Peak RSS: /usr/bin/time's maximum resident set of each process (getsei's worker threads share its process).
 * The machine is shared: the load average before and after each run is printed with the table.
 * Run: node --import tsx bench/pipeline.ts [--threads 2] [--no-scaling] [--no-python] [--no-build] [--keep DIR] [--ref PY]
 * --featurize-only [--repeats 3]: only the featurize row, `getsei featurize` and pipeline_ref.py's read + features +
 * graphs (bench/pipeline_featurize_ref.py) taken in turn `repeats` times, so that a shared machine's load hits both
 * alike; prints each pair and the median ratio.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const threads = Number(arg('threads', '2'));
const scaling = !process.argv.includes('--no-scaling');
const python = !process.argv.includes('--no-python');
const keep = arg('keep', '');
const root = new URL('..', import.meta.url).pathname;
const PY = '/usr/bin/python3';
const REF = arg('ref', join(root, '..', 'shared', 'reference', 'pipeline_ref.py'));
const example = [1, 2, 3, 4, 5, 6].map((k) => join(root, `examples/Li6PS5Cl-50p-500K/run${k}.XDATCAR.gz`));
const work = keep !== '' ? keep : mkdtempSync(join(tmpdir(), 'getsei-bench-pipe-'));
mkdirSync(work, { recursive: true });

/** The settings both pipelines run at (the issue's): everything else is each side's default. */
const SETTINGS = { states: 6, epochs: 5, lag: 10, fitSample: 50000, restarts: 3, silhouetteSample: 10000, seed: 0 };
const config = `
[contrastive]
epochs = ${SETTINGS.epochs}
[states]
count = ${SETTINGS.states}
fitSampleSize = ${SETTINGS.fitSample}
restarts = ${SETTINGS.restarts}
silhouetteSampleSize = ${SETTINGS.silhouetteSample}
seed = ${SETTINGS.seed}
[kinetics]
lag = ${SETTINGS.lag}
bootstrap = 0
[stability]
repeats = 0
`;
writeFileSync(join(work, 'bench.toml'), config);

interface Measured { stages: Record<string, number>; total: number; wall: number; peakRssMiB: number; load: [number, number] }

/** Run a command under /usr/bin/time; returns its wall seconds and peak RSS (MiB). */
function timed(cmd: string, args: string[], label: string): { wall: number; peakRssMiB: number; load: [number, number] } {
  const before = loadavg()[0];
  const rssFile = join(work, `${label}.rss`);
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', '-o', rssFile, cmd, ...args], { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 26 });
  const wall = (performance.now() - t0) / 1000;
  if (r.status !== 0) {
    process.stderr.write(r.stderr.toString().slice(-4000));
    throw new Error(`${label} failed (exit ${r.status})`);
  }
  const kib = Number(readFileSync(rssFile, 'utf8').trim().split('\n').at(-1));
  return { wall, peakRssMiB: kib / 1024, load: [before, loadavg()[0]] };
}

function runGetsei(label: string, files: string[]): Measured {
  const run = join(work, label);
  rmSync(run, { recursive: true, force: true });
  const t = timed(process.execPath, [join(root, 'bin/getsei.js'), 'run', ...files, '-o', run, '-c', join(work, 'bench.toml'), '--dt', '0.1', '--threads', String(threads)], label);
  const manifest = JSON.parse(readFileSync(join(run, 'manifest.json'), 'utf8')) as { stages: Record<string, { seconds?: number }> };
  const stages = Object.fromEntries(Object.entries(manifest.stages).map(([k, v]) => [k, v.seconds ?? 0]));
  return { stages, total: t.wall - (stages.transport ?? 0) - (stages.report ?? 0), ...t };
}

/**
 * The states stage alone, like for like with scikit-learn: the same run folder (copied), rerun with the paper's
 * 32-d mixture (no time-lagged projection), no projected/paper comparison and a 100-point map, so that the stage
 * computes what the Python pipeline computes (fit on the sample × restarts, assign every row, silhouette) plus
 * getsei's VAMP scores, descriptors and representatives. Changing those keys invalidates the states stage only.
 */
function rerunStatesLikeForLike(from: string, label: string): number {
  const run = join(work, label);
  rmSync(run, { recursive: true, force: true });
  cpSync(join(work, from), run, { recursive: true });
  const toml = join(work, `${label}.toml`);
  writeFileSync(toml, config.replace('[states]', '[projection]\nmethod = "none"\n[states]\ncompareProjection = false\nmapSampleSize = 100'));
  timed(process.execPath, [join(root, 'bin/getsei.js'), 'run', ...example, '-o', run, '-c', toml, '--dt', '0.1', '--threads', String(threads)], label);
  const manifest = JSON.parse(readFileSync(join(run, 'manifest.json'), 'utf8')) as { stages: Record<string, { seconds?: number }> };
  return manifest.stages.states?.seconds ?? Number.NaN;
}

function runPython(label: string, files: string[]): Measured {
  const out = join(work, label);
  const t = timed(PY, [REF, ...files, '--format', 'vasp-xdatcar', '--dt', '0.1', '--out', out, '--epochs', String(SETTINGS.epochs),
    '--states', String(SETTINGS.states), '--seed', String(SETTINGS.seed), '--threads', String(threads), '--lag', String(SETTINGS.lag),
    '--gmm-sample', String(SETTINGS.fitSample), '--gmm-n-init', String(SETTINGS.restarts), '--silhouette-sample', String(SETTINGS.silhouetteSample),
    '--no-embeddings'], label);
  const s = (JSON.parse(readFileSync(join(out, 'timings.json'), 'utf8')) as { seconds: Record<string, number> }).seconds;
  return { stages: s, total: t.wall, ...t };
}

// measure what users run: the compiled package (--no-build: dist/ is already current)
if (!process.argv.includes('--no-build')) execFileSync('npx', ['tsc', '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
const havePython = python && existsSync(PY) && existsSync(REF)
  && spawnSync(PY, ['-c', 'import torch, sklearn, ase'], { stdio: 'ignore' }).status === 0;
if (python && !havePython) console.log(`(Python reference skipped: needs ${REF} and ${PY} with python3-torch, python3-sklearn, python3-ase)`);

if (process.argv.includes('--featurize-only')) {
  const repeats = Number(arg('repeats', '3'));
  const ratios: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const run = join(work, 'featurize');
    rmSync(run, { recursive: true, force: true });
    const before = loadavg()[0];
    timed(process.execPath, [join(root, 'bin/getsei.js'), 'featurize', ...example, '-o', run, '--dt', '0.1', '--threads', String(threads)], 'featurize');
    const manifest = JSON.parse(readFileSync(join(run, 'manifest.json'), 'utf8')) as { stages: Record<string, { seconds?: number }> };
    const ts = manifest.stages.featurize.seconds ?? Number.NaN;
    const py = havePython
      ? (JSON.parse(execFileSync(PY, [join(root, 'bench/pipeline_featurize_ref.py'), join(REF, '..'), ...example]).toString()) as { total: number }).total
      : undefined;
    if (py !== undefined) ratios.push(py / ts);
    console.log(`featurize ${r + 1}/${repeats}: getsei ${ts.toFixed(2)} s${py === undefined ? '' : `, Python read + features + graphs ${py.toFixed(2)} s, ${(py / ts).toFixed(2)}×`}; load ${before.toFixed(2)} → ${loadavg()[0].toFixed(2)}`);
  }
  ratios.sort((a, b) => a - b);
  if (ratios.length > 0) console.log(`median ratio ${ratios[ratios.length >> 1].toFixed(2)}×`);
  if (keep === '') rmSync(work, { recursive: true, force: true });
  process.exit(0);
}

const g = runGetsei('getsei', example);
const statesLikeForLike = rerunStatesLikeForLike('getsei', 'getsei-states-paper');
const p = havePython ? runPython('python', example) : null;
// scikit-learn's states computation on getsei's own embeddings: the same rows on both sides
const skSameRows = havePython
  ? JSON.parse(execFileSync(PY, [join(root, 'bench/states_ref.py'), join(work, 'getsei', 'embeddings.npy'), '--states', String(SETTINGS.states),
    '--sample', String(SETTINGS.fitSample), '--n-init', String(SETTINGS.restarts), '--silhouette', String(SETTINGS.silhouetteSample),
    '--seed', String(SETTINGS.seed), '--threads', String(threads)]).toString()) as { total: number; iterations: number }
  : null;
const g4 = scaling ? runGetsei('getsei-x4', [...example, ...example, ...example, ...example]) : null;

const f = (x: number, d = 1): string => x.toFixed(d);
const ratio = (py: number | undefined, ts: number): string => (py === undefined ? '' : `${f(py / ts, 2)}×`);
const gs = g.stages;
const rows: [string, number, number | undefined][] = [
  ['read + features + graphs', gs.featurize, p ? p.stages.read + p.stages.features + p.stages.graphs : undefined],
  ['encoder train + embed', gs.encoder, p ? p.stages.train + p.stages.embed : undefined],
  ['states, defaults (getsei: TICA, mixture, silhouette, VAMP, the paper\'s mixture beside it, descriptors, 1 000-point t-SNE; Python: GMM fit + predict, silhouette)', gs.states, p ? p.stages.gmm + p.stages.silhouette : undefined],
  ['states, like for like (getsei: the paper\'s 32-d mixture, silhouette, VAMP, descriptors, no comparison, 100-point map)', statesLikeForLike, p ? p.stages.gmm + p.stages.silhouette : undefined],
  ['states, like for like, the same rows (scikit-learn on getsei\'s embeddings.npy)', statesLikeForLike, skSameRows?.total],
  ['kinetics + paths', gs.kinetics + gs.paths, p?.stages.kinetics],
  ['**total** (wall; getsei without its transport and report stages)', g.total, p?.total],
];
console.log(`\npipeline — ${cpus()[0].model}, ${availableParallelism()} cores, node ${process.version}, ${threads} threads each`);
console.log('| stage | getsei s | Python s | ratio (Python / getsei) |');
console.log('|---|---|---|---|');
for (const [name, ts, py] of rows) console.log(`| ${name} | ${f(ts)} | ${py === undefined ? '' : f(py)} | ${ratio(py, ts)} |`);
console.log(`| peak RSS MiB | ${f(g.peakRssMiB, 0)} | ${p ? f(p.peakRssMiB, 0) : ''} | ${p ? `${f(p.peakRssMiB / g.peakRssMiB, 2)}×` : ''} |`);
console.log(`\nload average (1 min) before → after: getsei ${f(g.load[0], 2)} → ${f(g.load[1], 2)}${p ? `; Python ${f(p.load[0], 2)} → ${f(p.load[1], 2)}` : ''}`);
console.log(`getsei stage seconds: ${Object.entries(gs).map(([k, v]) => `${k} ${f(v, 2)}`).join(', ')}`);
if (p) console.log(`Python stage seconds: ${Object.entries(p.stages).map(([k, v]) => `${k} ${f(v, 2)}`).join(', ')}`);
if (g4) {
  const s4 = g4.stages;
  console.log('\nscaling — getsei, the same frames ×4 (2 800 frames, 537 600 Li-frames)');
  console.log('| case | featurize s | encoder s | states s | total s | peak RSS MiB |');
  console.log('|---|---|---|---|---|---|');
  console.log(`| 700 frames | ${f(gs.featurize)} | ${f(gs.encoder)} | ${f(gs.states)} | ${f(g.total)} | ${f(g.peakRssMiB, 0)} |`);
  console.log(`| 2 800 frames | ${f(s4.featurize)} | ${f(s4.encoder)} | ${f(s4.states)} | ${f(g4.total)} | ${f(g4.peakRssMiB, 0)} |`);
  console.log(`| ratio (×4 frames) | ${f(s4.featurize / gs.featurize, 2)} | ${f(s4.encoder / gs.encoder, 2)} | ${f(s4.states / gs.states, 2)} | ${f(g4.total / g.total, 2)} | ${f(g4.peakRssMiB / g.peakRssMiB, 2)} |`);
  console.log(`load average (1 min) before → after: ${f(g4.load[0], 2)} → ${f(g4.load[1], 2)}`);
}
if (keep === '') rmSync(work, { recursive: true, force: true });
