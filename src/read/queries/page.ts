/**
 * Keyset pagination shared by the lists: limit rules, the cursor round trip, the
 * "after this row" condition and page assembly. Each list fetches `limit + 1` rows in its
 * stable order; the extra row only tells whether there is a next page.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import { decodeCursor, encodeCursor, type CursorScope, type SortKey } from './cursor';
import { InvalidQueryError } from './errors';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 100;

/** Paging parameters every list takes next to its filters. */
export interface PageRequest {
  /** The tenant of the surrounding `withTenant` transaction (cursors are bound to it). */
  tenantId: string;
  /** Secret that signs cursors (configuration; the same for every isolate). */
  cursorSecret: string;
  /** 1..100, default 50. */
  limit?: number;
  /** `nextCursor` of the previous page, from the same list, tenant and filters. */
  cursor?: string | null;
}

/** One page of a list, ready to serialize. */
export interface Page<T> {
  data: T[];
  /** Continues after the last item; null on the last page. */
  nextCursor: string | null;
  hasMore: boolean;
}

/** Validates `limit` (integer 1..100; default 50). */
export function pageLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new InvalidQueryError('limit', `limit must be an integer from 1 to ${MAX_LIMIT}`);
  }
  return limit;
}

/** The parsed paging state of one list call. */
export interface Paging {
  scope: CursorScope;
  limit: number;
  /** The sort key to continue after, or null for the first page. */
  after: SortKey | null;
}

/** Checks limit and cursor for `resource` with these normalized `filters`. */
export async function startPage(
  resource: string,
  page: PageRequest,
  filters: unknown,
  shape: readonly ('string' | 'number')[],
): Promise<Paging> {
  const limit = pageLimit(page.limit);
  const scope: CursorScope = {
    resource,
    tenantId: page.tenantId,
    filters,
    secret: page.cursorSecret,
  };
  const after =
    page.cursor === undefined || page.cursor === null || page.cursor === ''
      ? null
      : await decodeCursor(scope, page.cursor, shape);
  return { scope, limit, after };
}

/**
 * Rows strictly after `key` in the order `columns` (all ascending or all descending), as one
 * row comparison the btree index can seek to. Values are cast to the column types.
 */
export function keysetAfter(
  columns: readonly { column: PgColumn | SQL; cast: string }[],
  key: SortKey,
  direction: 'asc' | 'desc',
): SQL {
  const left = sql.join(
    columns.map((c) => sql`${c.column}`),
    sql`, `,
  );
  const right = sql.join(
    columns.map((c, i) => sql`${key[i]}::${sql.raw(c.cast)}`),
    sql`, `,
  );
  return direction === 'asc' ? sql`(${left}) > (${right})` : sql`(${left}) < (${right})`;
}

/** Cuts the `limit + 1` fetched rows to a page, maps them, and signs the next cursor. */
export async function finishPage<R, T>(
  paging: Paging,
  rows: R[],
  keyOf: (row: R) => SortKey,
  view: (rows: R[]) => T[] | Promise<T[]>,
): Promise<Page<T>> {
  const hasMore = rows.length > paging.limit;
  const kept = hasMore ? rows.slice(0, paging.limit) : rows;
  const last = kept.at(-1);
  const nextCursor =
    hasMore && last !== undefined ? await encodeCursor(paging.scope, keyOf(last)) : null;
  return { data: await view(kept), nextCursor, hasMore };
}
