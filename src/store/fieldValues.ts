// Comparing and printing one spec field's value. Most values are numbers,
// strings or booleans, but an eigenvalue list is an array and a test override
// can be null ("the training value"), so === and String() are not enough.
import type { FieldValue } from '../spec/index.ts';

/** Whether two values of one field are the same (lists entry by entry). */
export function sameFieldValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => v === b[i]);
  return a === b;
}

/** A field's value as a person reads it: on/off, "same" for the training value, lists comma-separated ("1, 2, …, d" when empty). */
export function showFieldValue(v: FieldValue | unknown): string {
  if (typeof v === 'boolean') return v ? 'on' : 'off';
  if (v === null) return 'same';
  if (Array.isArray(v)) return v.length === 0 ? '1, 2, …, d' : v.join(', ');
  return String(v);
}
