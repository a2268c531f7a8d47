import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { generateInterphase, writeInterphase } from '../synth/index.ts';
import { loadReportInput } from '../report/index.ts';
import { GetseiError } from '../util/errors.ts';
import { parseConfig } from '../pipeline/config.ts';
import { runPipeline } from '../pipeline/run.ts';
import { readRunFile, RUN_FILE_SCHEMAS, runFileProblems, type RunFileName } from './run-folder.ts';

const dir = mkdtempSync(join(tmpdir(), 'getsei-schema-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const run = join(dir, 'run');

/** A real run folder: a small synthetic interphase through every stage (stability and transport included). */
async function realRun(): Promise<void> {
  await writeInterphase(join(dir, 'synth'), generateInterphase({ frames: 40, repeats: [2, 2], seed: 9 }), {});
  const config = parseConfig({
    contrastive: { epochs: 1, batchSize: 64 },
    states: { count: 3, restarts: 1, fitSampleSize: 400, silhouetteSampleSize: 200, mapSampleSize: 100 },
    kinetics: { lag: 2, bootstrap: 3 }, stability: { repeats: 2 }, run: { threads: 1 },
  });
  await runPipeline({ run, files: [join(dir, 'synth', 'trajectory.extxyz')], config });
}

test('every JSON of a real run folder fits its schema, and the report loader finds no problem in it', { timeout: 120_000 }, async () => {
  await realRun();
  for (const name of Object.keys(RUN_FILE_SCHEMAS) as RunFileName[]) {
    assert.deepEqual(runFileProblems(name, JSON.parse(readFileSync(join(run, name), 'utf8'))), [], name);
    assert.ok((await readRunFile(run, name)) !== undefined, name);
  }
  const loaded = await loadReportInput(run);
  assert.deepEqual(loaded.problems, []);
  assert.deepEqual(loaded.found, ['manifest.json', 'states.json', 'kinetics.json', 'paths.json', 'stability.json', 'transport.json']);
});

test('a mangled run file is one clear error naming the file, the field and the fix', async () => {
  const kinetics = JSON.parse(readFileSync(join(run, 'kinetics.json'), 'utf8')) as Record<string, unknown>;
  kinetics.transitionMatrix = 'oops';
  delete kinetics.stationary;
  writeFileSync(join(run, 'kinetics.json'), JSON.stringify(kinetics));
  await assert.rejects(readRunFile(run, 'kinetics.json'), (e: unknown) => {
    assert.ok(e instanceof GetseiError);
    assert.match(e.message, new RegExp(`^${join(run, 'kinetics.json')} does not have the layout getsei writes: transitionMatrix: Invalid input: expected array, received string; stationary: Invalid input: expected array, received undefined; rerun the stage that writes it: \`getsei run … --force kinetics\`$`));
    return true;
  });
  const loaded = await loadReportInput(run);
  assert.ok(loaded.problems.includes('kinetics.json: transitionMatrix: Invalid input: expected array, received string'), loaded.problems.join('\n'));
  assert.equal(loaded.input.kinetics, undefined);
  writeFileSync(join(run, 'states.json'), '{"format": "getsei-states/1", ');
  await assert.rejects(readRunFile(run, 'states.json'), /states\.json is not valid JSON .*--force states/);
  const transport = JSON.parse(readFileSync(join(run, 'transport.json'), 'utf8')) as { havenRatio: { value: unknown } };
  transport.havenRatio.value = null;
  writeFileSync(join(run, 'transport.json'), JSON.stringify(transport));
  assert.deepEqual(runFileProblems('transport.json', transport), ['transport.json: havenRatio.value: Invalid input: expected number, received null']);
});
