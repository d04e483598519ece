/**
 * Bulk rows for the plan and timing suite: `n` invoices for one tenant with everything the
 * projection would have written for them (lines, issue/void/payment journal entries and
 * lines, payments and allocations, running account balances), generated in Postgres by a
 * few `insert ... select generate_series` statements inside the tenant's transaction.
 * Per 1,000 invoices: 50 customers, 2 lines each, ~1.55k journal entries, ~4k journal lines,
 * ~600 payments. Issue dates spread evenly over 2024-01-01 .. 2025-12-30; 10% EUR.
 * Status by i % 20: 0-1 draft, 2-5 issued, 6-7 partially paid, 8 void, 9-19 paid.
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../../src/read/db';
import { withTenant } from '../../src/read/tenant-tx';

const TRACK = `1, now(), now(), 1`;
/** A party's name from its number `c`: six words in turn, then the number (`Acme 12`). */
const PARTY_NAME = sql.raw(`(array['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Stark'])[1 + c % 6] || ' ' || c`);

/** Seeds `n` invoices (and what goes with them) for `tenantId`. */
export async function seedVolume(db: Database, tenantId: string, n: number): Promise<void> {
  const t = tenantId;
  const customers = Math.max(10, Math.floor(n / 20));
  await withTenant(db, t, async (tx) => {
    const run = (q: ReturnType<typeof sql>) => tx.execute(q);
    await run(sql`insert into accounts (tenant_id, id, code, name, type, parent_id, description, active, version, created_at, updated_at, last_position)
      select ${t}, a.id, a.code, a.name, a.type, a.parent, null, true, ${sql.raw(TRACK)} from (values
        ('acc_1000', '1000', 'Assets', 'asset', null), ('acc_1100', '1100', 'Cash', 'asset', 'acc_1000'),
        ('acc_1200', '1200', 'Receivables', 'asset', 'acc_1000'), ('acc_4000', '4000', 'Revenue', 'revenue', null),
        ('acc_4100', '4100', 'Services', 'revenue', 'acc_4000'), ('acc_4200', '4200', 'Products', 'revenue', 'acc_4000')
      ) as a(id, code, name, type, parent)`);
    await run(sql`insert into customers (tenant_id, id, name, email, tax_id, default_currency, active, version, created_at, updated_at, last_position)
      select ${t}, 'cus_' || lpad(c::text, 6, '0'), ${PARTY_NAME},
        'billing' || c || '@example.test', 'VAT' || c, null, c % 17 <> 0, ${sql.raw(TRACK)}
      from generate_series(1, ${customers}::int) c`);
    await run(sql`insert into invoices (tenant_id, id, customer_id, status, currency, issue_date, due_date, memo, subtotal, tax_total, total, paid_amount, balance_due, journal_id, receivable_account_id, issued_at, voided_on, voided_at, void_journal_id, version, created_at, updated_at, last_position)
      select ${t}, 'inv_' || lpad(i::text, 7, '0'), 'cus_' || lpad((1 + (i * 7919) % ${customers}::int)::text, 6, '0'), s.status,
        case when i % 10 = 0 then 'EUR' else 'USD' end, d.issue, d.issue + 30,
        (array['Consulting', 'Hosting', 'Support', 'Licence', 'Training'])[1 + i % 5] || ' project ' || (i % 97), a.total, 0, a.total,
        case s.status when 'paid' then a.total when 'partially_paid' then a.total / 2 else 0 end,
        case s.status when 'issued' then a.total when 'partially_paid' then a.total - a.total / 2 else 0 end,
        case when s.status <> 'draft' then 'je_inv_' || i end, case when s.status <> 'draft' then 'acc_1200' end, case when s.status <> 'draft' then now() end,
        case when s.status = 'void' then d.issue + 5 end, case when s.status = 'void' then now() end, case when s.status = 'void' then 'je_void_' || i end,
        ${sql.raw(TRACK)}
      from generate_series(1, ${n}::int) i
      cross join lateral (select date '2024-01-01' + (i::bigint * 730 / ${n}::int)::int as issue) d
      cross join lateral (select 1000 + (i * 37) % 9000 + 500 + (i * 91) % 5000 as total) a
      cross join lateral (select case when i % 20 < 2 then 'draft' when i % 20 < 6 then 'issued' when i % 20 < 8 then 'partially_paid' when i % 20 = 8 then 'void' else 'paid' end as status) s`);
    await run(sql`insert into invoice_lines (tenant_id, invoice_id, line_no, description, quantity_milli, unit_amount, revenue_account_id, tax_rate_ppm, amount, tax_amount)
      select ${t}, i.id, l.no, case l.no when 1 then 'Work package ' || right(i.id, 4) else 'Travel and expenses ' || i.currency end, 1000,
        case l.no when 1 then 1000 + (n.i * 37) % 9000 else 500 + (n.i * 91) % 5000 end, case l.no when 1 then 'acc_4100' else 'acc_4200' end, 0,
        case l.no when 1 then 1000 + (n.i * 37) % 9000 else 500 + (n.i * 91) % 5000 end, 0
      from invoices i cross join lateral (select substr(i.id, 5)::int as i) n cross join (values (1), (2)) l(no) where i.tenant_id = ${t}`);
    await run(sql`insert into payments (tenant_id, id, customer_id, amount, currency, date, method, reference, journal_id, cash_account_id, unapplied_account_id, allocated_amount, unallocated_amount, version, created_at, updated_at, last_position)
      select ${t}, 'pay_' || substr(id, 5), customer_id, paid_amount, currency, issue_date + case status when 'paid' then 20 else 10 end,
        (array['bank_transfer', 'card', 'check', 'cash', 'other'])[1 + substr(id, 5)::int % 5], null, 'je_pay_' || substr(id, 5), 'acc_1100', 'acc_1100', paid_amount, 0, ${sql.raw(TRACK)}
      from invoices where tenant_id = ${t} and paid_amount > 0`);
    await run(sql`insert into payment_allocations (tenant_id, payment_id, position, seq, invoice_id, amount, date, journal_id)
      select ${t}, id, 1, 1, 'inv_' || substr(id, 5), amount, date, journal_id from payments where tenant_id = ${t}`);
    await run(sql`insert into journal_entries (tenant_id, id, date, memo, currency, source_type, source_id, reversal_of, reversed_by, posted_at, version, created_at, updated_at, last_position)
      select ${t}, journal_id, issue_date, null, currency, 'invoice', id, null, null, now(), ${sql.raw(TRACK)} from invoices where tenant_id = ${t} and journal_id is not null
      union all
      select ${t}, void_journal_id, voided_on, null, currency, 'invoice_void', id, journal_id, null, now(), ${sql.raw(TRACK)} from invoices where tenant_id = ${t} and void_journal_id is not null
      union all
      select ${t}, journal_id, date, null, currency, 'payment', id, null, null, now(), ${sql.raw(TRACK)} from payments where tenant_id = ${t}`);
    await run(sql`insert into journal_lines (tenant_id, journal_id, line_no, account_id, currency, debit, credit, description, date)
      select ${t}, j.journal_id, l.no, l.account, j.currency, l.debit, l.credit, null, j.date from (
        select journal_id, issue_date as date, currency, total, total - total / 3 as a, total / 3 as b, false as rev from invoices where tenant_id = ${t} and journal_id is not null
        union all
        select void_journal_id, voided_on, currency, total, total - total / 3, total / 3, true from invoices where tenant_id = ${t} and void_journal_id is not null
      ) j cross join lateral (values
        (1, 'acc_1200', case when j.rev then 0 else j.total end, case when j.rev then j.total else 0 end),
        (2, 'acc_4100', case when j.rev then j.a else 0 end, case when j.rev then 0 else j.a end),
        (3, 'acc_4200', case when j.rev then j.b else 0 end, case when j.rev then 0 else j.b end)) l(no, account, debit, credit)
      union all
      select ${t}, p.journal_id, l.no, l.account, p.currency, l.debit, l.credit, null, p.date from payments p
      cross join lateral (values (1, 'acc_1100', p.amount, 0), (2, 'acc_1200', 0, p.amount)) l(no, account, debit, credit) where p.tenant_id = ${t}`);
    await run(sql`insert into account_balances (tenant_id, account_id, currency, debit_total, credit_total, last_position)
      select ${t}, account_id, currency, sum(debit), sum(credit), 1 from journal_lines where tenant_id = ${t} group by account_id, currency`);
    await run(sql`insert into projection_checkpoints (tenant_id, position) values (${t}, 1) on conflict do nothing`);
  });
}

/**
 * `n` more customers (ids `cus_p…`, which no invoice names) and `n` vendors for `tenantId`:
 * a tenant whose master data is big enough that reading it whole would show in a plan.
 * Names spread over six words (`Acme 12`, …), a tenth inactive.
 */
export async function seedParties(db: Database, tenantId: string, n: number): Promise<void> {
  await withTenant(db, tenantId, async (tx) => {
    for (const [table, prefix] of [['customers', 'cus_p'], ['vendors', 'ven_']] as const) {
      await tx.execute(sql`insert into ${sql.identifier(table)} (tenant_id, id, name, email, tax_id, default_currency, active, version, created_at, updated_at, last_position)
        select ${tenantId}, ${prefix} || lpad(c::text, 7, '0'), ${PARTY_NAME},
          'ap' || c || '@example.test', null, null, c % 10 <> 0, ${sql.raw(TRACK)}
        from generate_series(1, ${n}::int) c`);
    }
  });
}
