import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { createRng } from '../util/rng.ts';
import { describeBadNumber, Fields, looksNumeric, parseInteger, parseNumber, parseNumberBytes, splitFields } from './fields.ts';

const parse = (s: string): number => parseNumber(s);

test('parseNumber equals Number() on 200 000 random decimal tokens (fast path and fallback)', () => {
  const rng = createRng(20240611);
  const digits = (n: number): string => Array.from({ length: n }, () => String(rng.int(10))).join('');
  for (let i = 0; i < 200000; i++) {
    const sign = ['', '-', '+'][rng.int(3)];
    const intPart = digits(rng.int(8));
    const frac = rng.next() < 0.8 ? `.${digits(rng.int(20))}` : '';
    const exp = rng.next() < 0.3 ? `${'eE'[rng.int(2)]}${['', '-', '+'][rng.int(3)]}${rng.int(40)}` : '';
    const token = sign + (intPart === '' && frac.length <= 1 ? '0' : intPart) + frac + exp;
    const expected = Number(token);
    const got = parse(token);
    assert.ok(Object.is(got, expected), `${token}: ${got} vs ${expected}`);
  }
});

test('parseNumber: Fortran D exponents, nan/inf as non-finite, and no hex, binary, empty or partial tokens', () => {
  assert.equal(parse('1.5D-3'), 0.0015);
  assert.equal(parse('2d2'), 200);
  assert.ok(Number.isNaN(parse('NaN')));
  assert.equal(parse('-inf'), -Infinity);
  assert.equal(parse('Infinity'), Infinity);
  for (const bad of ['0x10', '0b1', '', '.', '-', '1e', '1.2.3', '1,5', 'abc', '1e5x', '--1', '*****']) {
    assert.ok(Number.isNaN(parse(bad)), bad);
  }
  // a token inside a longer line: only [start, end) is read
  assert.equal(parseNumberBytes(Buffer.from('xx 12.5 yy'), 3, 7), 12.5);
});

test('parseInteger accepts optional sign and digits only', () => {
  const pi = (s: string): number => parseInteger(s);
  assert.deepEqual(['42', '-7', '+3', '007'].map(pi), [42, -7, 3, 7]);
  for (const bad of ['', '-', '1.0', '1e3', '12a', '99999999999999999999']) assert.ok(Number.isNaN(pi(bad)), bad);
});

test('Fields walks whitespace-separated fields (spaces, tabs, \\r) of a line held as bytes', () => {
  const f = new Fields().reset('  Li\t1.5  -2\r');
  const seen: string[] = [];
  while (f.next()) seen.push(f.token());
  assert.deepEqual(seen, ['Li', '1.5', '-2']);
  assert.equal(f.lineText(), '  Li\t1.5  -2\r');
  assert.ok(f.atEnd());
  assert.deepEqual(splitFields(''), []);
  assert.ok(looksNumeric(' 1 2.5 -3e2 '));
  assert.ok(!looksNumeric('Li 1 2'));
  assert.ok(!looksNumeric('   '));
  assert.match(describeBadNumber('nan', 'x'), /not a finite number/);
  assert.match(describeBadNumber('****', 'x'), /Fortran field/);
  assert.match(describeBadNumber('1,5', 'x'), /'1,5' is not a number/);
});
