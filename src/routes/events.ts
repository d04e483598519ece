/** `GET /v1/events`: the tenant's event feed, in ledger order, after a position. */
import { createRoute } from '@hono/zod-openapi';
import type { z } from '@hono/zod-openapi';
import { ledgerOf } from '../ledger/client';
import { createRouter } from '../http/router';
import { permit } from '../auth/authorize';
import { EventsPage, EventsQuery } from '../schemas/events';
import { readErrors } from '../schemas/problem';
import { jsonResponse } from '../schemas/route-parts';

const DEFAULT_LIMIT = 100;

const list = createRoute({
  method: 'get',
  path: '/',
  tags: ['Events'],
  summary: 'Events after a ledger position',
  operationId: 'listEvents',
  ...permit('audit:read'),
  description:
    'Continue with `?after=<nextAfter>` while `hasMore` is true. `X-Ledger-Position` is the latest position.',
  request: { query: EventsQuery },
  responses: {
    200: jsonResponse('A page of events', EventsPage, 'read'),
    400: readErrors[400],
    401: readErrors[401],
    403: readErrors[403],
  },
});

/** Event feed routes. */
export const events = createRouter().openapi(list, async (c) => {
  const query = c.req.valid('query');
  const after = Number(query.after ?? 0);
  const page = await ledgerOf(c).events(after, Number(query.limit ?? DEFAULT_LIMIT));
  const last = page.events.at(-1);
  c.header('X-Ledger-Position', String(page.position));
  const body: z.infer<typeof EventsPage> = {
    data: page.events,
    nextAfter: last?.position ?? after,
    hasMore: page.hasMore,
  };
  return c.json(body, 200);
});
