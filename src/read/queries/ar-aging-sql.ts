/**
 * The SQL of the AR aging (src/read/queries/ar-aging.ts): what each customer owed on `asOf`,
 * as `(currency, customer_id, due_date, amount)` rows summed per customer and bucket.
 */
import { sql, type SQL } from 'drizzle-orm';

/** Bucket of days past due on `asOf`: 0 current, 1: 1-30, 2: 31-60, 3: 61-90, 4: over 90. */
const bucketOf = (asOf: string) =>
  sql`case when ${asOf}::date - due_date <= 0 then 0 when ${asOf}::date - due_date <= 30 then 1
    when ${asOf}::date - due_date <= 60 then 2 when ${asOf}::date - due_date <= 90 then 3 else 4 end`;

/** The five bucket sums of `owed` rows, as bigint text columns b0..b4. */
export const bucketSums = (asOf: string) => {
  const b = bucketOf(asOf);
  return sql.join(
    [0, 1, 2, 3, 4].map(
      (i) =>
        sql`coalesce(sum(amount) filter (where ${b} = ${sql.raw(String(i))}), 0)::bigint::text as ${sql.raw(`b${i}`)}`,
    ),
    sql`, `,
  );
};

/**
 * What changed after `asOf` for the invoices issued by then: minus the open invoices issued
 * after asOf (none for today unless invoices are issued with future dates; index
 * invoices_open_issued_idx); plus the payments applied after asOf to invoices issued by then
 * (each allocation carries its invoice's customer, currency and dates, migration 0009; the
 * rows an older release wrote without them during its rollout look their invoice up, found
 * by index payment_allocations_no_invoice_idx, which holds only those rows); plus what the
 * issued invoices voided after asOf still owed (total less what was paid; what was paid after
 * asOf comes back with the payments; index invoices_voided_on_idx). Each reads only what
 * happened after asOf, from one index, with no lookup per row.
 */
export const correctionsAfter = (t: string, asOf: string): SQL => sql`
      select currency, customer_id, due_date, -balance_due as amount from invoices
      where tenant_id = ${t} and status in ('issued', 'partially_paid') and issue_date > ${asOf}::date
      union all
      select currency, customer_id, due_date, sum(amount)::bigint from payment_allocations
      where tenant_id = ${t} and date > ${asOf}::date and invoice_issue_date <= ${asOf}::date
      group by currency, customer_id, due_date
      union all
      select i.currency, i.customer_id, i.due_date, l.amount
      from (select invoice_id, sum(amount)::bigint as amount from payment_allocations
        where tenant_id = ${t} and date > ${asOf}::date and invoice_issue_date is null
        group by invoice_id) l
      cross join lateral (select currency, customer_id, due_date from invoices
        where tenant_id = ${t} and id = l.invoice_id and issue_date <= ${asOf}::date limit 1) i
      union all
      select currency, customer_id, due_date, total - paid_amount from invoices
      where tenant_id = ${t} and status = 'void' and journal_id is not null
        and voided_on > ${asOf}::date and issue_date <= ${asOf}::date`;

/**
 * What open invoices owe now, from the trigger-kept totals: per customer and due day from
 * asOf - 90 on (ar_open_days: every bucket edge falls there, later due dates too), and the
 * rest of each customer's total (ar_open_customers minus those days) over 90 days past due,
 * dated `asOf - 91`. One row per owing customer and per customer and due day of the last 90
 * days and later, not one per invoice or per month of history. `only` restricts the
 * customers (a subquery of ids).
 */
export const openNow = (t: string, asOf: string, only?: SQL): SQL => {
  const customer = (column: SQL) => (only ? sql` and ${column} in (${only})` : sql``);
  return sql`
      select currency, customer_id, ${asOf}::date - 91 as due_date, amount from ar_open_customers
      where tenant_id = ${t}${customer(sql`customer_id`)}
      union all
      select d.currency, d.customer_id, v.due_date, v.amount from ar_open_days d
      cross join lateral (values (d.due_date, d.amount), (${asOf}::date - 91, -d.amount)) v(due_date, amount)
      where d.tenant_id = ${t} and d.due_date >= ${asOf}::date - 90${customer(sql`d.customer_id`)}`;
};

/** Every customer's row of bucket sums on `asOf` (unpaged), by currency, name and id. */
export const wholeReport = (t: string, asOf: string): SQL => sql`with owed as (
      ${openNow(t, asOf)}
      union all
      ${correctionsAfter(t, asOf)}
    ), per_customer as (
      select currency, customer_id, ${bucketSums(asOf)} from owed group by currency, customer_id
    )
    select o.*, cu.name from per_customer o
    left join customers cu on cu.tenant_id = ${t} and cu.id = o.customer_id
    where (o.b0, o.b1, o.b2, o.b3, o.b4) <> ('0', '0', '0', '0', '0')
    order by o.currency, cu.name_key, o.customer_id`;

/**
 * One page, in one statement so that what changed after `asOf` is read once: first (`kind`
 * 0) the bucket sums per currency over every customer, from what is open now per due day over
 * all customers (ar_open_tenant_days, one row per due day) corrected as above; then (`kind`
 * 1) the next `take` customers after `after` (name_key, id) that owe now or had invoices
 * paid, voided or issued after `asOf` (the only ones that can have owed on asOf), walked in
 * the customers' name index, each with its bucket sums per currency. A customer that owed
 * nothing on asOf comes back with zeros (currency null), so the caller still sees where the
 * page ends. Customers missing from the read model's customers table are in no page.
 */
export const reportPage = (
  t: string,
  asOf: string,
  take: number,
  after: readonly [string, string] | null,
): SQL => sql`with changed as materialized (
      ${correctionsAfter(t, asOf)}
    ), totals as (
      select currency, ${bucketSums(asOf)} from (
        select currency, due_date, amount from ar_open_tenant_days where tenant_id = ${t}
        union all
        select currency, due_date, amount from changed
      ) o group by currency
    ), page as (
      select c.id, c.name, c.name_key from customers c
      where c.tenant_id = ${t}${after ? sql` and (c.name_key, c.id) > (${after[0]}::text collate "C", ${after[1]}::text)` : sql``}
        and (exists (select 1 from ar_open_customers o where o.tenant_id = ${t} and o.customer_id = c.id)
          or c.id in (select customer_id from changed))
      order by c.name_key, c.id limit ${take}
    ), owed as (
      ${openNow(t, asOf, sql`select id from page`)}
      union all
      select * from changed where customer_id in (select id from page)
    ), per_customer as (
      select currency, customer_id, ${bucketSums(asOf)} from owed group by currency, customer_id
    )
    select 0 as kind, null as customer_id, null as name, null as name_key, currency, b0, b1, b2, b3, b4
    from totals
    union all
    select 1, p.id, p.name, p.name_key, o.currency, o.b0, o.b1, o.b2, o.b3, o.b4
    from page p left join per_customer o on o.customer_id = p.id
    order by kind, name_key, customer_id, currency`;
