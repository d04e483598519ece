/**
 * Reports against a realistic projected book, each recomputed from the ledger's own events
 * and states: trial balance (both evaluation plans), AR aging (and its agreement with the
 * receivable account), the dashboard and balances rolled up the account tree.
 */
import { env } from 'cloudflare:workers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectEvents, rebuildTenant } from '../../src/read/projection';
import { accountRollup } from '../../src/read/queries/account-rollup';
import { arAging, type AgingBuckets } from '../../src/read/queries/ar-aging';
import { balancesAsOf } from '../../src/read/queries/balances';
import { dashboard } from '../../src/read/queries/dashboard';
import { InvalidQueryError } from '../../src/read/queries/errors';
import { trialBalance } from '../../src/read/queries/trial-balance';
import {
  inTenant,
  openClients,
  projectBook,
  record,
  richLedger,
  sql,
  statesOf,
} from '../fixtures/queries';
import { uniqueTenant } from '../fixtures/http';

const { client, db } = openClients();
afterAll(() => client.close());

const ledger = richLedger();
let tenant = '';
beforeAll(async () => {
  tenant = await projectBook(projectEvents, db, ledger, uniqueTenant('reports'));
}, 60_000);

const DATES = ['2024-01-01', '2024-02-15', '2024-06-30', '2024-12-31', '2025-03-31'];
const days = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 86_400_000;
const accounts = () => new Map(statesOf(ledger, 'account').map((a) => [a.id, a]));

/** Σ debit - Σ credit per "account|currency" over the lines dated on or before `asOf`. */
function balancesFromEvents(asOf: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const e of ledger.eventsOf('journal.posted')) {
    if (e.data.date > asOf) continue;
    for (const l of e.data.lines)
      out.set(
        `${l.accountId}|${l.currency}`,
        (out.get(`${l.accountId}|${l.currency}`) ?? 0) + l.debit - l.credit,
      );
  }
  return out;
}

