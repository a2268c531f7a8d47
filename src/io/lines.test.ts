import { strict as assert } from 'node:assert';
import { after, test } from 'node:test';
import { headLines, isBlank, isGzipFile, LineReader } from './lines.ts';
import { scratch } from './testing.ts';

const tmp = scratch();
after(tmp.remove);

/** 3 MB of lines of varied length with multi-byte characters, so lines and characters straddle chunk boundaries. */
const big = Array.from({ length: 60000 }, (_, i) => `${i} ${'Å'.repeat(i % 7)} ${'x'.repeat((i * 37) % 90)}`).join('\n');

for (const gzip of [false, true]) {
  test(`every line comes back exactly, across chunk boundaries (${gzip ? 'gzip' : 'plain'})`, async () => {
    const path = tmp.write(`big${gzip ? '.gz' : '.txt'}`, big, gzip);
    assert.equal(await isGzipFile(path), gzip);
    const reader = await LineReader.open(path);
    const expected = big.split('\n');
    let i = 0;
    for (let line = await reader.nextLine(); line !== undefined; line = await reader.nextLine()) {
      assert.equal(line, expected[i], `line ${i + 1}`);
      i++;
      assert.equal(reader.lineNumber, i);
    }
    assert.equal(i, expected.length, 'the last line has no newline and still counts');
    reader.close();
  });
}

test('ensure/next/skip/peek, blank-line helpers, and head lines', async () => {
  const path = tmp.write('small.txt', 'a\r\n\n  \nb\nc\nd\n');
  const r = await LineReader.open(path);
  assert.equal(await r.ensure(6), true);
  assert.equal(await r.ensure(7), false, 'the file ends with a newline: six lines');
  assert.equal(r.next(), 'a', 'a \\r before the newline is dropped');
  assert.equal(await r.peekNonBlank(), 'b');
  assert.equal(r.lineNumber, 3, 'blank lines before b were taken');
  r.skip(2);
  assert.equal(r.lineNumber, 5);
  assert.equal(await r.nextNonBlank(), 'd');
  assert.equal(await r.nextLine(), undefined);
  r.close();
  r.close();
  assert.deepEqual(await headLines(path, 2), ['a', '']);
  assert.ok(isBlank(' \t\r') && !isBlank(' x'));
});
