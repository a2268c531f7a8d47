import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pythonHas } from '../../test/helpers.ts';
import { GetseiError } from '../util/index.ts';
import {
  createEncoder, decodeSafetensors, embed, encodeSafetensors, loadEncoder, modelLayout, saveEncoder, trainEncoder,
} from './index.ts';
import { createSyntheticSource, SYNTHETIC_FEATURES } from './testing.ts';

const extras = {
  featureNames: Array.from({ length: SYNTHETIC_FEATURES }, (_, i) => `f${i}`),
  standardization: { names: ['a', 'b'], mean: [1.5, -2], std: [0.5, 3] },
  metadata: { edgeCutoffAngstrom: 3, elements: ['Li', 'P', 'S'] },
};

test('safetensors bytes: 8-byte little-endian header length, padded JSON header, little-endian float32 data', () => {
  const bytes = encodeSafetensors([{ name: 'w', shape: [2], data: Float32Array.of(1, -2) }], { format: 'x' });
  const hb = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assert.equal((8 + hb) % 8, 0);
  const header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + hb)).toString());
  assert.deepEqual(header, { __metadata__: { format: 'x' }, w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } });
  // 1.0f = 0x3f800000, −2.0f = 0xc0000000, least significant byte first
  assert.deepEqual(Array.from(bytes.subarray(8 + hb)), [0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0]);
  const back = decodeSafetensors(bytes, 'w.safetensors');
  assert.deepEqual(back.metadata, { format: 'x' });
  assert.deepEqual(Array.from(back.tensors.get('w')!.data), [1, -2]);
});

test('a saved encoder loads back with the same weights, embeddings, extras and training record', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'getsei-enc-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const source = createSyntheticSource({ count: 30, seed: 8 });
  const trained = await trainEncoder(source, Int32Array.from({ length: 30 }, (_, i) => i), {
    epochs: 1, batchSize: 16, threads: 1, config: { hiddenPerHead: 3, readout: 'mean+centre', lastLayerHeads: 'mean' },
  });
  await saveEncoder(join(dir, 'encoder'), trained, extras);
  const loaded = await loadEncoder(join(dir, 'encoder'));
  assert.deepEqual(loaded.encoder.config, trained.config);
  assert.deepEqual(loaded.encoder.params, trained.params);
  assert.deepEqual(loaded.extras, extras);
  assert.equal(loaded.training?.stepsRun, 2);
  assert.deepEqual(await embed(loaded.encoder, source, { threads: 1 }), await embed(trained, source, { threads: 1 }));

  // cross-check: numpy reads the same numbers (skipped locally without numpy, fails under CI: pythonHas)
  if (!pythonHas(['numpy'])) {
    t.diagnostic('numpy cross-check not run: /usr/bin/python3 with numpy not available');
    return;
  }
  const py = spawnSync('/usr/bin/python3', ['-c', `
import json, struct, sys, numpy as np
b = open(sys.argv[1], 'rb').read(); n = struct.unpack('<Q', b[:8])[0]; h = json.loads(b[8:8 + n])
e = h['proj.weight']; s, t = e['data_offsets']
print(float(np.frombuffer(b[8 + n + s:8 + n + t], dtype='<f4').reshape(e['shape']).sum()))`, join(dir, 'encoder', 'model.safetensors')], { encoding: 'utf8' });
  assert.equal(py.status, 0, py.stderr);
  const spec = modelLayout(trained.config).params.find((p) => p.name === 'proj.weight')!;
  const proj = trained.params.subarray(spec.offset, spec.offset + spec.size);
  assert.ok(Math.abs(Number(py.stdout) - proj.reduce((s, v) => s + v, 0)) < 1e-4);
});

test('missing, damaged or mismatched encoder files fail with messages that name the file', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'getsei-enc-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const rejects = (p: Promise<unknown>, pattern: RegExp) =>
    assert.rejects(p, (e: unknown) => e instanceof GetseiError && pattern.test(e.message));
  await rejects(loadEncoder(join(dir, 'nothing')), /config\.json: cannot be read\. Pass the encoder folder/);
  const enc = createEncoder({ nFeatures: SYNTHETIC_FEATURES, hiddenPerHead: 2 }, 3);
  await rejects(saveEncoder(dir, enc, { ...extras, featureNames: ['a'] }), /1 feature names for an encoder of 11 features/);
  await saveEncoder(dir, enc, extras);
  assert.deepEqual((await loadEncoder(dir)).encoder.params, enc.params);
  assert.equal((await loadEncoder(dir)).training, null);

  const cfgPath = join(dir, 'config.json'), wPath = join(dir, 'model.safetensors');
  const cfg = JSON.parse(await readFile(cfgPath, 'utf8'));
  const weights = await readFile(wPath);
  await writeFile(cfgPath, '{ not json');
  await rejects(loadEncoder(dir), /config\.json: not valid JSON/);
  await writeFile(cfgPath, JSON.stringify({ ...cfg, format: 'other' }));
  await rejects(loadEncoder(dir), /format is "other"/);
  await writeFile(cfgPath, JSON.stringify({ ...cfg, architecture: { ...cfg.architecture, heads: -1 } }));
  await rejects(loadEncoder(dir), /bad architecture/);
  await writeFile(cfgPath, JSON.stringify({ ...cfg, architecture: { ...cfg.architecture, hiddenPerHead: 5 } }));
  await rejects(loadEncoder(dir), /tensor conv1\.lin\.weight has shape \[8, 11\], the architecture needs \[20, 11\]/);
  await writeFile(cfgPath, JSON.stringify({ ...cfg, featureNames: ['x'] }));
  await rejects(loadEncoder(dir), /featureNames must list the 11 node features/);
  await writeFile(cfgPath, JSON.stringify(cfg));
  await writeFile(wPath, weights.subarray(0, weights.length - 4));
  await rejects(loadEncoder(dir), /model\.safetensors: tensor proj\.bias: data_offsets/);
  await writeFile(wPath, weights.subarray(0, 4));
  await rejects(loadEncoder(dir), /shorter than the 8-byte header/);
});