describe(`reports (${env.TEST_DB_BACKEND})`, () => {
  it('trial balance as of a date: per currency, accounts by code, debits = credits', async () => {
    const chart = accounts();
    for (const asOf of DATES) {
      const tb = await inTenant(db, tenant, (tx) => trialBalance(tx, { tenantId: tenant, asOf }));
      const expected = [...balancesFromEvents(asOf)].map(([key, balance]) => {
        const [accountId = '', currency = ''] = key.split('|');
        const a = chart.get(accountId);
        return {
          currency,
          row: {
            accountId,
            code: a?.code,
            name: a?.name,
            type: a?.type,
            debit: Math.max(balance, 0),
            credit: Math.max(-balance, 0),
            balance,
          },
        };
      });
      const currencies = [...new Set(expected.map((e) => e.currency))].sort();
      expect(
        tb.currencies.map((c) => c.currency),
        asOf,
      ).toEqual(currencies);
      for (const section of tb.currencies) {
        const rows = expected
          .filter((e) => e.currency === section.currency)
          .map((e) => e.row)
          .sort((a, b) => ((a.code ?? '') < (b.code ?? '') ? -1 : 1));
        expect(section.accounts, `${asOf} ${section.currency}`).toEqual(rows);
        expect(section.totals.debit).toBe(section.totals.credit);
        expect(section.totals.debit).toBe(rows.reduce((s, r) => s + r.debit, 0));
      }
    }
  });

  it('month totals follow the lines (incremental batches, a rebuild) and balances as of a date match the lines', async () => {
    const monthly = (
      t: string,
    ) => sql`select account_id, currency, to_char(month, 'YYYY-MM') as m, debit_total::text as d, credit_total::text as c
      from account_month_totals where tenant_id = ${t} order by 1, 2, 3`;
    const fromLines = (
      t: string,
    ) => sql`select account_id, currency, to_char(date, 'YYYY-MM') as m, sum(debit)::text as d, sum(credit)::text as c
      from journal_lines where tenant_id = ${t} group by 1, 2, 3 order by 1, 2, 3`;
    const rows = async (t: string, q: ReturnType<typeof sql>) =>
      (await inTenant(db, t, (tx) => tx.execute(q))).rows;
    const batched = uniqueTenant('batched');
    const events = record(ledger, batched);
    for (let i = 0; i < events.length; i += 17)
      await projectEvents(db, batched, events.slice(0, i + 17));
    expect(await rows(batched, monthly(batched))).toEqual(await rows(batched, fromLines(batched)));
    await rebuildTenant(db, batched, events);
    expect(await rows(batched, monthly(batched))).toEqual(
      await rows(tenant, monthly(tenant)).then((r) => r),
    );
    expect((await rows(tenant, monthly(tenant))).length).toBeGreaterThan(20);
    for (const asOf of DATES) {
      const viaMonths = await rows(
        tenant,
        sql`select account_id, currency, debit::text, credit::text from (${balancesAsOf(tenant, asOf)}) b order by 1, 2`,
      );
      const viaLines = await rows(
        tenant,
        sql`select account_id, currency, sum(debit)::text as debit, sum(credit)::text as credit from journal_lines
        where tenant_id = ${tenant} and date <= ${asOf}::date group by 1, 2 order by 1, 2`,
      );
      expect(viaMonths, asOf).toEqual(viaLines);
    }
  });

  it('open-receivable totals follow the invoices through every batch and a rebuild (ar_open_days, ar_open_months, ar_open_customers, ar_open_tenant_days)', async () => {
    const open = sql`status in ('issued', 'partially_paid')`;
    const views = (t: string) => ({
      days: sql`select due_date::text as k, currency, customer_id, amount::text, invoices from ar_open_days where tenant_id = ${t} order by 1, 2, 3`,
      daysFromInvoices: sql`select due_date::text as k, currency, customer_id, sum(balance_due)::text as amount, count(*)::int as invoices
        from invoices where tenant_id = ${t} and ${open} group by 1, 2, 3 order by 1, 2, 3`,
      months: sql`select month::text as k, currency, customer_id, amount::text, invoices from ar_open_months where tenant_id = ${t} order by 1, 2, 3`,
      monthsFromInvoices: sql`select date_trunc('month', due_date::timestamp)::date::text as k, currency, customer_id, sum(balance_due)::text as amount, count(*)::int as invoices
        from invoices where tenant_id = ${t} and ${open} group by 1, 2, 3 order by 1, 2, 3`,
      customers: sql`select currency, customer_id, amount::text, invoices from ar_open_customers where tenant_id = ${t} order by 1, 2`,
      customersFromInvoices: sql`select currency, customer_id, sum(balance_due)::text as amount, count(*)::int as invoices
        from invoices where tenant_id = ${t} and ${open} group by 1, 2 order by 1, 2`,
      tenantDays: sql`select currency, due_date::text as k, amount::text, invoices from ar_open_tenant_days where tenant_id = ${t} order by 1, 2`,
      tenantDaysFromInvoices: sql`select currency, due_date::text as k, sum(balance_due)::text as amount, count(*)::int as invoices
        from invoices where tenant_id = ${t} and ${open} group by 1, 2 order by 1, 2`,
    });
    const same = async (t: string, label: string) => {
      const v = views(t);
      const [
        days = [],
        fromInvoices,
        months,
        monthsFromInvoices,
        owing,
        owingFromInvoices,
        tenantDays,
        tenantDaysFromInvoices,
      ] = await inTenant(db, t, async (tx) =>
        Promise.all(
          [
            v.days,
            v.daysFromInvoices,
            v.months,
            v.monthsFromInvoices,
            v.customers,
            v.customersFromInvoices,
            v.tenantDays,
            v.tenantDaysFromInvoices,
          ].map(async (q) => (await tx.execute(q)).rows),
        ),
      );
      expect(days, label).toEqual(fromInvoices);
      expect(months, label).toEqual(monthsFromInvoices);
      expect(owing, label).toEqual(owingFromInvoices);
      expect(tenantDays, label).toEqual(tenantDaysFromInvoices);
      return days.length;
    };
    // Invoices go open -> partially paid -> paid and open -> void in later batches: the totals
    // must take them back out, not only add.
    const states = statesOf(ledger, 'invoice');
    expect(states.filter((s) => s.status === 'paid').length).toBeGreaterThan(0);
    expect(
      states.filter((s) => s.status === 'void' && s.journalId !== null).length,
    ).toBeGreaterThan(0);
    const batched = uniqueTenant('open-totals');
    const events = record(ledger, batched);
    for (let i = 0; i < events.length; i += 17) {
      await projectEvents(db, batched, events.slice(0, i + 17));
      await same(batched, `after ${i + 17} events`);
    }
    const final = await same(batched, 'projected');
    expect(final).toBeGreaterThan(0);
    await rebuildTenant(db, batched, events);
    expect(await same(batched, 'rebuilt')).toBe(final);
    // An update that leaves what the totals sum alone (here the memo) writes no totals row at
    // all; one that changes a balance rewrites that invoice's day and month rows only.
    const versions = async () =>
      (
        await inTenant(db, batched, (tx) =>
          tx.execute(sql`select 'd' || due_date::text || currency || customer_id as k, xmin::text as x from ar_open_days where tenant_id = ${batched}
      union all select 'm' || month::text || currency || customer_id, xmin::text from ar_open_months where tenant_id = ${batched}
      union all select 'c' || currency || customer_id, xmin::text from ar_open_customers where tenant_id = ${batched}
      union all select 't' || due_date::text || currency, xmin::text from ar_open_tenant_days where tenant_id = ${batched} order by 1`),
        )
      ).rows as { k: string; x: string }[];
    const before = await versions();
    await inTenant(db, batched, (tx) =>
      tx.execute(
        sql`update invoices set memo = coalesce(memo, '') || ' ' where tenant_id = ${batched}`,
      ),
    );
    expect(await versions()).toEqual(before);
    const openNow = (
      await inTenant(db, batched, (tx) =>
        tx.execute(sql`select id, due_date::text as due, currency, customer_id as customer from invoices
      where tenant_id = ${batched} and status in ('issued', 'partially_paid') order by id`),
      )
    ).rows as { id: string; due: string; currency: string; customer: string }[];
    const [one, two] = openNow;
    if (one === undefined || two === undefined) throw new Error('the book needs two open invoices');
    await inTenant(db, batched, (tx) =>
      tx.execute(
        sql`update invoices set balance_due = balance_due + 1 where tenant_id = ${batched} and id = ${one.id}`,
      ),
    );
    const after = await versions();
    const moved = after.filter((a) => before.find((b) => b.k === a.k)?.x !== a.x).map((a) => a.k);
    expect(moved.sort()).toEqual([
      `c${one.currency}${one.customer}`,
      `d${one.due}${one.currency}${one.customer}`,
      `m${one.due.slice(0, 8)}01${one.currency}${one.customer}`,
      `t${one.due}${one.currency}`,
    ]);
    await same(batched, 'after a balance change');
    // Changes the projection's events may never make, straight on the rows: an open invoice
    // moves to another month; two swap customers in one statement; a paid one opens again.
    const update = (q: ReturnType<typeof sql>) => inTenant(db, batched, (tx) => tx.execute(q));
    await update(
      sql`update invoices set due_date = due_date + 45 where tenant_id = ${batched} and id = ${one.id}`,
    );
    await same(batched, 'after a due date moved a month on');
    await update(sql`update invoices i set customer_id = o.customer_id from invoices o
      where i.tenant_id = ${batched} and o.tenant_id = ${batched} and ((i.id = ${one.id} and o.id = ${two.id}) or (i.id = ${two.id} and o.id = ${one.id}))`);
    await same(batched, 'after two invoices swapped customers');
    await update(sql`update invoices set status = 'issued', balance_due = total - paid_amount + 100 where tenant_id = ${batched}
      and id = (select id from invoices where tenant_id = ${batched} and status = 'paid' order by id limit 1)`);
    await same(batched, 'after a paid invoice opened again');
  });

  it('AR aging as of a date: open amounts then, by days past due, agreeing with the receivable balance', async () => {
    const customers = new Map(statesOf(ledger, 'customer').map((c) => [c.id, c]));
    const receivable = ledger.account('1100');
    // 2024-01-13: between an invoice's issue (01-12) and its void (01-15) in richLedger, so
    // an invoice voided after the date is owed on it.
    for (const asOf of [...DATES, '2024-01-13']) {
      const aging = await inTenant(db, tenant, (tx) => arAging(tx, { tenantId: tenant, asOf }));
      const expected = new Map<string, AgingBuckets & { customerId: string; currency: string }>();
      for (const s of statesOf(ledger, 'invoice')) {
        if (
          s.journalId === null ||
          s.issueDate > asOf ||
          (s.voidedOn !== null && s.voidedOn <= asOf)
        )
          continue;
        const owed =
          s.total - s.payments.filter((p) => p.date <= asOf).reduce((sum, p) => sum + p.amount, 0);
        if (owed === 0) continue;
        const key = `${s.currency}|${s.customerId}`;
        const row = expected.get(key) ?? {
          customerId: s.customerId,
          currency: s.currency,
          current: 0,
          days1To30: 0,
          days31To60: 0,
          days61To90: 0,
          over90: 0,
          total: 0,
        };
        const late = days(s.dueDate, asOf);
        const bucket =
          late <= 0
            ? 'current'
            : late <= 30
              ? 'days1To30'
              : late <= 60
                ? 'days31To60'
                : late <= 90
                  ? 'days61To90'
                  : 'over90';
        row[bucket] += owed;
        row.total += owed;
        expected.set(key, row);
      }
      const actual = aging.currencies.flatMap((c) =>
        c.customers.map((r) => ({ ...r, currency: c.currency })),
      );
      const want = [...expected.values()].map((r) => ({
        ...r,
        name: customers.get(r.customerId)?.name ?? null,
      }));
      const order = (
        a: { currency: string; name: string | null; customerId: string },
        b: typeof a,
      ) =>
        a.currency.localeCompare(b.currency) ||
        ((a.name ?? '').toLowerCase() < (b.name ?? '').toLowerCase()
          ? -1
          : (a.name ?? '').toLowerCase() > (b.name ?? '').toLowerCase()
            ? 1
            : a.customerId < b.customerId
              ? -1
              : 1);
      expect(actual, asOf).toEqual(want.sort(order));
      if (asOf >= '2024-02-15') expect(actual.length, asOf).toBeGreaterThan(0);
      const tb = balancesFromEvents(asOf);
      for (const section of aging.currencies) {
        expect(section.totals.total, `${asOf} ${section.currency}`).toBe(
          tb.get(`${receivable}|${section.currency}`) ?? 0,
        );
        expect(section.totals.total).toBe(
          section.totals.current +
            section.totals.days1To30 +
            section.totals.days31To60 +
            section.totals.days61To90 +
            section.totals.over90,
        );
      }
    }
  });

  it('dashboard: outstanding, overdue and received per currency, with counts', async () => {
    const params = { tenantId: tenant, asOf: '2024-12-31', from: '2024-07-01', to: '2024-12-31' };
    const d = await inTenant(db, tenant, (tx) => dashboard(tx, params));
    const open = statesOf(ledger, 'invoice').filter(
      (s) => s.status === 'issued' || s.status === 'partially_paid',
    );
    const received = statesOf(ledger, 'payment').filter(
      (p) => p.date >= params.from && p.date <= params.to,
    );
    const currencies = [
      ...new Set([...open.map((s) => s.currency), ...received.map((p) => p.currency)]),
    ].sort();
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    expect(d.currencies).toEqual(
      currencies.map((currency) => ({
        currency,
        outstanding: sum(
          open.filter((s) => s.currency === currency).map((s) => s.total - s.paidAmount),
        ),
        overdue: sum(
          open
            .filter((s) => s.currency === currency && s.dueDate < params.asOf)
            .map((s) => s.total - s.paidAmount),
        ),
        received: sum(received.filter((p) => p.currency === currency).map((p) => p.amount)),
      })),
    );
    expect(d.counts).toEqual({
      openInvoices: open.length,
      overdueInvoices: open.filter((s) => s.dueDate < params.asOf).length,
      draftInvoices: statesOf(ledger, 'invoice').filter((s) => s.status === 'draft').length,
      paymentsReceived: received.length,
    });
    expect(d.counts.overdueInvoices).toBeGreaterThan(0);
  });

  it('account balances rolled up the hierarchy: own and subtree totals per currency', async () => {
    for (const asOf of [null, '2024-06-30']) {
      const rollup = await inTenant(db, tenant, (tx) =>
        accountRollup(tx, { tenantId: tenant, asOf }),
      );
      const own = balancesFromEvents(asOf ?? '9999-12-31');
      const chart = statesOf(ledger, 'account').sort((a, b) => (a.code < b.code ? -1 : 1));
      const under = (id: string): string[] => [
        id,
        ...chart.filter((c) => c.parentId === id).flatMap((c) => under(c.id)),
      ];
      const expected = chart.map((a) => {
        const currencies = [
          ...new Set(
            [...own.keys()]
              .filter((k) => under(a.id).includes(k.split('|')[0] ?? ''))
              .map((k) => k.split('|')[1] ?? ''),
          ),
        ].sort();
        const balances = currencies.map((currency) => ({
          currency,
          own: own.get(`${a.id}|${currency}`) ?? 0,
          total: under(a.id).reduce((s, id) => s + (own.get(`${id}|${currency}`) ?? 0), 0),
        }));
        return {
          accountId: a.id,
          code: a.code,
          name: a.name,
          type: a.type,
          parentId: a.parentId,
          active: a.active,
          balances,
        };
      });
      expect(rollup.accounts, String(asOf)).toEqual(expected);
      const services = rollup.accounts.find((a) => a.code === '4100');
      expect(services?.balances.find((b) => b.currency === 'USD')?.own).toBe(0);
      expect(services?.balances.find((b) => b.currency === 'USD')?.total).toBeLessThan(0); // revenue: credit balance from 4110/4111
    }
  });

  it('refuses malformed dates', async () => {
    for (const run of [
      () =>
        inTenant(db, tenant, (tx) => trialBalance(tx, { tenantId: tenant, asOf: '2024-13-01' })),
      () => inTenant(db, tenant, (tx) => arAging(tx, { tenantId: tenant, asOf: 'yesterday' })),
      () =>
        inTenant(db, tenant, (tx) =>
          dashboard(tx, {
            tenantId: tenant,
            asOf: '2024-12-31',
            from: '2024-12-01',
            to: '2024-11-01',
          }),
        ),
    ])
      await expect(run()).rejects.toBeInstanceOf(InvalidQueryError);
  });
});
