/**
 * Bearer-token verification with jose. The tenant, the subject and the roles come only from
 * a verified token. Any failure is a 401 with `WWW-Authenticate`; the precise reason is
 * logged, never returned.
 *
 * Keys: a remote JWKS (`AUTH_JWKS_URL`, production: rotation needs no deploy) or one local
 * public JWK (`AUTH_PUBLIC_JWK`, development and tests). HS256 is accepted only when
 * `AUTH_HS256_SECRET` is set, and then only against that secret: the algorithm picks the key
 * here, so a public key can never be used as an HMAC secret.
 */
import { createRemoteJWKSet, importJWK, jwtVerify, errors as joseErrors } from 'jose';
import type { CryptoKey, JWK, JWTVerifyGetKey } from 'jose';
import { z } from 'zod';
import { permissionsOf, isRole } from './permissions';
import type { Principal } from './principal';
import type { Config } from '../env';
import { AppError } from '../errors';
import { log } from '../log';

/** Asymmetric algorithms, always allowed; `none` never is. */
export const ASYMMETRIC_ALGORITHMS = ['ES256', 'RS256', 'EdDSA'] as const;
/** Allowed in addition only when `AUTH_HS256_SECRET` is configured. */
export const HMAC_ALGORITHM = 'HS256';
export const CLOCK_TOLERANCE_SECONDS = 60;
/** Remote key set: refetch at most this often on an unknown `kid`, and at least this often. */
export const JWKS_COOLDOWN_MS = 30_000;
export const JWKS_MAX_AGE_MS = 10 * 60_000;
const JWKS_TIMEOUT_MS = 2000;

const ClaimsSchema = z.object({
  sub: z.string().min(1).max(200),
  tid: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  roles: z.array(z.string().min(1).max(50)).max(20),
});

export interface Verifier {
  getKey: JWTVerifyGetKey;
  algorithms: string[];
}

/** Verifiers by key configuration; a remote key set (and its cache) lives as long as the isolate. */
const verifiers = new Map<string, Promise<Verifier>>();

/** The key set and algorithms tokens of this configuration are verified with (also operator tokens, src/middleware/operator-auth.ts). */
export function verifierFor(config: Config): Promise<Verifier> {
  const id = JSON.stringify([
    config.AUTH_JWKS_URL,
    config.AUTH_PUBLIC_JWK,
    config.AUTH_HS256_SECRET,
  ]);
  let verifier = verifiers.get(id);
  if (!verifier) {
    verifier = buildVerifier(config);
    verifiers.set(id, verifier);
  }
  return verifier;
}

async function buildVerifier(config: Config): Promise<Verifier> {
  const asymmetric: JWTVerifyGetKey | CryptoKey = config.AUTH_JWKS_URL
    ? createRemoteJWKSet(new URL(config.AUTH_JWKS_URL), {
        timeoutDuration: JWKS_TIMEOUT_MS,
        cooldownDuration: JWKS_COOLDOWN_MS,
        cacheMaxAge: JWKS_MAX_AGE_MS,
      })
    : await importLocalKey(config.AUTH_PUBLIC_JWK ?? '');
  const secret =
    config.AUTH_HS256_SECRET === undefined
      ? undefined
      : new TextEncoder().encode(config.AUTH_HS256_SECRET);
  const getKey: JWTVerifyGetKey = (header, token) => {
    // jose has already refused any algorithm outside `algorithms`; HS256 is only listed with a secret.
    if (header.alg === HMAC_ALGORITHM) {
      if (!secret) throw new joseErrors.JOSEAlgNotAllowed('HS256 is not configured');
      return secret;
    }
    return typeof asymmetric === 'function' ? asymmetric(header, token) : asymmetric;
  };
  return { getKey, algorithms: [...ASYMMETRIC_ALGORITHMS, ...(secret ? [HMAC_ALGORITHM] : [])] };
}

async function importLocalKey(json: string): Promise<CryptoKey> {
  const jwk = JSON.parse(json) as JWK;
  if (jwk.d || jwk.k) throw new Error('AUTH_PUBLIC_JWK must hold a public key');
  const key = await importJWK(jwk, jwk.alg ?? 'ES256');
  if (key instanceof Uint8Array) throw new Error('AUTH_PUBLIC_JWK must be an asymmetric key');
  return key;
}

export const unauthorized = () =>
  new AppError({
    status: 401,
    code: 'unauthorized',
    title: 'Unauthorized',
    detail: 'A valid bearer token is required.',
    headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
  });

/** The loggable reason of a failure: a jose code (plus the claim), or our own. */
function reasonOf(err: unknown): Record<string, unknown> {
  if (err instanceof joseErrors.JWTClaimValidationFailed)
    return { reason: err.code, claim: err.claim, check: err.reason };
  if (err instanceof joseErrors.JOSEError) return { reason: err.code };
  if (err instanceof z.ZodError)
    return { reason: 'ERR_CLAIMS_INVALID', claims: err.issues.map((i) => i.path.join('.')) };
  return { reason: 'ERR_KEY', error: err instanceof Error ? err.name : 'unknown' };
}

/** Verifies a compact JWT and returns the principal, or throws a 401 AppError. */
export async function verifyToken(
  token: string,
  config: Config,
  requestId?: string,
): Promise<Principal> {
  const hit = verified.get(token);
  if (hit && hit.config === config && Date.now() < hit.until) return hit.principal;
  try {
    const { getKey, algorithms } = await verifierFor(config);
    const { payload } = await jwtVerify(token, getKey, {
      algorithms,
      issuer: config.AUTH_ISSUER,
      audience: config.AUTH_AUDIENCE,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ['iss', 'aud', 'exp', 'sub', 'tid', 'roles'],
    });
    const claims = ClaimsSchema.parse(payload);
    const roles = [...new Set(claims.roles)].filter(isRole);
    const expiresAt = typeof payload.exp === 'number' ? payload.exp * 1000 : 0;
    const principal: Principal = {
      subject: claims.sub,
      tenantId: claims.tid,
      roles,
      permissions: permissionsOf(roles),
      expiresAt,
    };
    remember(token, config, principal, expiresAt);
    return principal;
  } catch (err) {
    const fields = reasonOf(err);
    if (fields.reason === 'ERR_KEY') log.error('auth_key_unavailable', { requestId, ...fields });
    else log.warn('auth_failed', { requestId, ...fields });
    throw unauthorized();
  }
}

/**
 * Tokens this isolate has verified, so a client's repeated requests skip the signature check
 * (its cost: docs/performance.md). Keyed by the exact token string, so a tampered
 * token never matches; an entry lives at most `VERIFIED_TTL_MS` and never past the token's
 * own `exp`, which bounds how long a token signed with a just-retired key stays accepted.
 */
const verified = new Map<string, { principal: Principal; until: number; config: Config }>();
const VERIFIED_TTL_MS = 60_000;
const VERIFIED_MAX = 10_000;

function remember(token: string, config: Config, principal: Principal, expMs: number): void {
  const until = Math.min(Date.now() + VERIFIED_TTL_MS, expMs);
  if (until <= Date.now()) return;
  if (verified.size >= VERIFIED_MAX) {
    const oldest = verified.keys().next().value;
    if (oldest !== undefined) verified.delete(oldest);
  }
  verified.set(token, { principal, until, config });
}
