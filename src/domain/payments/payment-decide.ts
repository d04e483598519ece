/**
 * Decisions for `payment.record` and `payment.allocate`.
 *
 * Recording posts Dr cash (amount) / Cr receivable (Σ allocated) / Cr unapplied payments
 * (the rest). The unallocated remainder is held as customer credit on the unapplied-payments
 * liability account; `payment.allocate` later applies it with Dr unapplied / Cr receivable.
 */
import { Checker, field } from '../checker';
import type { PaymentAllocateInput, PaymentRecordInput } from '../commands';
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
import { PAYMENT_METHODS, type Allocation, type PendingEvent } from '../events';
import { balanceDue, type InvoiceState } from '../invoices/invoice';
import { buildEntry, groupByAccount, type Posting } from '../journal/journal';
import { addAmounts, sumAmounts } from '../money';
import { streamIdOf } from '../state';

/** At most this many invoices per payment command. */
export const MAX_ALLOCATIONS = 200;

interface Target {
  invoice: InvoiceState;
  amount: number;
}

/**
 * Checks allocations: distinct open invoices (issued or partially paid) of this customer and
 * currency, each amount positive and within the invoice's balance, Σ within `available`.
 */
function checkAllocations(
  c: Checker,
  ctx: DecideContext,
  raw: unknown,
  owner: { customerId: string; currency: string; available: number },
  min: number,
): Target[] {
  const seen = new Set<string>();
  const targets: Target[] = [];
  c.array('allocations', raw, min, MAX_ALLOCATIONS).forEach((item, index) => {
    const path = `allocations.${index}`;
    const invoiceId = c.id(`${path}.invoiceId`, field(item, 'invoiceId'));
    const amount = c.amount(`${path}.amount`, field(item, 'amount'), true);
    if (invoiceId === '') return;
    const invoice = loadEntity(ctx, 'invoice', invoiceId);
    const at = `${path}.invoiceId`;
    if (seen.has(invoiceId))
      c.add(at, 'allocation_duplicate_invoice', 'invoice is listed more than once');
    else if (invoice === undefined)
      c.add(at, 'invoice_reference_invalid', 'invoice does not exist');
    else if (invoice.customerId !== owner.customerId)
      c.add(at, 'invoice_customer_mismatch', 'invoice belongs to another customer');
    else if (invoice.currency !== owner.currency)
      c.add(at, 'currency_mismatch', `invoice is in ${invoice.currency}`);
    else if (invoice.status !== 'issued' && invoice.status !== 'partially_paid') {
      c.add(at, 'invoice_not_open', `invoice is ${invoice.status} and cannot take payments`);
    } else if (amount > balanceDue(invoice)) {
      c.add(
        `${path}.amount`,
        'allocation_exceeds_balance',
        `exceeds the invoice balance of ${balanceDue(invoice)}`,
      );
    } else targets.push({ invoice, amount });
    seen.add(invoiceId);
  });
  const allocated = sumAmounts(targets.map((t) => t.amount));
  if (c.ok && allocated > owner.available) {
    c.add(
      'allocations',
      'allocation_exceeds_payment',
      `allocations exceed the available ${owner.available}`,
    );
  }
  return targets;
}

/** `invoice.payment_applied` per target, the receivable credits, and the plain allocations. */
function apply(paymentId: string, date: string, targets: readonly Target[]) {
  const events: PendingEvent[] = targets.map(({ invoice, amount }) => {
    const paidAmount = addAmounts(invoice.paidAmount, amount);
    const status = paidAmount === invoice.total ? ('paid' as const) : ('partially_paid' as const);
    const data = {
      id: invoice.id,
      paymentId,
      date,
      amount,
      paidAmount,
      balanceDue: invoice.total - paidAmount,
      status,
    };
    return pending(streamIdOf('invoice', invoice.id), { type: 'invoice.payment_applied', data });
  });
  const receivables = groupByAccount(
    targets.map(({ invoice, amount }) => ({
      accountId: invoice.receivableAccountId ?? '',
      amount,
    })),
  );
  const credits: Posting[] = receivables.map((r) => ({
    accountId: r.accountId,
    debit: 0,
    credit: r.amount,
    description: 'Accounts receivable',
  }));
  const allocations: Allocation[] = targets.map((t) => ({
    invoiceId: t.invoice.id,
    amount: t.amount,
  }));
  return { events, credits, allocations, allocated: sumAmounts(allocations.map((a) => a.amount)) };
}

