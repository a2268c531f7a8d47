/**
 * Kinetics + TPT benchmark (issue 3): getsei's counting, implied-timescale scan, full kinetics + TPT and bootstrap
 * against the same computations in numpy/scipy (bench/markov_ref.py: bincount-style counting, scipy.linalg eig /
 * logm / expm, numpy solves), in the same run, on discrete trajectories simulated from a seeded metastable chain:
 * 2000 trajectories × 50 000 frames (int16, with undefined stretches and 5 independent segments), 12 states.
 * Also checks that both give the same count matrix, K, π, total flux, rate and pathways.
 * Run: node --import tsx bench/markov.ts [--quick] [--states N] [--bootstrap B] [--flicker]
 *      (needs /usr/bin/python3 with python3-numpy and python3-scipy; --quick: 200 × 20 000 frames;
 *      --flicker: states that change almost every frame instead of persisting ~30 frames)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  countTransitions, countTransitionsByUnit, defaultLagGrid, impliedTimescalesScan, prepareTrajectories,
} from '../src/markov/index.ts';
import { bootstrapAnalysis, dominantPathways, reactiveFlux, runKineticsWithModel, runPathsWithFlux } from '../src/tpt/index.ts';
import { encodeNpy } from '../src/util/npy.ts';
import { createRng } from '../src/util/rng.ts';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const flicker = argv.includes('--flicker');
const opt = (name: string, dflt: number): number => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const nTraj = quick ? 200 : 2000;
const nFrames = quick ? 20000 : 50000;
const nStates = opt('--states', 12);
const nSegments = 5;
const lag = 100;
const ckSteps = 5;
const nBoot = opt('--bootstrap', 100);
const seed = 7;
const root = new URL('..', import.meta.url).pathname;
const PY = '/usr/bin/python3';
const work = mkdtempSync(join(tmpdir(), 'getsei-bench-markov-'));

/** A metastable chain: strong self-transitions, a few neighbours, random couplings (seeded). */
function makeChain(n: number): Float64Array {
  const rng = createRng(seed);
  const k = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) {
      const near = Math.abs(i - j) === 1 || Math.abs(i - j) === n - 1;
      const v = i === j ? (flicker ? 1 : 60) + (flicker ? 1 : 40) * rng.next() : near ? 0.5 + rng.next() : rng.next() < 0.3 ? 0.2 * rng.next() : 0;
      k[i * n + j] = v;
      s += v;
    }
    for (let j = 0; j < n; j++) k[i * n + j] /= s;
  }
  return k;
}

/** Simulate into one int16 [nTraj, nFrames] array, with undefined (−1) stretches; a fast inline generator. */
function simulate(k: Float64Array, n: number): Int16Array {
  const cum = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) cum[i * n + j] = s += k[i * n + j];
    cum[i * n + n - 1] = 2;
  }
  const out = new Int16Array(nTraj * nFrames);
  let state = (seed * 2654435761) >>> 0;
  const next = (): number => {
    // mulberry32
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let r = 0; r < nTraj; r++) {
    let x = Math.floor(next() * n);
    let gap = 0;
    const off = r * nFrames;
    for (let t = 0; t < nFrames; t++) {
      const u = next();
      let j = 0;
      while (u >= cum[x * n + j]) j++;
      x = j;
      if (gap === 0 && u < 1e-4) gap = 1 + Math.floor(next() * 50);
      if (gap > 0) {
        out[off + t] = -1;
        gap--;
      } else {
        out[off + t] = x;
      }
    }
  }
  return out;
}

