import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

const main = new URL('../src/cli/main.ts', import.meta.url).pathname;

/** Run the CLI from source as a user would; returns exit code and output. */
export function getsei(args: string[], opts: { cwd?: string } = {}): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', main, ...args], { encoding: 'utf8', cwd: opts.cwd });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

test('getsei --help describes the tool and --version prints the version', () => {
  const h = getsei(['--help']);
  assert.equal(h.code, 0);
  assert.match(h.stdout, /GET-SEI/);
  const v = getsei(['--version']);
  assert.equal(v.code, 0);
  assert.match(v.stdout, /^\d+\.\d+\.\d+/);
});

test('an unknown command fails with a non-zero exit code', () => {
  const r = getsei(['no-such-command']);
  assert.notEqual(r.code, 0);
});
