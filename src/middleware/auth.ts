/**
 * Bearer-token authentication with jose. The tenant, the subject and the roles come only
 * from a verified token. Any failure is a 401 with `WWW-Authenticate`; the precise reason
 * is logged, never returned.
 */
import { createMiddleware } from 'hono/factory';
import { createRemoteJWKSet, importJWK, jwtVerify, errors as joseErrors } from 'jose';
import type { JWTVerifyGetKey, CryptoKey, JWK } from 'jose';
import { z } from 'zod';
import type { AppEnv, Config } from '../env';
import { AppError } from '../errors';
import { log } from '../log';

export interface Principal {
  subject: string;
  tenantId: string;
  roles: string[];
}

/** Asymmetric algorithms only: `none` and HMAC tokens are never accepted. */
export const ALLOWED_ALGORITHMS = ['ES256', 'RS256', 'EdDSA'];
export const CLOCK_TOLERANCE_SECONDS = 60;

const ClaimsSchema = z.object({
  sub: z.string().min(1).max(200),
  tid: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  roles: z.array(z.string().min(1).max(50)).max(20),
});

type KeySource = CryptoKey | JWTVerifyGetKey;
const keys = new Map<string, Promise<KeySource>>();

function keySource(config: Config): Promise<KeySource> {
  const id = config.AUTH_JWKS_URL ?? config.AUTH_PUBLIC_JWK ?? '';
  let source = keys.get(id);
  if (!source) {
    source = config.AUTH_JWKS_URL
      ? Promise.resolve(createRemoteJWKSet(new URL(config.AUTH_JWKS_URL), { timeoutDuration: 2000, cooldownDuration: 30_000 }))
      : importLocalKey(config.AUTH_PUBLIC_JWK ?? '');
    keys.set(id, source);
  }
  return source;
}

async function importLocalKey(json: string): Promise<CryptoKey> {
  const jwk = JSON.parse(json) as JWK;
  if (jwk.d) throw new Error('AUTH_PUBLIC_JWK must hold a public key');
  const key = await importJWK(jwk, jwk.alg ?? 'ES256');
  if (key instanceof Uint8Array) throw new Error('AUTH_PUBLIC_JWK must be an asymmetric key');
  return key;
}

const unauthorized = () =>
  new AppError({
    status: 401,
    code: 'unauthorized',
    title: 'Unauthorized',
    detail: 'A valid bearer token is required.',
    headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
  });

/** Verifies a compact JWT and returns the principal, or throws a 401 AppError. */
export async function verifyToken(token: string, config: Config, requestId?: string): Promise<Principal> {
  try {
    const source = await keySource(config);
    const options = {
      algorithms: ALLOWED_ALGORITHMS,
      issuer: config.AUTH_ISSUER,
      audience: config.AUTH_AUDIENCE,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ['exp', 'sub', 'tid'],
    };
    const { payload } =
      typeof source === 'function' ? await jwtVerify(token, source, options) : await jwtVerify(token, source, options);
    const claims = ClaimsSchema.parse(payload);
    return { subject: claims.sub, tenantId: claims.tid, roles: claims.roles };
  } catch (err) {
    const reason = err instanceof joseErrors.JOSEError ? err.code : err instanceof z.ZodError ? 'ERR_CLAIMS_INVALID' : 'ERR_KEY';
    log.warn('auth_failed', { requestId, reason });
    throw unauthorized();
  }
}

/** Requires `Authorization: Bearer <jwt>` and sets `principal`. */
export const authenticate = createMiddleware<AppEnv>(async (c, next) => {
  const header = c.req.header('Authorization') ?? '';
  const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(header);
  if (!match?.[1]) {
    log.warn('auth_failed', { requestId: c.get('requestId'), reason: header ? 'ERR_MALFORMED_HEADER' : 'ERR_MISSING' });
    throw unauthorized();
  }
  c.set('principal', await verifyToken(match[1], c.get('config'), c.get('requestId')));
  await next();
});
