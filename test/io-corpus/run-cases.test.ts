import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { getsei } from '../helpers.ts';
import { exampleXdatcar, toExtxyz, toLammpsDump, type Mutation } from './mutants.ts';

/**
 * The defects that used to end `getsei run` in a worker-pool stack trace (issue 16), and the physically impossible
 * inputs it used to accept, each run through `getsei run` as a user would: exit 2, one line naming the file, frame
 * and line and what to do, no stack trace, and no half-written stage output in the run folder.
 */
const dir = mkdtempSync(join(tmpdir(), 'getsei-run-cases-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const FRAMES = 8;
const xdatcar = exampleXdatcar(FRAMES);

interface RunCase {
  name: string;
  file: string;
  text: string;
  args?: string[];
  frame?: number;
  says: RegExp;
}

/** Change the atom line `atom` (0-based) of frame `frame` of an XDATCAR with one header. */
function xdatcarAtom(frame: number, atom: number, edit: (fields: string[]) => string[]): Mutation {
  return (lines) => {
    const i = 7 + frame * (xdatcar.atoms + 1) + 1 + atom;
    lines[i] = ' ' + edit(lines[i].trim().split(/\s+/)).join(' ');
    return lines;
  };
}

const cases: RunCase[] = [
  { name: 'nan position', file: 'nan.XDATCAR', text: xdatcar.mutate(xdatcarAtom(5, 10, (f) => [f[0], 'nan', f[2]])), frame: 5, says: /coordinate 2 is nan, not a finite number/ },
  { name: 'Infinity position', file: 'inf.XDATCAR', text: xdatcar.mutate(xdatcarAtom(5, 10, (f) => ['Infinity', f[1], f[2]])), frame: 5, says: /coordinate 1 is Infinity, not a finite number/ },
  { name: '1e309 position (overflows to inf)', file: 'overflow.XDATCAR', text: xdatcar.mutate(xdatcarAtom(6, 3, (f) => [f[0], f[1], '1e309'])), frame: 6, says: /coordinate 3 '1e309' is not a number/ },
  { name: '1e200 position (finite but absurd)', file: 'absurd.XDATCAR', text: xdatcar.mutate(xdatcarAtom(6, 3, (f) => [f[0], '1e200', f[2]])), frame: 6, says: /atom 4 \(Li\) .*cell lengths along lattice vector .* from the cell/ },
  { name: 'two atoms overlapping', file: 'overlap.XDATCAR', text: xdatcar.mutate((lines) => { const at = 7 + 5 * (xdatcar.atoms + 1) + 1; lines[at + 1] = lines[at]; return lines; }), frame: 5, says: /atoms 1 \(Li\) and 2 \(Li\) are 0\.000 Å apart, closer than the 0\.5 Å.*--min-distance/ },
  { name: 'count line one short of the block', file: 'short-count.XDATCAR', text: xdatcar.mutate((lines) => { lines[6] = lines[6].replace(/32\s*$/, '31'); return lines; }), frame: 0, says: /found a coordinate line .* after the 415 atom lines of this frame.*counts of the header add up to 415/ },
  { name: 'truncated last XDATCAR block', file: 'truncated.XDATCAR', text: xdatcar.mutate((lines) => lines.slice(0, lines.length - 100)), frame: FRAMES - 1, says: /ends after \d+ of the 416 atom lines/ },
  { name: 'extra atom line in a middle frame', file: 'extra-line.extxyz', text: toExtxyz(xdatcar.frames, (f, lines) => (f === 4 ? [...lines.slice(0, 9), lines[8], ...lines.slice(9)] : lines)), frame: 4, says: /species order changed: atom 192 \(0-based\) is Li here but Cl/ },
  { name: 'NaN in Lattice=', file: 'nan-lattice.extxyz', text: toExtxyz(xdatcar.frames, (f, lines) => (f === 4 ? [lines[0], lines[1].replace(/Lattice="[-0-9.e]+/, 'Lattice="NaN'), ...lines.slice(2)] : lines)), frame: 4, says: /Lattice component 1 is NaN, not a finite number/ },
  { name: 'Lattice changes length in frame 3', file: 'lattice-length.extxyz', text: toExtxyz(xdatcar.frames, (f, lines) => (f === 3 ? [lines[0], lines[1].replace(/Lattice="([^"]*) [^ "]+"/, 'Lattice="$1"'), ...lines.slice(2)] : lines)), frame: 3, says: /expected 9 numbers \(Lattice component\) but the line has 8/ },
  { name: 'duplicate LAMMPS ids in one frame', file: 'duplicate-id.dump', text: toLammpsDump(xdatcar.frames, (f, lines) => (f === 5 ? lines.map((l, i) => (i === 12 ? l.replace(/^\d+/, '1') : l)) : lines)), frame: 5, says: /atom id 1 appears twice/ },
  { name: 'LAMMPS element column changes', file: 'element-change.dump', text: toLammpsDump(xdatcar.frames, (f, lines) => (f === 5 ? lines.map((l, i) => (i === 9 ? l.replace(' Li ', ' Na ') : l)) : lines)), frame: 5, says: /species order changed: atom 0 \(0-based\) is Na here but Li/ },
];

for (const c of cases) {
  test(`getsei run, ${c.name}: exit 2, one line naming file, frame and line; no stage output`, () => {
    const path = join(dir, c.file);
    writeFileSync(path, c.text);
    const out = join(dir, `run-${c.file}`);
    const r = getsei(['run', path, '-o', out, '--threads', '2', '--epochs', '1', '--no-stability', ...(c.args ?? [])], { timeoutMs: 60_000 });
    assert.equal(r.code, 2, `exit code; stderr: ${r.stderr}`);
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('getsei: error:'));
    assert.equal(errors.length, 1, r.stderr);
    const where = c.frame === undefined ? path : `${path}, frame ${c.frame}, line `;
    assert.ok(errors[0].startsWith(`getsei: error: ${where}`), errors[0]);
    assert.match(errors[0], c.says);
    assert.doesNotMatch(r.stderr, /\n\s+at |Terminating worker thread|Error:/, 'no stack trace');
    // nothing half-written: no frame store, no segments, and featurize not recorded as done
    assert.ok(!existsSync(join(out, 'frames')) || readdirSync(join(out, 'frames')).length === 0, 'no partial frame store');
    assert.ok(!existsSync(join(out, 'segments.npy')));
    const manifest = join(out, 'manifest.json');
    if (existsSync(manifest)) {
      const stages = (JSON.parse(readFileSync(manifest, 'utf8')) as { stages: Record<string, { status: string }> }).stages;
      assert.notEqual(stages.featurize?.status, 'done');
    }
  });
}

test('--min-distance 0 turns the overlap check off (the run then gets past reading)', () => {
  const path = join(dir, 'overlap-allowed.XDATCAR');
  writeFileSync(path, cases[4].text);
  const r = getsei(['inspect', path, '--min-distance', '0']);
  assert.equal(r.code, 0, r.stderr);
  const strict = getsei(['inspect', path]);
  assert.equal(strict.code, 2);
});

test('two getsei run into one folder: the second refuses with one clear line and leaves the first untouched', async () => {
  const path = join(dir, 'lock-input.XDATCAR');
  writeFileSync(path, xdatcar.mutate((l) => l));
  const out = join(dir, 'run-locked');
  const main = new URL('../../src/cli/main.ts', import.meta.url).pathname;
  const first = spawn(process.execPath, ['--import', 'tsx', main, 'run', path, '-o', out, '--threads', '1', '--epochs', '1', '--no-stability'], { stdio: 'ignore' });
  try {
    const t0 = Date.now();
    while (!existsSync(join(out, '.lock')) && Date.now() - t0 < 30_000) await new Promise((r) => setTimeout(r, 50));
    assert.ok(existsSync(join(out, '.lock')), 'the first run holds the lock');
    const second = getsei(['run', path, '-o', out, '--threads', '1', '--epochs', '1', '--no-stability']);
    assert.equal(second.code, 2, second.stderr);
    assert.match(second.stderr.trim(), new RegExp(`^getsei: error: ${out} is in use by another getsei \\(pid ${first.pid} .*choose another --out; if no getsei is running there, delete ${out}/\\.lock$`));
    assert.ok(existsSync(join(out, '.lock')), 'the refused run did not remove the holder\'s lock');
  } finally {
    first.kill('SIGKILL');
    await once(first, 'exit');
  }
  // the killed run left a stale lock: the next run takes it over (here it stops at bad input: exit 2, lock released)
  assert.ok(existsSync(join(out, '.lock')));
  const bad = join(dir, 'lock-bad.XDATCAR');
  writeFileSync(bad, cases[0].text);
  const again = getsei(['run', bad, '-o', out, '--threads', '1', '--epochs', '1', '--no-stability']);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /coordinate 2 is nan/);
  assert.ok(!existsSync(join(out, '.lock')), 'released at the end of the run');
});

test('LAMMPS boundary "pp pp ff" through getsei featurize: c is not periodic, so atoms near the c faces lose their images across it', () => {
  const periodic = toLammpsDump(xdatcar.frames, (_f, lines) => lines);
  assert.ok(periodic.includes('ITEM: BOX BOUNDS pp pp pp'));
  const features = (name: string, text: string): string[] => {
    const path = join(dir, name);
    writeFileSync(path, text);
    const out = join(dir, `run-${name}`);
    const r = getsei(['featurize', path, '-o', out, '--dt', '0.1', '--threads', '1']);
    assert.equal(r.code, 0, r.stderr);
    const csv = getsei(['features', out, '--frame', '0']);
    assert.equal(csv.code, 0, csv.stderr);
    return csv.stdout.trim().split('\n').slice(1);
  };
  const withImages = features('periodic.dump', periodic);
  const slab = features('slab.dump', periodic.replaceAll('ITEM: BOX BOUNDS pp pp pp', 'ITEM: BOX BOUNDS pp pp ff'));
  assert.equal(slab.length, withImages.length);
  // the bulk cell has neighbours across every face: cutting c changes the shells of some atoms, never their positions
  const differ = slab.filter((row, i) => row !== withImages[i]);
  assert.ok(differ.length > 0 && differ.length < slab.length, `${differ.length} of ${slab.length} atoms changed`);
  for (const [i, row] of slab.entries()) assert.equal(row.split(',').slice(0, 5).join(), withImages[i].split(',').slice(0, 5).join());
});
