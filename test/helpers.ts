import { spawnSync } from 'node:child_process';

const main = new URL('../src/cli/main.ts', import.meta.url).pathname;

/** Run the CLI from source as a user would; returns exit code and output. */
export function getsei(args: string[], opts: { cwd?: string; timeoutMs?: number } = {}): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', main, ...args], { encoding: 'utf8', cwd: opts.cwd, timeout: opts.timeoutMs });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
