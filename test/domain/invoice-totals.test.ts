import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { invoiceTotals, MAX_AMOUNT, type InvoiceLineQuantities } from '../../src/domain/index';

const totals = (lines: InvoiceLineQuantities[]) => {
  const result = invoiceTotals(lines);
  if (!result.ok) throw new Error(result.error.code);
  return result.value;
};

describe('invoiceTotals rounding', () => {
  it.each([
    // quantityMilli, unitAmount, taxRatePpm → amount, tax
    [3000, 333, 88_750, 999, 89], // 3 × 3.33 at 8.875 %: tax 88.66125 → 89
    [1000, 10_000, 100_000, 10_000, 1000],
    [500, 1, 0, 1, 0], // 0.5 → 1 (half away from zero)
    [1500, 3, 0, 5, 0], // 4.5 → 5
    [2500, 1, 0, 3, 0], // 2.5 → 3 (banker's rounding would give 2)
    [1000, 10, 50_000, 10, 1], // tax 0.5 → 1
    [1000, 30, 50_000, 30, 2], // tax 1.5 → 2
    [1000, 25, 20_000, 25, 1], // tax 0.5 → 1
    [1000, 29, 50_000, 29, 1], // tax 1.45 → 1
    [1, 499, 0, 0, 0], // 0.499 → 0
    [1, 500, 0, 1, 0], // 0.5 → 1
    [333, 3, 1_000_000, 1, 1], // 0.999 → 1, tax 100 %
    [1000, 0, 200_000, 0, 0],
  ])('%i‰ × %i at %i ppm → %i + %i tax', (quantityMilli, unitAmount, taxRatePpm, amount, tax) => {
    const t = totals([{ quantityMilli, unitAmount, taxRatePpm }]);
    expect(t.lines).toEqual([{ amount, taxAmount: tax }]);
    expect(t).toMatchObject({ subtotal: amount, taxTotal: tax, total: amount + tax });
  });

  it('rounds tax per line, not on the subtotal', () => {
    // Three lines of 10 at 5 %: each line tax 0.5 → 1, so 3 (the subtotal rule would give 2).
    const t = totals(
      [1, 2, 3].map(() => ({ quantityMilli: 1000, unitAmount: 10, taxRatePpm: 50_000 })),
    );
    expect(t).toMatchObject({ subtotal: 30, taxTotal: 3, total: 33 });
  });

  it('keeps precision where a float product would not (BigInt intermediates)', () => {
    // q × u = 99_999_899_501_000_499 > 2^53: exact result …000.499 → …000, while
    // Math.round(q * u / 1000) in doubles gives …001.
    const t = totals([{ quantityMilli: 99_999_999_501, unitAmount: 999_999, taxRatePpm: 0 }]);
    expect(t.subtotal).toBe(99_999_899_501_000);
    expect(Math.round((99_999_999_501 * 999_999) / 1000)).not.toBe(t.subtotal);
  });

  it.each([
    [[{ quantityMilli: 1000, unitAmount: MAX_AMOUNT, taxRatePpm: 1 }], 'amount_too_large', 'lines'],
    [
      [{ quantityMilli: 2000, unitAmount: MAX_AMOUNT, taxRatePpm: 0 }],
      'amount_too_large',
      'lines.0',
    ],
    [[{ quantityMilli: 1.5, unitAmount: 1, taxRatePpm: 0 }], 'amount_not_integer', 'lines.0'],
    [[{ quantityMilli: 0, unitAmount: 1, taxRatePpm: 0 }], 'validation_failed', 'lines.0'],
    [[{ quantityMilli: 1, unitAmount: 1, taxRatePpm: 1_000_001 }], 'validation_failed', 'lines.0'],
  ])('refuses %j with %s', (lines, code, path) => {
    const result = invoiceTotals(lines);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe(code);
      expect(result.error.errors?.[0]?.path).toBe(path);
    }
  });

  // Bounded so that 20 lines with 100 % tax stay within MAX_AMOUNT (20 × 2 × 1e12 < 1e14);
  // the refusal above MAX_AMOUNT has its own table cases.
  const lineArb = fc.record({
    quantityMilli: fc.integer({ min: 1, max: 10_000_000 }),
    unitAmount: fc.integer({ min: 0, max: 100_000_000 }),
    taxRatePpm: fc.integer({ min: 0, max: 1_000_000 }),
  });

  it('always yields integers that obey the rounding rule exactly', () => {
    fc.assert(
      fc.property(fc.array(lineArb, { minLength: 1, maxLength: 20 }), (lines) => {
        const t = totals(lines);
        lines.forEach((l, i) => {
          const { amount, taxAmount } = t.lines[i] ?? { amount: -1, taxAmount: -1 };
          expect(Number.isSafeInteger(amount) && Number.isSafeInteger(taxAmount)).toBe(true);
          // |amount·1000 − q·u| ≤ 500, and exactly 500 only when rounding up (away from zero).
          const diff = BigInt(amount) * 1000n - BigInt(l.quantityMilli) * BigInt(l.unitAmount);
          expect(diff >= -499n && diff <= 500n).toBe(true);
          const taxDiff = BigInt(taxAmount) * 1_000_000n - BigInt(amount) * BigInt(l.taxRatePpm);
          expect(taxDiff >= -499_999n && taxDiff <= 500_000n).toBe(true);
        });
        expect(t.subtotal).toBe(t.lines.reduce((s, l) => s + l.amount, 0));
        expect(t.taxTotal).toBe(t.lines.reduce((s, l) => s + l.taxAmount, 0));
        expect(t.total).toBe(t.subtotal + t.taxTotal);
      }),
    );
  });
});
