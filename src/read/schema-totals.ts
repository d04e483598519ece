/**
 * Report totals kept by statement-level triggers in the same transaction as the rows they
 * sum (migrations `report_totals` and `ar_open_totals`); the projection never writes them,
 * and a tenant rebuild empties them by deleting the rows they sum. Row-level security as
 * on every read table.
 */
import { bigint, index, integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { day, money, tenant } from './schema-columns';

/**
 * Debit and credit totals per account, currency and calendar month (`month` = its first
 * day), so a trial balance as of any date reads at most one month of journal lines. Kept
 * by triggers on journal_lines.
 */
export const accountMonthTotals = pgTable(
  'account_month_totals',
  {
    tenantId: tenant(),
    accountId: text('account_id').notNull(),
    currency: text('currency').notNull(),
    month: day('month').notNull(),
    debitTotal: money('debit_total'),
    creditTotal: money('credit_total'),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.accountId, t.currency, t.month] })],
);

/** Columns of the open-receivable totals: what open invoices owe now, and how many there are. */
const openTotals = () => ({
  tenantId: tenant(),
  currency: text('currency').notNull(),
  customerId: text('customer_id').notNull(),
  /** Σ balance_due of the open (issued or partially paid) invoices of the row. */
  amount: bigint('amount', { mode: 'number' }).notNull(),
  invoices: integer('invoices').notNull(),
});

/**
 * Open receivables per due date, currency and customer; a row exists while `invoices` > 0.
 * Kept by triggers on invoices. AR aging reads the days from the month of `asOf - 90` on
 * (where its bucket edges fall), the dashboard the days from the month of `asOf` on.
 */
export const arOpenDays = pgTable(
  'ar_open_days',
  { ...openTotals(), dueDate: day('due_date').notNull() },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.dueDate, t.currency, t.customerId] }),
    // A page of the AR aging reads its customers' due days (migration ar_open_customers).
    index('ar_open_days_tenant_customer_idx').on(t.tenantId, t.customerId, t.dueDate),
  ],
);

/**
 * The same per due month (`month` = its first day): whole months read as one row each,
 * so a report reads one row per customer and month of history instead of one per invoice.
 */
export const arOpenMonths = pgTable(
  'ar_open_months',
  { ...openTotals(), month: day('month').notNull() },
  (t) => [primaryKey({ columns: [t.tenantId, t.month, t.currency, t.customerId] })],
);

/**
 * The same per customer and currency, whatever the due date: what each customer owes now.
 * AR aging takes a customer's amount over 90 days past due as this total minus its due days
 * from `asOf - 90` on, so it reads one row per owing customer instead of one per due month.
 */
export const arOpenCustomers = pgTable('ar_open_customers', openTotals(), (t) => [
  primaryKey({ columns: [t.tenantId, t.customerId, t.currency] }),
]);

/**
 * Open receivables per currency and due date over all of a tenant's customers: what an AR
 * aging page reads for its currency totals (one row per due day, however many customers).
 */
export const arOpenTenantDays = pgTable(
  'ar_open_tenant_days',
  {
    tenantId: tenant(),
    currency: text('currency').notNull(),
    dueDate: day('due_date').notNull(),
    amount: bigint('amount', { mode: 'number' }).notNull(),
    invoices: integer('invoices').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.currency, t.dueDate] })],
);

/** Every trigger-kept totals table (read-model comparisons in the tests include them). */
export const TOTALS_TABLES = [
  accountMonthTotals,
  arOpenDays,
  arOpenMonths,
  arOpenCustomers,
  arOpenTenantDays,
] as const;
