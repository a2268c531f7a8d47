import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loadModel } from '../src/pipeline/model.ts';
import { adjustedRandIndex } from '../src/states/index.ts';
import { generateInterphase, writeInterphase } from '../src/synth/index.ts';
import { decodeNpy } from '../src/util/npy.ts';
import { getsei, plantedSixStateConfig } from './helpers.ts';

// `getsei compare --shared-model` (issue 13): two planted interphases of the same site types, drawn with other seeds
// and of other sizes, get one model fitted on a pool of both. Each run's shared states must recover its planted types,
// and a planted type must carry the same state label in both runs — what makes a cross-system table meaningful.

const dir = mkdtempSync(join(tmpdir(), 'getsei-shared-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const CONFIG = `
[contrastive]
epochs = 5${plantedSixStateConfig()}`;

/** A planted system featurised into its own run folder; `rename` swaps an element, for the bad-input case. */
async function featurised(name: string, seed: number, repeats: [number, number], frames: number, rename?: [string, string]): Promise<{ file: string; run: string; labels: ArrayLike<number> }> {
  const g = generateInterphase({ difficulty: 'easy', repeats, frames, dtPs: 10, seed });
  const out = join(dir, `sys-${name}`);
  await writeInterphase(out, g, { siteTypeColumn: false });
  const file = join(out, 'trajectory.extxyz');
  if (rename) writeFileSync(file, readFileSync(file, 'utf8').replace(new RegExp(`^${rename[0]} `, 'gm'), `${rename[1]} `));
  const run = join(dir, name);
  const r = getsei(['featurize', file, '-o', run, '--threads', '1']);
  assert.equal(r.code, 0, r.stderr);
  return { file, run, labels: g.truth.labels };
}

/** The state most Li-frames of each planted type were assigned to. */
function majorityState(states: Int16Array, labels: ArrayLike<number>): Map<number, number> {
  const votes = new Map<number, Map<number, number>>();
  for (let i = 0; i < states.length; i++) {
    const v = votes.get(labels[i]) ?? new Map<number, number>();
    v.set(states[i], (v.get(states[i]) ?? 0) + 1);
    votes.set(labels[i], v);
  }
  return new Map([...votes].map(([type, v]) => [type, [...v].sort((a, b) => b[1] - a[1])[0][0]]));
}

test('compare --shared-model: one model for two planted systems; each run recovers its types (ARI ≥ 0.95) under the same labels', { timeout: 600_000 }, async () => {
  const a = await featurised('A', 0, [3, 3], 100);
  const b = await featurised('B', 1, [3, 4], 100);
  writeFileSync(join(dir, 'config.toml'), CONFIG);
  const inputsBefore = [a.run, b.run].map((r) => readdirSync(r).sort());
  const out = join(dir, 'cmp');
  const t0 = performance.now();
  const r = getsei(['compare', a.run, b.run, '--shared-model', '-o', out, '-c', join(dir, 'config.toml'), '--threads', '1', '--no-png']);
  const seconds = (performance.now() - t0) / 1000;
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /training one encoder on 8192 graphs drawn across 2 runs/);

  // DIR/model is a reusable model folder (hashes checked on load) whose mixture every run was assigned with
  const model = await loadModel(join(out, 'model'));
  assert.equal(model.manifest.states, 6);
  assert.notEqual(model.projection, null, 'the default TICA projection is part of the shared model');
  const statesOf = (name: string): Int16Array => decodeNpy(readFileSync(join(out, 'runs', name, 'states.npy'))).data as Int16Array;
  const majority = [];
  for (const [name, sys] of [['A', a], ['B', b]] as const) {
    const json = JSON.parse(readFileSync(join(out, 'runs', name, 'states.json'), 'utf8')) as { rule: string; model: string };
    assert.equal(json.rule, 'model');
    assert.equal(json.model, join(out, 'model'));
    const states = statesOf(name);
    assert.equal(states.length, sys.labels.length);
    const ari = adjustedRandIndex(states, sys.labels);
    process.stdout.write(`# --shared-model: run ${name}: ARI of the shared states with the planted types ${ari.toFixed(4)}\n`);
    assert.ok(ari >= 0.95, `run ${name}: ARI ${ari.toFixed(3)} < 0.95`);
    assert.ok(existsSync(join(out, 'runs', name, 'kinetics.json')) && existsSync(join(out, 'runs', name, 'report.html')));
    majority.push(majorityState(states, sys.labels));
  }
  process.stdout.write(`# --shared-model: compare took ${seconds.toFixed(1)} s\n`);
  // the same planted type → the same shared state in both runs, and six types → six distinct states
  for (const [type, s] of majority[0]) assert.equal(majority[1].get(type), s, `planted type ${type}: S${s} in A but S${majority[1].get(type)} in B`);
  assert.equal(new Set(majority[0].values()).size, 6);

  // the cross-system table: every shared state × every run
  const rows = readFileSync(join(out, 'tables', 'compare-states.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
  assert.deepEqual(rows[0].slice(0, 9), ['state', 'label', 'run', 'population', 'stationary', 'escape_rate', 'rate_unit', 'mobility', 'mobility_rank']);
  assert.equal(rows.length, 1 + 6 * 2);
  for (const row of rows.slice(1)) assert.ok(Number(row[3]) > 0 && Number(row[5]) > 0, `no population or escape rate in ${row.join(',')}`);
  assert.match(readFileSync(join(out, 'compare.html'), 'utf8'), /id="shared-states"/);
  // DIR/model is a model folder like RUN/model: `getsei run --model` with it gives B the states the comparison gave it
  const again = join(dir, 'B-again');
  const rr = getsei(['run', b.file, '-o', again, '-c', join(dir, 'config.toml'), '--threads', '1', '--model', join(out, 'model')]);
  assert.equal(rr.code, 0, rr.stderr);
  assert.ok(readFileSync(join(again, 'states.npy')).equals(readFileSync(join(out, 'runs', 'B', 'states.npy'))));
  // the input runs are only read
  assert.deepEqual([a.run, b.run].map((x) => readdirSync(x).sort()), inputsBefore);
  // the pool is drawn from both runs in equal shares, as shared-model.json records
  const pooled = JSON.parse(readFileSync(join(out, 'shared-model.json'), 'utf8')) as { trainGraphs: number[]; fitSample: number[] };
  assert.deepEqual(pooled.trainGraphs, [4096, 4096]);
  // the mixture's sample: half of states.fitSampleSize (50 000) from each, here capped at each run's Li-frames
  assert.deepEqual(pooled.fitSample, [a.labels.length, b.labels.length].map((n) => Math.min(n, 25_000)));
  // reproducible: the same runs, config and seed give the same model and the same states, byte for byte
  const out2 = join(dir, 'cmp-again');
  const r2 = getsei(['compare', a.run, b.run, '--shared-model', '-o', out2, '-c', join(dir, 'config.toml'), '--threads', '1', '--no-png']);
  assert.equal(r2.code, 0, r2.stderr);
  for (const f of ['model/mixture.json', 'model/projection.json', 'runs/A/states.npy', 'runs/B/states.npy', 'tables/compare-states.csv']) {
    assert.ok(readFileSync(join(out, f)).equals(readFileSync(join(out2, f))), `${f} differs between two identical invocations`);
  }

  // runs of other species: one line naming the run, exit 2, and no output folder
  const bad = await featurised('Br', 2, [3, 3], 4, ['Cl', 'Br']);
  const badOut = join(dir, 'cmp-bad');
  const e = getsei(['compare', a.run, bad.run, '--shared-model', '-o', badOut, '-c', join(dir, 'config.toml'), '--threads', '1']);
  assert.equal(e.code, 2, e.stderr);
  assert.equal(e.stderr.trim().split('\n').length, 1, e.stderr);
  assert.ok(e.stderr.includes(bad.run) && /elements \[.*Br.*\] vs \[.*Cl.*\]/.test(e.stderr), e.stderr);
  assert.doesNotMatch(e.stderr, /\n\s+at /);
  assert.ok(!existsSync(badOut));
});