/** Records a customer payment, optionally applying it to open invoices at once. */
export function recordPayment(data: PaymentRecordInput, ctx: DecideContext): Decision {
  const settings = requireSettings(ctx);
  const c = new Checker();
  const customerId = c.id('customerId', data.customerId);
  const amount = c.amount('amount', data.amount, true);
  const currency = c.currency('currency', data.currency);
  const date = c.date('date', data.date);
  const method = c.choice('method', data.method, PAYMENT_METHODS);
  const reference = c.optText('reference', data.reference, 200);
  c.done();
  const customer = loadEntity(ctx, 'customer', customerId);
  if (customer === undefined)
    c.add('customerId', 'customer_reference_invalid', 'customer does not exist');
  else if (!customer.active) c.add('customerId', 'customer_inactive', 'customer is inactive');
  checkOpenPeriod(c, settings, 'date', date);
  const targets = checkAllocations(
    c,
    ctx,
    data.allocations ?? [],
    { customerId, currency, available: amount },
    0,
  );
  c.done();
  const id = ctx.newId('pay');
  const journalId = ctx.newId('je');
  const { cash, unappliedPayments } = settings.accounts;
  const applied = apply(id, date, targets);
  const unallocatedAmount = amount - applied.allocated;
  const entry = buildEntry({
    id: journalId,
    date,
    memo: `Payment ${id}`,
    currency,
    source: { type: 'payment', id },
    reversalOf: null,
    postings: [
      { accountId: cash, debit: amount, credit: 0, description: 'Payment received' },
      ...applied.credits,
      {
        accountId: unappliedPayments,
        debit: 0,
        credit: unallocatedAmount,
        description: 'Unapplied customer credit',
      },
    ],
  });
  const streamId = streamIdOf('payment', id);
  const recorded = {
    id,
    customerId,
    amount,
    currency,
    date,
    method,
    reference,
    journalId,
    cashAccountId: cash,
    unappliedAccountId: unappliedPayments,
    allocations: applied.allocations,
    allocatedAmount: applied.allocated,
    unallocatedAmount,
  };
  return {
    events: [
      pending(streamId, { type: 'payment.recorded', data: recorded }),
      ...applied.events,
      pending(streamIdOf('journal', journalId), { type: 'journal.posted', data: entry }),
    ],
    streamId,
  };
}

/** Applies part of a payment's unallocated remainder to open invoices. */
export function allocatePayment(data: PaymentAllocateInput, ctx: DecideContext): Decision {
  const payment = requireEntity(ctx, 'payment', data.id);
  const c = new Checker();
  const date = data.date === undefined ? today(ctx) : c.date('date', data.date);
  c.done();
  if (date < payment.date)
    c.add('date', 'date_before_original', `must be on or after ${payment.date}`);
  checkOpenPeriod(c, requireSettings(ctx), 'date', date);
  const owner = {
    customerId: payment.customerId,
    currency: payment.currency,
    available: payment.unallocatedAmount,
  };
  const targets = checkAllocations(c, ctx, data.allocations, owner, 1);
  c.done();
  const journalId = ctx.newId('je');
  const applied = apply(payment.id, date, targets);
  const entry = buildEntry({
    id: journalId,
    date,
    memo: `Allocation of payment ${payment.id}`,
    currency: payment.currency,
    source: { type: 'payment', id: payment.id },
    reversalOf: null,
    postings: [
      {
        accountId: payment.unappliedAccountId,
        debit: applied.allocated,
        credit: 0,
        description: 'Customer credit applied',
      },
      ...applied.credits,
    ],
  });
  const streamId = streamIdOf('payment', payment.id);
  const allocated = {
    id: payment.id,
    date,
    journalId,
    allocations: applied.allocations,
    allocatedAmount: addAmounts(payment.allocatedAmount, applied.allocated),
    unallocatedAmount: payment.unallocatedAmount - applied.allocated,
  };
  return {
    events: [
      pending(streamId, { type: 'payment.allocated', data: allocated }),
      ...applied.events,
      pending(streamIdOf('journal', journalId), { type: 'journal.posted', data: entry }),
    ],
    streamId,
  };
}
