/**
 * Accounts receivable aging as of a date, per currency and customer. An invoice counts when
 * it was open on `asOf`: issued on or before it, not voided by then, with an amount still
 * owed then (total minus the payments applied on or before `asOf`; payments applied later
 * are added back). Buckets by days past due on `asOf`: current (not yet due), 1-30, 31-60,
 * 61-90, over 90. The totals agree with the receivable accounts of the trial balance on
 * the same date. Reads the trigger-kept totals of what is open now (one row per owing customer,
 * and one per customer and due day from `asOf - 90` on), corrected by what was issued, paid or
 * voided after `asOf`.
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
  name: string | null;
  /** Amounts per bucket: current, 1-30, 31-60, 61-90, over 90 days past due (bigint as text). */
  b0: string;
  b1: string;
  b2: string;
  b3: string;
  b4: string;
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
  // asOf, for the invoices issued by then (summed per customer and bucket):
  // - what open invoices owe now, from the trigger-kept totals: per customer and due day
  //   from asOf - 90 on (ar_open_days: every bucket edge falls there, later due dates too),
  //   and the rest of the customer's total (ar_open_customers minus those days) over 90
  //   days past due, so the cost is one row per owing customer and per customer and due
  //   day of the last 90 days and later, not one per invoice or per month of history;
  // - minus the open invoices issued after asOf (none for today unless invoices are issued
  //   with future dates; index invoices_open_issued_idx);
  // - plus the payments applied after asOf, and the invoices voided after asOf (found by
  //   their void entries, dated the void date). These two read only what happened after
  //   asOf and look each invoice up by key (LIMIT 1 keeps the planner from hashing the
  //   tenant's invoices, which it prefers on misestimates and costs far more for recent dates).
  // `asOf - 91` stands for "over 90 days past due" in the first two parts.
  const result = await tx.execute(sql`with owed as (
      select currency, customer_id, ${asOf}::date - 91 as due_date, amount from ar_open_customers
      where tenant_id = ${t}
      union all
      select d.currency, d.customer_id, v.due_date, v.amount from ar_open_days d
      cross join lateral (values (d.due_date, d.amount), (${asOf}::date - 91, -d.amount)) v(due_date, amount)
      where d.tenant_id = ${t} and d.due_date >= ${asOf}::date - 90
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
    ), aged as (
      select currency, customer_id, amount,
        case when ${asOf}::date - due_date <= 0 then 0 when ${asOf}::date - due_date <= 30 then 1
          when ${asOf}::date - due_date <= 60 then 2 when ${asOf}::date - due_date <= 90 then 3 else 4 end as bucket
      from owed
    ), customers_owing as (
      select currency, customer_id,
        coalesce(sum(amount) filter (where bucket = 0), 0) as b0,
        coalesce(sum(amount) filter (where bucket = 1), 0) as b1,
        coalesce(sum(amount) filter (where bucket = 2), 0) as b2,
        coalesce(sum(amount) filter (where bucket = 3), 0) as b3,
        coalesce(sum(amount) filter (where bucket = 4), 0) as b4
      from aged group by currency, customer_id
    )
    select o.currency, o.customer_id, cu.name, o.b0::bigint::text as b0, o.b1::bigint::text as b1,
      o.b2::bigint::text as b2, o.b3::bigint::text as b3, o.b4::bigint::text as b4
    from customers_owing o
    left join customers cu on cu.tenant_id = ${t} and cu.id = o.customer_id
    where o.b0 <> 0 or o.b1 <> 0 or o.b2 <> 0 or o.b3 <> 0 or o.b4 <> 0
    order by o.currency, cu.name_key, o.customer_id`);
  const sections = new Map<string, AgingCurrency>();
  for (const r of rowsOf<Row>(result)) {
    let section = sections.get(r.currency);
    if (section === undefined) {
      section = { currency: r.currency, customers: [], totals: empty() };
      sections.set(r.currency, section);
    }
    const row: AgingCustomer = { customerId: r.customer_id, name: r.name, ...empty() };
    section.customers.push(row);
    const amounts = [r.b0, r.b1, r.b2, r.b3, r.b4];
    BUCKETS.forEach((bucket, i) => {
      const amount = safeInt(amounts[i] ?? '0');
      for (const target of [row, section.totals]) {
        target[bucket] = safeInt(target[bucket] + amount);
        target.total = safeInt(target.total + amount, 'total');
      }
    });
  }
  return { asOf, currencies: [...sections.values()] };
}
