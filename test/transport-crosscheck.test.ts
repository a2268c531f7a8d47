import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readTrajectory } from '../src/io/index.ts';
import { analyseTransport, olsSlope, type TransportFrame } from '../src/transport/index.ts';
import { DEBIAN_PYTHON, pythonHas } from './helpers.ts';

const example = new URL('../examples/Li6PS5Cl-50p-500K/', import.meta.url).pathname;
const script = new URL('./python/msd_reference.py', import.meta.url).pathname;

test('Li6PS5Cl: tracer MSD equals numpy on ASE-read positions to 1e-6 relative at every lag; D* equal, inside its interval; MSD(70 ps) ≈ 46 Å²', async (t) => {
  if (!pythonHas(['numpy', 'ase'])) {
    t.skip('Debian python3 lacks numpy/ase: cross-check not run');
    return;
  }
  const files = readdirSync(example).filter((f) => f.endsWith('.XDATCAR.gz')).sort().map((f) => join(example, f));
  const py = spawnSync(DEBIAN_PYTHON, [script, ...files], { encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.equal(py.status, 0, py.stderr);
  const ref = JSON.parse(py.stdout) as { nFrames: number; nLi: number; msd: number[] };

  async function* frames(): AsyncGenerator<TransportFrame> {
    for await (const frame of readTrajectory(files, { dtPs: 0.1 })) yield { frame, newTrajectory: false };
  }
  const r = await analyseTransport(frames(), { dtPs: 0.1, nFrames: ref.nFrames, nBootstrap: 300 });
  assert.equal(r.nLi, ref.nLi);
  assert.equal(r.msd.li.length, ref.msd.length);
  let worst = 0;
  for (let i = 1; i < ref.msd.length; i++) worst = Math.max(worst, Math.abs(r.msd.li[i] - ref.msd[i]) / ref.msd[i]);
  assert.ok(worst < 1e-6, `largest relative MSD difference ${worst}`);
  // the same OLS fit on the reference curve
  const { startFrame, endFrame } = r.fitWindow;
  const dRef = olsSlope(r.msd.timePs, ref.msd, startFrame, endFrame) / 6;
  assert.ok(Math.abs(r.tracerDiffusion.value - dRef) < 1e-6 * dRef);
  assert.ok(r.tracerDiffusion.lower < dRef && dRef < r.tracerDiffusion.upper);
  // Morgan 2021: ≈ 46 Å² over 70 ps (the longest lag is 69.9 ps: one origin)
  const last = r.msd.li[r.msd.li.length - 1];
  assert.ok(Math.abs(last - 46) < 2, `MSD(69.9 ps) = ${last} Å²`);
});
