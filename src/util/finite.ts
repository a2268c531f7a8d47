import { GetseiError } from './errors.ts';

/** Where a value holds a number that JSON cannot carry (NaN, ±Infinity): `impliedTimescales[2]`, `pcca.memberships[0][1]`. */
export function findNonFinite(value: unknown, at = ''): { field: string; value: number } | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : { field: at || '(the value)', value };
  if (value === null || typeof value !== 'object') return undefined;
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const a = value as unknown as ArrayLike<number | bigint>;
    for (let i = 0; i < a.length; i++) {
      const x = a[i];
      if (typeof x === 'number' && !Number.isFinite(x)) return { field: `${at}[${i}]`, value: x };
    }
    return undefined;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findNonFinite(value[i], `${at}[${i}]`);
      if (hit) return hit;
    }
    return undefined;
  }
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return undefined; // Date and the like: a string
  for (const [k, v] of Object.entries(value)) {
    const hit = findNonFinite(v, at ? `${at}.${k}` : k);
    if (hit) return hit;
  }
  return undefined;
}

/**
 * A NaN or infinity about to be written into an output: JSON.stringify would turn it into null without a word, so it
 * is an error naming the file and the field. Where a quantity can legitimately be undefined (no transition seen, an
 * infinite timescale), the writer puts null there itself and the format documents why (docs/run-folder.md).
 */
export class NonFiniteOutputError extends GetseiError {
  constructor(file: string, field: string, value: number) {
    super(`${file}: ${field} is ${value}, not a finite number; getsei writes no NaN or Infinity into its outputs. ` +
      'This is a getsei bug or a degenerate input: please report it with the command and the run folder');
    this.name = 'NonFiniteOutputError';
  }
}

export function assertFiniteOutput(file: string, value: unknown): void {
  const hit = findNonFinite(value);
  if (hit) throw new NonFiniteOutputError(file, hit.field, hit.value);
}

/** For a bound that is documented as possibly unbounded: the number, or null (JSON) when it is infinite. */
export function boundOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/** A float array about to be written as .npy: the first NaN or infinity is an error naming the file and its row. */
export function assertFiniteArray(file: string, data: ArrayLike<number>, rowLength: number, firstRow = 0): void {
  for (let i = 0; i < data.length; i++) {
    const x = data[i];
    if (!Number.isFinite(x)) throw new NonFiniteOutputError(file, `row ${firstRow + Math.floor(i / rowLength)}, column ${i % rowLength}`, x);
  }
}
