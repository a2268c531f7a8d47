import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { generateInterphase, writeInterphase } from '../src/synth/index.ts';
import { getsei, referencesRequired } from './helpers.ts';

// Sharded runs (issue 13, docs/cluster.md) against the unsharded `getsei run` of the same small planted case with the
// same settings and seed: states.npy byte for byte and the transition counts of kinetics.json must be identical,
// (a) shards assigned with a model (`run --shard i/N --model`, then `merge --model`), (b) the Snakemake workflow with
// 3 shards, which trains the encoder and fits the states across the shards.

const dir = mkdtempSync(join(tmpdir(), 'getsei-workflow-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const root = fileURLToPath(new URL('..', import.meta.url));
const trajectory = join(dir, 'sys', 'trajectory.extxyz');
const config = join(dir, 'config.toml');
const ARGS = ['-c', config, '--states', '4', '--lag', '2', '--epochs', '2', '--threads', '1'];
const full = join(dir, 'full');

before(async () => {
  const g = generateInterphase({ difficulty: 'easy', repeats: [3, 3], frames: 31, dtPs: 10, seed: 3 });
  await writeInterphase(join(dir, 'sys'), g, { siteTypeColumn: false });
  writeFileSync(config, '[states]\nsilhouetteSampleSize = 500\nmapSampleSize = 100\nvampLiSample = 0\n[kinetics]\nbootstrap = 0\n[stability]\nrepeats = 0\n');
  const r = getsei(['run', trajectory, '-o', full, ...ARGS]);
  assert.equal(r.code, 0, r.stderr);
});

const counts = (run: string): number[][] => (JSON.parse(readFileSync(join(run, 'kinetics.json'), 'utf8')) as { countMatrix: number[][] }).countMatrix;

function assertSameAsUnsharded(run: string): void {
  assert.ok(readFileSync(join(run, 'states.npy')).equals(readFileSync(join(full, 'states.npy'))), `${run}/states.npy differs from the unsharded run's`);
  assert.deepEqual(counts(run), counts(full));
  const merge = JSON.parse(readFileSync(join(run, 'merge.json'), 'utf8')) as { countsAdd: boolean; lagFrames: number; shards: { firstFrame: number; nFrames: number }[] };
  assert.equal(merge.countsAdd, true);
  assert.equal(merge.lagFrames, 2);
  assert.deepEqual(merge.shards.map((s) => [s.firstFrame, s.nFrames]), [[0, 10], [10, 10], [20, 11]]);
}

test('shards assigned with a model (run --shard i/3 --model, merge --model) give the unsharded states and counts', { timeout: 300_000 }, () => {
  const model = join(full, 'model');
  const shards = [0, 1, 2].map((i) => join(dir, 'ms', `s${i}`));
  for (const [i, s] of shards.entries()) {
    const r = getsei(['run', trajectory, '-o', s, '--shard', `${i}/3`, '--model', model, ...ARGS]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(existsSync(join(s, 'states.npy')) && !existsSync(join(s, 'kinetics.json')), 'a shard stops after its states');
  }
  const merged = join(dir, 'ms', 'run');
  const r = getsei(['merge', ...shards, '-o', merged, '--model', model, ...ARGS]);
  assert.equal(r.code, 0, r.stderr);
  assertSameAsUnsharded(merged);
  assert.equal((JSON.parse(readFileSync(join(merged, 'merge.json'), 'utf8')) as { shardStatesConcatenate: boolean | null }).shardStatesConcatenate, true);
  // an incomplete set of shards is refused, naming the missing one
  const bad = getsei(['merge', shards[0], shards[2], '-o', join(dir, 'ms', 'bad'), ...ARGS]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /every shard 0\.\.2 .*missing 1/);
});

const snakemake = spawnSync('snakemake', ['--version'], { encoding: 'utf8' });
const haveSnakemake = snakemake.status === 0;
if (!haveSnakemake && referencesRequired()) throw new Error('snakemake is missing under CI; .ci/run installs the Debian package');

test('Snakemake workflow, 3 shards: states.npy and transition counts identical to getsei run', { timeout: 600_000, skip: haveSnakemake ? false : 'snakemake is not installed (Debian package snakemake)' }, () => {
  const work = join(dir, 'wf');
  const tsx = join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs');
  const command = `${process.execPath} --import file://${tsx} ${join(root, 'src', 'cli', 'main.ts')}`;
  const r = spawnSync('snakemake', [
    '-s', join(root, 'workflows', 'Snakefile'), '--cores', '2', '--directory', dir, '--config',
    `inputs=${trajectory}`, `run=${work}`, 'shards=3', `args=${ARGS.join(' ')}`, `getsei=${command}`,
  ], { encoding: 'utf8', cwd: dir });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  assertSameAsUnsharded(work);
  // the shards were really processed separately: three shard folders, each holding only its own block of frames
  for (const [i, n] of [10, 10, 11].entries()) {
    const index = JSON.parse(readFileSync(join(work, 'shards', String(i), 'frames', 'index.json'), 'utf8')) as { nFrames: number };
    assert.equal(index.nFrames, n);
  }
});
