import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getsei } from '../../../test/helpers.ts';

const run5 = new URL('../../../examples/Li6PS5Cl-50p-500K/run5.XDATCAR.gz', import.meta.url).pathname;

test('getsei transport RUN: transport.json with the documented keys and the MSD CSV; unfeaturised RUN is one clear error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'getsei-transport-'));
  try {
    const bad = getsei(['transport', join(dir, 'nothing')]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /not featurised yet/);
    assert.doesNotMatch(bad.stderr, /at .*\.ts:\d+/);
    const run = join(dir, 'run');
    assert.equal(getsei(['featurize', run5, '--dt', '0.1', '-o', run]).code, 0);
    const r = getsei(['transport', run, '--temperature', '500', '--bootstrap', '200']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /tracer D\* = /);
    const t = JSON.parse(readFileSync(join(run, 'transport.json'), 'utf8'));
    assert.equal(t.msd.timePs.length, 70);
    assert.equal(t.msd.li.length, 70);
    assert.equal(t.tracerDiffusion.unit, 'A2/ps');
    assert.ok(t.tracerDiffusion.lower < t.tracerDiffusion.value && t.tracerDiffusion.value < t.tracerDiffusion.upper);
    assert.ok(t.chargeDiffusion.value > 0 && t.havenRatio.value > 0);
    assert.equal(t.conductivity.unit, 'S/cm');
    assert.equal(t.temperatureK, 500);
    const csv = readFileSync(join(run, 'transport-msd.csv'), 'utf8').trim().split('\n');
    assert.equal(csv[0], 'time_ps,msd_li_A2,msd_x_A2,msd_y_A2,msd_z_A2,msd_charge_A2,origins');
    assert.equal(csv.length, 71);
    // without states: no per-state part; the D(z) profile over the default 10 slabs along c
    assert.equal(t.perState, null);
    assert.equal(t.profile.nBins, 10);
    assert.equal(t.profile.axis, 'c');

    // the [transport] section of a config file, a flag overriding it
    writeFileSync(join(dir, 'getsei.toml'), '[transport]\nprofileBins = 0\nelements = ["S"]\nbootstrap = 7\nstateMaxLagPs = 1\n');
    const c = getsei(['transport', run, '-c', join(dir, 'getsei.toml'), '--bootstrap', '20']);
    assert.equal(c.code, 0, c.stderr);
    assert.match(c.stdout, /S \(\d+ atoms\): D\* = /);
    const t2 = JSON.parse(readFileSync(join(run, 'transport.json'), 'utf8'));
    assert.equal(t2.profile, null);
    assert.ok(t2.elements.S.tracerDiffusion.value < t.tracerDiffusion.value, 'the S framework moves less than Li');
    assert.match(t2.tracerDiffusion.method, /20-sample bootstrap/);
    assert.equal(existsSync(join(run, 'transport-profile.csv')), false);
    writeFileSync(join(dir, 'bad.toml'), '[transport]\nprofilBins = 3\n');
    const bad2 = getsei(['transport', run, '-c', join(dir, 'bad.toml')]);
    assert.equal(bad2.code, 2);
    assert.match(bad2.stderr, /unknown key\(s\) "profilBins"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
