/**
 * Trajectory-reading benchmark: getsei's streaming readers against ASE's ase.io.read on the same files, in the same
 * run. Cases: (a) the 700-frame Li6PS5Cl XDATCAR example (six gzip files, 416 atoms), (b) the LGPS extended XYZ
 * (gzip, 1000 × 50 atoms), (c) a LAMMPS text dump of a 2×2×2 supercell (3 328 atoms), and (d) the example read
 * twice in a row (1 400 frames) to show that peak memory does not grow with the number of frames, (e) the example as an
 * ASE .traj written by ASE, and (f) that .traj with N and 2N frames for memory.
 * getsei runs in a child process per case so that its peak RSS is its own; ASE's time is measured inside Python
 * (interpreter start-up and imports excluded). Times are the best of 3 reads (1 with --quick).
 * (g) the example written by MDAnalysis as XTC, DCD, H5MD and AMBER NetCDF (N and 2N frames), read by getsei and by
 * MDAnalysis (iterating u.trajectory and touching the positions, as getsei does).
 * Run: node --import tsx bench/io-read.ts [--quick] [--md-only]   (--md-only: just the (g) cases)      (ASE: apt-get install -y python3-ase; /usr/bin/python3)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTrajectory } from '../src/io/index.ts';

const root = new URL('..', import.meta.url).pathname;
const PY = '/usr/bin/python3';

if (process.argv[2] === '--child') {
  // child: read every frame `repeats` times (best time counts), touching the positions so nothing is optimised away
  const [format, repeats, species, minDistance, ...files] = process.argv.slice(3);
  let seconds = Infinity;
  let frames = 0;
  let atoms = 0;
  let checksum = 0;
  for (let r = 0; r < Number(repeats); r++) {
    const t0 = performance.now();
    frames = 0;
    for await (const f of readTrajectory(files, { format, typeMap: { 1: 'Li', 2: 'P', 3: 'S', 4: 'Cl' }, ...(species === '-' ? {} : { species }), ...(minDistance === '-' ? {} : { minDistanceAngstrom: Number(minDistance) }) })) {
      frames++;
      atoms = f.species.length;
      checksum += f.positions[f.positions.length - 1];
    }
    seconds = Math.min(seconds, (performance.now() - t0) / 1000);
  }
  process.stdout.write(JSON.stringify({ frames, atoms, seconds, checksum, peakRssMiB: process.resourceUsage().maxRSS / 1024 }));
  process.exit(0);
}

const quick = process.argv.includes('--quick');
const mdOnly = process.argv.includes('--md-only');
/** best of this many reads, for getsei and for ASE alike (the machine may be shared) */
const REPEATS = quick ? 1 : 3;
const work = mkdtempSync(join(tmpdir(), 'getsei-bench-io-'));
const example = [1, 2, 3, 4, 5, 6].map((k) => join(root, `examples/Li6PS5Cl-50p-500K/run${k}.XDATCAR.gz`));
const lgps = join(root, 'test/data/LGPS-600K-small/LGPS-600K.extxyz.gz');

interface Result { frames: number; atoms: number; seconds: number; peakRssMiB: number }

/** Read in a child process; `minDistance` '0' turns the frame checks' overlap search off (reader cost alone). */
function getsei(format: string, files: string[], repeats = REPEATS, species = '-', minDistance = '-'): Result {
  const out = execFileSync(process.execPath, ['--import', 'tsx', join(root, 'bench/io-read.ts'), '--child', format, String(repeats), species, minDistance, ...files], { maxBuffer: 1 << 24 });
  return JSON.parse(out.toString()) as Result;
}

function ase(format: string, files: string[]): { frames: number; seconds: number } {
  const script = `
import json, sys, time, ase.io
fmt, repeats, files = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
best = float('inf')
for _ in range(repeats):
    t0 = time.perf_counter()
    n = 0
    for path in files:
        n += len(ase.io.read(path, index=':', format=fmt))
    best = min(best, time.perf_counter() - t0)
print(json.dumps(dict(frames=n, seconds=best)))
`;
  const out = execFileSync(PY, ['-c', script, format, String(REPEATS), ...files], { maxBuffer: 1 << 24 });
  return JSON.parse(out.toString()) as { frames: number; seconds: number };
}

