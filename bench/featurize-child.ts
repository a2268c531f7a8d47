// One featurize run in its own process, so that its peak RSS is its own. Prints JSON on stdout.
// Runs the compiled package (dist/, as `getsei` does) so that worker threads start without compiling TypeScript.
import { existsSync } from 'node:fs';

const dist = new URL('../dist/pipeline/featurize.js', import.meta.url);
const { featurizeTrajectory } = (existsSync(dist)
  ? await import(dist.href)
  : await import('../src/pipeline/featurize.ts')) as typeof import('../src/pipeline/featurize.ts');

const [run, dt, ...files] = process.argv.slice(2);
const t0 = performance.now();
const summary = await featurizeTrajectory(files, run, { read: { dtPs: Number(dt) }, shellAngstrom: 4, graphRadiusAngstrom: 4 });
const seconds = (performance.now() - t0) / 1000;
process.stdout.write(JSON.stringify({
  frames: summary.index.nFrames, atoms: summary.index.nAtoms, seconds, peakRssMiB: process.resourceUsage().maxRSS / 1024,
}));
