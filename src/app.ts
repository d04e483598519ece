/**
 * The middleware chain and the route mounts. Order matters: request id first (every
 * response carries it), then the request log, configuration, and per-surface guards.
 * `/openapi.json` and `/docs` are public; everything under `/v1` needs a bearer token.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { requestId } from 'hono/request-id';
import type { AppEnv } from './env';
import { notFound, onError } from './errors';
import { loadConfig } from './middleware/config';
import { requestLog } from './middleware/request-log';
import { authenticate } from './middleware/auth';
import { limitBody, requireJsonBody } from './middleware/json-body';
import { accounts } from './routes/accounts';
import { mountDocs } from './routes/docs';
import { events } from './routes/events';
import { health } from './routes/health';
import { invoices } from './routes/invoices';
import { journalEntries } from './routes/journal-entries';
import { me } from './routes/me';
import { customers, vendors } from './routes/parties';
import { payments } from './routes/payments';
import { settings } from './routes/settings';

/** Client-sent request ids are kept when well-formed (word chars, '-', '='; ≤ 128 chars). */
const REQUEST_ID_MAX = 128;

/** Builds the app. A factory so tests can mount extra routes on a fresh instance. */
export function createApp() {
  const root = new OpenAPIHono<AppEnv>();
  const app = root
    .use(requestId({ headerName: 'X-Request-Id', limitLength: REQUEST_ID_MAX }))
    .use(requestLog)
    .use(loadConfig)
    .route('/', health)
    .use('/v1/*', authenticate, limitBody, requireJsonBody)
    .route('/v1/me', me)
    .route('/v1/accounts', accounts)
    .route('/v1/journal-entries', journalEntries)
    .route('/v1/invoices', invoices)
    .route('/v1/payments', payments)
    .route('/v1/customers', customers)
    .route('/v1/vendors', vendors)
    .route('/v1/settings', settings)
    .route('/v1/events', events);
  mountDocs(root);
  app.onError(onError);
  app.notFound(notFound);
  return app;
}

export const app = createApp();

/** For the typed `hc` client: `hc<AppType>(baseUrl)`. */
export type AppType = typeof app;
