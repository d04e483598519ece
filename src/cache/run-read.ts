/**
 * Runs a cacheable read (list, report, search) for a route: the versioned cache tier in
 * front of the query, the query layer's refusals turned into 400 problem+json, and the
 * RFC 8288 `Link: <…>; rel="next"` header for pages that continue.
 */
import type { TypedResponse } from 'hono';
import type { JSONParsed } from 'hono/utils/types';
import type { AppContext } from '../env';
import { AppError } from '../errors';
import { cachedRead } from './cached-read';
import { rawQuery, shapingQuery } from './query-key';
import { InvalidQueryError } from '../read/queries/errors';
import type { CachedRoute } from '../read/families';
import type { TenantTx } from '../read/tenant-tx';

function nextLink(c: AppContext, nextCursor: string): string {
  const url = new URL(c.req.url);
  url.searchParams.set('cursor', nextCursor);
  return `<${url.pathname}${url.search}>; rel="next"`;
}

/** Maps the query layer's refusals to 400 problem+json; anything else propagates. */
async function refusingBadQueries<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof InvalidQueryError) {
      throw new AppError({
        status: 400,
        code: err.code,
        title: 'Bad request',
        detail: err.message,
        errors: [{ path: err.path, message: err.message }],
      });
    }
    throw err;
  }
}

export interface ReadOptions {
  /** The defaults the route filled in for absent query parameters (part of the key). */
  resolved?: Record<string, string>;
  /**
   * Checks the request's parameters without a database (a list's filters, limit and cursor
   * signature): run before the cache and Postgres, so a bad request is a 400 even while
   * Postgres is down, and never takes a build slot.
   */
  check?: () => Promise<unknown>;
}

/**
 * What a cached read answers: a 200 whose JSON body is `T`, typed like `c.json(value, 200)`
 * so zod-openapi checks it against the route's schema and the `hc` client infers it.
 */
export type ReadAnswer<T> = Response & TypedResponse<JSONParsed<T>, 200, 'json'>;

/** A cached read answering `build`'s value as JSON; pages (with `nextCursor`) get a Link header. */
export async function runRead<T extends object>(
  c: AppContext,
  route: CachedRoute,
  build: (tx: TenantTx) => Promise<T>,
  o: ReadOptions = {},
): Promise<ReadAnswer<T>> {
  if (o.check) await refusingBadQueries(o.check);
  const res = await cachedRead(c, {
    route,
    // A report's default date (today) is part of the key: without it, a tenant with no writes
    // overnight would be served yesterday's report.
    query: shapingQuery(rawQuery(c.req.url), o.resolved ?? {}),
    build: (tx) =>
      refusingBadQueries(async () => {
        const body = await build(tx);
        const next =
          'nextCursor' in body && typeof body.nextCursor === 'string' ? body.nextCursor : null;
        return next ? { body, link: nextLink(c, next) } : { body };
      }),
  });
  // The cache tier answers the JSON of a `build` value (fresh, cached or precompressed bytes),
  // so the body is a `T`; a refusal or an outage throws and never reaches this line. The
  // status is always 200 (see `respond` in cached-read.ts).
  return res as ReadAnswer<T>;
}
