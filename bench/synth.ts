/**
 * Benchmark of the synthetic interphase generator (`getsei synth`): time to generate frames in memory, and to
 * generate and write them as extended XYZ, against ASE writing the same number of atoms and frames as extended
 * XYZ in the same run (the reference: the format's usual writer). Run with
 *   node --import tsx bench/synth.ts
 * The reference needs /usr/bin/python3 with ASE (apt-get install -y python3-ase); without it the column says n/a.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateInterphase, writeInterphase } from '../src/synth/index.ts';

const cases: Array<{ atoms: number; frames: number }> = [
  { atoms: 600, frames: 200 },
  { atoms: 3000, frames: 100 },
  { atoms: 30000, frames: 10 },
];

const ASE_WRITE = `
import sys, time, numpy as np
from ase import Atoms
from ase.io import write
n, frames, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rng = np.random.default_rng(1)
images = []
for f in range(frames):
    a = Atoms(numbers=np.full(n, 16), positions=rng.random((n, 3)) * 30, cell=[30, 30, 30], pbc=True)
    a.new_array('site_type', np.full(n, -1, dtype=int))
    a.info['time'] = float(f)
    images.append(a)
t = time.perf_counter()
write(out, images, format='extxyz')
print(time.perf_counter() - t)
`;

function aseSeconds(n: number, frames: number, out: string): number | undefined {
  const r = spawnSync('/usr/bin/python3', ['-c', ASE_WRITE, String(n), String(frames), out], { encoding: 'utf8' });
  return r.status === 0 ? Number(r.stdout.trim()) : undefined;
}

const dir = mkdtempSync(join(tmpdir(), 'getsei-bench-synth-'));
try {
  const rows: string[][] = [];
  for (const c of cases) {
    const t0 = performance.now();
    const g = generateInterphase({ targetAtoms: c.atoms, frames: c.frames, seed: 1 });
    const tBuild = (performance.now() - t0) / 1000;
    const t1 = performance.now();
    for (const f of g.frames()) if (f.positions.length === 0) throw new Error('empty frame');
    const tFrames = (performance.now() - t1) / 1000;
    const t2 = performance.now();
    const files = await writeInterphase(join(dir, String(c.atoms)), generateInterphase({ targetAtoms: c.atoms, frames: c.frames, seed: 1 }));
    const tWrite = (performance.now() - t2) / 1000;
    const mb = statSync(files.trajectory).size / 1e6;
    const ase = aseSeconds(g.species.length, c.frames, join(dir, `ase-${c.atoms}.extxyz`));
    rows.push([
      String(g.species.length), String(c.frames), tBuild.toFixed(3), tFrames.toFixed(3), tWrite.toFixed(3), mb.toFixed(1),
      ase === undefined ? 'n/a' : ase.toFixed(3), ase === undefined ? 'n/a' : (tWrite / ase).toFixed(2),
    ]);
  }
  const head = ['atoms', 'frames', 'build+KMC s', 'frames s', 'getsei write s', 'MB', 'ASE write s', 'getsei/ASE'];
  const width = head.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k].length)));
  const line = (r: string[]): string => r.map((x, k) => x.padStart(width[k])).join('  ');
  console.log(line(head));
  for (const r of rows) console.log(line(r));
  console.log('getsei write = build + KMC + frames + formatting + file; ASE write = ase.io.write of prebuilt Atoms only');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
