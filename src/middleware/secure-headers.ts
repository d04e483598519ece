/**
 * Security headers on every response (`hono/secure-headers`). The API answers JSON only, so
 * its Content-Security-Policy allows nothing at all; `/docs` is an HTML page (Scalar) that
 * loads its bundle from the jsDelivr CDN and starts it with one inline script, so it gets a
 * policy of its own: scripts only with this response's nonce or from that CDN, styles
 * inline or from the CDN/Scalar's font host, fetches only to this origin (the OpenAPI
 * document and "try it" calls), never framed.
 */
import { createMiddleware } from 'hono/factory';
import { NONCE, secureHeaders } from 'hono/secure-headers';

type SecureHeadersOptions = NonNullable<Parameters<typeof secureHeaders>[0]>;
import type { AppEnv } from '../env';

/** The page that renders the API reference. */
export const DOCS_PATH = '/docs';
const SCALAR_CDN = 'https://cdn.jsdelivr.net';
const SCALAR_FONTS = 'https://fonts.scalar.com';

const common: SecureHeadersOptions = {
  strictTransportSecurity: 'max-age=31536000; includeSubDomains',
  referrerPolicy: 'no-referrer',
  xFrameOptions: 'DENY',
  crossOriginResourcePolicy: 'same-origin',
  permissionsPolicy: { camera: [], microphone: [], geolocation: [], payment: [] },
};

const api = secureHeaders({
  ...common,
  contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] },
});

const docs = secureHeaders({
  ...common,
  contentSecurityPolicy: {
    defaultSrc: ["'none'"],
    scriptSrc: [NONCE, SCALAR_CDN],
    styleSrc: ["'unsafe-inline'", SCALAR_CDN, SCALAR_FONTS],
    fontSrc: [SCALAR_CDN, SCALAR_FONTS, 'data:'],
    imgSrc: ["'self'", 'data:', 'https:'],
    connectSrc: ["'self'"],
    frameAncestors: ["'none'"],
    baseUri: ["'none'"],
    formAction: ["'none'"],
  },
});

/** Picks the policy by path: the docs page or the JSON API. */
export const securityHeaders = createMiddleware<AppEnv>((c, next) => (c.req.path === DOCS_PATH ? docs(c, next) : api(c, next)));
