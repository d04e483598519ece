/**
 * Account balances rolled up the chart: for every account, per currency, its own balance
 * and the balance of its whole subtree (itself plus all descendants), from a recursive CTE
 * over `parent_id`. Balances are Σ debits - Σ credits (debit-positive), current or as of a
 * date. Every account is listed (by code), with an empty `balances` when nothing is posted.
 */
import { sql } from 'drizzle-orm';
import type { AccountType } from '../../domain/events';
import type { TenantTx } from '../tenant-tx';
import { balancesAsOf } from './balances';
import { safeInt } from './errors';
import { isoDate } from './filters';
import { rowsOf } from './sql';

export interface RolledUpBalance {
  currency: string;
  /** Lines posted to the account itself. */
  own: number;
  /** The account and all its descendants. */
  total: number;
}

export interface RolledUpAccount {
  accountId: string;
  code: string;
  name: string;
  type: AccountType;
  parentId: string | null;
  active: boolean;
  /** By currency code. */
  balances: RolledUpBalance[];
}

export interface AccountRollup {
  /** Null: current balances (everything projected). */
  asOf: string | null;
  accounts: RolledUpAccount[];
}

interface Row {
  id: string;
  code: string;
  name: string;
  type: AccountType;
  parent_id: string | null;
  active: boolean;
  currency: string | null;
  own: string | null;
  total: string | null;
}

/** Deeper charts are cut off here (a guard against a corrupt parent cycle). */
const MAX_DEPTH = 64;

/** Balances of every account of the transaction's tenant, rolled up the hierarchy. */
export async function accountRollup(
  tx: TenantTx,
  params: { tenantId: string; asOf?: string | null },
): Promise<AccountRollup> {
  const asOf =
    params.asOf === undefined || params.asOf === null ? null : isoDate('asOf', params.asOf);
  const t = params.tenantId;
  const result = await tx.execute(sql`with recursive tree (ancestor_id, account_id, depth) as (
      select id, id, 0 from accounts where tenant_id = ${t}
      union all
      select tree.ancestor_id, a.id, tree.depth + 1 from tree
      join accounts a on a.tenant_id = ${t} and a.parent_id = tree.account_id
      where tree.depth < ${MAX_DEPTH}
    ), bal as (${balancesAsOf(t, asOf)}
    ), rolled as (
      select tree.ancestor_id, bal.currency,
        coalesce(sum(bal.debit - bal.credit) filter (where tree.depth = 0), 0)::bigint::text as own,
        sum(bal.debit - bal.credit)::bigint::text as total
      from tree join bal on bal.account_id = tree.account_id
      group by tree.ancestor_id, bal.currency
    )
    select a.id, a.code, a.name, a.type, a.parent_id, a.active, r.currency, r.own, r.total
    from accounts a left join rolled r on r.ancestor_id = a.id
    where a.tenant_id = ${t}
    order by a.code, r.currency`);
  const out: RolledUpAccount[] = [];
  for (const r of rowsOf<Row>(result)) {
    let account = out.at(-1);
    if (account?.accountId !== r.id) {
      account = {
        accountId: r.id,
        code: r.code,
        name: r.name,
        type: r.type,
        parentId: r.parent_id,
        active: r.active,
        balances: [],
      };
      out.push(account);
    }
    if (r.currency !== null)
      account.balances.push({
        currency: r.currency,
        own: safeInt(r.own, 'balance'),
        total: safeInt(r.total, 'balance'),
      });
  }
  return { asOf, accounts: out };
}
