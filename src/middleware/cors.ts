/**
 * Browser-facing request checks.
 *
 * CORS (`hono/cors`): only origins listed in `CORS_ALLOWED_ORIGINS` get CORS headers, each
 * echoed back exactly (never `*`), without `Access-Control-Allow-Credentials`: the API
 * authenticates with a bearer token a script sets explicitly, never with cookies. An empty
 * list adds no CORS headers at all. A preflight from an allowed origin is answered 204 here,
 * without I/O; from any other origin it is refused with 403 and no CORS headers.
 *
 * CSRF: with bearer-only authentication a forged cross-site request has no credentials, so
 * it fails with 401. As defence in depth, an unsafe request that carries a Cookie header
 * must also pass `hono/csrf` (a same-origin or allowed `Origin`, or `Sec-Fetch-Site:
 * same-origin`) whenever its content type is one a plain HTML form can send.
 */
import { cors } from 'hono/cors';
import { csrf } from 'hono/csrf';
import { createMiddleware } from 'hono/factory';
import { HTTPException } from 'hono/http-exception';
import type { AppContext, AppEnv } from '../env';
import { AppError } from '../errors';
import { setResponseHeader } from '../http/response-headers';

/** Request headers a browser client may send. */
export const CORS_ALLOW_HEADERS = [
  'Authorization',
  'Content-Type',
  'Idempotency-Key',
  'If-Match',
  'X-Request-Id',
  'X-Min-Position',
  'X-Consistency',
];
/** Response headers a browser client may read. */
export const CORS_EXPOSE_HEADERS = [
  'X-Request-Id',
  'ETag',
  'Location',
  'Link',
  'Retry-After',
  'RateLimit',
  'RateLimit-Policy',
  'X-Ledger-Position',
  'X-Cache',
  'Idempotent-Replayed',
  'WWW-Authenticate',
];

const allowed = (c: AppContext, origin: string): boolean =>
  c.get('config').CORS_ALLOWED_ORIGINS.includes(origin);

const corsForAllowed = cors({
  origin: (origin, c: AppContext) => (allowed(c, origin) ? origin : null),
  allowMethods: ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'],
  allowHeaders: CORS_ALLOW_HEADERS,
  exposeHeaders: CORS_EXPOSE_HEADERS,
  maxAge: 600,
  credentials: false,
});

export const corsPolicy = createMiddleware<AppEnv>(async (c, next) => {
  if (c.get('config').CORS_ALLOWED_ORIGINS.length === 0) return next();
  const origin = c.req.header('Origin');
  if (origin !== undefined && allowed(c, origin)) return corsForAllowed(c, next);
  if (
    c.req.method === 'OPTIONS' &&
    origin !== undefined &&
    c.req.header('Access-Control-Request-Method')
  ) {
    throw new AppError({
      status: 403,
      code: 'cors_origin_not_allowed',
      title: 'Forbidden',
      detail: 'This origin may not call the API from a browser.',
    });
  }
  await next();
  setResponseHeader(c, 'Vary', 'Origin', { append: true });
});

const originCheck = csrf({
  origin: (origin, c: AppContext) => origin === new URL(c.req.url).origin || allowed(c, origin),
});

export const csrfWhenCookie = createMiddleware<AppEnv>(async (c, next) => {
  if (c.req.header('Cookie') === undefined) return next();
  try {
    await originCheck(c, next);
  } catch (err) {
    if (!(err instanceof HTTPException) || err.status !== 403) throw err;
    throw new AppError({
      status: 403,
      code: 'csrf_rejected',
      title: 'Forbidden',
      detail: 'A cross-site request with cookies was refused. Authenticate with a bearer token.',
    });
  }
});
