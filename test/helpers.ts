/** Test helpers: mint tokens with the test key and call the Worker as a client would. */
import { env, exports } from 'cloudflare:workers';
import { importJWK, SignJWT } from 'jose';
import type { JWK } from 'jose';

export const BASE = 'http://finance-edge.test';

export interface TokenOptions {
  tenant?: string;
  roles?: string[];
  sub?: string;
  /** Overrides applied to the claims after the defaults. */
  claims?: Record<string, unknown>;
  /** Absolute `exp` (seconds since the epoch); default now + 10 minutes. */
  expiresIn?: number;
  key?: JWK;
  alg?: string;
}

/** A unique tenant id per test, so storage never leaks between tests. */
export function uniqueTenant(prefix = 't'): string {
  return `${prefix}_${crypto.randomUUID().replaceAll('-', '').slice(0, 16)}`;
}

export async function token(o: TokenOptions = {}): Promise<string> {
  const jwk = o.key ?? (JSON.parse(env.TEST_PRIVATE_JWK) as JWK);
  const alg = o.alg ?? 'ES256';
  const key = await importJWK(jwk, alg);
  const now = Math.floor(Date.now() / 1000);
  const exp = typeof o.expiresIn === 'number' ? o.expiresIn : now + 600;
  // Claim overrides are applied last, so a test can replace or drop (undefined) any claim.
  const claims: Record<string, unknown> = {
    sub: o.sub ?? 'user-1',
    tid: o.tenant ?? 'tenant_a',
    roles: o.roles ?? ['admin'],
    iss: env.AUTH_ISSUER,
    aud: env.AUTH_AUDIENCE,
    iat: now,
    exp,
    ...o.claims,
  };
  for (const k of Object.keys(claims)) if (claims[k] === undefined) delete claims[k];
  return new SignJWT(claims).setProtectedHeader({ alg, kid: jwk.kid, typ: 'JWT' }).sign(key);
}

export interface CallOptions {
  method?: string;
  token?: string;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
}

/** Calls the Worker's fetch handler like an HTTP client would. */
export async function call(path: string, o: CallOptions = {}): Promise<Response> {
  const headers = new Headers(o.headers);
  if (o.token) headers.set('Authorization', `Bearer ${o.token}`);
  let body: string | undefined = o.rawBody;
  if (o.body !== undefined) {
    body = JSON.stringify(o.body);
    if (!headers.has('Content-Type')) headers.set('Content-Type', 'application/json');
  }
  return exports.default.fetch(new Request(`${BASE}${path}`, { method: o.method ?? (body ? 'POST' : 'GET'), headers, body }));
}

/** Reads a problem+json body and checks its media type. */
export async function problemOf(res: Response): Promise<Record<string, unknown>> {
  if (!res.headers.get('Content-Type')?.startsWith('application/problem+json')) {
    throw new Error(`expected problem+json, got ${res.headers.get('Content-Type')} (${res.status})`);
  }
  return (await res.json()) as Record<string, unknown>;
}

/** Cuts or restores the database bridge (a Postgres outage as the Worker sees it). */
export async function setBridge(up: boolean): Promise<void> {
  const res = await fetch(`${env.TEST_CONTROL_URL}/bridge/${up ? 'resume' : 'pause'}`, { method: 'POST' });
  if (res.status !== 204) throw new Error(`bridge control answered ${res.status}`);
}

/**
 * Freezes the database connections that send `match` (use the test's tenant id), as a database
 * stopped mid-statement; `thawBridge()` lets them go on.
 */
export async function freezeBridge(match: string): Promise<void> {
  const res = await fetch(`${env.TEST_CONTROL_URL}/bridge/freeze?match=${encodeURIComponent(match)}`, { method: 'POST' });
  if (res.status !== 204) throw new Error(`bridge control answered ${res.status}`);
}

export async function thawBridge(): Promise<void> {
  const res = await fetch(`${env.TEST_CONTROL_URL}/bridge/thaw`, { method: 'POST' });
  if (res.status !== 204) throw new Error(`bridge control answered ${res.status}`);
}
