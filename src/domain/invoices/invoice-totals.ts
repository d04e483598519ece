/**
 * Invoice arithmetic. Rounding rule (the only place amounts are rounded):
 *
 *   line amount = roundHalfAwayFromZero(quantityMilli × unitAmount / 1000)
 *   line tax    = roundHalfAwayFromZero(line amount × taxRatePpm / 1_000_000)
 *   subtotal    = Σ line amounts
 *   taxTotal    = Σ line taxes
 *   total       = subtotal + taxTotal
 *
 * Tax is rounded per line (not on the subtotal) so every line shows a tax figure that the
 * totals add up to exactly. Products are computed with BigInt so quantityMilli × unitAmount
 * can exceed 2^53 without losing precision; every line amount, line tax and total must stay
 * within MAX_AMOUNT. Example: 3 × 333 at 8.875 % (88_750 ppm) → amount 999, tax 88.66125 → 89.
 */
import { fail, type Result } from '../errors';
import { MAX_AMOUNT, roundHalfAwayFromZero } from '../money';

/** The inputs of one line's arithmetic. */
export interface InvoiceLineQuantities {
  quantityMilli: number;
  unitAmount: number;
  taxRatePpm: number;
}

/** Per-line amounts and invoice totals, all integer minor units. */
export interface InvoiceTotals {
  lines: { amount: number; taxAmount: number }[];
  subtotal: number;
  taxTotal: number;
  total: number;
}

/** Largest quantity in thousandths (10^12 units), a sanity bound well inside 2^53. */
export const MAX_QUANTITY_MILLI = 1_000_000_000_000_000;

/** Parts per million in 100 %. */
export const PPM = 1_000_000;

const LIMIT = BigInt(MAX_AMOUNT);

/** Computes line amounts and totals by the rounding rule above. Never uses floats. */
export function invoiceTotals(lines: readonly InvoiceLineQuantities[]): Result<InvoiceTotals> {
  let subtotal = 0n;
  let taxTotal = 0n;
  const out: InvoiceTotals['lines'] = [];
  for (const [index, line] of lines.entries()) {
    const path = `lines.${index}`;
    const { quantityMilli, unitAmount, taxRatePpm } = line;
    const integers = [quantityMilli, unitAmount, taxRatePpm].every((n) => Number.isSafeInteger(n));
    if (!integers)
      return invalid(
        'amount_not_integer',
        path,
        'quantity, unit amount and tax rate must be integers',
      );
    if (
      quantityMilli <= 0 ||
      quantityMilli > MAX_QUANTITY_MILLI ||
      unitAmount < 0 ||
      unitAmount > MAX_AMOUNT
    ) {
      return invalid(
        'validation_failed',
        path,
        'quantity must be positive and unit amount within range',
      );
    }
    if (taxRatePpm < 0 || taxRatePpm > PPM)
      return invalid('validation_failed', path, 'tax rate must be 0..1000000 ppm');
    const amount = roundHalfAwayFromZero(BigInt(quantityMilli) * BigInt(unitAmount), 1000n);
    if (amount > LIMIT)
      return invalid('amount_too_large', path, `line amount exceeds ${MAX_AMOUNT}`);
    const tax = roundHalfAwayFromZero(amount * BigInt(taxRatePpm), BigInt(PPM));
    subtotal += amount;
    taxTotal += tax;
    out.push({ amount: Number(amount), taxAmount: Number(tax) });
  }
  const total = subtotal + taxTotal;
  if (subtotal > LIMIT || taxTotal > LIMIT || total > LIMIT) {
    return invalid('amount_too_large', 'lines', `invoice total exceeds ${MAX_AMOUNT}`);
  }
  return {
    ok: true,
    value: {
      lines: out,
      subtotal: Number(subtotal),
      taxTotal: Number(taxTotal),
      total: Number(total),
    },
  };
}

function invalid(code: string, path: string, message: string): Result<InvoiceTotals> {
  return { ok: false, error: fail('invalid', code, `${path}: ${message}`, [{ path, message }]) };
}
