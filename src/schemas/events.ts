/** The tenant's event feed. */
import { z } from '@hono/zod-openapi';

import { MAX_EVENTS_PAGE } from '../ledger/contract';

export { MAX_EVENTS_PAGE };

const digits = z.string().regex(/^\d{1,15}$/, 'must be a non-negative integer');

/** `?after=<position>&limit=`: events strictly after `after` (default 0), `limit` 1..500 (100). Strict, as the lists: an unknown parameter is a 400. */
export const EventsQuery = z.strictObject({
  after: digits.optional().openapi({
    param: { name: 'after', in: 'query' },
    description: 'A ledger position (default 0)',
    example: '0',
  }),
  // The pattern is the range 1..500 (MAX_EVENTS_PAGE), so the document states it exactly.
  limit: z
    .string()
    .regex(/^(?:[1-9]\d?|[1-4]\d\d|500)$/, `must be from 1 to ${MAX_EVENTS_PAGE}`)
    .optional()
    .openapi({
      param: { name: 'limit', in: 'query' },
      description: `1..${MAX_EVENTS_PAGE} (default 100)`,
      example: '100',
    }),
});

/** One recorded event with its envelope. */
export const RecordedEvent = z
  .object({
    position: z.number().int(),
    tenantId: z.string(),
    streamId: z.string().openapi({ example: 'invoice:inv_01J9Z3K4QX' }),
    version: z.number().int(),
    type: z.string().openapi({ example: 'invoice.issued' }),
    data: z
      .unknown()
      .openapi({ type: 'object', description: 'The event payload; its shape depends on `type`' }),
    at: z.string(),
    actor: z.string(),
    requestId: z.string(),
  })
  .openapi('RecordedEvent');

/** A page of the feed; continue with `?after=<nextAfter>` while `hasMore`. */
export const EventsPage = z
  .object({ data: z.array(RecordedEvent), nextAfter: z.number().int(), hasMore: z.boolean() })
  .openapi('EventsPage');
