import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { Command } from '@commander-js/extra-typings';
import { summarizeTrajectory } from '../../io/index.ts';
import { GetseiError } from '../../util/errors.ts';
import { addTrajectoryOptions, trajectoryOptionsFrom } from '../trajectory-options.ts';
import { formatSummary } from './inspect.ts';

const main = new URL('../main.ts', import.meta.url).pathname;
const root = new URL('../../../', import.meta.url).pathname;

/** Run the CLI from source in the repository root, as a user would. */
function getsei(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', main, ...args], { encoding: 'utf8', cwd: root });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const runs = [1, 2, 3, 4, 5, 6].map((i) => `${root}examples/Li6PS5Cl-50p-500K/run${i}.XDATCAR.gz`);

test('the text summary: format, files, frames, atoms, species, Li count, cell, time per frame, segments, warnings', async () => {
  const out = formatSummary(await summarizeTrajectory(runs, { dtPs: 0.1, stride: 2 }));
  assert.match(out, /^format\s+xdatcar$/m);
  assert.match(out, /^files\s+6 \(consecutive segments of one run\)$/m);
  assert.match(out, /run5\.XDATCAR\.gz\s+xdatcar\s+35 of 70 frames/);
  assert.match(out, /^frames\s+350 selected \(start 0, stride 2\)$/m);
  assert.match(out, /^atoms\s+416$/m);
  assert.match(out, /^species\s+Li 192, Cl 32, S 160, P 32$/m);
  assert.match(out, /^Li atoms\s+192$/m);
  assert.match(out, /^cell\s+constant/m);
  assert.match(out, /a\s+20\.312311\s+0\.000190\s+-0\.000113/);
  assert.match(out, /^time\/frame\s+0\.2 ps between selected frames \(0\.1 ps × stride 2\), from --dt$/m);
  assert.match(out, /^segments\s+1$/m);
  assert.match(out, /^warnings\s+none$/m);
  const noDt = formatSummary(await summarizeTrajectory([runs[4], runs[5]], { stop: 2, independent: true }));
  assert.match(noDt, /^time\/frame\s+unknown — give --dt PS$/m);
  assert.match(noDt, /^files\s+2 \(independent trajectories\)$/m);
  assert.match(noDt, /^segments\s+2$/m);
});

test('trajectory options: parsed from the command line into ReadOptions; bad values name the option', () => {
  const parse = (args: string[]) => {
    const cmd = addTrajectoryOptions(new Command('t').exitOverride());
    cmd.parse(args, { from: 'user' });
    return trajectoryOptionsFrom(cmd.opts());
  };
  assert.deepEqual(parse([]), {});
  assert.deepEqual(parse(['--format', 'xyz', '--start', '3', '--stop', '10', '--stride', '2', '--dt', '0.05', '--type-map', '1=li, 2=S', '--independent']), {
    format: 'xyz', start: 3, stop: 10, stride: 2, dtPs: 0.05, typeMap: { 1: 'Li', 2: 'S' }, independent: true,
  });
  const bad: [string[], RegExp][] = [
    [['--stride', '0'], /--stride must be a whole number ≥ 1, got "0"/],
    [['--start', '-1'], /--start must be a whole number ≥ 0/],
    [['--stop', 'ten'], /--stop must be a whole number/],
    [['--dt', '0'], /--dt must be a positive number of picoseconds/],
    [['--type-map', '1=Lithium'], /--type-map: cannot read '1=Lithium'/],
    [['--type-map', '1=Li,1=S'], /type 1 is given twice/],
  ];
  for (const [args, message] of bad) assert.throws(() => parse(args), (e: unknown) => e instanceof GetseiError && message.test(e.message), args.join(' '));
});

test('getsei inspect end to end: --json output, and bad input exits 2 with one message and no stack trace', () => {
  const r = getsei(['inspect', 'test/data/LGPS-600K-small/LGPS-600K.extxyz.gz', '--json', '--stop', '100']);
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout) as { frames: number; atoms: number; liCount: number; frameIntervalPs: number; frameIntervalSource: string };
  assert.deepEqual([s.frames, s.atoms, s.liCount, s.frameIntervalPs, s.frameIntervalSource], [100, 50, 20, 0.02, 'file']);
  const bad = getsei(['inspect', 'test/io-corpus/lammps-no-type-map.dump']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^getsei: error: test\/io-corpus\/lammps-no-type-map\.dump, frame 0, line 10: atom type 1 has no element.*--type-map/);
  assert.doesNotMatch(bad.stderr, /\n\s+at /);
});

test('getsei inspect --help explains every option with units and defaults', () => {
  const r = getsei(['inspect', '--help']);
  assert.equal(r.code, 0);
  for (const option of ['--json', '--format <name>', '--start <frame>', '--stop <frame>', '--stride <n>', '--dt <ps>', '--type-map <map>', '--independent']) {
    assert.ok(r.stdout.includes(option), option);
  }
  assert.match(r.stdout, /in ps/);
  assert.match(r.stdout, /default 1\)/);
});
