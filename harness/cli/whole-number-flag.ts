// A flag that takes a whole number in a range: anything else is a usage error.
import { UsageError } from '../../broker/core/errors.js';

export function wholeNumberFlag(flag: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d{1,9}$/.test(value) || n < min || n > max) throw new UsageError(`${flag}: expected ${min} to ${max}, got ${value}`);
  return n;
}