/** LAMMPS dump (id type x y z) of the example replicated 2×2×2, first n frames. */
async function writeSupercellDump(path: string, n: number): Promise<void> {
  const types: Record<number, number> = { 3: 1, 15: 2, 16: 3, 17: 4 };
  const parts: string[] = [];
  let step = 0;
  for await (const fr of readTrajectory(example, { stop: n })) {
    const m = fr.cell.matrix;
    const natoms = fr.species.length;
    const lines = ['ITEM: TIMESTEP', String(step * 50), 'ITEM: NUMBER OF ATOMS', String(8 * natoms), 'ITEM: BOX BOUNDS xy xz yz pp pp pp'];
    // the example cell is nearly orthogonal: write it as a LAMMPS box with its (tiny) tilts set to zero
    lines.push(`0 ${2 * m[0]} 0`, `0 ${2 * m[4]} 0`, `0 ${2 * m[8]} 0`, 'ITEM: ATOMS id type x y z');
    let id = 1;
    for (let a = 0; a < 2; a++) for (let b = 0; b < 2; b++) for (let c = 0; c < 2; c++) {
      for (let i = 0; i < natoms; i++) {
        const x = fr.positions[3 * i] + a * m[0], y = fr.positions[3 * i + 1] + b * m[4], z = fr.positions[3 * i + 2] + c * m[8];
        lines.push(`${id++} ${types[fr.species[i]]} ${x.toFixed(6)} ${y.toFixed(6)} ${z.toFixed(6)}`);
      }
    }
    parts.push(lines.join('\n'));
    step++;
  }
  writeFileSync(path, `${parts.join('\n')}\n`);
}

const rows: string[][] = [['case', 'frames', 'atoms', 'getsei s', 'frames/s', 'atom·frames/s', 'ASE s', 'speed-up', 'getsei peak RSS MiB']];
const memory: string[] = [];
if (!mdOnly) {
  const dumpFrames = quick ? 20 : 100;
  const dump = join(work, 'supercell.lammpstrj');
  await writeSupercellDump(dump, dumpFrames);

  /** ASE .traj files of the example (N = 700 frames, and the same frames twice: 2N), written by ASE itself. */
  const trajN = join(work, 'example.traj');
  const traj2N = join(work, 'example-2x.traj');
  execFileSync(PY, ['-c', `
import sys, ase.io
from ase.io import Trajectory
frames = [a for f in sys.argv[3:] for a in ase.io.read(f, index=':', format='vasp-xdatcar')]
for path, copies in [(sys.argv[1], 1), (sys.argv[2], 2)]:
    with Trajectory(path, 'w') as t:
        for _ in range(copies):
            for a in frames:
                t.write(a)
`, trajN, traj2N, ...example]);

  const cases: { name: string; format: string; aseFormat: string; files: string[] }[] = [
    { name: '(a) Li6PS5Cl XDATCAR.gz ×6', format: 'xdatcar', aseFormat: 'vasp-xdatcar', files: example },
    { name: '(b) LGPS extxyz.gz', format: 'extxyz', aseFormat: 'extxyz', files: [lgps] },
    { name: `(c) 2×2×2 LAMMPS dump`, format: 'lammps-dump', aseFormat: 'lammps-dump-text', files: [dump] },
    { name: '(e) example as ASE .traj', format: 'ase-traj', aseFormat: 'traj', files: [trajN] },
  ];

  for (const c of cases) {
    const g = getsei(c.format, c.files);
    const a = ase(c.aseFormat, c.files);
    if (a.frames !== g.frames) throw new Error(`${c.name}: ASE read ${a.frames} frames, getsei ${g.frames}`);
    rows.push([
      c.name, String(g.frames), String(g.atoms), g.seconds.toFixed(2), (g.frames / g.seconds).toFixed(0),
      (g.frames * g.atoms / g.seconds / 1e6).toFixed(2) + ' M', a.seconds.toFixed(2), `${(a.seconds / g.seconds).toFixed(1)}×`, g.peakRssMiB.toFixed(0),
    ]);
  }
  // memory: one read of N frames and one of 2N frames, each in a fresh process
  const once = getsei('xdatcar', example, 1);
  const twice = getsei('xdatcar', [...example, ...example], 1);
  rows.push(['(d) example, N frames', String(once.frames), String(once.atoms), once.seconds.toFixed(2), '', '', '', '', once.peakRssMiB.toFixed(0)]);
  rows.push(['(d) example, 2N frames', String(twice.frames), String(twice.atoms), twice.seconds.toFixed(2), '', '', '', '', twice.peakRssMiB.toFixed(0)]);

  const trajOnce = getsei('ase-traj', [trajN], 1);
  const trajTwice = getsei('ase-traj', [traj2N], 1);
  rows.push(['(f) .traj, N frames', String(trajOnce.frames), String(trajOnce.atoms), trajOnce.seconds.toFixed(2), '', '', '', '', trajOnce.peakRssMiB.toFixed(0)]);
  rows.push(['(f) .traj, 2N frames', String(trajTwice.frames), String(trajTwice.atoms), trajTwice.seconds.toFixed(2), '', '', '', '', trajTwice.peakRssMiB.toFixed(0)]);
  memory.push(`${(twice.peakRssMiB / once.peakRssMiB).toFixed(2)} XDATCAR`, `${(trajTwice.peakRssMiB / trajOnce.peakRssMiB).toFixed(2)} .traj`);
}

