import { describe, expect, it } from 'vitest';
import {
  addAmounts,
  addMoney,
  amountProblem,
  isCurrency,
  isIsoDate,
  MAX_AMOUNT,
  roundHalfAwayFromZero,
  sumAmounts,
  toAmount,
} from '../../src/domain/index';

const failureCode = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (error) {
    return (error as { error?: { code: string } }).error?.code;
  }
};

describe('money', () => {
  it('caps amounts at 1e14 minor units', () => {
    expect(MAX_AMOUNT).toBe(100_000_000_000_000);
  });

  it.each([
    [1, true, null],
    [0, true, 'amount_not_positive'],
    [0, false, null],
    [-1, false, 'amount_negative'],
    [1.5, false, 'amount_not_integer'],
    ['10', false, 'amount_not_integer'],
    [Number.NaN, false, 'amount_not_integer'],
    [MAX_AMOUNT, true, null],
    [MAX_AMOUNT + 1, true, 'amount_too_large'],
  ])('amountProblem(%s, positive=%s) = %s', (value, positive, expected) => {
    expect(amountProblem(value, positive)).toBe(expected);
  });

  it('adds with overflow checks', () => {
    expect(addAmounts(2, 3)).toBe(5);
    expect(addAmounts(MAX_AMOUNT - 1, 1)).toBe(MAX_AMOUNT);
    expect(failureCode(() => addAmounts(MAX_AMOUNT, 1))).toBe('amount_too_large');
    expect(failureCode(() => sumAmounts([MAX_AMOUNT, MAX_AMOUNT]))).toBe('amount_too_large');
    expect(sumAmounts([])).toBe(0);
    expect(failureCode(() => toAmount(BigInt(MAX_AMOUNT) + 1n))).toBe('amount_too_large');
  });

  it('refuses to add different currencies', () => {
    expect(addMoney({ amount: 1, currency: 'EUR' }, { amount: 2, currency: 'EUR' })).toEqual({
      amount: 3,
      currency: 'EUR',
    });
    expect(
      failureCode(() => addMoney({ amount: 1, currency: 'EUR' }, { amount: 2, currency: 'USD' })),
    ).toBe('currency_mismatch');
  });

  it.each([
    [5n, 2n, 3n],
    [-5n, 2n, -3n],
    [4n, 3n, 1n],
    [5n, 3n, 2n],
    [-5n, 3n, -2n],
    [0n, 7n, 0n],
  ])('roundHalfAwayFromZero(%s / %s) = %s', (n, d, expected) => {
    expect(roundHalfAwayFromZero(n, d)).toBe(expected);
  });

  it('validates currencies and calendar dates', () => {
    expect(isCurrency('USD')).toBe(true);
    expect(isCurrency('usd')).toBe(false);
    expect(isCurrency('US')).toBe(false);
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('2023-02-29')).toBe(false);
    expect(isIsoDate('2024-04-31')).toBe(false);
    expect(isIsoDate('2024-13-01')).toBe(false);
    expect(isIsoDate('0099-12-31')).toBe(true);
    expect(isIsoDate('2024-6-1')).toBe(false);
    expect(isIsoDate(20240601)).toBe(false);
  });
});
