/**
 * Invoice request bodies and the invoice resource. Lines take `quantity` (up to 3 decimals)
 * and `taxRate` (a percentage, up to 4 decimals) as JSON numbers; `toLineInputs` turns them
 * exactly into the domain's `quantityMilli` and `taxRatePpm`.
 */
import { z } from '@hono/zod-openapi';
import type { InvoiceLineInput } from '../domain/commands';
import { MAX_QUANTITY_MILLI } from '../domain/invoices/invoice-totals';
import { Currency, decimal, IsoDate, Money, nonEmpty, optText, Ref, text } from './common';
import { scaled } from './decimal';

const Line = z.strictObject({
  description: text(200).openapi({ example: 'Consulting, March' }),
  quantity: decimal(3, { value: 0, inclusive: false }, MAX_QUANTITY_MILLI / 1000).openapi({
    description: 'Greater than 0, at most 3 decimal places',
    example: 1.5,
  }),
  unitAmount: Money,
  revenueAccountId: Ref.nullable()
    .optional()
    .openapi({ description: "Defaults to the tenant's revenue account" }),
  taxRate: decimal(4, { value: 0, inclusive: true }, 100)
    .optional()
    .openapi({ description: 'Percent, at most 4 decimal places, e.g. 8.875', example: 8.875 }),
});

type LineBody = z.infer<typeof Line>;

const Lines = z
  .array(Line, { error: 'must be a list' })
  .min(1, 'must have at least 1 line')
  .max(200, 'must have at most 200 lines');

/** Converts validated lines to the domain's exact integers (8.875 % → 88750 ppm). */
export function toLineInputs(lines: readonly LineBody[]): InvoiceLineInput[] {
  return lines.map(({ quantity, taxRate, ...rest }) => ({
    ...rest,
    quantityMilli: scaled(quantity, 3),
    ...(taxRate === undefined ? {} : { taxRatePpm: scaled(taxRate, 4) }),
  }));
}

const fields = {
  customerId: Ref,
  currency: Currency,
  issueDate: IsoDate,
  dueDate: IsoDate,
  memo: optText(1000),
  lines: Lines,
};

/** `POST /v1/invoices`: creates a draft. */
export const InvoiceCreateBody = z.strictObject(fields).openapi('InvoiceCreate');

/** `PATCH /v1/invoices/{id}` (drafts only); `lines`, when given, replaces every line. */
export const InvoiceUpdateBody = z
  .strictObject({
    customerId: fields.customerId.optional(),
    currency: fields.currency.optional(),
    issueDate: fields.issueDate.optional(),
    dueDate: fields.dueDate.optional(),
    memo: fields.memo,
    lines: fields.lines.optional(),
  })
  .refine(...nonEmpty)
  .openapi('InvoiceUpdate', { minProperties: 1 });

/** `POST /v1/invoices/{id}/void`; the date defaults to today (UTC). */
export const InvoiceVoidBody = z.strictObject({ date: IsoDate.optional() }).openapi('InvoiceVoid');

const InvoiceLine = z.object({
  lineNo: z.number().int(),
  description: z.string(),
  quantity: z.number(),
  quantityMilli: z.number().int(),
  unitAmount: z.number().int(),
  revenueAccountId: z.string(),
  taxRate: z.number(),
  taxRatePpm: z.number().int(),
  amount: z.number().int(),
  taxAmount: z.number().int(),
});

/** An invoice: draft → issued → partially_paid → paid, or void. */
export const Invoice = z
  .object({
    id: z.string(),
    customerId: z.string(),
    status: z.enum(['draft', 'issued', 'partially_paid', 'paid', 'void']),
    currency: z.string(),
    issueDate: z.string(),
    dueDate: z.string(),
    memo: z.string().nullable(),
    lines: z.array(InvoiceLine),
    subtotal: z.number().int(),
    taxTotal: z.number().int(),
    total: z.number().int(),
    paidAmount: z.number().int(),
    balanceDue: z.number().int(),
    journalId: z.string().nullable(),
    voidedOn: z.string().nullable(),
    voidJournalId: z.string().nullable(),
    payments: z.array(
      z.object({ paymentId: z.string(), date: z.string(), amount: z.number().int() }),
    ),
  })
  .openapi('Invoice');
