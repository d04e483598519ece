/**
 * `GET /v1/stream` (WebSocket upgrade) and `POST /v1/stream/tickets` (docs/stream.md).
 * The Worker authenticates (bearer token, or a browser ticket: src/middleware/stream-ticket.ts),
 * authorizes (`books:read`), rate-limits (the connect counts against the user's and the
 * tenant's request budget) and checks the Origin; then it hands the upgrade to the tenant's
 * `TenantLedger`, which accepts it with the Hibernation API. Every refusal is problem+json
 * before the upgrade. Not Hono's `upgradeWebSocket`: it accepts the socket in the Worker,
 * which could then never hibernate.
 */
import { createRoute } from '@hono/zod-openapi';
import type { AppContext } from '../env';
import { AppError } from '../errors';
import { createRouter } from '../http/router';
import { unauthorized } from '../auth/verify-token';
import { permit } from '../auth/authorize';
import { assertStreamOrigin, offeredProtocols } from '../middleware/stream-ticket';
import { handoffRequest, type HandoffRefusal, type StreamGrant } from '../ledger/stream/handoff';
import { streamLimits } from '../ledger/stream/config';
import { STREAM_PROTOCOL, TICKET_PROTOCOL_PREFIX } from '../ledger/stream/protocol';
import { Problem } from '../schemas/problem';
import { StreamQuery, StreamTicket } from '../schemas/stream';
import { jsonResponse } from '../schemas/route-parts';

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: Problem } },
});

const open = createRoute({
  method: 'get',
  path: '/',
  tags: ['Stream'],
  summary: 'Live event stream (WebSocket)',
  operationId: 'openStream',
  ...permit('books:read'),
  'x-bad-request-codes': ['invalid_after', 'unsupported_subprotocol'],
  description:
    'Send `Upgrade: websocket`. Replays the events after `after`, sends `{"type":"caught_up"}`, then pushes the events as they commit, batched by a wait of 0.5 ms per open socket (at most 50 ms by default) ' +
    '(with `batch=true`, several consecutive events to an `{"type":"events"}` frame); ' +
    'ack with `{"type":"ack","position":N}`. Browsers authenticate with a ticket (`POST /v1/stream/tickets`) offered as the subprotocol `ticket.<ticket>` ' +
    'next to `finance-edge.v1`, which is the only one echoed. Protocol, close codes and limits: docs/stream.md.',
  request: { query: StreamQuery },
  responses: {
    101: { description: 'Switching protocols: the socket is open' },
    400: problem(
      '`validation_failed` (a bad or unknown query parameter), `invalid_after` (beyond the ledger head), `unsupported_subprotocol`',
    ),
    401: problem('Missing or invalid bearer token or ticket (`unauthorized`)'),
    403: problem(
      '`forbidden` (needs `books:read`) or `cors_origin_not_allowed` (a browser Origin not in `CORS_ALLOWED_ORIGINS`)',
    ),
    426: problem('Not a WebSocket upgrade (`upgrade_required`)'),
    429: problem(
      '`rate_limited` (connects count against the request limits) or `stream_connection_limit` (open sockets per user or tenant)',
    ),
  },
});

const tickets = createRoute({
  method: 'post',
  path: '/tickets',
  tags: ['Stream'],
  summary: 'A browser ticket for the stream',
  operationId: 'createStreamTicket',
  ...permit('books:read'),
  'x-bad-request-codes': ['origin_required'],
  description:
    "Single use, valid 30 s (never past the token), bound to your tenant, subject, permissions and this request's `Origin`, which must be in `CORS_ALLOWED_ORIGINS`. " +
    'No body and no `Idempotency-Key`: a replayed ticket would not be single-use.',
  responses: {
    201: jsonResponse('The ticket and the subprotocols to offer', StreamTicket, 'plain'),
    400: problem('No `Origin` header (`origin_required`)'),
    401: problem('Missing or invalid bearer token (`unauthorized`)'),
    403: problem('`forbidden` (needs `books:read`) or `cors_origin_not_allowed`'),
  },
});

const ledger = (c: AppContext) =>
  c.env.TENANT_LEDGER.get(c.env.TENANT_LEDGER.idFromName(c.get('principal').tenantId));

const REFUSAL_TITLE: Record<HandoffRefusal['status'], string> = {
  400: 'Bad request',
  429: 'Too many requests',
};

/** Stream routes. */
export const stream = createRouter()
  .openapi(open, async (c) => {
    if (c.req.header('Upgrade')?.toLowerCase() !== 'websocket') {
      throw new AppError({
        status: 426,
        code: 'upgrade_required',
        title: 'Upgrade required',
        detail: 'Open the stream as a WebSocket (Upgrade: websocket).',
        headers: { Upgrade: 'websocket' },
      });
    }
    assertStreamOrigin(c, c.req.header('Origin'));
    const offered = offeredProtocols(c).filter((p) => !p.startsWith(TICKET_PROTOCOL_PREFIX));
    if (offered.length > 0 && !offered.includes(STREAM_PROTOCOL)) {
      throw new AppError({
        status: 400,
        code: 'unsupported_subprotocol',
        title: 'Bad request',
        detail: `The only subprotocol is ${STREAM_PROTOCOL}.`,
      });
    }
    const principal = c.get('principal');
    // Other routes accept a token up to a minute past `exp` (clock skew); a socket would be closed 4401 at once.
    if (principal.expiresAt <= Date.now()) throw unauthorized();
    const grant: StreamGrant = {
      tenantId: principal.tenantId,
      subject: principal.subject,
      permissions: [...principal.permissions],
      expiresAt: principal.expiresAt,
    };
    const query = c.req.valid('query');
    const res = await ledger(c).fetch(
      handoffRequest(
        grant,
        Number(query.after ?? 0),
        streamLimits(c.get('config')),
        query.batch === 'true',
      ),
    );
    if (res.status !== 101 || !res.webSocket) {
      const refusal = (await res.json()) as HandoffRefusal;
      throw new AppError({
        status: refusal.status,
        code: refusal.code,
        title: REFUSAL_TITLE[refusal.status],
        detail: refusal.detail,
        ...(refusal.status === 429 ? { headers: { 'Retry-After': '5' } } : {}),
      });
    }
    const headers =
      offered.includes(STREAM_PROTOCOL) || offeredProtocols(c).length > 0
        ? { 'Sec-WebSocket-Protocol': STREAM_PROTOCOL }
        : undefined;
    // A fresh response: the object's has immutable headers, and the middleware adds its own.
    return new Response(null, { status: 101, webSocket: res.webSocket, headers });
  })
  .openapi(tickets, async (c) => {
    const origin = c.req.header('Origin');
    if (origin === undefined)
      throw new AppError({
        status: 400,
        code: 'origin_required',
        title: 'Bad request',
        detail: 'Tickets are for browsers: the request must carry its Origin.',
      });
    assertStreamOrigin(c, origin);
    const principal = c.get('principal');
    const issued = await ledger(c).issueStreamTicket({
      tenantId: principal.tenantId,
      subject: principal.subject,
      permissions: [...principal.permissions],
      expiresAt: principal.expiresAt,
      origin,
    });
    c.header('Cache-Control', 'no-store');
    return c.json(
      {
        ticket: issued.ticket,
        expiresAt: new Date(issued.expiresAt).toISOString(),
        protocols: [STREAM_PROTOCOL, `${TICKET_PROTOCOL_PREFIX}${issued.ticket}`],
      },
      201,
    );
  });
