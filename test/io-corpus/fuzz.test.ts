import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { featureLayout } from '../../src/features/atom-features.ts';
import featurizeFrame, { type FeaturizeResult } from '../../src/features/worker.ts';
import { readTrajectory } from '../../src/io/index.ts';
import { GetseiError } from '../../src/util/errors.ts';
import { getsei } from '../helpers.ts';
import { exampleXdatcar, mutate, toExtxyz, toLammpsDump } from './mutants.ts';

/**
 * Seeded fuzzing of the readers and the featurize path (issue 16): mutants of the bundled example's first two frames
 * (truncation, byte flips, dropped/duplicated lines, mangled numbers) in all three formats. Every mutant either reads
 * and featurises to finite numbers, or fails with one GetseiError line that names the file — never another error
 * (a stack trace for the user), never a NaN. A few failing mutants also go through `getsei run`.
 */
const dir = mkdtempSync(join(tmpdir(), 'getsei-fuzz-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const MUTANTS_PER_FORMAT = 170;
const example = exampleXdatcar(2);
const sources = [
  { ext: 'XDATCAR', text: example.lines.join('\n') + '\n' },
  { ext: 'extxyz', text: toExtxyz(example.frames) },
  { ext: 'dump', text: toLammpsDump(example.frames) },
];

type Outcome = { ok: true; frames: number } | { ok: false; message: string };

/** Read every frame and featurise it as a featurize worker would (in process), checking every number is finite. */
async function readAndFeaturize(path: string): Promise<Outcome> {
  let frames = 0;
  try {
    for await (const frame of readTrajectory([path])) {
      const sp = frame.species;
      const layout = featureLayout(sp);
      const li = Int32Array.from(Array.from(sp.keys()).filter((i) => sp[i] === 3));
      const r = featurizeFrame({
        species: sp, positions: frame.positions, cells: frame.cell.matrix, pbc: Uint8Array.from(frame.cell.pbc, Number), countSpecies: layout.countSpecies,
        names: [...layout.names], li, shellAngstrom: 4, graphRadiusAngstrom: 4,
      });
      if ('getseiWorkerError' in r) return { ok: false, message: r.getseiWorkerError.message };
      const fr: FeaturizeResult = r;
      for (const a of [frame.positions, fr.features, fr.vector]) {
        for (let k = 0; k < a.length; k++) if (!Number.isFinite(a[k])) throw new Error(`non-finite value at ${k} in frame ${frames}`);
      }
      frames++;
    }
    return { ok: true, frames };
  } catch (err) {
    if (err instanceof GetseiError) return { ok: false, message: err.message };
    throw err;
  }
}

const failures: { path: string; message: string }[] = [];

test(`fuzz: ${3 * MUTANTS_PER_FORMAT} seeded mutants read + featurise to finite numbers or give one clear error line naming the file`, async (t) => {
  const tally = { ok: 0, refused: 0 };
  for (const [s, src] of sources.entries()) {
    for (let m = 0; m < MUTANTS_PER_FORMAT; m++) {
      const seed = 1000 * s + m;
      const { text, what } = mutate(src.text, seed);
      const path = join(dir, `m${seed}.${src.ext}`);
      writeFileSync(path, text, 'latin1');
      let out: Outcome;
      try {
        out = await readAndFeaturize(path);
      } catch (err) {
        assert.fail(`mutant ${seed} (${src.ext}, ${what}): not a GetseiError: ${(err as Error).stack ?? String(err)}`);
      }
      if (out.ok) {
        tally.ok++;
        assert.ok(out.frames >= 1 && out.frames <= 3, `mutant ${seed} (${what}): ${out.frames} frames`);
        continue;
      }
      tally.refused++;
      const ctx = `mutant ${seed} (${src.ext}, ${what}): ${out.message}`;
      assert.ok(out.message.startsWith(path), `the message names the file: ${ctx}`);
      assert.ok(!out.message.includes('\n'), `one line: ${ctx}`);
      assert.doesNotMatch(out.message, /undefined|\[object|NaN ps/, ctx);
      failures.push({ path, message: out.message });
    }
  }
  t.diagnostic(`outcomes: ${JSON.stringify(tally)}`);
  // the mutations must exercise both outcomes, or the test asserts little
  assert.ok(tally.refused > 100 && tally.ok > 50, JSON.stringify(tally));
});

test('fuzz: a few refused mutants give the same one line through getsei run (exit 2, no stack trace)', () => {
  assert.ok(failures.length >= 5);
  for (const f of failures.filter((_, i) => i % Math.floor(failures.length / 2) === 0).slice(0, 2)) {
    const r = getsei(['run', f.path, '-o', `${f.path}.run`, '--threads', '2', '--epochs', '1', '--no-stability'], { timeoutMs: 60_000 });
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr.trim().split('\n').filter((l) => l.startsWith('getsei: error:')).join('\n'), `getsei: error: ${f.message}`);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  }
});
