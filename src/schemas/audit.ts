/** The audit trail of one resource: `GET /v1/audit?streamId=`. */
import { z } from '@hono/zod-openapi';
import { SETTINGS_STREAM } from '../domain/settings/settings';
import { COLLECTIONS } from '../http/resources';
import { ID_PATTERN } from './common';

/** Largest and default page of the audit trail. */
export const MAX_AUDIT_PAGE = 100;
export const DEFAULT_AUDIT_PAGE = 50;

const kinds = Object.keys(COLLECTIONS).join('|');
/** `<kind>:<id>` as in the event feed (e.g. `invoice:inv_01J9Z3K4QX`), or `settings`. */
export const STREAM_ID = new RegExp(
  `^(?:(?:${kinds}):${ID_PATTERN.source.slice(1, -1)}|${SETTINGS_STREAM})$`,
);

const digits = z.string().regex(/^\d{1,15}$/, 'must be a non-negative integer');

export const AuditQuery = z.strictObject({
  streamId: z
    .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
    .regex(STREAM_ID, 'must be a stream id such as invoice:inv_01J9Z3K4QX, or settings')
    .openapi({
      param: { name: 'streamId', in: 'query' },
      description: 'The resource: `<kind>:<id>` as in the event feed, or `settings`',
      example: 'invoice:inv_01J9Z3K4QX',
    }),
  after: digits.optional().openapi({
    param: { name: 'after', in: 'query' },
    description: 'A ledger position: entries strictly after it (default 0)',
    example: '0',
  }),
  limit: digits
    .refine(
      (v) => Number(v) >= 1 && Number(v) <= MAX_AUDIT_PAGE,
      `must be from 1 to ${MAX_AUDIT_PAGE}`,
    )
    .optional()
    .openapi({
      param: { name: 'limit', in: 'query' },
      description: `1..${MAX_AUDIT_PAGE} (default ${DEFAULT_AUDIT_PAGE})`,
      example: '50',
    }),
});

/** One change: who, what, when, through which request, and where it sits in the ledger. */
export const AuditEntry = z
  .object({
    position: z.number().int().openapi({ description: 'Tenant-wide ledger position' }),
    version: z
      .number()
      .int()
      .openapi({ description: 'Version of the resource after this change (its ETag)' }),
    type: z.string().openapi({ example: 'invoice.issued' }),
    data: z
      .unknown()
      .openapi({ type: 'object', description: 'The event payload; its shape depends on `type`' }),
    at: z.string().openapi({ example: '2025-03-01T09:30:00.000Z' }),
    actor: z
      .string()
      .openapi({ description: 'The `sub` of the token that made the change', example: 'user-7' }),
    requestId: z.string().openapi({ description: 'The `X-Request-Id` of that request' }),
  })
  .openapi('AuditEntry');

/** A page of a resource's history; continue with `?after=<nextAfter>` while `hasMore`. */
export const AuditPage = z
  .object({
    streamId: z.string(),
    data: z.array(AuditEntry),
    nextAfter: z.number().int(),
    hasMore: z.boolean(),
  })
  .openapi('AuditPage');
