/**
 * Customer and vendor lists: by name, case-insensitively (`name_key = lower(name)` in
 * byte order, then id), filtered by active flag and a case-insensitive name prefix. One
 * query per page. `name_key` is a generated column of the `search` migration.
 */
import { and, asc, eq, sql, type SQL } from 'drizzle-orm';
import { customers, vendors } from '../schema';
import type { TenantTx } from '../tenant-tx';
import { InvalidQueryError } from './errors';
import { text } from './filters';
import { finishPage, keysetAfter, startPage, type Page, type PageRequest } from './page';
import { anyId } from './sql';
import type { PartyView } from './views';

/** Filters of the customer and vendor lists; all optional, combined with AND. */
export interface PartyFilters {
  active?: boolean;
  /** Names starting with this text, ignoring case. */
  namePrefix?: string;
}

export interface PartyListParams extends PageRequest {
  filters?: PartyFilters;
}

export type PartyTable = typeof customers | typeof vendors;

/** The view columns of a party table. */
export function partyColumns(table: PartyTable) {
  return {
    id: table.id,
    name: table.name,
    email: table.email,
    taxId: table.taxId,
    defaultCurrency: table.defaultCurrency,
    active: table.active,
  };
}

/** `lower(name)` with the "C" collation (see migrations/*_search.sql). */
export const nameKeyOf = (table: PartyTable): SQL => sql`${table}.${sql.identifier('name_key')}`;

/** Checks the filters, limit and cursor of the `customers` or `vendors` list (no database). */
export async function preparePartyList(resource: 'customers' | 'vendors', params: PartyListParams) {
  const raw = params.filters ?? {};
  if (raw.active !== undefined && typeof raw.active !== 'boolean')
    throw new InvalidQueryError('filters.active', 'filters.active must be true or false');
  const f = {
    active: raw.active,
    namePrefix:
      raw.namePrefix === undefined
        ? undefined
        : text('filters.namePrefix', raw.namePrefix, 100).toLowerCase(),
  };
  return { f, paging: await startPage(resource, params, f, ['string', 'string']) };
}

async function listParties(
  tx: TenantTx,
  table: PartyTable,
  resource: 'customers' | 'vendors',
  params: PartyListParams,
): Promise<Page<PartyView>> {
  const { f, paging } = await preparePartyList(resource, params);
  const key = nameKeyOf(table);
  const where: SQL[] = [eq(table.tenantId, params.tenantId)];
  if (f.active !== undefined) where.push(eq(table.active, f.active));
  if (f.namePrefix !== undefined) {
    // A range on name_key rather than LIKE: text comparisons are leakproof, so under
    // row-level security the planner may still use them as index conditions (LIKE is not).
    where.push(
      sql`${key} >= lower(${f.namePrefix}::text) and ${key} < lower(${f.namePrefix}::text) || chr(1114111)`,
    );
  }
  if (paging.after !== null)
    where.push(
      keysetAfter(
        [
          { column: key, cast: 'text collate "C"' },
          { column: table.id, cast: 'text' },
        ],
        paging.after,
        'asc',
      ),
    );
  const rows = await tx
    .select({ ...partyColumns(table), nameKey: sql<string>`${key}` })
    .from(table)
    .where(and(...where))
    .orderBy(key, asc(table.id))
    .limit(paging.limit + 1);
  return finishPage(
    paging,
    rows,
    (r) => [r.nameKey, r.id],
    (page) => page.map(({ nameKey: _, ...view }) => view),
  );
}

/** Lists customers in the shape of `toView`, `limit` per page. */
export function listCustomers(tx: TenantTx, params: PartyListParams): Promise<Page<PartyView>> {
  return listParties(tx, customers, 'customers', params);
}

/** Lists vendors in the shape of `toView`, `limit` per page. */
export function listVendors(tx: TenantTx, params: PartyListParams): Promise<Page<PartyView>> {
  return listParties(tx, vendors, 'vendors', params);
}

/** The parties with these ids, in one query (`id = any($1)`); tenant scope comes from RLS. */
export function partiesById(
  tx: TenantTx,
  table: PartyTable,
  ids: readonly string[],
): Promise<PartyView[]> {
  return tx.select(partyColumns(table)).from(table).where(anyId(table.id, ids));
}
