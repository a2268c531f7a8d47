import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseConfig } from './config.ts';
import { runPipeline } from './run.ts';
import { runStability } from './stability.ts';

const lgps = new URL('../../test/data/LGPS-600K-small/LGPS-600K.extxyz.gz', import.meta.url).pathname;

test('stability repeats trained side by side on workers give the same report and states as one at a time on the calling thread', { timeout: 600_000 }, async () => {
  const run = join(mkdtempSync(join(tmpdir(), 'getsei-stability-')), 'run');
  const config = parseConfig({
    input: { stop: 120 },
    contrastive: { epochs: 2, batchSize: 64, trainGraphs: 512 },
    states: { count: 3, minCount: 3, maxCount: 3, restarts: 1, fitSampleSize: 2000, silhouetteSampleSize: 300, mapSampleSize: 100 },
    kinetics: { lag: 5, bootstrap: 0 },
    stability: { repeats: 0 },
  });
  await runPipeline({ run, files: [lgps], config, until: 'paths' });
  const repeatStates = (): string[] => [1, 2].map((r) => readFileSync(join(run, 'stability', `repeat-${r}`, 'states.npy')).toString('base64'));

  // threads 1: every repeat trains in turn on this thread; threads 2: the two repeats train at once, one per worker
  const alone = await runStability(run, config, { repeats: 3, threads: 1 });
  const oneAtATime = repeatStates();
  rmSync(join(run, 'stability'), { recursive: true });
  const beside = await runStability(run, config, { repeats: 3, threads: 2 });
  assert.deepEqual(beside, alone);
  assert.deepEqual(repeatStates(), oneAtATime);
  // the repeats are real other discoveries, not copies of the run
  assert.equal(alone.perRepeat.length, 2);
  assert.notDeepEqual(oneAtATime[0], oneAtATime[1]);
});
