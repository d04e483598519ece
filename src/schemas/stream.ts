/** The live stream's upgrade query and browser tickets (docs/stream.md). */
import { z } from '@hono/zod-openapi';

const digits = z.string().regex(/^\d{1,15}$/, 'must be a non-negative integer');

/** `?after=<position>&batch=`: replay from `after + 1`. Strict: a token or anything else in the query is a 400. */
export const StreamQuery = z.strictObject({
  after: digits.optional().openapi({
    param: { name: 'after', in: 'query' },
    description: 'The last position the client has (its last ack); default 0',
    example: '0',
  }),
  batch: z
    .enum(['true', 'false'])
    .optional()
    .openapi({
      param: { name: 'batch', in: 'query' },
      description:
        'true: events come in `{"type":"events","events":[…]}` frames of up to 100 consecutive events instead of one `{"type":"event"}` frame each (fewer frames at high write rates); default false',
      example: 'true',
    }),
});

export const StreamTicket = z
  .object({
    ticket: z.string().openapi({
      description: 'Offer it as the subprotocol `ticket.<ticket>`; single use',
      example: 'demo.Xk3…',
    }),
    expiresAt: z.string().openapi({
      description: 'The ticket is refused after this (at most 30 s after issue)',
      example: '2026-12-05T00:00:30.000Z',
    }),
    protocols: z.array(z.string()).openapi({
      description: 'The subprotocols to offer, in order',
      example: ['finance-edge.v1', 'ticket.demo.Xk3…'],
    }),
  })
  .openapi('StreamTicket');
