/**
 * Whitespace-separated fields and numbers, read from the bytes of a line without a regex, a substring or a string
 * at all. Trajectory files are mostly ASCII numbers: this is the inner loop of every reader.
 */
import type { LineReader } from './lines.ts';

/** Exact powers of ten: 10^k is a double without rounding for k ≤ 22. */
const POW10 = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));
const MAX_EXACT = 2 ** 53;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * The decimal number in b[start, end) (ASCII bytes), or NaN when it is not one (±Infinity for inf/infinity, NaN
 * for nan, so callers can say "not finite" rather than "not a number"). Fast path (Clinger): when the digits form
 * an integer m ≤ 2^53 and the decimal exponent e has |e| ≤ 22, m and 10^|e| are exact doubles and one
 * multiplication or division rounds correctly, so the result equals Number(). Other tokens go through Number().
 */
export function parseNumberBytes(b: Uint8Array, start: number, end: number): number {
  let i = start;
  if (i >= end) return NaN;
  let c = b[i];
  let negative = false;
  if (c === 45 /* - */ || c === 43 /* + */) {
    negative = c === 45;
    if (++i >= end) return NaN;
    c = b[i];
  }
  let mantissa = 0;
  let digits = 0;
  let exponent = 0;
  while (isDigit(c)) {
    mantissa = mantissa * 10 + (c - 48);
    digits++;
    c = ++i < end ? b[i] : -1;
  }
  if (c === 46 /* . */) {
    c = ++i < end ? b[i] : -1;
    while (isDigit(c)) {
      mantissa = mantissa * 10 + (c - 48);
      digits++;
      exponent--;
      c = ++i < end ? b[i] : -1;
    }
  }
  if (digits === 0) return slowNumber(b, start, end);
  if (i < end) {
    // exponent: e, E, and Fortran's d, D
    if (c !== 101 && c !== 69 && c !== 100 && c !== 68) return slowNumber(b, start, end);
    c = ++i < end ? b[i] : -1;
    let expNegative = false;
    if (c === 45 || c === 43) {
      expNegative = c === 45;
      c = ++i < end ? b[i] : -1;
    }
    const expStart = i;
    let e = 0;
    while (isDigit(c) && e < 100000) {
      e = e * 10 + (c - 48);
      c = ++i < end ? b[i] : -1;
    }
    if (i === expStart || i < end) return slowNumber(b, start, end);
    exponent += expNegative ? -e : e;
  }
  if (mantissa > MAX_EXACT) return slowNumber(b, start, end);
  let v: number;
  if (exponent === 0) v = mantissa;
  else if (exponent < 0 && exponent >= -22) v = mantissa / POW10[-exponent];
  else if (exponent > 0 && exponent <= 22) v = mantissa * POW10[exponent];
  else return slowNumber(b, start, end);
  return negative ? -v : v;
}

/** Number() on the token, but only for decimal syntax (Number would also take hex, binary and empty strings). */
function slowNumber(b: Uint8Array, start: number, end: number): number {
  const token = Buffer.from(b.buffer, b.byteOffset + start, end - start).toString('latin1');
  const lower = token.toLowerCase();
  const unsigned = lower.startsWith('-') || lower.startsWith('+') ? lower.slice(1) : lower;
  if (unsigned === 'nan') return NaN;
  if (unsigned === 'inf' || unsigned === 'infinity') return lower.startsWith('-') ? -Infinity : Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eEdD][+-]?\d+)?$/.test(token)) return NaN;
  return Number(token.replace(/[dD]/, 'e'));
}

/** The integer in b[start, end) (optional sign, digits only), or NaN. */
export function parseIntegerBytes(b: Uint8Array, start: number, end: number): number {
  let i = start;
  let negative = false;
  let c = b[i];
  if (c === 45 || c === 43) {
    negative = c === 45;
    i++;
  }
  if (i >= end) return NaN;
  let v = 0;
  for (; i < end; i++) {
    c = b[i];
    if (!isDigit(c)) return NaN;
    v = v * 10 + (c - 48);
  }
  if (v > Number.MAX_SAFE_INTEGER) return NaN;
  return negative ? -v : v;
}

