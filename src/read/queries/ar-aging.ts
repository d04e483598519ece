/**
 * Accounts receivable aging as of a date, per currency and customer. An invoice counts when
 * it was open on `asOf`: issued on or before it, not voided by then, with an amount still
 * owed then (total minus the payments applied on or before `asOf`; payments applied later
 * are added back). Buckets by days past due on `asOf`: current (not yet due), 1-30, 31-60,
 * 61-90, over 90. The totals agree with the receivable accounts of the trial balance on
 * the same date. Reads the trigger-kept totals of what is open now (one row per owing customer,
 * and one per customer and due day from `asOf - 90` on), corrected by what was issued, paid or
 * voided after `asOf` (SQL: ./ar-aging-sql.ts).
 *
 * Paged by customer when `limit` or `cursor` is given: the next `limit` owing customers in
 * name order (across currencies), each currency's totals still over every customer. A page
 * may hold fewer than `limit` customers (a customer that owes now may have owed nothing on a
 * past `asOf`); `hasMore` says whether another page follows.
 */
import type { TenantTx } from '../tenant-tx';
import { reportPage, wholeReport } from './ar-aging-sql';
import { safeInt } from './errors';
import { isoDate } from './filters';
import { finishPage, startPage, type PageRequest, type Paging } from './page';
import { rowsOf } from './sql';

/** Amounts owed per bucket of days past due. */
export interface AgingBuckets {
  current: number;
  days1To30: number;
  days31To60: number;
  days61To90: number;
  over90: number;
  total: number;
}

export interface AgingCustomer extends AgingBuckets {
  customerId: string;
  /** Null when the customer row is missing from the read model. */
  name: string | null;
}

export interface AgingCurrency {
  currency: string;
  /** Customers with an amount owed (on this page), by name then id. */
  customers: AgingCustomer[];
  /** Over every customer, on every page. */
  totals: AgingBuckets;
}

export interface ArAging {
  asOf: string;
  currencies: AgingCurrency[];
  /** Continues after this page's last customer; null on the last page and when not paged. */
  nextCursor: string | null;
  hasMore: boolean;
}

/** Bucket sums as the SQL returns them (bigint as text). */
interface Sums {
  b0: string;
  b1: string;
  b2: string;
  b3: string;
  b4: string;
}

interface Row extends Sums {
  currency: string;
  customer_id: string;
  name: string | null;
}

/** Paging of the report: `limit` 1..100 (default 50 once `cursor` is given) and the cursor. */
export type AgingPageRequest = Omit<PageRequest, 'tenantId'>;

const BUCKETS = ['current', 'days1To30', 'days31To60', 'days61To90', 'over90'] as const;
const empty = (): AgingBuckets => ({
  current: 0,
  days1To30: 0,
  days31To60: 0,
  days61To90: 0,
  over90: 0,
  total: 0,
});

/** Adds the row's bucket sums to each of `targets`; false when they are all zero. */
function addSums(sums: Sums, targets: AgingBuckets[]): boolean {
  const amounts = [sums.b0, sums.b1, sums.b2, sums.b3, sums.b4].map((a) => safeInt(a));
  BUCKETS.forEach((bucket, i) => {
    const amount = amounts[i] ?? 0;
    for (const target of targets) {
      target[bucket] = safeInt(target[bucket] + amount);
      target.total = safeInt(target.total + amount, 'total');
    }
  });
  return amounts.some((a) => a !== 0);
}

/** Checks `asOf`, `limit` and `cursor` without a database (null paging: the whole report). */
export async function prepareArAging(params: {
  tenantId: string;
  asOf: string;
  page?: AgingPageRequest;
}): Promise<{ asOf: string; paging: Paging | null }> {
  const asOf = isoDate('asOf', params.asOf);
  const page = params.page;
  const paged =
    page !== undefined &&
    (page.limit !== undefined || (page.cursor !== undefined && page.cursor !== null));
  if (!paged) return { asOf, paging: null };
  const request = { ...page, tenantId: params.tenantId };
  return { asOf, paging: await startPage('ar-aging', request, { asOf }, ['string', 'string']) };
}

/** The AR aging of the transaction's tenant on `asOf`, whole or one page of customers. */
export async function arAging(
  tx: TenantTx,
  params: { tenantId: string; asOf: string; page?: AgingPageRequest },
): Promise<ArAging> {
  const { asOf, paging } = await prepareArAging(params);
  const t = params.tenantId;
  if (paging === null) {
    const sections = new Map<string, AgingCurrency>();
    for (const r of rowsOf<Row>(await tx.execute(wholeReport(t, asOf)))) {
      let section = sections.get(r.currency);
      if (section === undefined) {
        section = { currency: r.currency, customers: [], totals: empty() };
        sections.set(r.currency, section);
      }
      const row: AgingCustomer = { customerId: r.customer_id, name: r.name, ...empty() };
      addSums(r, [row, section.totals]);
      section.customers.push(row);
    }
    return { asOf, currencies: [...sections.values()], nextCursor: null, hasMore: false };
  }
  // A page: every currency's totals (kind 0), then the page's customers into their sections.
  const after = paging.after ? ([String(paging.after[0]), String(paging.after[1])] as const) : null;
  type PageRow = Omit<Row, 'currency'> & {
    kind: number;
    currency: string | null;
    name_key: string;
  };
  const rows = rowsOf<PageRow>(await tx.execute(reportPage(t, asOf, paging.limit + 1, after)));
  const sections = new Map<string, AgingCurrency>();
  // One entry per customer of the page (a customer owing in two currencies has two rows).
  const customers = new Map<string, PageRow[]>();
  for (const r of rows) {
    if (r.kind === 1) customers.set(r.customer_id, [...(customers.get(r.customer_id) ?? []), r]);
    else if (r.currency !== null) {
      const section = { currency: r.currency, customers: [], totals: empty() };
      if (addSums(r, [section.totals])) sections.set(r.currency, section);
    }
  }
  const page = await finishPage(
    paging,
    [...customers.values()],
    (group) => [group[0]?.name_key ?? '', group[0]?.customer_id ?? ''],
    (groups) => groups.flat(),
  );
  for (const r of page.data) {
    const section = r.currency === null ? undefined : sections.get(r.currency);
    if (section === undefined) continue; // owes nothing on asOf
    const row: AgingCustomer = { customerId: r.customer_id, name: r.name, ...empty() };
    if (addSums(r, [row])) section.customers.push(row);
  }
  return {
    asOf,
    currencies: [...sections.values()],
    nextCursor: page.nextCursor,
    hasMore: page.hasMore,
  };
}
