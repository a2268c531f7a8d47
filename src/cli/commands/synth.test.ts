import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, test } from 'node:test';

const main = new URL('../main.ts', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'getsei-synth-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function getsei(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', main, ...args], { encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

test('getsei synth writes the trajectory, truth.json and truth_states.npy, and the same seed gives the same bytes', () => {
  const args = ['synth', '--repeats', '2,2', '--frames', '5', '--dt', '2', '--seed', '3', '--energies', 'metal=0.01', '--barriers', 'metal:S4-tet=0.4'];
  const a = getsei([...args, '-o', join(dir, 'a')]);
  assert.equal(a.code, 0, a.stderr);
  assert.match(a.stdout, /320 atoms \(16 Li in 4 independent channels\), 5 frames every 2 ps/);
  assert.match(a.stdout, /metal -> S4-tet -> S3Cl-tet -> S4-sq/);
  const b = getsei([...args, '-o', join(dir, 'b')]);
  assert.equal(b.code, 0, b.stderr);
  for (const f of ['trajectory.extxyz', 'truth.json', 'truth_states.npy']) {
    assert.ok(readFileSync(join(dir, 'a', f)).equals(readFileSync(join(dir, 'b', f))), f);
  }
  const truth = JSON.parse(readFileSync(join(dir, 'a', 'truth.json'), 'utf8')) as {
    types: Array<{ name: string; energyEv: number }>; settings: { seed: number; dtPs: number };
  };
  assert.equal(truth.types[0].energyEv, 0.01);
  assert.equal(truth.settings.seed, 3);
  assert.equal(truth.settings.dtPs, 2);
});

test('getsei synth --gzip --no-site-type --model: a custom four-type model, compressed, without the site_type column', () => {
  const model = {
    types: [
      { name: 'M', shell: 'Li-metal', energyEv: 0 },
      { name: 'A', shell: 'S4-tetrahedral', energyEv: 0.05 },
      { name: 'F', shell: 'S4-square-planar', energyEv: 0.08 },
      { name: 'B', shell: 'S3-trigonal', energyEv: 0.04 },
    ],
    barriers: [
      { between: ['M', 'A'], saddleEv: 0.3 }, { between: ['A', 'F'], saddleEv: 0.28 },
      { between: ['F', 'B'], saddleEv: 0.3 }, { between: ['B', 'M'], saddleEv: 0.38 },
    ],
  };
  writeFileSync(join(dir, 'model.json'), JSON.stringify(model));
  const r = getsei(['synth', '-o', join(dir, 'c'), '--model', join(dir, 'model.json'), '--repeats', '2,2', '--frames', '3', '--gzip', '--no-site-type']);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(!existsSync(join(dir, 'c', 'trajectory.extxyz')));
  const text = gunzipSync(readFileSync(join(dir, 'c', 'trajectory.extxyz.gz'))).toString();
  assert.match(text.split('\n')[1], /Properties=species:S:1:pos:R:3 time=0\.0 pbc="T T T"/);
  const truth = JSON.parse(readFileSync(join(dir, 'c', 'truth.json'), 'utf8')) as { types: unknown[]; reactiveFlux: { source: string[]; target: string[] } };
  assert.equal(truth.types.length, 4);
  assert.deepEqual([truth.reactiveFlux.source, truth.reactiveFlux.target], [['M'], ['F']]);
});

test('getsei synth refuses bad input with one clear line and exit code 2', () => {
  writeFileSync(join(dir, 'broken.json'), '{"types": [');
  const cases: Array<[string[], RegExp]> = [
    [['--frames', '0'], /--frames: "0" is not a positive integer/],
    [['--repeats', '3'], /--repeats: "3" needs 2 comma-separated numbers/],
    [['--repeats', '3,3', '--atoms', '500'], /either --repeats or --atoms/],
    [['--model', join(dir, 'missing.json')], /missing\.json: cannot read the model file \(ENOENT\)/],
    [['--model', join(dir, 'broken.json')], /broken\.json: not valid JSON/],
    [['--energies', 'nope=1'], /--energies names unknown type "nope"/],
    [['--thermal', '2'], /--thermal: "2" is not a number of Å in \[0, 0\.5\]/],
    [['--source', 'metal', '--target', 'metal'], /must not share a type/],
  ];
  for (const [args, re] of cases) {
    const r = getsei(['synth', '-o', join(dir, 'bad'), '--frames', '2', ...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
  assert.ok(!existsSync(join(dir, 'bad', 'truth.json')));
});

test('getsei synth --help gives units and defaults', () => {
  const r = getsei(['synth', '--help']);
  assert.equal(r.code, 0);
  for (const s of ['--dt <ps>', 'in ps', '--temperature <K>', '--thermal <angstrom>', 'default: "1000"', '--difficulty', 'subtle']) {
    assert.ok(r.stdout.includes(s), s);
  }
});
