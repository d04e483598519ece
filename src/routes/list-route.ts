/**
 * The parts every list route shares: the route definition (keyset pages, `X-Cache`,
 * `X-Min-Position`), the paging parameters, and filter helpers. Each resource's router
 * mounts its own list at `GET /` with these.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { permit } from '../auth/authorize';
import { createLoaders, expandCustomers } from '../read/loaders';
import type { TenantTx } from '../read/tenant-tx';
import type { AppContext } from '../env';
import { pageOf } from '../schemas/lists';
import { Party } from '../schemas/parties';
import { Problem, readErrors } from '../schemas/problem';
import { jsonResponse } from '../schemas/route-parts';
import { CachedReadHeaders } from '../schemas/common';

/** Dev/test only (see CURSOR_SECRET in src/env.ts); production refuses to start without one. */
const DEV_CURSOR_SECRET = 'finance-edge-development-cursor-secret';

/** The paging part of every list call. */
export function paging(
  c: AppContext,
  query: { limit?: string | undefined; cursor?: string | undefined },
) {
  return {
    tenantId: c.get('principal').tenantId,
    cursorSecret: c.get('config').CURSOR_SECRET ?? DEV_CURSOR_SECRET,
    limit: query.limit === undefined ? undefined : Number(query.limit),
    cursor: query.cursor ?? null,
  };
}

export const range = (from?: string, to?: string) =>
  from === undefined && to === undefined ? undefined : { from, to };
export const flag = (v?: string) => (v === undefined ? undefined : v === 'true');

export const listRoute = <P extends string, Q extends z.ZodObject, S extends z.ZodType>(
  path: P,
  tag: string,
  noun: string,
  query: Q,
  item: S,
) =>
  createRoute({
    method: 'get',
    path,
    tags: [tag],
    summary: `List ${noun}`,
    operationId: `list${tag.replaceAll(' ', '')}`,
    ...permit('books:read'),
    description:
      'Keyset pages: pass `nextCursor` as `cursor` (or follow `Link: rel="next"`). `X-Cache` says how it was served; your own writes are included (send `X-Min-Position` when the read may reach another isolate).',
    request: { query, headers: CachedReadHeaders },
    responses: {
      200: jsonResponse(
        `A page of ${noun}`,
        pageOf(item, `${tag.replaceAll(' ', '')}Page`),
        'page',
      ),
      ...readErrors,
      503: e503,
    },
  });

/** A cacheable read that cannot be answered (`read_model_unavailable`, `read_model_behind`, `read_model_stale`; src/schemas/document.ts adds `Retry-After`). */
export const e503 = {
  description:
    'The read model cannot answer now and nothing cached can, or only an answer older than `STALE_MAX_AGE_S` (retry after `Retry-After`)',
  content: { 'application/problem+json': { schema: Problem } },
};

export const WithCustomer = <T extends z.ZodRawShape>(s: z.ZodObject<T>) =>
  s.extend({ customer: Party.nullable().optional() });

/** `?expand=customer`: the page's items with their customer, loaded in one batched query per page. */
export async function expandPage<T extends { customerId: string }, P extends { data: T[] }>(
  c: AppContext,
  tx: TenantTx,
  page: P,
  expand: string | undefined,
) {
  if (expand !== 'customer') return page;
  const loaders = createLoaders(tx, { batch: c.get('config').READ_BATCHING === 'on' });
  return { ...page, data: await expandCustomers(page.data, loaders) };
}
