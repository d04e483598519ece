/** `GET /v1/search`: full-text search over customers, vendors and invoices, behind the versioned cache. */
import { createRoute } from '@hono/zod-openapi';
import { permit } from '../auth/authorize';
import { runRead } from '../cache/run-read';
import { createRouter } from '../http/router';
import { csv } from '../http/query-params';
import { search as searchBooks, type SearchType } from '../read/queries/search';
import { SearchQuery } from '../schemas/lists';
import { readErrors } from '../schemas/problem';
import { jsonResponse } from '../schemas/route-parts';
import { CachedReadHeaders } from '../schemas/common';
import { SearchResult } from '../schemas/reports';
import { e503 } from './list-route';

/** The search route, mounted at `/v1/search`. */
export const search = createRouter().openapi(
  createRoute({
    method: 'get',
    path: '/',
    tags: ['Search'],
    summary: 'Full-text search over customers, vendors and invoices',
    operationId: 'search',
    ...permit('books:read'),
    request: { query: SearchQuery, headers: CachedReadHeaders },
    responses: {
      200: jsonResponse('Ranked hits', SearchResult, 'cached'),
      ...readErrors,
      503: e503,
    },
  }),
  (c) => {
    const q = c.req.valid('query');
    return runRead(c, '/v1/search', async (tx) => ({
      data: await searchBooks(tx, {
        q: q.q,
        types: csv(q.types) as SearchType[] | undefined,
        limit: q.limit === undefined ? undefined : Number(q.limit),
      }),
    }));
  },
);
