/**
 * Validation and normalization of filter values. Routes validate with zod first; these
 * checks keep the query layer safe on its own (a malformed date must never reach SQL as a
 * 500) and give every filter one canonical form for cursor fingerprints.
 */
import { isIsoDate } from '../../domain/dates';
import { InvalidQueryError } from './errors';

/** An inclusive range of accounting dates (`YYYY-MM-DD`); either end optional. */
export interface DateRange {
  from?: string;
  to?: string;
}

/** A real calendar date in `YYYY-MM-DD` (the domain's rule, as the routes' schemas), or InvalidQueryError. */
export function isoDate(path: string, value: string): string {
  if (!isIsoDate(value))
    throw new InvalidQueryError(path, `${path} must be a date in YYYY-MM-DD form`);
  return value;
}

/** Validated range (from <= to), or undefined when neither end is given. */
export function dateRange(path: string, range: DateRange | undefined): DateRange | undefined {
  if (range === undefined || (range.from === undefined && range.to === undefined)) return undefined;
  const from = range.from === undefined ? undefined : isoDate(`${path}.from`, range.from);
  const to = range.to === undefined ? undefined : isoDate(`${path}.to`, range.to);
  if (from !== undefined && to !== undefined && from > to)
    throw new InvalidQueryError(path, `${path}.from is after ${path}.to`);
  return { from, to };
}

/** One value of `allowed`, or InvalidQueryError. */
export function oneOf<T extends string>(path: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value))
    throw new InvalidQueryError(path, `${path} must be one of ${allowed.join(', ')}`);
  return value as T;
}

/** One or several values of `allowed`, deduplicated and sorted; undefined when none given. */
export function someOf<T extends string>(
  path: string,
  value: T | readonly T[] | undefined,
  allowed: readonly T[],
): T[] | undefined {
  if (value === undefined) return undefined;
  const list = typeof value === 'string' ? [value] : [...value];
  if (list.length === 0) return undefined;
  return [...new Set(list.map((v) => oneOf(path, v, allowed)))].sort();
}

/** An ISO 4217 code (three capital letters). */
export function currencyCode(path: string, value: string): string {
  if (!/^[A-Z]{3}$/.test(value))
    throw new InvalidQueryError(path, `${path} must be an ISO 4217 code such as USD`);
  return value;
}

/** A reference id as the domain accepts it: 1..100 characters without surrounding whitespace. */
export function resourceId(path: string, value: string): string {
  if (value.length === 0 || value.length > 100 || value.trim() !== value)
    throw new InvalidQueryError(path, `${path} is not a valid id`);
  return value;
}

/** Free text (a prefix or search query): trimmed, 1..max characters. */
export function text(path: string, value: string, max: number): string {
  const trimmed = value.trim();
  if (trimmed.length === 0 || trimmed.length > max)
    throw new InvalidQueryError(path, `${path} must be 1 to ${max} characters`);
  return trimmed;
}
