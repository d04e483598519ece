/**
 * Chart of accounts list: by code (unique per tenant), filtered by type, active flag and
 * parent (`parentId: null` lists the top-level accounts). One query per page.
 */
import { and, asc, eq, isNull, type SQL } from 'drizzle-orm';
import { ACCOUNT_TYPES, type AccountType } from '../../domain/events';
import { accounts } from '../schema';
import type { TenantTx } from '../tenant-tx';
import { InvalidQueryError } from './errors';
import { oneOf, resourceId } from './filters';
import { finishPage, keysetAfter, startPage, type Page, type PageRequest } from './page';
import type { AccountView } from './views';

/** Filters of the account list; all optional, combined with AND. */
export interface AccountFilters {
  type?: AccountType;
  active?: boolean;
  /** A parent's id, or null for accounts without a parent. */
  parentId?: string | null;
}

export interface AccountListParams extends PageRequest {
  filters?: AccountFilters;
}

/** Checks the filters, limit and cursor (no database); `listAccounts` starts with it. */
export async function prepareAccountList(params: AccountListParams) {
  const raw = params.filters ?? {};
  if (raw.active !== undefined && typeof raw.active !== 'boolean')
    throw new InvalidQueryError('filters.active', 'filters.active must be true or false');
  const f = {
    type: raw.type === undefined ? undefined : oneOf('filters.type', raw.type, ACCOUNT_TYPES),
    active: raw.active,
    parentId:
      raw.parentId === undefined || raw.parentId === null
        ? raw.parentId
        : resourceId('filters.parentId', raw.parentId),
  };
  return { f, paging: await startPage('accounts', params, f, ['string']) };
}

/** Lists accounts in the shape of `toView`, `limit` per page. */
export async function listAccounts(
  tx: TenantTx,
  params: AccountListParams,
): Promise<Page<AccountView>> {
  const { f, paging } = await prepareAccountList(params);
  const where: SQL[] = [eq(accounts.tenantId, params.tenantId)];
  if (f.type !== undefined) where.push(eq(accounts.type, f.type));
  if (f.active !== undefined) where.push(eq(accounts.active, f.active));
  if (f.parentId === null) where.push(isNull(accounts.parentId));
  else if (f.parentId !== undefined) where.push(eq(accounts.parentId, f.parentId));
  if (paging.after !== null)
    where.push(keysetAfter([{ column: accounts.code, cast: 'text' }], paging.after, 'asc'));
  const rows = await tx
    .select({
      id: accounts.id,
      code: accounts.code,
      name: accounts.name,
      type: accounts.type,
      parentId: accounts.parentId,
      description: accounts.description,
      active: accounts.active,
    })
    .from(accounts)
    .where(and(...where))
    .orderBy(asc(accounts.code))
    .limit(paging.limit + 1);
  return finishPage(
    paging,
    rows,
    (r) => [r.code],
    (page) => page,
  );
}
