/** Bearer-token authentication: verifies the token (src/auth/verify-token.ts) and sets `principal`. */
import { createMiddleware } from 'hono/factory';
import { unauthorized, verifyToken } from '../auth/verify-token';
import type { AppEnv } from '../env';
import { log } from '../log';

/** Requires `Authorization: Bearer <jwt>` and sets `principal`. */
export const authenticate = createMiddleware<AppEnv>(async (c, next) => {
  // A browser's stream upgrade was already authenticated by its ticket (src/middleware/stream-ticket.ts).
  if (c.get('principal')) return next();
  const header = c.req.header('Authorization') ?? '';
  const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(header);
  if (!match?.[1]) {
    log.warn('auth_failed', {
      requestId: c.get('requestId'),
      reason: header ? 'ERR_MALFORMED_HEADER' : 'ERR_MISSING',
    });
    throw unauthorized();
  }
  c.set('principal', await verifyToken(match[1], c.get('config'), c.get('requestId')));
  await next();
});
