/**
 * `GET /v1/audit?streamId=`: who changed one resource, how, when and through which request,
 * read from the tenant's event log (the log is the audit trail: nothing is ever updated or
 * deleted). Paginated by ledger position. A stream the tenant does not have answers the
 * same 404 as reading an unknown id, so another tenant's ids reveal nothing.
 */
import { createRoute, type z } from '@hono/zod-openapi';
import type { EntityKind } from '../domain/state';
import { ledgerOf } from '../ledger/client';
import { notFound } from '../http/resources';
import { createRouter } from '../http/router';
import { permit } from '../auth/authorize';
import { AuditPage, AuditQuery, DEFAULT_AUDIT_PAGE } from '../schemas/audit';
import { readErrors } from '../schemas/problem';
import { jsonResponse } from '../schemas/route-parts';

const history = createRoute({
  method: 'get',
  path: '/',
  tags: ['Audit'],
  summary: "A resource's change history",
  operationId: 'getAuditTrail',
  ...permit('audit:read'),
  description:
    'Oldest first. Continue with `?after=<nextAfter>` while `hasMore` is true. `X-Ledger-Position` is the latest position.',
  request: { query: AuditQuery },
  responses: { 200: jsonResponse('A page of the history', AuditPage, 'plain'), ...readErrors },
});

/** Audit routes. */
export const audit = createRouter().openapi(history, async (c) => {
  const { streamId, after, limit } = c.req.valid('query');
  const from = Number(after ?? 0);
  const page = await ledgerOf(c).history(streamId, from, Number(limit ?? DEFAULT_AUDIT_PAGE));
  if (page.version === 0)
    throw notFound(
      streamId.includes(':')
        ? (streamId.slice(0, streamId.indexOf(':')) as EntityKind)
        : 'settings',
    );
  const data = page.events.map(({ position, version, type, data, at, actor, requestId }) => ({
    position,
    version,
    type,
    data,
    at,
    actor,
    requestId,
  }));
  c.header('X-Ledger-Position', String(page.position));
  c.header('Cache-Control', 'private, no-store');
  const body: z.infer<typeof AuditPage> = {
    streamId,
    data,
    nextAfter: data.at(-1)?.position ?? from,
    hasMore: page.hasMore,
  };
  return c.json(body, 200);
});
