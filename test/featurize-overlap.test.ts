import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readTrajectory } from '../src/io/index.ts';
import { featurizeTrajectory } from '../src/pipeline/featurize.ts';
import { exampleXdatcar } from './io-corpus/mutants.ts';

/**
 * The featurize stage does the reader's overlap check (no two atoms closer than 0.5 Å) on its workers: the error
 * must still be the reader's, for the first bad frame, even when a later frame would fail to parse, in any batch.
 */
const dir = mkdtempSync(join(tmpdir(), 'getsei-feat-overlap-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const FRAMES = 30;
const xdatcar = exampleXdatcar(FRAMES);
const atomLine = (frame: number, atom: number): number => 7 + frame * (xdatcar.atoms + 1) + 1 + atom;
/** atom 1 of `frame` put on atom 0; a nan coordinate in frame `nan` (if given) */
const mutant = (frame: number, nan?: number): string => xdatcar.mutate((lines) => {
  lines[atomLine(frame, 1)] = lines[atomLine(frame, 0)];
  if (nan !== undefined) lines[atomLine(nan, 10)] = ' 0.1 nan 0.2';
  return lines;
});

async function readerError(path: string, options: { minDistanceAngstrom?: number } = {}): Promise<string> {
  try {
    for await (const frame of readTrajectory([path], options)) void frame;
  } catch (err) {
    return (err as Error).message;
  }
  return 'no error';
}

async function featurizeError(path: string, extra: { frameRange?: { start: number; end: number }; minDistanceAngstrom?: number } = {}): Promise<string> {
  const run = mkdtempSync(join(dir, 'run-'));
  try {
    await featurizeTrajectory([path], run, {
      read: extra.minDistanceAngstrom === undefined ? {} : { minDistanceAngstrom: extra.minDistanceAngstrom },
      shellAngstrom: 4, graphRadiusAngstrom: 4, threads: 2, frameRange: extra.frameRange,
    });
  } catch (err) {
    return (err as Error).message;
  }
  return 'no error';
}

test('featurize reports the reader\'s overlap error for the first bad frame, in any batch, before a later parse error', async () => {
  for (const [name, text] of [['first-batch', mutant(3)], ['later-batch', mutant(21)], ['then-nan', mutant(12, 17)], ['nan-same-batch', mutant(9, 10)]] as const) {
    const path = join(dir, `${name}.XDATCAR`);
    writeFileSync(path, text);
    const want = await readerError(path);
    assert.match(want, /closer than the 0\.5 Å/, name);
    assert.equal(await featurizeError(path), want, name);
  }
});

test('featurize: a nan before the overlap is reported first; shards check the frames they skip; a bound beyond the search stays in the reader', async () => {
  const nanFirst = join(dir, 'nan-first.XDATCAR');
  writeFileSync(nanFirst, mutant(20, 5));
  const want = await readerError(nanFirst);
  assert.match(want, /nan/);
  assert.equal(await featurizeError(nanFirst), want);
  const overlap = join(dir, 'overlap-5.XDATCAR');
  writeFileSync(overlap, mutant(5));
  assert.equal(await featurizeError(overlap, { frameRange: { start: 8, end: 16 } }), await readerError(overlap));
  const beyond = await readerError(overlap, { minDistanceAngstrom: 4.5 });
  assert.match(beyond, /closer than the 4\.5 Å/);
  assert.equal(await featurizeError(overlap, { minDistanceAngstrom: 4.5 }), beyond);
  const fine = join(dir, 'fine.XDATCAR');
  writeFileSync(fine, xdatcar.mutate((l) => l));
  assert.equal(await featurizeError(fine), 'no error');
});
