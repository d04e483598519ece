// Local signing key for dev tokens: an ES256 key pair generated on first use under
// .data/dev-keys/ (git-ignored). The Worker gets only the public half (AUTH_PUBLIC_JWK).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { exportJWK, generateKeyPair, importJWK, SignJWT } from 'jose';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');
const KEY_FILE = path.join(ROOT, '.data', 'dev-keys', 'signing.jwk.json');

/** Reads AUTH_ISSUER / AUTH_AUDIENCE from wrangler.toml [vars] so tokens match the Worker. */
export function authSettings() {
  const toml = readFileSync(path.join(ROOT, 'wrangler.toml'), 'utf8');
  const read = (name) => {
    const m = new RegExp(`^${name}\\s*=\\s*"([^"]+)"`, 'm').exec(toml);
    if (!m) throw new Error(`wrangler.toml has no ${name} in [vars]`);
    return m[1];
  };
  return {
    issuer: read('AUTH_ISSUER'),
    audience: read('AUTH_AUDIENCE'),
    opsAudience: read('OPS_AUDIENCE'),
  };
}

/** Creates an ES256 key pair as JWKs with a key id. */
export async function newKeyPair(kid = `dev-${Date.now().toString(36)}`) {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const priv = { ...(await exportJWK(privateKey)), alg: 'ES256', kid, use: 'sig' };
  const pub = { ...(await exportJWK(publicKey)), alg: 'ES256', kid, use: 'sig' };
  return { privateJwk: priv, publicJwk: pub };
}

/** Loads the local dev key pair, creating it (mode 0600) on first use. */
export async function loadOrCreateDevKey(file = KEY_FILE) {
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8'));
  const pair = await newKeyPair();
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(pair, null, 2), { mode: 0o600 });
  return pair;
}

/**
 * Mints a token the local Worker accepts.
 * @param {{ privateJwk: object, tenant?: string, roles: string[], sub?: string, ttlSeconds?: number,
 *   issuer: string, audience: string }} o
 */
export async function mintToken(o) {
  const key = await importJWK(o.privateJwk, 'ES256');
  // An operator token (o.tenant undefined) names no tenant: JSON drops the undefined claim.
  return new SignJWT({ tid: o.tenant, roles: o.roles })
    .setProtectedHeader({ alg: 'ES256', kid: o.privateJwk.kid, typ: 'JWT' })
    .setSubject(o.sub ?? 'dev-user')
    .setIssuer(o.issuer)
    .setAudience(o.audience)
    .setIssuedAt()
    .setExpirationTime(`${o.ttlSeconds ?? 3600 * 12}s`)
    .sign(key);
}
