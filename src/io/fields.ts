/**
 * Whitespace-separated fields and numbers, parsed from a line by index without a regex or a substring per token.
 * Trajectory files are mostly numbers: this is the inner loop of every reader.
 */

/** Exact powers of ten: 10^k is a double without rounding for k ≤ 22. */
const POW10 = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));
const MAX_EXACT = 2 ** 53;

/**
 * The decimal number in s[a, b), or NaN when it is not one (±Infinity for inf/infinity, NaN for nan, so callers can
 * say "not finite" rather than "not a number"). Fast path (Clinger): when the digits form an integer m < 2^53 and the
 * decimal exponent e has |e| ≤ 22, m and 10^|e| are exact doubles and one multiplication or division rounds
 * correctly, so the result equals Number(); everything else falls back to Number() on the token.
 */
export function parseNumber(s: string, a: number, b: number): number {
  let i = a;
  let c = s.charCodeAt(i);
  let negative = false;
  if (c === 45 /* - */) {
    negative = true;
    c = s.charCodeAt(++i);
  } else if (c === 43 /* + */) {
    c = s.charCodeAt(++i);
  }
  let mantissa = 0;
  let digits = 0;
  while (i < b && c >= 48 && c <= 57) {
    mantissa = mantissa * 10 + (c - 48);
    digits++;
    c = s.charCodeAt(++i);
  }
  let exponent = 0;
  if (i < b && c === 46 /* . */) {
    c = s.charCodeAt(++i);
    while (i < b && c >= 48 && c <= 57) {
      mantissa = mantissa * 10 + (c - 48);
      digits++;
      exponent--;
      c = s.charCodeAt(++i);
    }
  }
  if (digits === 0) return slowNumber(s, a, b);
  if (i < b) {
    // exponent: e, E, and Fortran's d, D
    if (c !== 101 && c !== 69 && c !== 100 && c !== 68) return slowNumber(s, a, b);
    c = s.charCodeAt(++i);
    let expNegative = false;
    if (c === 45) {
      expNegative = true;
      c = s.charCodeAt(++i);
    } else if (c === 43) {
      c = s.charCodeAt(++i);
    }
    let e = 0;
    const expStart = i;
    while (i < b && c >= 48 && c <= 57 && e < 100000) {
      e = e * 10 + (c - 48);
      c = s.charCodeAt(++i);
    }
    if (i === expStart || i < b) return slowNumber(s, a, b);
    exponent += expNegative ? -e : e;
  }
  if (mantissa > MAX_EXACT) return slowNumber(s, a, b);
  let v: number;
  if (exponent === 0) v = mantissa;
  else if (exponent < 0 && exponent >= -22) v = mantissa / POW10[-exponent];
  else if (exponent > 0 && exponent <= 22) v = mantissa * POW10[exponent];
  else return slowNumber(s, a, b);
  return negative ? -v : v;
}

/** Number() on the token, but only for decimal syntax (Number would also take hex, binary and empty strings). */
function slowNumber(s: string, a: number, b: number): number {
  const token = s.slice(a, b);
  const lower = token.toLowerCase();
  const unsigned = lower.startsWith('-') || lower.startsWith('+') ? lower.slice(1) : lower;
  if (unsigned === 'nan') return NaN;
  if (unsigned === 'inf' || unsigned === 'infinity') return lower.startsWith('-') ? -Infinity : Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eEdD][+-]?\d+)?$/.test(token)) return NaN;
  return Number(token.replace(/[dD]/, 'e'));
}

/** The integer in s[a, b) (optional sign, digits only), or NaN. */
export function parseInteger(s: string, a: number, b: number): number {
  let i = a;
  let negative = false;
  let c = s.charCodeAt(i);
  if (c === 45 || c === 43) {
    negative = c === 45;
    i++;
  }
  if (i >= b) return NaN;
  let v = 0;
  for (; i < b; i++) {
    c = s.charCodeAt(i);
    if (c < 48 || c > 57) return NaN;
    v = v * 10 + (c - 48);
  }
  if (v > Number.MAX_SAFE_INTEGER) return NaN;
  return negative ? -v : v;
}

/**
 * A cursor over the whitespace-separated fields of one line. After `next()` returns true, the field is
 * line[start, end). Reused across lines (`reset`) so the hot loop allocates nothing.
 */
export class Fields {
  line = '';
  start = 0;
  end = 0;
  /** number of fields taken so far on this line */
  count = 0;
  private p = 0;

  reset(line: string): this {
    this.line = line;
    this.p = 0;
    this.start = 0;
    this.end = 0;
    this.count = 0;
    return this;
  }

  /** Advance to the next field; false when the line has no more. */
  next(): boolean {
    const s = this.line;
    const n = s.length;
    let p = this.p;
    while (p < n && s.charCodeAt(p) <= 32) p++;
    if (p >= n) {
      this.p = p;
      return false;
    }
    this.start = p;
    while (p < n && s.charCodeAt(p) > 32) p++;
    this.end = p;
    this.p = p;
    this.count++;
    return true;
  }

  /** True when only whitespace is left on the line. */
  atEnd(): boolean {
    const s = this.line;
    let p = this.p;
    while (p < s.length && s.charCodeAt(p) <= 32) p++;
    return p >= s.length;
  }

  /** The current field as a string. */
  token(): string {
    return this.line.slice(this.start, this.end);
  }

  /** The current field as a number (NaN/±Infinity when it is not a finite decimal number). */
  number(): number {
    return parseNumber(this.line, this.start, this.end);
  }

  /** The current field as an integer (NaN when it is not one). */
  integer(): number {
    return parseInteger(this.line, this.start, this.end);
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

/** True when every character of the line is part of a decimal number or whitespace (a quick "numeric line" test). */
export function looksNumeric(line: string): boolean {
  const f = new Fields().reset(line);
  let any = false;
  while (f.next()) {
    if (!Number.isFinite(f.number())) return false;
    any = true;
  }
  return any;
}
