/**
 * Security headers on every response (`hono/secure-headers`). The API answers JSON only, so
 * its Content-Security-Policy allows nothing at all; `/docs` is an HTML page (Scalar) that gets
 * a policy of its own, naming no other origin: scripts only from this origin (the reference's
 * bundle, which this Worker serves: src/docs/; the page has no inline script, so no nonce),
 * styles from this origin or inline (the bundle injects its stylesheet, theme and some style
 * attributes without a nonce; with images, fonts and fetches held to this origin an injected
 * style has nowhere to send anything), fonts and images from this origin or `data:`, fetches
 * only to this origin (the OpenAPI document and "try it" calls), never framed.
 */
import { createMiddleware } from 'hono/factory';
import { secureHeaders } from 'hono/secure-headers';

type SecureHeadersOptions = NonNullable<Parameters<typeof secureHeaders>[0]>;
import type { AppEnv } from '../env';

/** The page that renders the API reference. */
export const DOCS_PATH = '/docs';

const common: SecureHeadersOptions = {
  strictTransportSecurity: 'max-age=31536000; includeSubDomains',
  referrerPolicy: 'no-referrer',
  xFrameOptions: 'DENY',
  crossOriginResourcePolicy: 'same-origin',
  permissionsPolicy: { camera: [], microphone: [], geolocation: [], payment: [] },
};

const api = secureHeaders({
  ...common,
  contentSecurityPolicy: {
    defaultSrc: ["'none'"],
    frameAncestors: ["'none'"],
    baseUri: ["'none'"],
    formAction: ["'none'"],
  },
});

const docs = secureHeaders({
  ...common,
  contentSecurityPolicy: {
    defaultSrc: ["'none'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'", "'unsafe-inline'"],
    fontSrc: ["'self'", 'data:'],
    imgSrc: ["'self'", 'data:'],
    connectSrc: ["'self'"],
    frameAncestors: ["'none'"],
    baseUri: ["'none'"],
    formAction: ["'none'"],
  },
});

/** Picks the policy by path: the docs page or the JSON API. */
export const securityHeaders = createMiddleware<AppEnv>((c, next) =>
  c.req.path === DOCS_PATH ? docs(c, next) : api(c, next),
);
