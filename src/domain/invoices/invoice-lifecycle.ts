/** Decisions that move an invoice through its lifecycle: `invoice.issue` and `invoice.void`. */
import { Checker } from '../checker';
import type { IdInput, InvoiceVoidInput } from '../commands';
import {
  checkOpenPeriod,
  loadEntity,
  pending,
  requireEntity,
  requireSettings,
  today,
  type DecideContext,
  type Decision,
} from '../context';
import { refuse, refuseField } from '../errors';
import { buildEntry, groupByAccount, mirrorLines } from '../journal/journal';
import { streamIdOf } from '../state';

/**
 * Issues a draft: posts Dr receivable (total) / Cr each revenue account (its lines' amounts)
 * / Cr sales tax payable (taxTotal), dated the issue date, and fixes the receivable account
 * on the invoice. Customer and revenue accounts are re-checked since the draft was written.
 */
export function issueInvoice(data: IdInput, ctx: DecideContext): Decision {
  const invoice = requireEntity(ctx, 'invoice', data.id);
  if (invoice.status !== 'draft')
    refuse('conflict', 'invoice_not_draft', 'Only draft invoices can be issued.');
  if (invoice.total <= 0)
    refuse(
      'invalid',
      'invoice_zero_total',
      'An invoice must have a total above zero to be issued.',
    );
  const settings = requireSettings(ctx);
  const c = new Checker();
  checkOpenPeriod(c, settings, 'issueDate', invoice.issueDate);
  c.done();
  if (loadEntity(ctx, 'customer', invoice.customerId)?.active !== true) {
    refuse('invalid', 'customer_inactive', 'The invoice customer is inactive.');
  }
  for (const line of invoice.lines) {
    if (loadEntity(ctx, 'account', line.revenueAccountId)?.active !== true) {
      refuse(
        'invalid',
        'account_inactive',
        `The revenue account of line ${line.lineNo} is inactive.`,
      );
    }
  }
  const { receivable, taxPayable } = settings.accounts;
  const revenue = groupByAccount(
    invoice.lines.map((l) => ({ accountId: l.revenueAccountId, amount: l.amount })),
  );
  const journalId = ctx.newId('je');
  const entry = buildEntry({
    id: journalId,
    date: invoice.issueDate,
    memo: `Invoice ${invoice.id}`,
    currency: invoice.currency,
    source: { type: 'invoice', id: invoice.id },
    reversalOf: null,
    postings: [
      {
        accountId: receivable,
        debit: invoice.total,
        credit: 0,
        description: 'Accounts receivable',
      },
      ...revenue.map((r) => ({
        accountId: r.accountId,
        debit: 0,
        credit: r.amount,
        description: 'Revenue',
      })),
      { accountId: taxPayable, debit: 0, credit: invoice.taxTotal, description: 'Sales tax' },
    ],
  });
  const streamId = streamIdOf('invoice', invoice.id);
  const issued = {
    id: invoice.id,
    journalId,
    receivableAccountId: receivable,
    issueDate: invoice.issueDate,
    total: invoice.total,
  };
  return {
    events: [
      pending(streamId, { type: 'invoice.issued', data: issued }),
      pending(streamIdOf('journal', journalId), { type: 'journal.posted', data: entry }),
    ],
    streamId,
  };
}

/**
 * Voids an invoice. A draft just becomes void. An issued, unpaid invoice also gets the
 * mirror of its issue entry (source `invoice_void`, linked to it by `reversalOf`), dated
 * `date` (default today), which must be open and not before the issue date. Invoices with
 * payments cannot be voided.
 */
export function voidInvoice(data: InvoiceVoidInput, ctx: DecideContext): Decision {
  const invoice = requireEntity(ctx, 'invoice', data.id);
  if (invoice.status === 'void') refuse('conflict', 'invoice_void', 'The invoice is already void.');
  if (invoice.status !== 'draft' && invoice.status !== 'issued') {
    refuse(
      'conflict',
      'invoice_has_payments',
      'The invoice has payments applied and cannot be voided.',
    );
  }
  const c = new Checker();
  const date = data.date === undefined ? today(ctx) : c.date('date', data.date);
  c.done();
  const streamId = streamIdOf('invoice', invoice.id);
  if (invoice.status === 'draft') {
    const voided = { id: invoice.id, date, journalId: null, previousStatus: 'draft' as const };
    return { events: [pending(streamId, { type: 'invoice.voided', data: voided })], streamId };
  }
  const original =
    invoice.journalId === null ? undefined : loadEntity(ctx, 'journal', invoice.journalId);
  if (original === undefined) throw new Error('issued invoice without its journal entry');
  if (date < invoice.issueDate)
    refuseField('date_before_original', 'date', `must be on or after ${invoice.issueDate}`);
  checkOpenPeriod(c, requireSettings(ctx), 'date', date);
  c.done();
  const journalId = ctx.newId('je');
  const entry = {
    id: journalId,
    date,
    memo: `Void of invoice ${invoice.id}`,
    currency: original.currency,
    source: { type: 'invoice_void' as const, id: invoice.id },
    reversalOf: original.id,
    lines: mirrorLines(original.lines),
  };
  return {
    events: [
      pending(streamId, {
        type: 'invoice.voided',
        data: { id: invoice.id, date, journalId, previousStatus: 'issued' },
      }),
      pending(streamIdOf('journal', journalId), { type: 'journal.posted', data: entry }),
      pending(streamIdOf('journal', original.id), {
        type: 'journal.reversed',
        data: { id: original.id, reversedBy: journalId, date },
      }),
    ],
    streamId,
  };
}
