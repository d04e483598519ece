/**
 * Payment list: newest first (`date desc, id desc`), filtered by customer, date range and
 * method. One query: the page with each payment's allocations as a JSON array (childrenJson).
 */
import { and, desc, eq, type SQL } from 'drizzle-orm';
import { PAYMENT_METHODS, type PaymentMethod } from '../../domain/events';
import { paymentAllocations, payments } from '../schema';
import type { TenantTx } from '../tenant-tx';
import { safeInt } from './errors';
import { dateRange, oneOf, resourceId, type DateRange } from './filters';
import { finishPage, keysetAfter, startPage, type Page, type PageRequest } from './page';
import { childrenJson, inRange } from './sql';
import type { PaymentView } from './views';

/** Filters of the payment list; all optional, combined with AND. */
export interface PaymentFilters {
  customerId?: string;
  date?: DateRange;
  method?: PaymentMethod;
}

export interface PaymentListParams extends PageRequest {
  filters?: PaymentFilters;
}

const HEADER = {
  id: payments.id,
  customerId: payments.customerId,
  amount: payments.amount,
  currency: payments.currency,
  date: payments.date,
  method: payments.method,
  reference: payments.reference,
  journalId: payments.journalId,
  allocatedAmount: payments.allocatedAmount,
  unallocatedAmount: payments.unallocatedAmount,
  allocations: childrenJson<Allocation>(
    {
      invoiceId: paymentAllocations.invoiceId,
      amount: paymentAllocations.amount,
      date: paymentAllocations.date,
      journalId: paymentAllocations.journalId,
    },
    {
      tenant: [paymentAllocations.tenantId, payments.tenantId],
      key: [paymentAllocations.paymentId, payments.id],
    },
    [paymentAllocations.position, paymentAllocations.seq],
  ),
};

interface Allocation {
  invoiceId: string;
  amount: number;
  date: string;
  journalId: string;
}

type Row = Pick<typeof payments.$inferSelect, Exclude<keyof typeof HEADER, 'allocations'>> & {
  allocations: Allocation[];
};

/** Checks the filters, limit and cursor (no database); `listPayments` starts with it. */
export async function preparePaymentList(params: PaymentListParams) {
  const raw = params.filters ?? {};
  const f = {
    customerId:
      raw.customerId === undefined ? undefined : resourceId('filters.customerId', raw.customerId),
    date: dateRange('filters.date', raw.date),
    method:
      raw.method === undefined ? undefined : oneOf('filters.method', raw.method, PAYMENT_METHODS),
  };
  return { f, paging: await startPage('payments', params, f, ['string', 'string']) };
}

/** Lists payments in the shape of `toView`, `limit` per page. */
export async function listPayments(
  tx: TenantTx,
  params: PaymentListParams,
): Promise<Page<PaymentView>> {
  const { f, paging } = await preparePaymentList(params);
  const where: SQL[] = [eq(payments.tenantId, params.tenantId)];
  if (f.customerId !== undefined) where.push(eq(payments.customerId, f.customerId));
  if (f.method !== undefined) where.push(eq(payments.method, f.method));
  inRange(where, payments.date, f.date);
  if (paging.after !== null) {
    where.push(
      keysetAfter(
        [
          { column: payments.date, cast: 'date' },
          { column: payments.id, cast: 'text' },
        ],
        paging.after,
        'desc',
      ),
    );
  }
  const rows = await tx
    .select(HEADER)
    .from(payments)
    .where(and(...where))
    .orderBy(desc(payments.date), desc(payments.id))
    .limit(paging.limit + 1);
  return finishPage(
    paging,
    rows,
    (r) => [r.date, r.id],
    (page) => page.map(toPaymentView),
  );
}

function toPaymentView(p: Row): PaymentView {
  return {
    id: p.id,
    customerId: p.customerId,
    amount: safeInt(p.amount),
    currency: p.currency,
    date: p.date,
    method: p.method,
    reference: p.reference,
    journalId: p.journalId,
    allocations: p.allocations.map((a) => ({
      invoiceId: a.invoiceId,
      amount: safeInt(a.amount),
      date: a.date,
      journalId: a.journalId,
    })),
    allocatedAmount: safeInt(p.allocatedAmount),
    unallocatedAmount: safeInt(p.unallocatedAmount),
  };
}
