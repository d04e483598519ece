/** Request and response schemas of the operator routes (`/ops/...`, src/routes/ops.ts). */
import { z } from '@hono/zod-openapi';

/** A tenant id as tokens carry it (`tid`). */
export const TenantParam = z.object({
  tenantId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a tenant id (1-64 letters, digits, _ or -)')
    .openapi({ param: { name: 'tenantId', in: 'path' }, example: 'acme' }),
});

export const ProjectionStatusBody = z
  .object({
    tenantId: z.string(),
    position: z.number().int().openapi({ description: 'Last event in the ledger' }),
    projectedPosition: z
      .number()
      .int()
      .openapi({ description: 'Last event the Postgres read model has' }),
    lag: z.number().int().openapi({ description: 'position − projectedPosition, in events' }),
    outboxDepth: z.number().int(),
    failing: z
      .boolean()
      .openapi({ description: 'The last delivery to Postgres failed (reads answer STALE)' }),
    lastError: z.string().nullable(),
    nextAttemptAt: z.string().nullable(),
  })
  .openapi('ProjectionStatus');

export const OperatorActionBody = z
  .object({
    action: z.enum(['rebuild', 'replay-outbox']),
    requeued: z
      .number()
      .int()
      .openapi({ description: 'Events queued for projection by this action' }),
    status: ProjectionStatusBody,
  })
  .openapi('OperatorAction');
