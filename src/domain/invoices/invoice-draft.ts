/** Decisions that write invoice content: `invoice.create` and `invoice.update` (drafts only). */
import { Checker, field } from '../checker';
import type { InvoiceCreateInput, InvoiceUpdateInput } from '../commands';
import {
  checkAccountRef,
  loadEntity,
  pending,
  requireEntity,
  requireSettings,
  type DecideContext,
  type Decision,
} from '../context';
import { DomainFailure, refuse } from '../errors';
import type { InvoiceContent, InvoiceLine } from '../events';
import { invoiceTotals, MAX_QUANTITY_MILLI, PPM } from './invoice-totals';
import { streamIdOf } from '../state';

/** An invoice may have at most this many lines. */
export const MAX_INVOICE_LINES = 200;

/** The raw, not yet validated fields of an invoice (a create body or a merged update). */
type ContentFields = { [K in keyof InvoiceCreateInput]-?: unknown };

type LineFields = Omit<InvoiceLine, 'lineNo' | 'amount' | 'taxAmount'>;

function checkLine(
  c: Checker,
  ctx: DecideContext,
  raw: unknown,
  index: number,
  defaultRevenue: string,
): LineFields {
  const path = `lines.${index}`;
  const description = c.text(`${path}.description`, field(raw, 'description'), 200);
  const quantityMilli = c.int(
    `${path}.quantityMilli`,
    field(raw, 'quantityMilli'),
    1,
    MAX_QUANTITY_MILLI,
  );
  const unitAmount = c.amount(`${path}.unitAmount`, field(raw, 'unitAmount'), false);
  const rawRate = field(raw, 'taxRatePpm');
  const taxRatePpm =
    rawRate === undefined || rawRate === null ? 0 : c.int(`${path}.taxRatePpm`, rawRate, 0, PPM);
  const revenueAccountId =
    c.optId(`${path}.revenueAccountId`, field(raw, 'revenueAccountId')) ?? defaultRevenue;
  if (revenueAccountId !== '')
    checkAccountRef(c, ctx, `${path}.revenueAccountId`, revenueAccountId, 'revenue');
  return { description, quantityMilli, unitAmount, revenueAccountId, taxRatePpm };
}

/**
 * Validates invoice content and computes its totals (see `invoiceTotals`): dueDate on or
 * after issueDate, an existing active customer, 1..200 lines on active revenue accounts.
 */
function checkContent(ctx: DecideContext, f: ContentFields): InvoiceContent {
  const defaultRevenue = requireSettings(ctx).accounts.revenue;
  const c = new Checker();
  const customerId = c.id('customerId', f.customerId);
  const currency = c.currency('currency', f.currency);
  const issueDate = c.date('issueDate', f.issueDate);
  const dueDate = c.date('dueDate', f.dueDate);
  const memo = c.optText('memo', f.memo, 1000);
  const raw = c.array('lines', f.lines, 1, MAX_INVOICE_LINES);
  const lines = raw.map((line, index) => checkLine(c, ctx, line, index, defaultRevenue));
  if (issueDate !== '' && dueDate !== '' && dueDate < issueDate) {
    c.add('dueDate', 'due_date_before_issue_date', 'must be on or after issueDate');
  }
  if (customerId !== '') {
    const customer = loadEntity(ctx, 'customer', customerId);
    if (customer === undefined)
      c.add('customerId', 'customer_reference_invalid', 'customer does not exist');
    else if (!customer.active) c.add('customerId', 'customer_inactive', 'customer is inactive');
  }
  c.done();
  const totals = invoiceTotals(lines);
  if (!totals.ok) throw new DomainFailure(totals.error);
  const withAmounts = lines.map((line, index) => ({
    lineNo: index + 1,
    ...line,
    amount: totals.value.lines[index]?.amount ?? 0,
    taxAmount: totals.value.lines[index]?.taxAmount ?? 0,
  }));
  const { subtotal, taxTotal, total } = totals.value;
  return {
    customerId,
    currency,
    issueDate,
    dueDate,
    memo,
    lines: withAmounts,
    subtotal,
    taxTotal,
    total,
  };
}

/** Creates a draft invoice. Drafts post nothing; a zero total is allowed until issue. */
export function createInvoice(data: InvoiceCreateInput, ctx: DecideContext): Decision {
  const { customerId, currency, issueDate, dueDate, memo, lines } = data;
  const content = checkContent(ctx, { customerId, currency, issueDate, dueDate, memo, lines });
  const id = ctx.newId('inv');
  const streamId = streamIdOf('invoice', id);
  return {
    events: [pending(streamId, { type: 'invoice.created', data: { id, ...content } })],
    streamId,
  };
}

/** Changes a draft; given fields replace the current ones (`lines` replaces all lines). */
export function updateInvoice(data: InvoiceUpdateInput, ctx: DecideContext): Decision {
  const invoice = requireEntity(ctx, 'invoice', data.id);
  if (invoice.status !== 'draft')
    refuse('conflict', 'invoice_not_draft', 'Only draft invoices can be changed.');
  // Current lines are fed back as input; their revenue account is explicit by now.
  const currentLines = invoice.lines.map(
    ({ description, quantityMilli, unitAmount, revenueAccountId, taxRatePpm }) => ({
      description,
      quantityMilli,
      unitAmount,
      revenueAccountId,
      taxRatePpm,
    }),
  );
  const content = checkContent(ctx, {
    customerId: data.customerId ?? invoice.customerId,
    currency: data.currency ?? invoice.currency,
    issueDate: data.issueDate ?? invoice.issueDate,
    dueDate: data.dueDate ?? invoice.dueDate,
    memo: data.memo === undefined ? invoice.memo : data.memo,
    lines: data.lines ?? currentLines,
  });
  const streamId = streamIdOf('invoice', invoice.id);
  return {
    events: [pending(streamId, { type: 'invoice.updated', data: { id: invoice.id, ...content } })],
    streamId,
  };
}
