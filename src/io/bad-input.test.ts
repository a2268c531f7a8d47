import { strict as assert } from 'node:assert';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import { InputError } from '../util/errors.ts';
import { collect } from './testing.ts';
import { assertHasLithium, summarizeTrajectory } from './trajectory.ts';
import type { ReadOptions } from './types.ts';

/**
 * The bad-input corpus (test/io-corpus/): every file gives one InputError that names the file, the frame and the line
 * and says what is wrong and what to do.
 */
const CORPUS = new URL('../../test/io-corpus/', import.meta.url).pathname;
const typeMap = { typeMap: { 1: 'Li', 2: 'S' } };

interface Case {
  file: string;
  options?: ReadOptions;
  /** "frame F, line L" expected in the message (undefined: the error is about the whole file) */
  frame?: number;
  line?: number;
  /** what is wrong, and the hint */
  says: RegExp[];
}

const cases: Case[] = [
  // truncated files
  { file: 'xdatcar-truncated.XDATCAR', frame: 1, line: 12, says: [/ends after 1 of the 3 atom lines/, /cut off.*--stop/] },
  { file: 'extxyz-truncated.extxyz', frame: 1, line: 6, says: [/ends after 1 of the 3 atom lines/, /--stop/] },
  { file: 'lammps-truncated.dump', options: typeMap, frame: 1, line: 21, says: [/ends after 2 of the 3 atom lines/, /--stop/] },
  { file: 'extxyz-truncated-gzip.xyz.gz', line: 868, says: [/cannot be read to its end/, /gzip stream is corrupt or was cut off/] },
  // wrong atom counts
  { file: 'xdatcar-wrong-count.XDATCAR', frame: 0, line: 12, says: [/found 'Direct configuration=\s+2' where atom line 4 of 4/, /counts of the header add up to 4/] },
  { file: 'extxyz-count-too-small.extxyz', frame: 1, line: 5, says: [/expected the number of atoms but found 'S 3.0 3.0 3.0'/, /previous frame has more atom lines/] },
  { file: 'extxyz-count-too-large.extxyz', frame: 0, line: 6, says: [/count line of the next frame \('3'\) where atom line 4 of 4/, /fix the count/] },
  { file: 'lammps-count-too-large.dump', options: typeMap, frame: 0, line: 13, says: [/found 'ITEM: TIMESTEP' where atom line 4 of 4/, /NUMBER OF ATOMS/] },
  { file: 'lammps-count-too-small.dump', options: typeMap, frame: 1, line: 12, says: [/expected an 'ITEM:' line but found '3 2 3.0 3.0 3.0'/, /more atom lines than its NUMBER OF ATOMS/] },
  { file: 'extxyz-atom-count-changes.extxyz', frame: 1, line: 6, says: [/this frame has 2 atoms but the first frame .* has 3/, /same atoms in the same order/] },
  // unparsable numbers, NaN/Inf
  { file: 'xdatcar-bad-number.XDATCAR', frame: 1, line: 14, says: [/coordinate 3 'abc' is not a number/, /fix or remove this frame/] },
  { file: 'extxyz-bad-number.extxyz', frame: 0, line: 4, says: [/coordinate 2 of atom 1 '1,5' is not a number/] },
  { file: 'lammps-bad-box.dump', options: typeMap, frame: 0, line: 7, says: [/box bound 2 'six' is not a number/] },
  { file: 'xdatcar-nan.XDATCAR', frame: 0, line: 10, says: [/coordinate 2 is NaN, not a finite number/] },
  { file: 'extxyz-inf.extxyz', frame: 1, line: 9, says: [/coordinate 2 of atom 1 is inf, not a finite number/] },
  { file: 'xdatcar-overflow.XDATCAR', frame: 0, line: 11, says: [/too wide for its Fortran field/] },
  // missing or singular cell
  { file: 'extxyz-no-lattice.xyz', frame: 0, line: 2, says: [/no Lattice=/, /periodic cells.*Lattice="ax ay az/] },
  { file: 'extxyz-singular.extxyz', frame: 0, line: 2, says: [/cell is singular/, /check the Lattice key/] },
  { file: 'xdatcar-singular.XDATCAR', frame: 0, line: 3, says: [/cell is singular.*5 0 0 10 0 0 0 0 5/, /lattice vector lines and the scale factor/] },
  { file: 'lammps-singular-box.dump', options: typeMap, frame: 0, line: 6, says: [/cell is singular/, /BOX BOUNDS/] },
  // unknown elements, unmapped LAMMPS types
  { file: 'xdatcar-unknown-element.XDATCAR', frame: 0, line: 6, says: [/unknown element 'Xx'/, /element symbols/] },
  { file: 'extxyz-unknown-element.extxyz', frame: 0, line: 4, says: [/unknown element 'Qz'/] },
  { file: 'lammps-unknown-element.dump', frame: 0, line: 11, says: [/unknown element 'Lx'/] },
  { file: 'lammps-no-type-map.dump', frame: 0, line: 10, says: [/atom type 1 has no element/, /--type-map was not given/, /--type-map 1=<element>,2=<element>/] },
  { file: 'lammps-no-type-map.dump', options: { typeMap: { 1: 'Li' } }, frame: 0, line: 12, says: [/atom type 2 has no element/, /does not name this type/] },
  // species order changing between frames
  { file: 'xdatcar-species-order.XDATCAR', frame: 1, line: 19, says: [/species order changed: atom 0 \(0-based\) is S here but Li/, /same atoms in the same order/] },
  { file: 'extxyz-species-order.extxyz', frame: 1, line: 6, says: [/species order changed: atom 0 \(0-based\) is S here but Li/] },
  { file: 'lammps-ids-change.dump', options: typeMap, frame: 1, line: 24, says: [/atom ids differ from the previous frame \(id 4 here, 3 there\)/, /split the dump/] },
  // malformed headers and columns
  { file: 'xdatcar-vasp4.XDATCAR', frame: 0, line: 6, says: [/no line of element symbols .*VASP 4/, /add one/] },
  { file: 'extxyz-bad-properties.extxyz', frame: 0, line: 2, says: [/column 'pos' has type 'X'/, /Properties=species:S:1:pos:R:3/] },
  { file: 'extxyz-bad-quote.extxyz', frame: 0, line: 2, says: [/double quote is not closed/] },
  { file: 'lammps-no-id.dump', frame: 0, line: 9, says: [/have no 'id'/] },
  { file: 'lammps-no-coordinates.dump', frame: 0, line: 9, says: [/have no coordinates/, /xu yu zu/] },
  { file: 'lammps-duplicate-id.dump', frame: 0, line: 12, says: [/atom id 2 appears twice/] },
  { file: 'extxyz-empty.xyz', says: [/the file is empty/] },
  // an empty selection
  { file: 'extxyz-no-lithium.extxyz', options: { start: 5 }, says: [/selection \(--start 5 --stride 1\) contains no frames; the input has 1 in all/, /choose --start below/] },
];

for (const c of cases) {
  test(`${c.file}${c.options ? ` ${JSON.stringify(c.options)}` : ''}: ${c.says[0].source.slice(0, 60)}`, async () => {
    const path = CORPUS + c.file;
    await assert.rejects(collect([path], c.options), (err: unknown) => {
      assert.ok(err instanceof InputError, `expected an InputError, got ${String(err)}`);
      const where = c.frame === undefined ? (c.line === undefined ? ':' : `, line ${c.line}:`) : `, frame ${c.frame}, line ${c.line}:`;
      assert.ok(err.message.startsWith(path + where), `message should start with "${c.file}${where}": ${err.message}`);
      for (const r of c.says) assert.match(err.message, r);
      assert.doesNotMatch(err.message, /undefined|NaN ps|\[object/);
      return true;
    });
  });
}

test('every file of the corpus has a case', () => {
  const covered = new Set(cases.map((c) => c.file));
  const missing = readdirSync(CORPUS).filter((f) => !covered.has(f) && !f.endsWith('.ts')); // the .ts files are the run-through-the-CLI tests
  assert.deepEqual(missing, []);
});

test('no Li: the summary says liCount 0 and warns; assertHasLithium gives the error featurize needs', async () => {
  const path = CORPUS + 'extxyz-no-lithium.extxyz';
  const summary = await summarizeTrajectory([path]);
  assert.equal(summary.liCount, 0);
  assert.match(summary.warnings.join('\n'), /no Li atoms/);
  assert.throws(() => assertHasLithium(summary), (err: unknown) => err instanceof InputError && err.message.startsWith(path) && /no Li atoms \(it has Na 1, S 1\)/.test(err.message));
});

test('a missing file and a directory are InputErrors that say so', async () => {
  await assert.rejects(collect([CORPUS + 'no-such-file.xyz']), (err: unknown) => err instanceof InputError && /no-such-file\.xyz: no such file\. check the path/.test(err.message));
  await assert.rejects(collect([CORPUS]), (err: unknown) => err instanceof InputError && /is a directory/.test(err.message));
});
