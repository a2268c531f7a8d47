import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'smol-toml';
import { defaultConfigToml, mergeConfig, parseConfig } from '../src/pipeline/config.ts';
import { getsei } from './helpers.ts';

test('the printed defaults parse back to the defaults, and carry the paper\'s values', () => {
  const toml = defaultConfigToml();
  const back = parseConfig(parse(toml));
  assert.deepEqual(back, parseConfig({}));
  assert.equal(back.graph.edgeCutoffAngstrom, 3.0);
  assert.equal(back.features.shellAngstrom, 4.0);
  assert.equal(back.contrastive.temperature, 0.5);
  assert.equal(back.contrastive.edgeDrop, 0.1);
  assert.equal(back.contrastive.featureMask, 0.2);
  assert.equal(back.contrastive.trainFraction, 0.2);
  assert.match(toml, /# InfoNCE temperature/);
});

test('field-level errors name the path; unknown keys are errors', () => {
  assert.throws(() => parseConfig({ contrastive: { edgeDrop: 1.5 } }, 'my.toml'), /my\.toml[\s\S]*contrastive\.edgeDrop/);
  assert.throws(() => parseConfig({ states: { cuont: 6 } }), /unknown key\(s\) "cuont"/);
  assert.throws(() => parseConfig({ kinetics: { lag: '80 min' } }), /kinetics\.lag/);
  assert.equal(parseConfig({ kinetics: { lag: '80 fs' } }).kinetics.lag, '80fs');
  assert.equal(parseConfig({ kinetics: { lag: '80ps' } }).kinetics.lag, '80ps');
  assert.equal(parseConfig({ states: { count: 6 } }).states.count, 6);
});

test('flags override the file; undefined flags do not', () => {
  const merged = mergeConfig({ states: { count: 4, seed: 3 } }, { states: { count: 6, seed: undefined } });
  const c = parseConfig(merged);
  assert.equal(c.states.count, 6);
  assert.equal(c.states.seed, 3);
});

test('getsei config --check reports a bad file with the field and exits non-zero', () => {
  const dir = mkdtempSync(join(tmpdir(), 'getsei-cfg-'));
  writeFileSync(join(dir, 'bad.toml'), '[contrastive]\ntemperature = -1\n');
  const r = getsei(['config', '--check', join(dir, 'bad.toml')]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /contrastive\.temperature/);
  writeFileSync(join(dir, 'broken.toml'), '[contrastive\n');
  assert.match(getsei(['config', '--check', join(dir, 'broken.toml')]).stderr, /not valid TOML/);
  const d = getsei(['config', '--defaults']);
  assert.equal(d.code, 0);
  assert.match(d.stdout, /\[kinetics\]/);
  assert.match(d.stdout, /\[transport\][\s\S]*# slabs of the D\(z\) profile[^\n]*\nprofileBins = 10/);
  assert.deepEqual(parseConfig({ transport: { normal: [0, 0, 2] } }).transport.normal, [0, 0, 1]);
  assert.throws(() => parseConfig({ transport: { normal: [0, 0, 0] } }), /transport\.normal/);
  assert.throws(() => parseConfig({ transport: { elements: ['sulfur'] } }), /transport\.elements/);
});

test('input.cellFile, input.topology and input.species are config keys (CP2K cell, elements of XTC/DCD/H5MD/NetCDF)', () => {
  const c = parseConfig({ input: { cellFile: 'run-1.cell', topology: 'first.extxyz', species: 'Li:24,P:4,S:20,Cl:4' } });
  assert.equal(c.input.cellFile, 'run-1.cell');
  assert.equal(c.input.topology, 'first.extxyz');
  assert.equal(c.input.species, 'Li:24,P:4,S:20,Cl:4');
  assert.match(defaultConfigToml(), /elements in atom order with counts/);
});
