import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getsei } from './helpers.ts';

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

test('run on a missing file or a folder: one error line, exit 2, and no run folder left behind', () => {
  const dir = mkdtempSync(join(tmpdir(), 'getsei-cli-'));
  try {
    mkdirSync(join(dir, 'frames'));
    for (const [input, re] of [['missing.xyz', /missing\.xyz: no such file; check the path/], ['frames', /frames: is a folder, not a trajectory file/]] as const) {
      const r = getsei(['run', join(dir, input), '-o', join(dir, 'RUN')]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /^getsei: error: /);
      assert.match(r.stderr, re);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
      assert.equal(existsSync(join(dir, 'RUN')), false, 'no half-made run folder');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