/** The example written by MDAnalysis in the MD formats (N and 2N frames) and MDAnalysis' own read time (best of REPEATS); --species from its composition. */
const mdFormats = [['xtc', 'XTC'], ['dcd', 'DCD'], ['h5md', 'H5MD'], ['ncdf', 'NCDF']] as const;
const first = (await readTrajectory(example, { stop: 1 }).next()).value as { species: Uint8Array };
const runs: string[] = [];
for (const z of first.species) {
  const sym = ({ 3: 'Li', 15: 'P', 16: 'S', 17: 'Cl' } as Record<number, string>)[z];
  const last = runs[runs.length - 1];
  if (last !== undefined && last.startsWith(`${sym}:`)) runs[runs.length - 1] = `${sym}:${Number(last.split(':')[1]) + 1}`;
  else runs.push(`${sym}:1`);
}
const composition = runs.join(',');
/** copies of the example in the long file (one long read: throughput once the JIT has warmed up) */
const LONG = quick ? 2 : 8;
const mdOut = execFileSync(PY, ['-W', 'ignore', '-c', `
LONG = ${LONG}
import json, sys, time, warnings
warnings.filterwarnings('ignore')
import numpy as np, ase.io, MDAnalysis as mda
work, repeats, files = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
frames = [a for f in files for a in ase.io.read(f, index=':', format='vasp-xdatcar')]
n = len(frames[0])
out = {}
for ext, fmt in ${JSON.stringify(mdFormats)}:
    for copies in (1, 2, LONG):
        path = f'{work}/example-{copies}x.{ext}'
        kw = dict(lengthunit='Angstrom', timeunit='ps', velocities=False, forces=False) if fmt == 'H5MD' else {}
        u = mda.Universe.empty(n, trajectory=True)
        with mda.Writer(path, n, **kw) as w:
            for _ in range(copies):
                for k, a in enumerate(frames):
                    u.atoms.positions = a.positions
                    u.dimensions = list(a.cell.cellpar())
                    u.trajectory.ts.time = 0.1 * k
                    w.write(u)
    r = mda.Universe.empty(n)
    r.load_new(f'{work}/example-1x.{ext}', format=fmt)
    best = float('inf')
    for _ in range(repeats):
        t0 = time.perf_counter()
        s = 0.0
        for ts in r.trajectory:
            s += float(ts.positions[-1, 2])
        best = min(best, time.perf_counter() - t0)
    out[ext] = dict(frames=len(r.trajectory), seconds=best)
    # throughput on a long file, where start-up and warm-up are a small part of the read
    r.load_new(f'{work}/example-{LONG}x.{ext}', format=fmt)
    best = float('inf')
    for _ in range(2):
        t0 = time.perf_counter()
        s = 0.0
        for ts in r.trajectory:
            s += float(ts.positions[-1, 2])
        best = min(best, time.perf_counter() - t0)
    out[ext + '-long'] = dict(frames=len(r.trajectory), seconds=best)
print(json.dumps(out))
`, work, String(REPEATS), ...example], { maxBuffer: 1 << 24 });
const mda = JSON.parse(mdOut.toString()) as Record<string, { frames: number; seconds: number }>;
for (const [ext] of mdFormats) {
  const g = getsei(ext === 'ncdf' ? 'amber-netcdf' : ext, [join(work, `example-1x.${ext}`)], REPEATS, composition);
  const g2 = getsei(ext === 'ncdf' ? 'amber-netcdf' : ext, [join(work, `example-2x.${ext}`)], 1, composition);
  const m = mda[ext];
  if (m.frames !== g.frames) throw new Error(`${ext}: MDAnalysis read ${m.frames} frames, getsei ${g.frames}`);
  rows.push([
    `(g) example as ${ext} (MDAnalysis)`, String(g.frames), String(g.atoms), g.seconds.toFixed(2), (g.frames / g.seconds).toFixed(0),
    (g.frames * g.atoms / g.seconds / 1e6).toFixed(2) + ' M', m.seconds.toFixed(2), `${(m.seconds / g.seconds).toFixed(1)}×`, `${g.peakRssMiB.toFixed(0)} (2N: ${g2.peakRssMiB.toFixed(0)})`,
  ]);
  memory.push(`${(g2.peakRssMiB / g.peakRssMiB).toFixed(2)} ${ext}`);
  // the same read without the overlap search of the frame checks (MDAnalysis checks nothing): the reader alone
  const raw = getsei(ext === 'ncdf' ? 'amber-netcdf' : ext, [join(work, `example-1x.${ext}`)], REPEATS, composition, '0');
  rows.push([`(g) ${ext}, --min-distance 0`, String(raw.frames), String(raw.atoms), raw.seconds.toFixed(2), (raw.frames / raw.seconds).toFixed(0),
    (raw.frames * raw.atoms / raw.seconds / 1e6).toFixed(2) + ' M', m.seconds.toFixed(2), `${(m.seconds / raw.seconds).toFixed(1)}×`, raw.peakRssMiB.toFixed(0)]);
  // one long read (LONG × the example), with and without the overlap search
  const ml = mda[`${ext}-long`];
  for (const minDistance of ['-', '0']) {
    const l = getsei(ext === 'ncdf' ? 'amber-netcdf' : ext, [join(work, `example-${LONG}x.${ext}`)], 2, composition, minDistance);
    if (ml.frames !== l.frames) throw new Error(`${ext}, long file: MDAnalysis read ${ml.frames} frames, getsei ${l.frames}`);
    rows.push([`(g) ${ext}, ${LONG}× long${minDistance === '0' ? ', --min-distance 0' : ''}`, String(l.frames), String(l.atoms), l.seconds.toFixed(2), (l.frames / l.seconds).toFixed(0),
      (l.frames * l.atoms / l.seconds / 1e6).toFixed(2) + ' M', ml.seconds.toFixed(2), `${(ml.seconds / l.seconds).toFixed(1)}×`, l.peakRssMiB.toFixed(0)]);
  }
}

const widths = rows[0].map((_, j) => Math.max(...rows.map((r) => r[j].length)));
for (const r of rows) console.log(r.map((v, j) => v.padEnd(widths[j])).join('  '));
console.log(`peak RSS ratio 2N/N: ${memory.join(', ')} (flat memory: ≈ 1)`);
rmSync(work, { recursive: true, force: true });
