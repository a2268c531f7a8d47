import { GetseiError } from '../util/index.ts';

/** Row-major [n × d] data as the states stage receives it (embeddings are float32; samples are copied to float64). */
export type Rows = Float32Array | Float64Array;

/**
 * Check that `X` holds at least n rows of d columns and that every value is finite. `what` names the data in the
 * message ("embeddings"), so the user learns which input is broken and which row.
 */
export function checkRows(X: Rows, n: number, d: number, what: string): void {
  if (!Number.isInteger(n) || n < 1) throw new GetseiError(`${what}: the row count must be a positive integer (got ${n})`);
  if (!Number.isInteger(d) || d < 1) throw new GetseiError(`${what}: the dimension must be a positive integer (got ${d})`);
  if (X.length < n * d) {
    throw new GetseiError(`${what}: expected ${n} rows × ${d} columns = ${n * d} values but got ${X.length}`);
  }
  for (let i = 0; i < n * d; i++) {
    const v = X[i];
    if (!Number.isFinite(v)) {
      throw new GetseiError(
        `${what}: row ${Math.floor(i / d)}, column ${i % d} is ${v}; recompute the embeddings (a NaN usually means ` +
          'the encoder diverged: lower the learning rate)',
      );
    }
  }
}

/** Check an integer option against a range, with the option's name in the message. */
export function checkInteger(name: string, v: number, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isInteger(v) || v < min || v > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `in [${min}, ${max}]`;
    throw new GetseiError(`${name} must be an integer ${range} (got ${v})`);
  }
}

/** Check a real option is finite and positive (or ≥ 0 when `allowZero`). */
export function checkPositive(name: string, v: number, allowZero = false): void {
  if (!Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) {
    throw new GetseiError(`${name} must be a finite number ${allowZero ? '≥' : '>'} 0 (got ${v})`);
  }
}

/** Copy the given rows of X (all when `rows` is omitted) into a new Float64Array. */
export function gatherRows(X: Rows, d: number, rows: Int32Array): Float64Array {
  const out = new Float64Array(rows.length * d);
  for (let t = 0; t < rows.length; t++) {
    const src = rows[t] * d;
    for (let a = 0; a < d; a++) out[t * d + a] = X[src + a];
  }
  return out;
}
