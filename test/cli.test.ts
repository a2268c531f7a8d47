import { strict as assert } from 'node:assert';
import { test } from 'node:test';
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
