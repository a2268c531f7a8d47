import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { FrameStoreReader } from '../src/pipeline/frame-store.ts';
import { DEBIAN_PYTHON, getsei, pythonHas } from './helpers.ts';

/**
 * Issue 12: the features getsei computes from a trajectory written by a real MD tool equal those it computes from
 * the same frames in a text format. Five frames of the bundled Li6PS5Cl (read by ASE from the XDATCAR) are written by
 * MDAnalysis as XTC, DCD, H5MD and AMBER NetCDF; MDAnalysis reads each back and ASE writes those frames as extended
 * XYZ (test/python/md_from_example.py). getsei featurises every file: element counts must be identical, distances
 * and angles equal to float rounding; DCD, H5MD and NetCDF (float32 positions) must also match the XDATCAR's frames
 * (turned into the standard orientation the formats store the box in: lengths and angles).
 */
const dir = mkdtempSync(join(tmpdir(), 'getsei-mdfeat-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const example = new URL('../examples/Li6PS5Cl-50p-500K/run1.XDATCAR.gz', import.meta.url).pathname;
const script = new URL('./python/md_from_example.py', import.meta.url).pathname;
const FRAMES = 5;

async function features(run: string): Promise<{ names: string[]; rows: Float32Array[] }> {
  const store = await FrameStoreReader.open(join(run, 'frames'));
  const rows: Float32Array[] = [];
  for (let f = 0; f < store.index.nFrames; f++) rows.push(Float32Array.from((await store.frame(f)).features));
  return { names: [...store.index.featureNames], rows };
}

function featurize(file: string, run: string, extra: string[] = []): void {
  const r = getsei(['featurize', file, '-o', run, '--dt', '0.1', '--threads', '1', ...extra]);
  assert.equal(r.code, 0, r.stderr);
}

/** Largest difference per kind of column; counts must agree exactly (an atom across the 4 Å shell would differ by 1). */
function compare(a: { names: string[]; rows: Float32Array[] }, b: { names: string[]; rows: Float32Array[] }, what: string, tol: { distance: number; angle: number }): string {
  assert.deepEqual(a.names, b.names, `${what}: feature names`);
  assert.equal(a.rows.length, b.rows.length, `${what}: frames`);
  const F = a.names.length;
  let distance = 0, angle = 0;
  a.rows.forEach((ra, f) => {
    const rb = b.rows[f];
    for (let i = 0; i < ra.length; i++) {
      const name = a.names[i % F], d = Math.abs(ra[i] - rb[i]);
      if (name.startsWith('count_')) assert.equal(ra[i], rb[i], `${what}: frame ${f}, atom ${Math.floor(i / F)}, ${name}`);
      else if (name.startsWith('adf_')) angle = Math.max(angle, d);
      else distance = Math.max(distance, d);
    }
  });
  assert.ok(distance <= tol.distance, `${what}: mean neighbour distances differ by ${distance} Å`);
  assert.ok(angle <= tol.angle, `${what}: angle statistics differ by ${angle}°`);
  return `${what}: distances ≤ ${distance.toExponential(1)} Å, angles ≤ ${angle.toExponential(1)}°`;
}

test('features from XTC, DCD, H5MD and AMBER NetCDF written by MDAnalysis equal those of the same frames as extended XYZ (and, float32, as the XDATCAR)', { timeout: 180_000 }, async (t) => {
  if (!pythonHas(['MDAnalysis', 'ase', 'h5py', 'netCDF4'])) return t.skip('MDAnalysis/ASE are not installed under /usr/bin/python3; cross-check not run');
  const w = spawnSync(DEBIAN_PYTHON, ['-W', 'ignore', script, example, dir, String(FRAMES)], { encoding: 'utf8' });
  assert.equal(w.status, 0, w.stderr);
  const written = JSON.parse(w.stdout) as string[];
  assert.equal(written.length, 4);
  featurize(join(dir, 'original.extxyz'), join(dir, 'run-original'));
  const original = await features(join(dir, 'run-original'));
  assert.equal(original.rows.length, FRAMES);
  const lines: string[] = [];
  for (const file of written) {
    const format = file.split('.').at(-1) as string;
    featurize(file, join(dir, `run-${format}`), ['--topology', join(dir, 'topology.extxyz')]);
    featurize(`${file}.extxyz`, join(dir, `run-${format}-extxyz`));
    const ours = await features(join(dir, `run-${format}`));
    // the same positions, once read from the binary file and once from the text MDAnalysis's reading was written to
    lines.push(compare(ours, await features(join(dir, `run-${format}-extxyz`)), `${format} vs extxyz`, { distance: 1e-5, angle: 1e-3 }));
    // float32 storage moves positions by ≲ 2e-6 Å; XTC's 0.001 nm grid by up to 0.005 Å, so it is compared above only
    if (format !== 'xtc') lines.push(compare(ours, original, `${format} vs the XDATCAR's frames`, { distance: 1e-5, angle: 1e-3 }));
  }
  process.stdout.write(`# ${lines.join('; ')}\n`);
});
