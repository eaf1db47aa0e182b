/**
 * Zod-free checks of the primitive formats, for code that runs when the journal opens (ids,
 * locks, schedules): the device's start-up bundle then needs no zod. They accept exactly what
 * the schemas in schemas/primitives.ts accept (shared/test/formats.test.ts compares them).
 */

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME_RE = /^([01]\d|2[0-3]):[0-5]\d$/;
const MONTH_RE = /^\d{4}-(0[1-9]|1[0-2])$/;
const ENTITY_ID_RE = /^[a-z0-9][a-z0-9-]{0,47}$/;

/** A real calendar date `YYYY-MM-DD` (31.09 is not one). */
export function isLocalDate(value: unknown): value is string {
  const m = typeof value === 'string' ? DATE_RE.exec(value) : null;
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1]!;
  return d <= days;
}

export function isLocalTime(value: unknown): value is string {
  return typeof value === 'string' && TIME_RE.test(value);
}

export function isMonth(value: unknown): value is string {
  return typeof value === 'string' && MONTH_RE.test(value);
}

export function isEntityId(value: unknown): value is string {
  return typeof value === 'string' && ENTITY_ID_RE.test(value);
}
