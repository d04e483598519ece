/**
 * Browser authentication of the live stream's upgrade (docs/stream.md): a browser cannot set
 * `Authorization` on a WebSocket, so it offers the subprotocols `finance-edge.v1` and
 * `ticket.<ticket>` (a single-use ticket from `POST /v1/stream/tickets`). Only on
 * `GET /v1/stream` without an `Authorization` header: the Origin must be an allowed one and
 * the one the ticket was issued to; the ticket's ledger redeems it once. Runs before
 * `authenticate`, which then lets the request through with the ticket's principal. A bad
 * ticket is the same 401 as a bad token (and counts as a failed authentication per IP).
 */
import { createMiddleware } from 'hono/factory';
import type { AppContext, AppEnv } from '../env';
import { AppError } from '../errors';
import { TICKET_PROTOCOL_PREFIX } from '../ledger/stream/protocol';
import { parseTicket } from '../ledger/stream/tickets';
import { log } from '../log';
import { unauthorized } from '../auth/verify-token';

/** The subprotocols a client offered (`Sec-WebSocket-Protocol`), in order. */
export const offeredProtocols = (c: AppContext): string[] =>
  (c.req.header('Sec-WebSocket-Protocol') ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);

/** 403 when a browser (it always sends `Origin` on an upgrade) calls from an origin not in `CORS_ALLOWED_ORIGINS`. */
export function assertStreamOrigin(c: AppContext, origin: string | undefined): void {
  if (origin === undefined || c.get('config').CORS_ALLOWED_ORIGINS.includes(origin)) return;
  throw new AppError({
    status: 403,
    code: 'cors_origin_not_allowed',
    title: 'Forbidden',
    detail: 'This origin may not open the stream from a browser.',
  });
}

export const authenticateStreamTicket = createMiddleware<AppEnv>(async (c, next) => {
  if (
    c.req.method !== 'GET' ||
    c.req.path !== '/v1/stream' ||
    c.req.header('Authorization') !== undefined
  )
    return next();
  const offered = offeredProtocols(c).find((p) => p.startsWith(TICKET_PROTOCOL_PREFIX));
  if (offered === undefined) return next();
  const origin = c.req.header('Origin');
  assertStreamOrigin(c, origin);
  const ticket = parseTicket(offered.slice(TICKET_PROTOCOL_PREFIX.length));
  const ns = c.env.TENANT_LEDGER;
  const grant =
    ticket && origin
      ? await ns.get(ns.idFromName(ticket.tenantId)).redeemStreamTicket(ticket.secret, origin)
      : null;
  if (!grant) {
    log.warn('auth_failed', { requestId: c.get('requestId'), reason: 'ERR_STREAM_TICKET' });
    throw unauthorized();
  }
  c.set('principal', {
    subject: grant.subject,
    tenantId: grant.tenantId,
    roles: [],
    permissions: new Set(grant.permissions),
    expiresAt: grant.expiresAt,
  });
  await next();
});
