/**
 * The middleware chain and the route mounts. Order matters: request id first (every
 * response carries it), then the request log, configuration, and per-surface guards.
 */
import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import type { AppEnv } from './env';
import { notFound, onError } from './errors';
import { loadConfig } from './middleware/config';
import { requestLog } from './middleware/request-log';
import { authenticate } from './middleware/auth';
import { limitBody, requireJsonBody } from './middleware/json-body';
import { health } from './routes/health';
import { me } from './routes/me';

/** Client-sent request ids are kept when well-formed (word chars, '-', '='; ≤ 128 chars). */
const REQUEST_ID_MAX = 128;

/** Builds the app. A factory so tests can mount extra routes on a fresh instance. */
export function createApp() {
  const app = new Hono<AppEnv>()
    .use(requestId({ headerName: 'X-Request-Id', limitLength: REQUEST_ID_MAX }))
    .use(requestLog)
    .use(loadConfig)
    .route('/', health)
    .use('/v1/*', authenticate, limitBody, requireJsonBody)
    .route('/v1/me', me);
  app.onError(onError);
  app.notFound(notFound);
  return app;
}

export const app = createApp();

/** For the typed `hc` client: `hc<AppType>(baseUrl)`. */
export type AppType = typeof app;
