/**
 * The middleware chain and the route mounts. Order matters: request id first (every
 * response carries it), then the request log, configuration, and per-surface guards.
 * `/openapi.json` and `/docs` are public; everything under `/v1` needs a bearer token.
 *
 * Edge guards, in order (docs/security.md): security headers and CORS wrap everything (so
 * errors, 429s and 504s carry them too; preflights are answered there), CSRF origin check
 * when a cookie is sent, the request deadline, then rate limits: per IP outside `/v1`; in
 * `/v1` failed authentications per IP, and authenticated requests per user and tenant —
 * before any body is read or the ledger is called.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { requestId } from 'hono/request-id';
import type { AppEnv } from './env';
import { notFound, onError } from './errors';
import { loadConfig } from './middleware/config';
import { requestLog } from './middleware/request-log';
import { requestMetrics } from './telemetry/request-metrics';
import { authenticate } from './middleware/auth';
import { guardBody } from './middleware/json-body';
import { corsPolicy, csrfWhenCookie } from './middleware/cors';
import { countAuthFailures, limitAnonymous, limitPrincipal } from './middleware/rate-limit';
import { requestTimeout } from './middleware/request-timeout';
import { securityHeaders } from './middleware/secure-headers';
import { assertRoutesGuarded } from './auth/route-check';
import { accounts } from './routes/accounts';
import { audit } from './routes/audit';
import { mountDocs } from './routes/docs';
import { events } from './routes/events';
import { health } from './routes/health';
import { invoices } from './routes/invoices';
import { journalEntries } from './routes/journal-entries';
import { me } from './routes/me';
import { customers, vendors } from './routes/parties';
import { payments } from './routes/payments';
import { settings } from './routes/settings';
import { reports } from './routes/reports';
import { search } from './routes/search';
import { stream } from './routes/stream';
import { authenticateStreamTicket } from './middleware/stream-ticket';
import { compressJson } from './middleware/compression';
import { authenticateOperator, limitOperator } from './middleware/operator-auth';
import { ops } from './routes/ops';

/** Client-sent request ids are kept when well-formed (word chars, '-', '='; ≤ 128 chars). */
const REQUEST_ID_MAX = 128;

/** Builds the app. A factory so tests can mount extra routes on a fresh instance. */
export function createApp() {
  const root = new OpenAPIHono<AppEnv>();
  const app = root
    .use(requestId({ headerName: 'X-Request-Id', limitLength: REQUEST_ID_MAX }))
    .use(requestMetrics)
    .use(requestLog)
    .use(loadConfig)
    .use(securityHeaders)
    .use(corsPolicy)
    .use(csrfWhenCookie)
    .use(requestTimeout)
    .use(limitAnonymous)
    .route('/', health)
    // Operator routes: their own credential (never a tenant token), limit and audit log.
    .use('/ops/*', authenticateOperator, limitOperator)
    .route('/ops', ops)
    // JSON above 1 KiB is gzip-compressed when the client accepts it.
    .use('/v1/*', compressJson)
    .use('/v1/*', countAuthFailures)
    // Only the stream's upgrade can carry a ticket instead of a bearer token.
    .use('/v1/stream/*', authenticateStreamTicket)
    .use('/v1/*', authenticate, limitPrincipal, guardBody)
    .route('/v1/me', me)
    .route('/v1/accounts', accounts)
    .route('/v1/journal-entries', journalEntries)
    .route('/v1/invoices', invoices)
    .route('/v1/payments', payments)
    .route('/v1/customers', customers)
    .route('/v1/vendors', vendors)
    .route('/v1/settings', settings)
    .route('/v1/events', events)
    .route('/v1/audit', audit)
    .route('/v1/reports', reports)
    .route('/v1/search', search)
    .route('/v1/stream', stream);
  mountDocs(root);
  // Fail at startup if any /v1 route lacks a permission guard (src/auth/route-check.ts).
  assertRoutesGuarded(root);
  app.onError(onError);
  app.notFound(notFound);
  return app;
}

export const app = createApp();

/** For the typed `hc` client: `hc<AppType>(baseUrl)`. */
export type AppType = typeof app;
