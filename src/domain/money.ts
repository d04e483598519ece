/**
 * Money is an integer number of minor units plus an ISO 4217 code. Floats never appear:
 * every amount is checked to be a safe integer within `MAX_AMOUNT`, additions are checked,
 * and multiplications (invoice math) go through BigInt.
 */
import { DomainFailure, fail } from './errors';

/** Largest accepted amount or total, in minor units (1e14, well inside 2^53). */
export const MAX_AMOUNT = 100_000_000_000_000;

/** ISO 4217 alphabetic code shape. */
export const CURRENCY_PATTERN = /^[A-Z]{3}$/;

/** An amount of one currency. */
export interface Money {
  amount: number;
  currency: string;
}

/** Machine codes for a refused amount. */
export type AmountProblem =
  'amount_not_integer' | 'amount_too_large' | 'amount_not_positive' | 'amount_negative';

/** True for a three-letter upper-case currency code. */
export function isCurrency(value: unknown): value is string {
  return typeof value === 'string' && CURRENCY_PATTERN.test(value);
}

/**
 * Why `value` is not an acceptable amount, or null when it is. `positive` demands > 0,
 * otherwise ≥ 0 is enough.
 */
export function amountProblem(value: unknown, positive: boolean): AmountProblem | null {
  if (typeof value !== 'number' || !Number.isInteger(value)) return 'amount_not_integer';
  if (Math.abs(value) > MAX_AMOUNT) return 'amount_too_large';
  if (positive && value <= 0) return 'amount_not_positive';
  if (value < 0) return 'amount_negative';
  return null;
}

function tooLarge(): DomainFailure {
  return new DomainFailure(
    fail(
      'invalid',
      'amount_too_large',
      `Amounts and totals may not exceed ${MAX_AMOUNT} minor units.`,
    ),
  );
}

/** Adds two amounts; throws `amount_too_large` when the magnitude leaves `MAX_AMOUNT`. */
export function addAmounts(a: number, b: number): number {
  const sum = a + b;
  // Operands are ≤ MAX_AMOUNT, so the float sum is still exact before this check.
  if (!Number.isSafeInteger(sum) || Math.abs(sum) > MAX_AMOUNT) throw tooLarge();
  return sum;
}

/** Sums amounts with `addAmounts` (0 for an empty list). */
export function sumAmounts(values: readonly number[]): number {
  return values.reduce((total, value) => addAmounts(total, value), 0);
}

/** Adds two `Money` values of the same currency; `currency_mismatch` otherwise. */
export function addMoney(a: Money, b: Money): Money {
  if (a.currency !== b.currency) {
    throw new DomainFailure(
      fail('invalid', 'currency_mismatch', `Cannot add ${a.currency} and ${b.currency}.`),
    );
  }
  return { amount: addAmounts(a.amount, b.amount), currency: a.currency };
}

/** numerator / denominator rounded half away from zero (denominator > 0). */
export function roundHalfAwayFromZero(numerator: bigint, denominator: bigint): bigint {
  if (denominator <= 0n) throw new RangeError('denominator must be positive');
  const negative = numerator < 0n;
  const magnitude = negative ? -numerator : numerator;
  let quotient = magnitude / denominator;
  if ((magnitude % denominator) * 2n >= denominator) quotient += 1n;
  return negative ? -quotient : quotient;
}

/** Converts a BigInt amount back to a number; throws `amount_too_large` beyond `MAX_AMOUNT`. */
export function toAmount(value: bigint): number {
  const limit = BigInt(MAX_AMOUNT);
  if (value > limit || value < -limit) throw tooLarge();
  return Number(value);
}
