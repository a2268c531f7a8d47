/**
 * Transport benchmark: getsei's tracer MSD over every origin (src/transport) against MDAnalysis EinsteinMSD
 * (bench/transport_ref.py, fft=False; positions read by ASE and unwrapped by numpy, since MDAnalysis has no XDATCAR
 * reader) on the bundled Li6PS5Cl (700 frames, 192 Li, all 699 lags), in the same run. Rows: the MSD itself by
 * FFT and by the window method (positions already in memory on both sides), end to end like for like (read + unwrap +
 * MSD, no fits: what the MDAnalysis side does), and end to end with getsei's fits (D* with 1000 bootstrap resamples,
 * D_σ, Haven ratio and σ). Best of 3. Also prints the largest relative MSD difference.
 * With --run DIR (a run folder of the example, featurised, ideally with states and kinetics) it also times the whole
 * transport stage there with the default [transport] settings: re-read, unwrap, FFT MSD, fits, D(z), per-state.
 * Run: node --import tsx bench/transport.ts [--quick] [--run DIR]   (reference: apt-get install -y python3-mdanalysis python3-ase)
 */
import { execFileSync } from 'node:child_process';
import { readTrajectory } from '../src/io/index.ts';
import { analyseTransport, FftMsdCollector, MsdAccumulator, Unwrapper, type TransportFrame } from '../src/transport/index.ts';
import type { TrajectoryFrame } from '../src/io/index.ts';
import { runTransportStage } from '../src/pipeline/stage-transport.ts';

const root = new URL('..', import.meta.url).pathname;
const files = [1, 2, 3, 4, 5, 6].map((k) => `${root}examples/Li6PS5Cl-50p-500K/run${k}.XDATCAR.gz`);
const repeats = process.argv.includes('--quick') ? 1 : 3;

const best = async (f: () => Promise<unknown> | unknown): Promise<number> => {
  let s = Infinity;
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    await f();
    s = Math.min(s, (performance.now() - t0) / 1000);
  }
  return s;
};

async function* stream(): AsyncGenerator<TransportFrame> {
  // no contact check (ASE does none either; the transport stage skips it, featurize has done it)
  for await (const frame of readTrajectory(files, { dtPs: 0.1, minDistanceAngstrom: 0 })) yield { frame, newTrajectory: false };
}
let msd: number[] = [];
const endToEnd = await best(async () => {
  msd = (await analyseTransport(stream(), { dtPs: 0.1, nFrames: 700 })).msd.li;
});

// end to end like for like: what the MDAnalysis side does (read, unwrap, MSD over all origins), no fits
const endToEndMsdOnly = await best(async () => {
  let acc: FftMsdCollector | undefined;
  let unwrap: Unwrapper | undefined;
  let liAtoms: number[] = [];
  for await (const frame of readTrajectory(files, { dtPs: 0.1, minDistanceAngstrom: 0 })) {
    if (acc === undefined) {
      liAtoms = Array.from(frame.species.keys()).filter((i) => frame.species[i] === 3);
      acc = new FftMsdCollector(liAtoms.length, { maxLagFrames: 699 });
      unwrap = new Unwrapper(liAtoms.length);
    }
    const sel = new Float64Array(3 * liAtoms.length);
    liAtoms.forEach((a, k) => { sel[3 * k] = frame.positions[3 * a]; sel[3 * k + 1] = frame.positions[3 * a + 1]; sel[3 * k + 2] = frame.positions[3 * a + 2]; });
    acc.push(Float64Array.from((unwrap as Unwrapper).push(sel, frame.cell)));
  }
  return acc?.result();
});

// MSD only: unwrapped Li positions in memory first
const frames: TrajectoryFrame[] = [];
for await (const f of readTrajectory(files, { dtPs: 0.1 })) frames.push(f);
const li = Array.from(frames[0].species.keys()).filter((i) => frames[0].species[i] === 3);
const unwrapper = new Unwrapper(li.length);
const unwrapped = frames.map((f) => {
  const sel = Float64Array.from(li.flatMap((i) => [f.positions[3 * i], f.positions[3 * i + 1], f.positions[3 * i + 2]]));
  return Float64Array.from(unwrapper.push(sel, f.cell));
});
const msdOnly = (method: 'fft' | 'window'): Promise<number> => best(() => {
  const opts = { maxLagFrames: unwrapped.length - 1 };
  const acc = method === 'fft' ? new FftMsdCollector(li.length, opts) : new MsdAccumulator(li.length, opts);
  for (const u of unwrapped) acc.push(u);
  return acc.result();
});
const msdFft = await msdOnly('fft');
const msdWindow = await msdOnly('window');

const ref = JSON.parse(execFileSync('/usr/bin/python3', [`${root}bench/transport_ref.py`, String(repeats), ...files], { maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'ignore'] }).toString()) as {
  readSeconds: number; msdSeconds: number; msd: number[];
};
let worst = 0;
for (let i = 1; i < msd.length; i++) worst = Math.max(worst, Math.abs(msd[i] - ref.msd[i]) / ref.msd[i]);
const f = (x: number): string => x.toFixed(3);
const runAt = process.argv.indexOf('--run');
let stageRow = '';
if (runAt > 0) {
  const run = process.argv[runAt + 1];
  let parts = '';
  let cpu = Infinity;
  const stage = await best(async () => {
    const c0 = process.cpuUsage();
    const r = await runTransportStage(run);
    const c = process.cpuUsage(c0);
    cpu = Math.min(cpu, (c.user + c.system) / 1e6);
    parts = `${r.perState ? `${r.perState.nStates} states` : 'no states'}, ${r.profile ? `${r.profile.nBins} slabs` : 'no profile'}`;
  });
  stageRow = `| transport stage, default settings (${parts}), in process; CPU ${f(cpu)} s | ${f(stage)} | — | — |\n`;
}
process.stdout.write(
  '| case | getsei s | MDAnalysis s | speed-up |\n|---|---|---|---|\n' +
    `| MSD by FFT, 699 lags × all origins, 192 Li (in memory) | ${f(msdFft)} | ${f(ref.msdSeconds)} | **${(ref.msdSeconds / msdFft).toFixed(1)}×** |\n` +
    `| MSD by window (memory flat in frames), same | ${f(msdWindow)} | ${f(ref.msdSeconds)} | **${(ref.msdSeconds / msdWindow).toFixed(1)}×** |\n` +
    `| end to end, like for like (read the six XDATCAR.gz + unwrap + MSD by FFT; no fits on either side) | ${f(endToEndMsdOnly)} | ${f(ref.readSeconds + ref.msdSeconds)} | **${((ref.readSeconds + ref.msdSeconds) / endToEndMsdOnly).toFixed(1)}×** |\n` +
    `| end to end (read + unwrap + MSD; getsei + D*/D_σ/σ fits and D(z)) | ${f(endToEnd)} | ${f(ref.readSeconds + ref.msdSeconds)} | **${((ref.readSeconds + ref.msdSeconds) / endToEnd).toFixed(1)}×** |\n` +
    stageRow +
    `largest relative MSD difference vs MDAnalysis (float32 positions): ${worst.toExponential(2)}\n`,
);
