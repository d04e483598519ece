/**
 * Debit and credit totals per (account, currency) as of a date, as one SQL fragment shared
 * by the trial balance and the account roll-up. As of a date: the month totals before
 * that date's month (`account_month_totals`, kept by triggers on journal_lines) plus that
 * month's lines up to the date, so any date reads at most one month of lines. Without a
 * date: the projection's running totals (`account_balances`).
 */
import { sql, type SQL } from 'drizzle-orm';

/**
 * `(account_id, currency, debit, credit)` rows of the tenant's activity up to and including
 * `asOf`, or of all activity when `asOf` is null. Accounts and currencies with no lines in
 * the period are left out.
 */
export function balancesAsOf(tenantId: string, asOf: string | null): SQL {
  if (asOf === null) {
    return sql`select account_id, currency, debit_total as debit, credit_total as credit
      from account_balances where tenant_id = ${tenantId} and (debit_total <> 0 or credit_total <> 0)`;
  }
  const month = sql`date_trunc('month', ${asOf}::date)::date`;
  return sql`select account_id, currency, sum(debit) as debit, sum(credit) as credit from (
      select account_id, currency, debit_total as debit, credit_total as credit from account_month_totals
      where tenant_id = ${tenantId} and month < ${month}
      union all
      select account_id, currency, debit, credit from journal_lines
      where tenant_id = ${tenantId} and date >= ${month} and date <= ${asOf}::date
    ) movements group by account_id, currency having sum(debit) <> 0 or sum(credit) <> 0`;
}
