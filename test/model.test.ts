import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { adjustedRandIndex } from '../src/states/index.ts';
import { generateInterphase, writeInterphase, type Difficulty } from '../src/synth/index.ts';
import { decodeNpy } from '../src/util/npy.ts';
import { getsei, plantedSixStateConfig } from './helpers.ts';

// A reusable model (issue 13; docs/cluster.md): fitted on one planted interphase, applied with --model to a second
// one of the same site types drawn with another seed. Nothing is refitted, so the second run's states are the first
// run's states: they must still recover the second system's planted types.

const dir = mkdtempSync(join(tmpdir(), 'getsei-model-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const DIFFICULTY: Difficulty = (process.env.GETSEI_MODEL_TEST_DIFFICULTY as Difficulty | undefined) ?? 'easy';
const FRAMES = DIFFICULTY === 'easy' ? 100 : 300;


async function planted(seed: number): Promise<{ file: string; labels: Int16Array | Int32Array | Uint8Array }> {
  const g = generateInterphase({ difficulty: DIFFICULTY, repeats: [3, 3], frames: FRAMES, dtPs: 10, seed });
  const out = join(dir, `sys${seed}`);
  await writeInterphase(out, g, { siteTypeColumn: false });
  return { file: join(out, 'trajectory.extxyz'), labels: g.truth.labels };
}

test(`a model fitted on one planted system (${DIFFICULTY}) assigns a second one of the same types at ARI ≥ 0.95`, { timeout: 600_000 }, async () => {
  const a = await planted(0);
  const b = await planted(1);
  writeFileSync(join(dir, 'config.toml'), plantedSixStateConfig());
  const runA = join(dir, 'runA'), runB = join(dir, 'runB');
  const ra = getsei(['run', a.file, '-o', runA, '-c', join(dir, 'config.toml'), '--threads', '1']);
  assert.equal(ra.code, 0, ra.stderr);
  const model = join(runA, 'model');
  const manifest = JSON.parse(readFileSync(join(model, 'manifest.json'), 'utf8')) as { format: string; states: number; files: Record<string, string> };
  assert.equal(manifest.format, 'getsei-model/1');
  assert.equal(manifest.states, 6);
  assert.ok('mixture.json' in manifest.files && 'encoder/model.safetensors' in manifest.files);

  const rb = getsei(['run', b.file, '-o', runB, '-c', join(dir, 'config.toml'), '--threads', '1', '--model', model]);
  assert.equal(rb.code, 0, rb.stderr);
  const statesJson = JSON.parse(readFileSync(join(runB, 'states.json'), 'utf8')) as { rule: string; model: string; mixture: { means: number[][] } };
  assert.equal(statesJson.rule, 'model');
  assert.equal(statesJson.model, model);
  // the same mixture: B's state means are A's
  const meansA = (JSON.parse(readFileSync(join(runA, 'states.json'), 'utf8')) as { mixture: { means: number[][] } }).mixture.means;
  assert.deepEqual(statesJson.mixture.means, meansA);
  assert.ok(!existsSync(join(runB, 'model')), 'a run with --model writes no model of its own');
  const states = decodeNpy(readFileSync(join(runB, 'states.npy'))).data as Int16Array;
  const ari = adjustedRandIndex(states, b.labels);
  process.stdout.write(`# --model ${DIFFICULTY}: ARI of the second system's states with its planted types ${ari.toFixed(4)}\n`);
  assert.ok(ari >= 0.95, `ARI ${ari.toFixed(3)} < 0.95`);

  // a changed file in the model folder is refused with a message naming it
  writeFileSync(join(model, 'mixture.json'), readFileSync(join(model, 'mixture.json'), 'utf8').replace('"weights": [', '"weights": [0.5, '));
  const rc = getsei(['states', runB, '--model', model]);
  assert.equal(rc.code, 2, rc.stderr);
  assert.match(rc.stderr, /mixture\.json does not match the hash/);
});
