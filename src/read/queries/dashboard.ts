/**
 * Dashboard figures in one statement: receivables outstanding now (open invoices'
 * `balance_due`), the part of it overdue on `asOf` (due before `asOf`), payments received
 * in [from, to], per currency; plus counts. Outstanding and overdue reflect the read model
 * as projected (current state); `asOf` only decides what is overdue. Open invoices are read
 * from the trigger-kept totals (`ar_open_days` for the days from `asOf`'s month on,
 * `ar_open_months` before it, which is all overdue), not one row per invoice.
 */
import { sql } from 'drizzle-orm';
import type { TenantTx } from '../tenant-tx';
import { safeInt } from './errors';
import { dateRange, isoDate } from './filters';
import { rowsOf } from './sql';

export interface DashboardCurrency {
  currency: string;
  outstanding: number;
  overdue: number;
  received: number;
}

export interface Dashboard {
  asOf: string;
  period: { from: string; to: string };
  /** Currencies with anything outstanding or received, by code. */
  currencies: DashboardCurrency[];
  counts: {
    /** Issued or partially paid invoices. */
    openInvoices: number;
    overdueInvoices: number;
    draftInvoices: number;
    /** Payments dated within the period. */
    paymentsReceived: number;
  };
}

export interface DashboardParams {
  tenantId: string;
  /** The day overdue is measured against (normally today). */
  asOf: string;
  /** Period of `received` (inclusive dates). */
  from: string;
  to: string;
}

interface Row {
  kind: 'open' | 'received' | 'draft';
  currency: string | null;
  amount: string | null;
  overdue: string | null;
  n: string;
  overdue_n: string | null;
}

/** The dashboard of the transaction's tenant. */
export async function dashboard(tx: TenantTx, params: DashboardParams): Promise<Dashboard> {
  const asOf = isoDate('asOf', params.asOf);
  const period = dateRange('period', { from: params.from, to: params.to });
  const from = period?.from ?? params.from;
  const to = period?.to ?? params.to;
  const t = params.tenantId;
  const result = await tx.execute(sql`
    select 'open' as kind, currency, sum(amount)::bigint::text as amount,
      coalesce(sum(amount) filter (where due_date < ${asOf}::date), 0)::bigint::text as overdue,
      sum(invoices)::text as n, coalesce(sum(invoices) filter (where due_date < ${asOf}::date), 0)::text as overdue_n
    from (
      select currency, due_date, amount, invoices from ar_open_days
      where tenant_id = ${t} and due_date >= date_trunc('month', ${asOf}::date::timestamp)::date
      union all
      select currency, month, amount, invoices from ar_open_months
      where tenant_id = ${t} and month < date_trunc('month', ${asOf}::date::timestamp)::date
    ) o group by currency
    union all
    select 'received', currency, sum(amount)::bigint::text, null, count(*)::text, null
    from payments where tenant_id = ${t} and date between ${from}::date and ${to}::date group by currency
    union all
    select 'draft', null, null, null, count(*)::text, null from invoices where tenant_id = ${t} and status = 'draft'`);
  const byCurrency = new Map<string, DashboardCurrency>();
  const counts = { openInvoices: 0, overdueInvoices: 0, draftInvoices: 0, paymentsReceived: 0 };
  const section = (currency: string): DashboardCurrency => {
    let s = byCurrency.get(currency);
    if (s === undefined) {
      s = { currency, outstanding: 0, overdue: 0, received: 0 };
      byCurrency.set(currency, s);
    }
    return s;
  };
  for (const r of rowsOf<Row>(result)) {
    const n = safeInt(r.n, 'count');
    if (r.kind === 'draft') counts.draftInvoices = n;
    else if (r.kind === 'open' && r.currency !== null) {
      Object.assign(section(r.currency), {
        outstanding: safeInt(r.amount),
        overdue: safeInt(r.overdue),
      });
      counts.openInvoices += n;
      counts.overdueInvoices += safeInt(r.overdue_n, 'count');
    } else if (r.currency !== null) {
      section(r.currency).received = safeInt(r.amount);
      counts.paymentsReceived += n;
    }
  }
  const currencies = [...byCurrency.values()].sort((a, b) => (a.currency < b.currency ? -1 : 1));
  return { asOf, period: { from, to }, currencies, counts };
}
