/**
 * Accounting dates are `YYYY-MM-DD` strings. Valid ones compare correctly as strings, which
 * keeps state plain JSON (no Date objects) and comparisons trivial.
 */

const DATE_SHAPE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar date in `YYYY-MM-DD` form (years 0001–9999). */
export function isIsoDate(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const match = DATE_SHAPE.exec(value);
  if (match === null) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  // Day 0 of the next month is the last day of this one; setUTCFullYear avoids the 19xx
  // mapping Date.UTC applies to years below 100.
  const last = new Date(0);
  last.setUTCFullYear(year, month, 0);
  return day <= last.getUTCDate();
}

/** The UTC calendar date of an ISO timestamp (`2024-05-01T23:59:00Z` → `2024-05-01`). */
export function dateOf(timestamp: string): string {
  const date = new Date(timestamp);
  if (Number.isNaN(date.getTime())) throw new RangeError('now must be an ISO timestamp');
  return date.toISOString().slice(0, 10);
}
