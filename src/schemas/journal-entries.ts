/** Journal entry request bodies and the journal entry resource. */
import { z } from '@hono/zod-openapi';
import { Currency, IsoDate, Money, optText, Ref } from './common';

const Line = z
  .strictObject({
    accountId: Ref,
    debit: Money.optional().openapi({ description: 'Exactly one of debit or credit, > 0' }),
    credit: Money.optional(),
    currency: Currency.optional().openapi({ description: "Defaults to the entry's currency" }),
    description: optText(200),
  })
  .refine(
    (line) =>
      (line.debit !== undefined && line.debit !== 0) !==
      (line.credit !== undefined && line.credit !== 0),
    {
      message: 'exactly one of debit or credit must be given',
      when: (payload) => payload.issues.length === 0,
    },
  );

/** `POST /v1/journal-entries`: at least two lines that balance per currency (checked: 422). */
export const JournalPostBody = z
  .strictObject({
    date: IsoDate,
    memo: optText(1000),
    currency: Currency,
    lines: z
      .array(Line, { error: 'must be a list' })
      .min(2, 'must have at least 2 lines')
      .max(500, 'must have at most 500 lines'),
  })
  .openapi('JournalEntryPost');

/** `POST /v1/journal-entries/{id}/reverse`; the date defaults to today (UTC). */
export const JournalReverseBody = z
  .strictObject({ date: IsoDate.optional(), memo: optText(1000) })
  .openapi('JournalEntryReverse');

/** A posted journal entry. */
export const JournalEntry = z
  .object({
    id: z.string(),
    date: z.string(),
    memo: z.string().nullable(),
    currency: z.string(),
    source: z.object({
      type: z.enum(['manual', 'invoice', 'invoice_void', 'payment', 'reversal']),
      id: z.string().nullable(),
    }),
    reversalOf: z.string().nullable(),
    reversedBy: z.string().nullable(),
    lines: z.array(
      z.object({
        lineNo: z.number().int(),
        accountId: z.string(),
        currency: z.string(),
        debit: z.number().int(),
        credit: z.number().int(),
        description: z.string().nullable(),
      }),
    ),
  })
  .openapi('JournalEntry');
