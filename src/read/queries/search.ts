/**
 * Full-text search over customers (name, email, tax id), vendors (the same) and invoices
 * (memo and line descriptions together: words may come from both): Postgres `tsvector`
 * columns with the `simple` configuration (no stemming or stop words, so names and ids
 * survive as typed), GIN-indexed, ranked with `ts_rank` (names and memos weigh more). The
 * query text is a bound parameter parsed by `websearch_to_tsquery` (quotes for phrases,
 * `or`, `-word`); its last word also matches as a prefix (search as you type).
 *
 * The search runs in the SQL function `search_documents` (migration 0004_search), not as
 * an inline query: under row-level security Postgres may only use a predicate as an index
 * condition when its operator is LEAKPROOF, and `@@` is not, so an inline query would
 * filter every row of the tenant instead of using the GIN indexes. The function runs as
 * the NOLOGIN role `finance_search` (SECURITY DEFINER), restricts every table to the
 * tenant of `app.tenant_id` itself, and returns nothing outside a tenant transaction.
 */
import { sql } from 'drizzle-orm';
import type { TenantTx } from '../tenant-tx';
import { InvalidQueryError } from './errors';
import { someOf, text } from './filters';
import { rowsOf } from './sql';

export type SearchType = 'customer' | 'vendor' | 'invoice';

export const SEARCH_TYPES: readonly SearchType[] = ['customer', 'invoice', 'vendor'];

export interface SearchParams {
  /** What the user typed (1..200 characters). */
  q: string;
  /** Default: all types. */
  types?: SearchType | readonly SearchType[];
  /** 1..50, default 20. */
  limit?: number;
}

export interface SearchHit {
  type: SearchType;
  id: string;
  /** Customer or vendor name; for invoices `id · customer name`. */
  title: string;
  /** Plain text (no markup): email and tax id, or the matching part of an invoice's text. */
  snippet: string | null;
  /** `ts_rank` of the best matching field (names and memos weigh more). */
  rank: number;
}

export const DEFAULT_SEARCH_LIMIT = 20;
export const MAX_SEARCH_LIMIT = 50;

interface Row {
  doc_type: SearchType;
  doc_id: string;
  title: string | null;
  snippet: string | null;
  rank: number;
}

/** Ranked hits, best first (ties by type and id). */
export async function search(tx: TenantTx, params: SearchParams): Promise<SearchHit[]> {
  const q = text('q', params.q, 200);
  const types = someOf('types', params.types, SEARCH_TYPES) ?? [...SEARCH_TYPES];
  const limit = params.limit ?? DEFAULT_SEARCH_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_SEARCH_LIMIT) {
    throw new InvalidQueryError('limit', `limit must be an integer from 1 to ${MAX_SEARCH_LIMIT}`);
  }
  const result = await tx.execute(sql`select doc_type, doc_id, title, snippet, rank
    from search_documents(${q}::text, ${sql.param(types)}::text[], ${limit}::int)`);
  return rowsOf<Row>(result).map((r) => ({
    type: r.doc_type,
    id: r.doc_id,
    title: r.title ?? r.doc_id,
    snippet: r.snippet,
    rank: Number(r.rank),
  }));
}
