import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const root = new URL('..', import.meta.url).pathname;

/**
 * An installed copy of the package as npm lays it out (node_modules/getsei with package.json and a fresh dist/),
 * built from the current sources so the test cannot pass on a stale build; its dependencies are the checkout's.
 */
function install(): { dir: string; pkg: string } {
  const dir = mkdtempSync(join(tmpdir(), 'getsei-pkg-'));
  const pkg = join(dir, 'node_modules', 'getsei');
  mkdirSync(pkg, { recursive: true });
  cpSync(join(root, 'package.json'), join(pkg, 'package.json'));
  cpSync(join(root, 'examples', 'library'), join(pkg, 'examples', 'library'), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(pkg, 'node_modules'), 'dir');
  const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json'), '--outDir', join(pkg, 'dist'), '--sourceMap', 'false'], { encoding: 'utf8' });
  assert.equal(tsc.status, 0, `build failed: ${tsc.stdout}${tsc.stderr}`);
  return { dir, pkg };
}

test("import('getsei') from an installed package exposes the stage APIs; the library example runs", (t) => {
  const { dir, pkg } = install();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const probe = `import('getsei').then((m) => console.log(JSON.stringify(
    ['readTrajectory', 'fitMarkovModel', 'reactiveFlux', 'dominantPathways', 'fitGaussianMixture', 'runPipeline', 'parseLagSetting']
      .map((k) => [k, typeof m[k]]))))`;
  const r = spawnSync(process.execPath, ['-e', probe], { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  for (const [name, kind] of JSON.parse(r.stdout) as [string, string][]) assert.equal(kind, 'function', `getsei.${name}`);
  const ex = spawnSync(process.execPath, [join(pkg, 'examples', 'library', 'markov-and-flux.mjs'), join(root, 'examples', 'Li6PS5Cl-50p-500K', 'run1.XDATCAR.gz')], { cwd: dir, encoding: 'utf8' });
  assert.equal(ex.status, 0, ex.stderr);
  assert.match(ex.stdout, /frame 2: 416 atoms/);
  // the chain 0 ⇄ 1 ⇄ 2 is symmetric, so state 1 is halfway: q⁺₁ ≈ 0.5
  const q = Number(/committor of state 1: ([0-9.]+)/.exec(ex.stdout)?.[1]);
  assert.ok(Math.abs(q - 0.5) < 0.05, ex.stdout);
});
