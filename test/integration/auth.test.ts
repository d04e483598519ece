import { describe, expect, it } from 'vitest';
import { exportJWK, generateKeyPair } from 'jose';
import { call, problemOf, token } from '../fixtures/http';

function b64url(s: string): string {
  return btoa(s).replaceAll('+', '-').replaceAll('/', '_').replaceAll('=', '');
}

async function expect401(t: string | undefined, header?: string) {
  const res = await call('/v1/me', {
    headers: header ? { Authorization: header } : t ? { Authorization: `Bearer ${t}` } : {},
  });
  expect(res.status).toBe(401);
  expect(res.headers.get('WWW-Authenticate')).toBe('Bearer error="invalid_token"');
  const body = await problemOf(res);
  expect(body).toMatchObject({ code: 'unauthorized', status: 401 });
  // The precise reason is logged, never returned.
  expect(JSON.stringify(body)).not.toMatch(/expired|signature|alg|issuer|audience/i);
}

describe('authentication', () => {
  it('accepts a token signed by the configured key and exposes the principal', async () => {
    const res = await call('/v1/me', {
      token: await token({ tenant: 'acme', roles: ['viewer'], sub: 'u-7' }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ subject: 'u-7', tenantId: 'acme', roles: ['viewer'] });
  });

  it('refuses a missing or malformed Authorization header', async () => {
    await expect401(undefined);
    await expect401(undefined, 'Basic dXNlcjpwYXNz');
    await expect401(undefined, 'Bearer');
  });

  it('refuses a token signed by another key', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const other = { ...(await exportJWK(privateKey)), kid: 'test-key' };
    await expect401(await token({ key: other }));
  });

  it('refuses an expired token (beyond the 60 s skew)', async () => {
    await expect401(await token({ expiresIn: Math.floor(Date.now() / 1000) - 120 }));
  });

  it('refuses alg none', async () => {
    const header = b64url(JSON.stringify({ alg: 'none', typ: 'JWT' }));
    const now = Math.floor(Date.now() / 1000);
    const payload = b64url(
      JSON.stringify({
        sub: 'u',
        tid: 'acme',
        roles: ['admin'],
        iss: 'https://auth.finance-edge.local',
        aud: 'finance-edge-api',
        exp: now + 600,
      }),
    );
    await expect401(`${header}.${payload}.`);
  });

  it('refuses a tampered payload carrying the original signature', async () => {
    const [h, , s] = (await token({ tenant: 'acme' })).split('.');
    const now = Math.floor(Date.now() / 1000);
    const forged = b64url(
      JSON.stringify({
        sub: 'u',
        tid: 'victim',
        roles: ['admin'],
        iss: 'https://auth.finance-edge.local',
        aud: 'finance-edge-api',
        exp: now + 600,
      }),
    );
    await expect401(`${h}.${forged}.${s}`);
  });

  it('refuses wrong issuer, wrong audience and a missing tenant', async () => {
    await expect401(await token({ claims: { iss: 'https://evil.example' } }));
    await expect401(await token({ claims: { aud: 'someone-else' } }));
    await expect401(await token({ claims: { tid: undefined } }));
  });
});