function time<T>(fn: () => T): { value: T; seconds: number } {
  const t0 = process.hrtime.bigint();
  const value = fn();
  return { value, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
}

function best<T>(repeats: number, fn: () => T): { value: T; seconds: number } {
  let b = time(fn);
  for (let i = 1; i < repeats; i++) {
    const r = time(fn);
    if (r.seconds < b.seconds) b = r;
  }
  return b;
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

const K = makeChain(nStates);
const gen = time(() => simulate(K, nStates));
const states = gen.value;
const segments = Int32Array.from({ length: nFrames }, (_, t) => Math.floor((t * nSegments) / nFrames));
writeFileSync(join(work, 'states.npy'), encodeNpy(states, [nTraj, nFrames]));
writeFileSync(join(work, 'segments.npy'), encodeNpy(segments, [nFrames]));
const dtrajs = { states, nTrajectories: nTraj, nFrames };
console.log(`data: ${nTraj} trajectories × ${nFrames} frames, ${nStates} ${flicker ? 'flickering' : 'persistent'} states, ${nSegments} segments, int16 ` +
  `(${(states.byteLength / 2 ** 20).toFixed(0)} MiB), simulated in ${gen.seconds.toFixed(1)} s`);

// 1. counting at one lag, from the raw int16 array (validation included), best of 3
const count = best(3, () => countTransitions(dtrajs, lag, { segments }));
// 2. implied timescales over 20 lags (one pass over the data for all lags)
const prepared = prepareTrajectories(dtrajs, { segments });
const lags = defaultLagGrid(lag, prepared.longestRun, 20);
while (lags.length < 20) lags.push(lags[lags.length - 1] + 1);
const its = time(() => impliedTimescalesScan(dtrajs, lags.slice(0, 20), { segments }));
// 3. full kinetics + TPT (as `getsei kinetics` with the ITS scan at the lag only, then `getsei paths`)
const full = time(() => {
  const { report, model } = runKineticsWithModel(dtrajs, { lag, segments, lags: [lag], ckSteps });
  const paths = runPathsWithFlux(model, { pathways: 5 });
  return { report, model, paths };
});
// 4. bootstrap: per-unit counts + nBoot resamples with rate matrix and TPT
const boot = nBoot > 0 ? time(() => {
  const { model, paths } = full.value;
  const units = countTransitionsByUnit(prepared, lag);
  return bootstrapAnalysis(prepared, model, { nSamples: nBoot, seed }, {
    source: paths.flux.source, target: paths.flux.target, pathways: [],
  }, units);
}) : null;

console.log('running the numpy/scipy reference …');
const sets = [Array.from(full.value.paths.flux.source).join(','), Array.from(full.value.paths.flux.target).join(',')];
const py = JSON.parse(execFileSync(PY, [join(root, 'bench/markov_ref.py'), work, String(lag), lags.slice(0, 20).join(','), String(ckSteps), String(nBoot), String(seed), ...sets], { maxBuffer: 1 << 28 }).toString()) as {
  timing: Record<string, number>; count: number[]; K: number[]; pi: number[]; activeSet: number[]; totalFlux: number; rate: number;
  pathways: [number[], number][]; nPathwaysAll: number; its: number[][]; bootstrap: { rateStd: number; nUnits: number } | null;
  source: number[]; target: number[];
};
rmSync(work, { recursive: true, force: true });

// agreement
const { model, paths } = full.value;
const flux = paths.flux;
const checks = {
  countsIdentical: maxDiff(count.value.counts, py.count) === 0,
  K: maxDiff(model.transitionMatrix, py.K),
  pi: maxDiff(model.stationary, py.pi),
  sourceTarget: `${Array.from(flux.source)} → ${Array.from(flux.target)} (given to numpy: ${py.source} → ${py.target})`,
  totalFluxRel: Math.abs(flux.totalFlux - py.totalFlux) / py.totalFlux,
  rateRel: Math.abs(flux.rate - py.rate) / py.rate,
  samePathways: JSON.stringify(paths.report.pathways.map((p) => p.states)) === JSON.stringify(py.pathways.map((p) => p[0])),
  nPathwaysAll: `${dominantPathways(reactiveFlux(model, flux.source, flux.target), { maxPathways: Infinity }).pathways.length} (numpy ${py.nPathwaysAll})`,
  itsMaxRel: Math.max(...its.value.timescales.map((ts, i) => maxDiff(ts.map((v, j) => v / py.its[i][j]), ts.map(() => 1)))),
  bootstrapRateStd: boot === null || py.bootstrap === null ? 'n/a' : `${boot.value.tpt?.rate.std?.toExponential(3)} (numpy ${py.bootstrap.rateStd.toExponential(3)}, different resamples)`,
};

const rows: [string, number, number][] = [
  [`count transitions at lag ${lag} (${(nTraj * nFrames / 1e6).toFixed(0)} M frames, best of 3)`, count.seconds, py.timing.count],
  ['implied timescales over 20 lags', its.seconds, py.timing.its],
  [`full kinetics + TPT (K, π, eig, logm/expm, CK k=1…${ckSteps}, committors, fluxes, pathways)`, full.seconds, py.timing.full],
];
if (boot !== null) rows.push([`bootstrap ${nBoot} resamples (per-unit counts, rate matrix, TPT, pathways)`, boot.seconds, py.timing.bootstrap]);
console.log('\n| task | getsei (s) | numpy/scipy (s) | speed-up |');
console.log('|---|---:|---:|---:|');
for (const [name, js, ref] of rows) console.log(`| ${name} | ${js.toFixed(2)} | ${ref.toFixed(2)} | ${(ref / js).toFixed(1)}× |`);
console.log('\nagreement with numpy:', JSON.stringify(checks, null, 1));
console.log(`\nmodel: active set ${model.activeSet.length}/${nStates} states, slowest implied timescale ${model.impliedTimescales[0].toFixed(0)} frames, ` +
  `rate matrix ${model.rateMatrixDiagnostics.description}, ‖expm(Rτ) − K‖ = ${model.rateMatrixDiagnostics.reconstructionError.toExponential(2)}`);
