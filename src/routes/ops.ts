/**
 * Operator routes (docs/runbook.md, "Operator endpoints"): a tenant's projection status,
 * rebuilding its read model from the ledger, replaying its outbox. Behind the operator
 * credential (src/middleware/operator-auth.ts, mounted in app.ts), rate-limited per operator,
 * audited in the log. Tenant tokens never reach these handlers.
 */
import { createRoute } from '@hono/zod-openapi';
import type { z } from '@hono/zod-openapi';
import type { AppContext } from '../env';
import { AppError } from '../errors';
import { createRouter } from '../http/router';
import type { OperatorOutcome, ProjectionStatus } from '../ledger/contract';
import { audit } from '../middleware/operator-auth';
import { Problem } from '../schemas/problem';
import { OperatorActionBody, ProjectionStatusBody, TenantParam } from '../schemas/ops';
import { jsonResponse } from '../schemas/route-parts';

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: Problem } },
});
const errors = {
  401: problem('No valid operator token (`unauthorized`)'),
  403: problem(
    'A valid token that is not an operator credential, e.g. any tenant token (`forbidden`)',
  ),
  404: problem(
    'The tenant has no ledger events (`tenant_not_found`), or the tenant id is malformed (`not_found`, as for a malformed resource id)',
  ),
  429: problem('Operator rate limit (`rate_limited`, `Retry-After`)'),
};
const security = [{ operatorAuth: [] }];

const status = createRoute({
  method: 'get',
  path: '/tenants/{tenantId}/projection',
  tags: ['Operator'],
  summary: "A tenant's projection status",
  operationId: 'opsProjectionStatus',
  security,
  request: { params: TenantParam },
  responses: {
    200: jsonResponse('Ledger position, projected position, outbox', ProjectionStatusBody, 'plain'),
    ...errors,
  },
});
const rebuild = createRoute({
  method: 'post',
  path: '/tenants/{tenantId}/rebuild',
  tags: ['Operator'],
  summary: "Rebuild a tenant's read model from its ledger",
  operationId: 'opsRebuild',
  security,
  description:
    "Clears the tenant's Postgres rows and re-projects every event from the ledger, starting now. Reads answer as of the rebuilt position until it has caught up.",
  request: { params: TenantParam },
  responses: {
    202: jsonResponse('Rebuild started', OperatorActionBody, 'plain'),
    ...errors,
    409: problem('A drain or rebuild is running (`projection_busy`); retry after `Retry-After`'),
  },
});
const replay = createRoute({
  method: 'post',
  path: '/tenants/{tenantId}/replay-outbox',
  tags: ['Operator'],
  summary: "Replay a tenant's outbox now",
  operationId: 'opsReplayOutbox',
  security,
  description:
    'Queues every event after the projected position again and drains now, cutting a backoff short. Delivery is idempotent.',
  request: { params: TenantParam },
  responses: { 202: jsonResponse('Replay started', OperatorActionBody, 'plain'), ...errors },
});

function ledgerFor(c: AppContext, tenantId: string) {
  const ns = c.env.TENANT_LEDGER;
  return ns.get(ns.idFromName(tenantId));
}

const notFound = () =>
  new AppError({
    status: 404,
    code: 'tenant_not_found',
    title: 'Not found',
    detail: 'This tenant has no ledger events.',
  });

function statusBody(tenantId: string, s: ProjectionStatus): z.infer<typeof ProjectionStatusBody> {
  return { tenantId, ...s, lag: s.position - s.projectedPosition, failing: s.lastError !== null };
}

/** Shapes an action's outcome, audits it, and throws its refusal. */
function answer(
  c: AppContext,
  action: 'rebuild' | 'replay-outbox',
  tenantId: string,
  out: OperatorOutcome,
): z.infer<typeof OperatorActionBody> {
  audit(
    c,
    action,
    tenantId,
    out.ok ? 'started' : out.reason,
    out.ok ? { requeued: out.requeued } : {},
  );
  if (out.ok) return { action, requeued: out.requeued, status: statusBody(tenantId, out.status) };
  if (out.reason === 'empty') throw notFound();
  throw new AppError({
    status: 409,
    code: 'projection_busy',
    title: 'Conflict',
    detail: 'A drain or rebuild of this tenant is running; retry shortly.',
    headers: { 'Retry-After': '5' },
  });
}

export const ops = createRouter()
  .openapi(status, async (c) => {
    const { tenantId } = c.req.valid('param');
    const s = await ledgerFor(c, tenantId).projectionStatus();
    audit(c, 'projection-status', tenantId, s.position === 0 ? 'empty' : 'ok');
    if (s.position === 0) throw notFound();
    return c.json(statusBody(tenantId, s), 200);
  })
  .openapi(rebuild, async (c) => {
    const { tenantId } = c.req.valid('param');
    return c.json(
      answer(c, 'rebuild', tenantId, await ledgerFor(c, tenantId).rebuildReadModel()),
      202,
    );
  })
  .openapi(replay, async (c) => {
    const { tenantId } = c.req.valid('param');
    return c.json(
      answer(c, 'replay-outbox', tenantId, await ledgerFor(c, tenantId).replayOutbox()),
      202,
    );
  });

ops.openAPIRegistry.registerComponent('securitySchemes', 'operatorAuth', {
  type: 'http',
  scheme: 'bearer',
  bearerFormat: 'JWT',
  description:
    'An operator token: same issuer and keys as tenant tokens, `aud` = OPS_AUDIENCE, `roles` containing `operator`, no `tid`.',
});
