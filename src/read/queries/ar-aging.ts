/**
 * Accounts receivable aging as of a date, per currency and customer. An invoice counts when
 * it was open on `asOf`: issued on or before it, not voided by then, with an amount still
 * owed then (total minus the payments applied on or before `asOf`; payments applied later
 * are added back). Buckets by days past due on `asOf`: current (not yet due), 1-30, 31-60,
 * 61-90, over 90. The totals agree with the receivable accounts of the trial balance on
 * the same date. Reads the trigger-kept totals of what is open now (one row per customer and
 * due day of the last months, and per customer and due month before), corrected by what
 * was issued, paid or voided after `asOf`.
 */
import { sql } from 'drizzle-orm';
import type { TenantTx } from '../tenant-tx';
import { safeInt } from './errors';
import { isoDate } from './filters';
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
  /** Customers with an amount owed, by name then id. */
  customers: AgingCustomer[];
  totals: AgingBuckets;
}

export interface ArAging {
  asOf: string;
  currencies: AgingCurrency[];
}

interface Row {
  currency: string;
  customer_id: string;
  /** 0 current, 1: 1-30, 2: 31-60, 3: 61-90, 4: over 90 days past due. */
  bucket: number;
  amount: string;
  name: string | null;
}

const BUCKETS = ['current', 'days1To30', 'days31To60', 'days61To90', 'over90'] as const;
const empty = (): AgingBuckets => ({
  current: 0,
  days1To30: 0,
  days31To60: 0,
  days61To90: 0,
  over90: 0,
  total: 0,
});

/** The AR aging of the transaction's tenant on `asOf`. */
export async function arAging(
  tx: TenantTx,
  params: { tenantId: string; asOf: string },
): Promise<ArAging> {
  const asOf = isoDate('asOf', params.asOf);
  const t = params.tenantId;
  // What an invoice owed on asOf = what it owes now + the payments applied to it after
  // asOf, for the invoices issued by then (summed per bucket):
  // - what open invoices owe now, from the trigger-kept totals (ar_open_days/months): per
  //   due day from the month of asOf - 90 on (every bucket edge falls there; later due
  //   dates too), per due month before it (those months are all over 90 days past due), so
  //   the cost is one row per customer and due day from that month on and per customer and
  //   month before, not one per invoice;
  // - minus the open invoices issued after asOf (none for today unless invoices are issued
  //   with future dates; index invoices_open_issued_idx);
  // - plus the payments applied after asOf, and the invoices voided after asOf (found by
  //   their void entries, dated the void date). These two read only what happened after
  //   asOf and look each invoice up by key (LIMIT 1 keeps the planner from hashing the
  //   tenant's invoices, which it prefers on misestimates and costs far more for recent dates).
  const result =
    await tx.execute(sql`with edge as (select date_trunc('month', (${asOf}::date - 90)::timestamp)::date as day),
    owed as (
      select currency, customer_id, due_date, amount from ar_open_days
      where tenant_id = ${t} and due_date >= (select day from edge)
      union all
      select currency, customer_id, month, amount from ar_open_months
      where tenant_id = ${t} and month < (select day from edge)
      union all
      select currency, customer_id, due_date, -balance_due from invoices
      where tenant_id = ${t} and status in ('issued', 'partially_paid') and issue_date > ${asOf}::date
      union all
      select i.currency, i.customer_id, i.due_date, l.amount
      from (select invoice_id, sum(amount)::bigint as amount from payment_allocations
        where tenant_id = ${t} and date > ${asOf}::date group by invoice_id) l
      cross join lateral (select currency, customer_id, due_date from invoices
        where tenant_id = ${t} and id = l.invoice_id and issue_date <= ${asOf}::date limit 1) i
      union all
      select i.currency, i.customer_id, i.due_date, i.total - i.paid_amount from journal_entries j
      cross join lateral (select currency, customer_id, due_date, total, paid_amount from invoices
        where tenant_id = ${t} and id = j.source_id and issue_date <= ${asOf}::date limit 1) i
      where j.tenant_id = ${t} and j.date > ${asOf}::date and j.source_type = 'invoice_void'
    ), bucketed as (
      select currency, customer_id, sum(amount)::bigint::text as amount,
        case when ${asOf}::date - due_date <= 0 then 0 when ${asOf}::date - due_date <= 30 then 1
          when ${asOf}::date - due_date <= 60 then 2 when ${asOf}::date - due_date <= 90 then 3 else 4 end as bucket
      from owed group by currency, customer_id, bucket having sum(amount) <> 0
    )
    select b.currency, b.customer_id, b.bucket, b.amount, cu.name from bucketed b
    left join customers cu on cu.tenant_id = ${t} and cu.id = b.customer_id
    order by b.currency, cu.name_key, b.customer_id, b.bucket`);
  const sections = new Map<string, AgingCurrency>();
  for (const r of rowsOf<Row>(result)) {
    let section = sections.get(r.currency);
    if (section === undefined) {
      section = { currency: r.currency, customers: [], totals: empty() };
      sections.set(r.currency, section);
    }
    let row = section.customers.at(-1);
    if (row?.customerId !== r.customer_id) {
      row = { customerId: r.customer_id, name: r.name, ...empty() };
      section.customers.push(row);
    }
    const bucket = BUCKETS[r.bucket] ?? 'over90';
    const amount = safeInt(r.amount);
    for (const target of [row, section.totals]) {
      target[bucket] = safeInt(target[bucket] + amount);
      target.total = safeInt(target.total + amount, 'total');
    }
  }
  return { asOf, currencies: [...sections.values()] };
}
