import { GetseiError } from '../util/errors.ts';

/** Option parsers that turn bad values into a clear error naming what was given. */
export function positiveNumber(value: string): number {
  const x = Number(value);
  if (!Number.isFinite(x) || x <= 0) throw new GetseiError(`expected a positive number, got "${value}"`);
  return x;
}

export function positiveInt(value: string): number {
  const x = Number(value);
  if (!Number.isInteger(x) || x <= 0) throw new GetseiError(`expected a positive integer, got "${value}"`);
  return x;
}

export function nonNegativeInt(value: string): number {
  const x = Number(value);
  if (!Number.isInteger(x) || x < 0) throw new GetseiError(`expected a non-negative integer, got "${value}"`);
  return x;
}
