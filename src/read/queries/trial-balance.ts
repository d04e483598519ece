/**
 * Trial balance as of a date: every account with posted activity up to `asOf`, per
 * currency, with its net balance in the debit or the credit column. Accounts without
 * activity up to `asOf` (never used, or used only later) are left out; an account whose
 * activity nets to zero is listed with 0 / 0. Per currency, total debits equal total
 * credits (the ledger only posts balanced entries).
 */
import { sql } from 'drizzle-orm';
import type { AccountType } from '../../domain/events';
import type { TenantTx } from '../tenant-tx';
import { balancesAsOf } from './balances';
import { safeInt } from './errors';
import { isoDate } from './filters';
import { rowsOf } from './sql';

export interface TrialBalanceRow {
  accountId: string;
  code: string;
  name: string;
  type: AccountType;
  /** Net debit balance (balance > 0), else 0. */
  debit: number;
  /** Net credit balance (balance < 0, as a positive number), else 0. */
  credit: number;
  /** Σ debits - Σ credits up to `asOf`. */
  balance: number;
}

export interface TrialBalanceCurrency {
  currency: string;
  accounts: TrialBalanceRow[];
  totals: { debit: number; credit: number };
}

export interface TrialBalance {
  asOf: string;
  /** One section per currency with activity, by currency code; accounts by code. */
  currencies: TrialBalanceCurrency[];
}

interface Row {
  account_id: string;
  code: string;
  name: string;
  type: AccountType;
  currency: string;
  balance: string;
}

/** The trial balance of the transaction's tenant on `asOf` (inclusive). */
export async function trialBalance(
  tx: TenantTx,
  params: { tenantId: string; asOf: string },
): Promise<TrialBalance> {
  const asOf = isoDate('asOf', params.asOf);
  const result =
    await tx.execute(sql`select t.account_id, a.code, a.name, a.type, t.currency, (t.debit - t.credit)::bigint::text as balance
    from (${balancesAsOf(params.tenantId, asOf)}) t
    join accounts a on a.tenant_id = ${params.tenantId} and a.id = t.account_id
    order by t.currency, a.code`);
  const sections = new Map<string, TrialBalanceCurrency>();
  for (const r of rowsOf<Row>(result)) {
    const balance = safeInt(r.balance, 'balance');
    let section = sections.get(r.currency);
    if (section === undefined) {
      section = { currency: r.currency, accounts: [], totals: { debit: 0, credit: 0 } };
      sections.set(r.currency, section);
    }
    const row = {
      accountId: r.account_id,
      code: r.code,
      name: r.name,
      type: r.type,
      debit: Math.max(balance, 0),
      credit: Math.max(-balance, 0),
      balance,
    };
    section.accounts.push(row);
    section.totals.debit = safeInt(section.totals.debit + row.debit, 'total');
    section.totals.credit = safeInt(section.totals.credit + row.credit, 'total');
  }
  return { asOf, currencies: [...sections.values()] };
}
