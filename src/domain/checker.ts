/**
 * Collects field problems so a client learns about all of them in one response. Each method
 * returns the cleaned value (trimmed text, checked number) or a harmless placeholder when the
 * field is bad; callers must `done()` before using values, which refuses if anything failed.
 * The refusal's `code` is the code of the first problem, all problems are listed in `errors`.
 */
import { DomainFailure, fail } from './errors';
import { isIsoDate } from './dates';
import { amountProblem, isCurrency, MAX_AMOUNT } from './money';

interface Problem {
  code: string;
  path: string;
  message: string;
}

const AMOUNT_MESSAGES: Record<string, string> = {
  amount_not_integer: 'must be an integer number of minor units',
  amount_too_large: `must not exceed ${MAX_AMOUNT}`,
  amount_not_positive: 'must be greater than 0',
  amount_negative: 'must not be negative',
};

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Reads a property of an unknown value (undefined when it is not an object). */
export function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

/** Accumulates validation problems; see the module comment. */
export class Checker {
  private readonly problems: Problem[] = [];

  /** Records one problem. */
  add(path: string, code: string, message: string): void {
    this.problems.push({ code, path, message });
  }

  /** True while no problem has been recorded. */
  get ok(): boolean {
    return this.problems.length === 0;
  }

  /** Refuses with every recorded problem, if any. */
  done(): void {
    const first = this.problems[0];
    if (first === undefined) return;
    const more = this.problems.length - 1;
    const message = `${first.path}: ${first.message}` + (more > 0 ? ` (and ${more} more)` : '');
    const errors = this.problems.map(({ path, message: text }) => ({ path, message: text }));
    throw new DomainFailure(fail('invalid', first.code, message, errors));
  }

  /** Required text, trimmed, 1..max characters. */
  text(path: string, value: unknown, max: number): string {
    if (typeof value !== 'string' || value.trim().length === 0) {
      this.add(path, 'validation_failed', 'is required');
      return '';
    }
    const trimmed = value.trim();
    if (trimmed.length > max)
      this.add(path, 'validation_failed', `must be at most ${max} characters`);
    return trimmed;
  }

  /** Optional text: undefined/null become null, otherwise as `text`. */
  optText(path: string, value: unknown, max: number): string | null {
    return value === undefined || value === null ? null : this.text(path, value, max);
  }

  /** A reference id: a non-empty string without surrounding whitespace. */
  id(path: string, value: unknown): string {
    if (
      typeof value !== 'string' ||
      value.length === 0 ||
      value.length > 100 ||
      value.trim() !== value
    ) {
      this.add(path, 'validation_failed', 'must be an id');
      return '';
    }
    return value;
  }

  /** Optional reference id (null when absent). */
  optId(path: string, value: unknown): string | null {
    return value === undefined || value === null ? null : this.id(path, value);
  }

  /** A real calendar date `YYYY-MM-DD`. */
  date(path: string, value: unknown): string {
    if (!isIsoDate(value)) {
      this.add(path, 'invalid_date', 'must be a valid date (YYYY-MM-DD)');
      return '';
    }
    return value;
  }

  /** An ISO 4217 currency code. */
  currency(path: string, value: unknown): string {
    if (!isCurrency(value)) {
      this.add(path, 'invalid_currency', 'must be a three-letter ISO 4217 currency code');
      return '';
    }
    return value;
  }

  /** An amount in minor units (> 0 when `positive`, else ≥ 0) up to `MAX_AMOUNT`. */
  amount(path: string, value: unknown, positive: boolean): number {
    const problem = amountProblem(value, positive);
    if (problem !== null) {
      this.add(path, problem, AMOUNT_MESSAGES[problem] ?? 'is not a valid amount');
      return 0;
    }
    return value as number;
  }

  /** An integer in [min, max]. */
  int(path: string, value: unknown, min: number, max: number): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.add(path, 'validation_failed', `must be an integer from ${min} to ${max}`);
      return min;
    }
    return value;
  }

  /** One of a fixed set of strings. */
  choice<T extends string>(path: string, value: unknown, options: readonly T[]): T {
    if (typeof value === 'string' && (options as readonly string[]).includes(value))
      return value as T;
    this.add(path, 'validation_failed', `must be one of ${options.join(', ')}`);
    return options[0] as T;
  }

  /** Optional e-mail address (basic shape check), null when absent. */
  email(path: string, value: unknown): string | null {
    const text = this.optText(path, value, 254);
    if (text !== null && text !== '' && !EMAIL.test(text)) {
      this.add(path, 'validation_failed', 'must be an e-mail address');
    }
    return text;
  }

  /** An array of min..max items (empty when not an array). */
  array(path: string, value: unknown, min: number, max: number): unknown[] {
    if (!Array.isArray(value)) {
      this.add(path, 'validation_failed', 'must be a list');
      return [];
    }
    if (value.length < min)
      this.add(path, 'validation_failed', `must have at least ${min} item(s)`);
    if (value.length > max) this.add(path, 'validation_failed', `must have at most ${max} items`);
    return value;
  }
}
