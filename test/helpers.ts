import { spawnSync } from 'node:child_process';

const main = new URL('../src/cli/main.ts', import.meta.url).pathname;

/** Run the CLI from source as a user would; returns exit code and output. */
export function getsei(args: string[], opts: { cwd?: string; timeoutMs?: number } = {}): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', main, ...args], { encoding: 'utf8', cwd: opts.cwd, timeout: opts.timeoutMs });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Debian's interpreter: the Python stack the cross-checks use comes from Debian packages, not from a user's venv. */
export const DEBIAN_PYTHON = '/usr/bin/python3';

/** True when a missing cross-check reference must fail the test rather than skip it (CI sets both). */
export function referencesRequired(): boolean {
  return process.env.GETSEI_REQUIRE_REFERENCES === '1' || process.env.CI === 'true';
}

/**
 * Whether Debian's python3 can import every module a cross-check needs. Under CI (referencesRequired) a missing
 * module throws, so a cross-check can never pass by not running; locally it returns false and the caller skips,
 * saying so in the test output.
 */
export function pythonHas(modules: readonly string[]): boolean {
  const r = spawnSync(DEBIAN_PYTHON, ['-c', modules.map((m) => `import ${m}`).join('; ')], { encoding: 'utf8' });
  if (r.status === 0) return true;
  const why = r.error ? r.error.message : (r.stderr.trim().split('\n').pop() ?? 'import failed');
  if (referencesRequired()) throw new Error(`cross-check reference missing under CI: ${DEBIAN_PYTHON} cannot import ${modules.join(', ')} (${why}); .ci/run installs the Debian packages`);
  return false;
}

/**
 * Config of the planted-truth runs: the defaults but for six states fitted at six only, a small silhouette sample and
 * map, lag 1, no bootstrap, and `stabilityRepeats` stability repeats.
 */
export function plantedSixStateConfig(stabilityRepeats = 0): string {
  return `
[states]
count = 6
minCount = 6
maxCount = 6
silhouetteSampleSize = 2000
mapSampleSize = 200
[kinetics]
lag = 1
bootstrap = 0
[stability]
repeats = ${stabilityRepeats}
`;
}
