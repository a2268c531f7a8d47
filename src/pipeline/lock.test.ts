import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { GetseiError } from '../util/errors.ts';
import { acquireRunLock } from './lock.ts';

/** The pid of a process that has exited (so no process has it, barring reuse in the moment between). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

test('run lock: a second holder is refused with a clear message; release frees the folder', async () => {
  const run = mkdtempSync(join(tmpdir(), 'getsei-lock-'));
  try {
    const release = await acquireRunLock(run);
    const held = JSON.parse(readFileSync(join(run, '.lock'), 'utf8')) as { pid: number };
    assert.equal(held.pid, process.pid);
    await assert.rejects(acquireRunLock(run), (e: unknown) =>
      e instanceof GetseiError && e.message.startsWith(`${run} is in use by another getsei (pid ${process.pid}`) && /choose another --out/.test(e.message));
    await release();
    assert.ok(!existsSync(join(run, '.lock')));
    await (await acquireRunLock(run))();
  } finally {
    rmSync(run, { recursive: true, force: true });
  }
});

test('run lock: a stale lock (dead pid, or empty) is taken over; a lock from another host is honoured', async () => {
  const run = mkdtempSync(join(tmpdir(), 'getsei-lock-'));
  try {
    writeFileSync(join(run, '.lock'), JSON.stringify({ pid: deadPid(), host: hostname(), startedAt: 'earlier' }));
    const release = await acquireRunLock(run);
    assert.equal((JSON.parse(readFileSync(join(run, '.lock'), 'utf8')) as { pid: number }).pid, process.pid);
    await release();
    writeFileSync(join(run, '.lock'), '');
    await (await acquireRunLock(run))();
    writeFileSync(join(run, '.lock'), JSON.stringify({ pid: deadPid(), host: 'another-host', startedAt: 'earlier' }));
    await assert.rejects(acquireRunLock(run), /in use by another getsei .* on another-host/);
  } finally {
    rmSync(run, { recursive: true, force: true });
  }
});

test('taking the lock sweeps what a killed run left half-written, and nothing else', async () => {
  const run = mkdtempSync(join(tmpdir(), 'getsei-lock-'));
  try {
    const dead = deadPid();
    mkdirSync(join(run, 'frames.partial', 'chunk-00000'), { recursive: true });
    mkdirSync(join(run, 'encoder'));
    writeFileSync(join(run, 'states.npy'), 'whole');
    writeFileSync(join(run, `.states.npy.tmp-${dead}-0123abcd`), 'half');
    writeFileSync(join(run, 'encoder', `.model.safetensors.tmp-${dead}-deadbeef`), 'half');
    writeFileSync(join(run, `.kinetics.json.tmp-${process.pid}-00000000`), 'mine, being written');
    const release = await acquireRunLock(run);
    assert.deepEqual(readdirSync(run).sort(), ['.kinetics.json.tmp-' + process.pid + '-00000000', '.lock', 'encoder', 'states.npy']);
    assert.deepEqual(readdirSync(join(run, 'encoder')), []);
    await release();
  } finally {
    rmSync(run, { recursive: true, force: true });
  }
});
