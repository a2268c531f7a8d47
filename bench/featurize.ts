/**
 * Featurize benchmark (issue 2): getsei's featurize stage against the same features computed in Python with
 * ASE's neighbour list + numpy (bench/featurize_ref.py), in the same run, on
 *   (a) the 700-frame Li6PS5Cl AIMD example (416 atoms) and
 *   (b) a 2×2×2 supercell of it (3 328 atoms), at N and 2N frames to show that peak memory stays flat.
 * Also checks that the features agree with Python's (counts exactly, distances and angles to 1e-4).
 * Run: node --import tsx bench/featurize.ts [--quick]      (needs /usr/bin/python3 with python3-ase)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTrajectory } from '../src/io/index.ts';
import { FrameStoreReader } from '../src/pipeline/frame-store.ts';
import { decodeNpy } from '../src/util/npy.ts';
import { symbolOf } from '../src/structure/elements.ts';

const quick = process.argv.includes('--quick');
const root = new URL('..', import.meta.url).pathname;
const example = [1, 2, 3, 4, 5, 6].map((k) => join(root, `examples/Li6PS5Cl-50p-500K/run${k}.XDATCAR.gz`));
const work = mkdtempSync(join(tmpdir(), 'getsei-bench-feat-'));
const PY = '/usr/bin/python3';

interface TsResult { frames: number; atoms: number; seconds: number; peakRssMiB: number }
interface PyResult { frames: number; atoms: number; seconds: number; featureSeconds: number }

function runGetsei(name: string, files: string[]): TsResult {
  const out = execFileSync(process.execPath, ['--import', 'tsx', join(root, 'bench/featurize-child.ts'), join(work, name), '0.1', ...files]);
  return JSON.parse(out.toString()) as TsResult;
}

function runPython(files: string[], dump: number[]): PyResult {
  const out = execFileSync(PY, [join(root, 'bench/featurize_ref.py'), work, dump.join(','), ...files]);
  return JSON.parse(out.toString()) as PyResult;
}

/** Write the first `n` frames of the example replicated 2×2×2 as extended XYZ. */
async function writeSupercell(path: string, n: number): Promise<void> {
  const lines: string[] = [];
  let k = 0;
  for await (const fr of readTrajectory(example, { dtPs: 0.1, stop: n })) {
    const m = fr.cell.matrix;
    const big = Array.from(m, (v) => 2 * v);
    const natoms = fr.species.length;
    lines.push(String(8 * natoms));
    lines.push(`Lattice="${big.join(' ')}" Properties=species:S:1:pos:R:3 pbc="T T T" time=${(k * 0.1).toFixed(1)}`);
    for (let a = 0; a < 2; a++) for (let b = 0; b < 2; b++) for (let c = 0; c < 2; c++) {
      for (let i = 0; i < natoms; i++) {
        const p = [0, 1, 2].map((d) => fr.positions[3 * i + d] + a * m[d] + b * m[3 + d] + c * m[6 + d]);
        lines.push(`${symbolOf(fr.species[i])} ${p.map((v) => v.toFixed(6)).join(' ')}`);
      }
    }
    k++;
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}

async function agreement(run: string, frames: number[]): Promise<{ countMismatches: number; maxDistanceError: number; maxAngleError: number }> {
  const store = await FrameStoreReader.open(join(work, run, 'frames'));
  const names = store.index.featureNames;
  let countMismatches = 0, maxDistanceError = 0, maxAngleError = 0;
  for (const f of frames) {
    const ref = decodeNpy(readFileSync(join(work, `ref_${f}.npy`))).data as Float64Array;
    const ours = (await store.frame(f)).features;
    for (let i = 0; i < ours.length; i++) {
      const col = names[i % names.length];
      const err = Math.abs(ours[i] - ref[i]);
      if (col.startsWith('count_')) countMismatches += err > 0 ? 1 : 0;
      else if (col === 'mean_distance') maxDistanceError = Math.max(maxDistanceError, err);
      else maxAngleError = Math.max(maxAngleError, err);
    }
  }
  return { countMismatches, maxDistanceError, maxAngleError };
}

// measure what users run: the compiled package
execFileSync('npx', ['tsc', '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });

const rows: string[][] = [];
const fmt = (x: number, d = 1) => x.toFixed(d);

const a = runGetsei('a', example);
const dumpFrames = [0, 350, 699];
const pa = runPython(example, dumpFrames);
const agree = await agreement('a', dumpFrames);
rows.push(['(a) Li6PS5Cl 416 atoms', String(a.frames), fmt(a.frames / a.seconds), fmt((a.frames * a.atoms) / a.seconds / 1e3), fmt(a.peakRssMiB, 0), fmt(pa.frames / pa.seconds), fmt(pa.seconds / a.seconds)]);

const n = quick ? 20 : 100;
const small = join(work, 'super-n.extxyz'), large = join(work, 'super-2n.extxyz');
await writeSupercell(small, n);
await writeSupercell(large, 2 * n);
const b1 = runGetsei('b1', [small]);
const b2 = runGetsei('b2', [large]);
const pb = runPython([small], []);
rows.push([`(b) 2×2×2 supercell ${b1.atoms} atoms`, String(b1.frames), fmt(b1.frames / b1.seconds), fmt((b1.frames * b1.atoms) / b1.seconds / 1e3), fmt(b1.peakRssMiB, 0), fmt(pb.frames / pb.seconds), fmt(pb.seconds / b1.seconds)]);
rows.push([`(b) same, 2× frames`, String(b2.frames), fmt(b2.frames / b2.seconds), fmt((b2.frames * b2.atoms) / b2.seconds / 1e3), fmt(b2.peakRssMiB, 0), '', '']);

console.log(`\nfeaturize — ${cpus()[0].model}, ${availableParallelism()} threads, node ${process.version}`);
console.log('| case | frames | getsei frames/s | getsei k atom·frames/s | getsei peak RSS MiB | Python (ASE+numpy) frames/s | speed-up |');
console.log('|---|---|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
console.log(`\npeak RSS at 2N vs N frames: ${fmt(b2.peakRssMiB, 0)} vs ${fmt(b1.peakRssMiB, 0)} MiB (ratio ${(b2.peakRssMiB / b1.peakRssMiB).toFixed(2)})`);
console.log(`agreement with Python on frames ${dumpFrames.join(', ')}: count mismatches ${agree.countMismatches}, max |Δ mean distance| ${agree.maxDistanceError.toExponential(2)} Å, max |Δ angle statistic| ${agree.maxAngleError.toExponential(2)}°`);
rmSync(work, { recursive: true, force: true });
if (agree.countMismatches > 0 || agree.maxDistanceError > 1e-4 || agree.maxAngleError > 1e-4) {
  console.error('features disagree with the Python reference');
  process.exitCode = 1;
}
