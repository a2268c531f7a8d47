import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { commandLine } from './command-line.ts';

test('commandLine quotes what a POSIX shell would split or expand, and the shell gives the same arguments back', () => {
  const argv = ['run', 'a b.xyz', "it's", '', '--lag', '10ps', '$HOME', 'x;y', 'plain/path-1.2'];
  const line = commandLine(argv);
  assert.equal(line, `getsei run 'a b.xyz' 'it'\\''s' '' --lag 10ps '$HOME' 'x;y' plain/path-1.2`);
  const echoed = spawnSync('sh', ['-c', `${line.replace(/^getsei/, 'printf "%s\\n"')}`], { encoding: 'utf8' });
  assert.deepEqual(echoed.stdout.split('\n').slice(0, -1), argv);
});