/** parseNumberBytes on a string (headers, metadata values). */
export function parseNumber(s: string): number {
  const b = Buffer.from(s, 'utf8');
  return parseNumberBytes(b, 0, b.length);
}

/** parseIntegerBytes on a string. */
export function parseInteger(s: string): number {
  const b = Buffer.from(s, 'utf8');
  return parseIntegerBytes(b, 0, b.length);
}

/**
 * A cursor over the whitespace-separated fields of one line, held as bytes. After `next()` returns true, the field
 * is bytes[start, end). Reused across lines so the hot loop allocates nothing.
 */
export class Fields {
  bytes: Buffer = Buffer.alloc(0);
  start = 0;
  end = 0;
  private p = 0;
  private lineStart = 0;
  private lineEnd = 0;

  /** Point at the current line of a LineReader (no copy). */
  line(reader: LineReader): this {
    return this.set(reader.bytes, reader.lineStart, reader.lineEnd);
  }

  /** Point at a string (for headers; the string is encoded once). */
  reset(text: string): this {
    const b = Buffer.from(text, 'utf8');
    return this.set(b, 0, b.length);
  }

  private set(bytes: Buffer, start: number, end: number): this {
    this.bytes = bytes;
    this.p = start;
    this.lineStart = start;
    this.lineEnd = end;
    this.start = start;
    this.end = start;
    return this;
  }

  /** Advance to the next field; false when the line has no more. */
  next(): boolean {
    const b = this.bytes;
    const n = this.lineEnd;
    let p = this.p;
    while (p < n && b[p] <= 32) p++;
    if (p >= n) {
      this.p = p;
      return false;
    }
    this.start = p;
    while (p < n && b[p] > 32) p++;
    this.end = p;
    this.p = p;
    return true;
  }

  /** True when only whitespace is left on the line. */
  atEnd(): boolean {
    const b = this.bytes;
    let p = this.p;
    while (p < this.lineEnd && b[p] <= 32) p++;
    return p >= this.lineEnd;
  }

  /** The whole line as a string (for messages). */
  lineText(): string {
    return this.bytes.toString('utf8', this.lineStart, this.lineEnd);
  }

  /** The current field as a string. */
  token(): string {
    return this.bytes.toString('utf8', this.start, this.end);
  }

  /** True when the current field is exactly the ASCII string t (no string is made). */
  tokenIs(t: string): boolean {
    if (this.end - this.start !== t.length) return false;
    for (let i = 0; i < t.length; i++) if (this.bytes[this.start + i] !== t.charCodeAt(i)) return false;
    return true;
  }

  /** The current field as a number (NaN/±Infinity when it is not a finite decimal number). */
  number(): number {
    return parseNumberBytes(this.bytes, this.start, this.end);
  }

  /** The current field as an integer (NaN when it is not one). */
  integer(): number {
    return parseIntegerBytes(this.bytes, this.start, this.end);
  }

  /** The first non-blank byte of the line, or -1 (a cheap test of what kind of line this is). */
  firstByte(): number {
    for (let p = this.p; p < this.lineEnd; p++) if (this.bytes[p] > 32) return this.bytes[p];
    return -1;
  }
}

/** All fields of a line as strings (for headers, not for atom lines). */
export function splitFields(line: string): string[] {
  const out: string[] = [];
  const f = new Fields().reset(line);
  while (f.next()) out.push(f.token());
  return out;
}

/** Why a token is not an acceptable number, for error messages. */
export function describeBadNumber(token: string, what: string): string {
  const lower = token.toLowerCase().replace(/^[+-]/, '');
  if (lower === 'nan' || lower === 'inf' || lower === 'infinity') return `${what} is ${token}, not a finite number`;
  if (/^\*+$/.test(token)) return `${what} is '${token}', a number too wide for its Fortran field`;
  return `${what} '${token}' is not a number`;
}

/** True when the line holds at least one field and every field is a finite decimal number. */
export function looksNumeric(line: string): boolean {
  const f = new Fields().reset(line);
  let any = false;
  while (f.next()) {
    if (!Number.isFinite(f.number())) return false;
    any = true;
  }
  return any;
}
