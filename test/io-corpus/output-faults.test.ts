import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import fsp from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, test, type TestContext } from 'node:test';
import { generateInterphase, writeInterphase } from '../../src/synth/index.ts';
import { writeFileAtomic } from '../../src/util/atomic.ts';
import { GetseiError } from '../../src/util/errors.ts';
import { decodeNpy } from '../../src/util/npy.ts';
import { NpyFileWriter } from '../../src/util/npy-file.ts';
import { getsei } from '../helpers.ts';

/**
 * Issue 16, faults: a full disk and a read-only output folder give one clear line naming the path and what to do,
 * and leave nothing half-written. Injected errors (any machine) test the writers; a real tmpfs, where this machine
 * lets the test mount one (root), tests `getsei run` end to end.
 */
const dir = mkdtempSync(join(tmpdir(), 'getsei-output-faults-'));
const mounts: string[] = [];
after(() => {
  for (const m of mounts) spawnSync('umount', [m]);
  rmSync(dir, { recursive: true, force: true });
});

function fsError(code: string, syscall: string): NodeJS.ErrnoException {
  const e: NodeJS.ErrnoException = new Error(`${code}: injected, ${syscall}`);
  e.code = code;
  e.syscall = syscall;
  return e;
}

/** Make one fs/promises function (or FileHandle method) fail with `code` while `body` runs. */
async function failing<T>(target: Record<string, unknown>, name: string, code: string, body: () => Promise<T>): Promise<T> {
  const original = target[name];
  target[name] = async () => { throw fsError(code, name); };
  syncBuiltinESMExports();
  try {
    return await body();
  } finally {
    target[name] = original;
    syncBuiltinESMExports();
  }
}

function files(root: string, at = root): string[] {
  return readdirSync(at, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(root, join(at, e.name)) : [relative(root, join(at, e.name))]));
}

const FULL = /^cannot write (\S+): no space left on the device \(ENOSPC\); free some space or choose an output folder on another disk \(-o\/--out\), then run the same command again \(finished stages are kept\)$/;
const READ_ONLY = /^cannot write (\S+): the file system is read-only \(EROFS\); choose an output folder you can write to \(-o\/--out\), or make this one writable$/;

test('writeFileAtomic: a full disk or a read-only folder is one GetseiError naming the file; no temporary file left', async () => {
  const out = join(dir, 'atomic');
  mkdirSync(out);
  writeFileSync(join(out, 'kinetics.json'), '{"old": true}\n');
  for (const [fn, code, says] of [['writeFile', 'ENOSPC', FULL], ['rename', 'EROFS', READ_ONLY], ['mkdir', 'EROFS', READ_ONLY]] as const) {
    const target = fn === 'mkdir' ? join(out, 'tables', 'a.csv') : join(out, 'kinetics.json');
    await assert.rejects(failing(fsp as unknown as Record<string, unknown>, fn, code, () => writeFileAtomic(target, '{"new": true}\n')), (e: unknown) => {
      assert.ok(e instanceof GetseiError && e.exitCode === 2, String(e));
      const m = says.exec(e.message);
      assert.ok(m !== null, e.message);
      assert.equal(m[1], fn === 'mkdir' ? join(out, 'tables') : target, 'names the file, or the folder it could not make');
      return true;
    });
    assert.deepEqual(files(out), ['kinetics.json'], `${fn} ${code}: only the old file remains`);
    assert.equal(readFileSync(join(out, 'kinetics.json'), 'utf8'), '{"old": true}\n', 'the old file is whole');
  }
});

