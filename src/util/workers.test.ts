import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { GetseiError, InputError } from './errors.ts';
import type { TestingTask } from './testing-worker.ts';
import { createWorkerPool, runPoolTask } from './workers.ts';

const entry = new URL('./testing-worker.ts', import.meta.url);

test('an InputError thrown in a worker reaches the main thread as the same InputError (file, frame, line, hint)', async () => {
  const pool = createWorkerPool(entry, { threads: 1 });
  try {
    assert.equal(await runPoolTask<number>(pool, { fail: 'none', value: 21 } satisfies TestingTask), 42);
    const err = await runPoolTask<number>(pool, { fail: 'input', value: 0 } satisfies TestingTask).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof InputError, `got ${String(err)}`);
    assert.equal(err.message, 'x.xyz, frame 3, line 17: coordinate 1 is nan. fix this frame');
    assert.deepEqual(err.location, { file: 'x.xyz', frame: 3, line: 17 });
    assert.equal(err.exitCode, 2);
    const g = await runPoolTask<number>(pool, { fail: 'getsei', value: 0 } satisfies TestingTask).then(() => undefined, (e: unknown) => e);
    assert.ok(g instanceof GetseiError && !(g instanceof InputError));
    assert.equal(g.exitCode, 3);
    const bug = await runPoolTask<number>(pool, { fail: 'bug', value: 0 } satisfies TestingTask).then(() => undefined, (e: unknown) => e);
    assert.ok(bug instanceof Error && !(bug instanceof GetseiError), 'a bug stays a plain error with its stack');
    assert.match(bug.message, /a getsei bug/);
  } finally {
    await pool.destroy();
  }
});

test('tasks still queued when the pool is destroyed do not surface as unhandled rejections', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown): void => { unhandled.push(e); };
  process.on('unhandledRejection', onUnhandled);
  try {
    const pool = createWorkerPool(entry, { threads: 1 });
    const queued = Array.from({ length: 20 }, (_, i) => runPoolTask<number>(pool, { fail: 'none', value: i } satisfies TestingTask));
    await pool.destroy();
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(unhandled, []);
    // whoever awaits a queued task still sees why it did not run
    const settled = await Promise.allSettled(queued);
    assert.ok(settled.some((s) => s.status === 'rejected'));
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});
