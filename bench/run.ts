/**
 * `npm run bench`: every benchmark, one after another (never two at once: they measure a 2-core machine), each
 * printing its table with ratios against a reference measured in the same run. The Python references need Debian's
 * python3-numpy, python3-scipy, python3-ase, python3-torch, python3-sklearn and python3-matplotlib
 * (apt-get install -y …); a benchmark whose reference is missing says so and the others still run.
 * Usage: npm run bench [-- only-these-names…]     e.g. npm run bench -- featurize markov
 */
import { spawnSync } from 'node:child_process';

const BENCHES = ['io-read', 'featurize', 'encoder', 'gmm', 'markov', 'report', 'synth', 'transport', 'projection', 'pipeline'] as const;
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const extra = process.argv.slice(2).filter((a) => a.startsWith('-'));
const chosen = wanted.length > 0 ? BENCHES.filter((b) => wanted.includes(b)) : [...BENCHES];
let failed = 0;
for (const name of chosen) {
  process.stdout.write(`\n=== ${name} ===\n`);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', new URL(`./${name}.ts`, import.meta.url).pathname, ...extra], { stdio: 'inherit' });
  process.stdout.write(`(${name}: ${((Date.now() - t0) / 1000).toFixed(0)} s, exit ${r.status})\n`);
  if (r.status !== 0) failed++;
}
process.exitCode = failed > 0 ? 1 : 0;