test('NpyFileWriter: a full disk while streaming rows removes the temporary array and names the file', async () => {
  const out = join(dir, 'npy');
  const path = join(out, 'embeddings.npy');
  const w = await NpyFileWriter.create(path, new Float32Array(0), [4, 2]);
  await w.append(new Float32Array([1, 2, 3, 4]));
  const probe = await fsp.open(join(out, 'probe'), 'w');
  const handle = Object.getPrototypeOf(probe) as Record<string, unknown>;
  await probe.close();
  rmSync(join(out, 'probe'));
  await assert.rejects(failing(handle, 'write', 'ENOSPC', () => w.append(new Float32Array([5, 6, 7, 8]))), (e: unknown) => {
    assert.ok(e instanceof GetseiError && FULL.exec(e.message)?.[1] === path, String(e));
    return true;
  });
  assert.deepEqual(readdirSync(out), [], 'no temporary, no final array');
});

/** Mount a tmpfs at `at` (size in KiB, or read-only); false where this machine does not allow it. */
function mountTmpfs(at: string, options: string): boolean {
  mkdirSync(at, { recursive: true });
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', at], { encoding: 'utf8' });
  if (r.status !== 0) return false;
  mounts.push(at);
  return true;
}

let trajectory: string | undefined;
async function synthetic(): Promise<string> {
  if (trajectory === undefined) {
    await writeInterphase(join(dir, 'synth'), generateInterphase({ frames: 40, repeats: [2, 2], seed: 5, dtPs: 10 }), {});
    trajectory = join(dir, 'synth', 'trajectory.extxyz');
  }
  return trajectory;
}
const RUN_ARGS = ['--threads', '1', '--epochs', '1', '--states', '3', '--lag', '2', '--no-stability'];

function oneErrorLine(r: { code: number; stderr: string }, says: RegExp): string {
  assert.equal(r.code, 2, r.stderr);
  const lines = r.stderr.split('\n').filter((l) => l.startsWith('getsei: error: '));
  assert.equal(lines.length, 1, r.stderr);
  assert.doesNotMatch(r.stderr, /\n\s+at |Error:/, 'no stack trace');
  const m = says.exec(lines[0].slice('getsei: error: '.length));
  assert.ok(m !== null, lines[0]);
  return m[1];
}

test('getsei run on a full disk (a small tmpfs): one line naming the file, nothing half-written; after freeing space the same command finishes', async (t: TestContext) => {
  const disk = join(dir, 'small-disk');
  if (!mountTmpfs(disk, 'size=900k')) return t.skip('cannot mount a tmpfs on this machine (needs root); the injected-fault tests above cover the writers');
  const run = join(disk, 'run');
  const r = getsei(['run', await synthetic(), '-o', run, ...RUN_ARGS]);
  const path = oneErrorLine(r, FULL);
  assert.ok(path.startsWith(run), path);
  const left = files(run);
  assert.ok(!left.some((f) => f.includes('.tmp-') || f.includes('.partial') || f === '.lock'), left.join(', '));
  for (const f of left.filter((x) => x.endsWith('.npy'))) assert.doesNotThrow(() => decodeNpy(readFileSync(join(run, f))), `${f} is whole`);
  for (const f of left.filter((x) => x.endsWith('.json'))) assert.doesNotThrow(() => JSON.parse(readFileSync(join(run, f), 'utf8')), `${f} is whole`);
  assert.equal(spawnSync('mount', ['-o', 'remount,size=64m', disk]).status, 0);
  const again = getsei(['run', await synthetic(), '-o', run, ...RUN_ARGS]);
  assert.equal(again.code, 0, again.stderr);
  process.stdout.write(`# full disk: stopped at ${relative(run, path)}; rerun: ${again.stdout.match(/stages run: .*/)?.[0]}\n`);
});

test('getsei run into a read-only folder: one line naming it, nothing written', async (t: TestContext) => {
  const ro = join(dir, 'read-only');
  if (!mountTmpfs(ro, 'ro,size=64k')) return t.skip('cannot mount a tmpfs on this machine (needs root); the injected-fault tests above cover the writers');
  const run = join(ro, 'run');
  assert.equal(oneErrorLine(getsei(['run', await synthetic(), '-o', run, ...RUN_ARGS]), READ_ONLY), run);
  assert.deepEqual(readdirSync(ro), []);
});
