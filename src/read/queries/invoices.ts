/**
 * Invoice list: newest issue date first (`issue_date desc, id desc`), filtered by status
 * (one or several), customer, issue/due date ranges and currency. One query: the page with
 * each invoice's lines and applied payments as JSON arrays (childrenJson).
 */
import { and, desc, eq, inArray, lte, type SQL } from 'drizzle-orm';
import type { InvoiceStatus } from '../../domain/events';
import { invoiceLines, invoices, paymentAllocations } from '../schema';
import type { TenantTx } from '../tenant-tx';
import { safeInt } from './errors';
import { currencyCode, dateRange, resourceId, someOf, type DateRange } from './filters';
import { finishPage, keysetAfter, startPage, type Page, type PageRequest } from './page';
import { childrenJson, inRange } from './sql';
import { invoiceLineView, type InvoiceLineRow, type InvoiceView } from './views';

export const INVOICE_STATUSES: readonly InvoiceStatus[] = [
  'draft',
  'issued',
  'partially_paid',
  'paid',
  'void',
];

/** Filters of the invoice list; every member optional, all combined with AND. */
export interface InvoiceFilters {
  status?: InvoiceStatus | readonly InvoiceStatus[];
  customerId?: string;
  issueDate?: DateRange;
  dueDate?: DateRange;
  currency?: string;
}

export interface InvoiceListParams extends PageRequest {
  filters?: InvoiceFilters;
}

function normalize(f: InvoiceFilters = {}) {
  return {
    status: someOf('filters.status', f.status, INVOICE_STATUSES),
    customerId:
      f.customerId === undefined ? undefined : resourceId('filters.customerId', f.customerId),
    issueDate: dateRange('filters.issueDate', f.issueDate),
    dueDate: dateRange('filters.dueDate', f.dueDate),
    currency: f.currency === undefined ? undefined : currencyCode('filters.currency', f.currency),
  };
}

const HEADER = {
  id: invoices.id,
  customerId: invoices.customerId,
  status: invoices.status,
  currency: invoices.currency,
  issueDate: invoices.issueDate,
  dueDate: invoices.dueDate,
  memo: invoices.memo,
  subtotal: invoices.subtotal,
  taxTotal: invoices.taxTotal,
  total: invoices.total,
  paidAmount: invoices.paidAmount,
  balanceDue: invoices.balanceDue,
  journalId: invoices.journalId,
  voidedOn: invoices.voidedOn,
  voidJournalId: invoices.voidJournalId,
  lines: childrenJson<InvoiceLineRow>(
    {
      lineNo: invoiceLines.lineNo,
      description: invoiceLines.description,
      quantityMilli: invoiceLines.quantityMilli,
      unitAmount: invoiceLines.unitAmount,
      revenueAccountId: invoiceLines.revenueAccountId,
      taxRatePpm: invoiceLines.taxRatePpm,
      amount: invoiceLines.amount,
      taxAmount: invoiceLines.taxAmount,
    },
    {
      tenant: [invoiceLines.tenantId, invoices.tenantId],
      key: [invoiceLines.invoiceId, invoices.id],
    },
    [invoiceLines.lineNo],
  ),
  payments: childrenJson<{ paymentId: string; date: string; amount: number }>(
    {
      paymentId: paymentAllocations.paymentId,
      date: paymentAllocations.date,
      amount: paymentAllocations.amount,
    },
    {
      tenant: [paymentAllocations.tenantId, invoices.tenantId],
      key: [paymentAllocations.invoiceId, invoices.id],
    },
    [paymentAllocations.position, paymentAllocations.seq],
  ),
};

/** Checks the filters, limit and cursor (no database); `listInvoices` starts with it. */
export async function prepareInvoiceList(params: InvoiceListParams) {
  const f = normalize(params.filters);
  return { f, paging: await startPage('invoices', params, f, ['string', 'string']) };
}

/** Lists invoices in the shape of `toView`, `limit` per page. */
export async function listInvoices(
  tx: TenantTx,
  params: InvoiceListParams,
): Promise<Page<InvoiceView>> {
  const { f, paging } = await prepareInvoiceList(params);
  const where: SQL[] = [eq(invoices.tenantId, params.tenantId)];
  if (f.status !== undefined)
    where.push(
      f.status.length === 1
        ? eq(invoices.status, f.status[0] as InvoiceStatus)
        : inArray(invoices.status, f.status),
    );
  if (f.customerId !== undefined) where.push(eq(invoices.customerId, f.customerId));
  if (f.currency !== undefined) where.push(eq(invoices.currency, f.currency));
  inRange(where, invoices.issueDate, f.issueDate);
  inRange(where, invoices.dueDate, f.dueDate);
  // The domain keeps due_date >= issue_date, so this is implied; it lets the backward scan
  // in issue-date order start at dueDate.to instead of reading every newer invoice first.
  if (f.dueDate?.to !== undefined) where.push(lte(invoices.issueDate, f.dueDate.to));
  if (paging.after !== null) {
    where.push(
      keysetAfter(
        [
          { column: invoices.issueDate, cast: 'date' },
          { column: invoices.id, cast: 'text' },
        ],
        paging.after,
        'desc',
      ),
    );
  }
  const rows = await tx
    .select(HEADER)
    .from(invoices)
    .where(and(...where))
    .orderBy(desc(invoices.issueDate), desc(invoices.id))
    .limit(paging.limit + 1);
  return finishPage(
    paging,
    rows,
    (r) => [r.issueDate, r.id],
    (page) => page.map(toInvoiceView),
  );
}

type Row = Pick<
  typeof invoices.$inferSelect,
  Exclude<keyof typeof HEADER, 'lines' | 'payments'>
> & {
  lines: InvoiceLineRow[];
  payments: { paymentId: string; date: string; amount: number }[];
};

function toInvoiceView(r: Row): InvoiceView {
  return {
    id: r.id,
    customerId: r.customerId,
    status: r.status,
    currency: r.currency,
    issueDate: r.issueDate,
    dueDate: r.dueDate,
    memo: r.memo,
    lines: r.lines.map(invoiceLineView),
    subtotal: safeInt(r.subtotal),
    taxTotal: safeInt(r.taxTotal),
    total: safeInt(r.total),
    paidAmount: safeInt(r.paidAmount),
    balanceDue: safeInt(r.balanceDue),
    journalId: r.journalId,
    voidedOn: r.voidedOn,
    voidJournalId: r.voidJournalId,
    payments: r.payments.map((a) => ({
      paymentId: a.paymentId,
      date: a.date,
      amount: safeInt(a.amount),
    })),
  };
}
