/**
 * Forged and mangled bearer tokens against a real tenant. Every one is a 401 problem with
 * `WWW-Authenticate: Bearer error="invalid_token"` whose body names no reason, never a 5xx,
 * and leaves no trace: the victim's ledger position does not move. A valid token of another
 * tenant meets the 404 an unknown id gets.
 */
import { env } from 'cloudflare:workers';
import { exportJWK, exportSPKI, generateKeyPair, importJWK, SignJWT } from 'jose';
import type { JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { openBooks, type Books } from '../fixtures/books';
import { ledgerPosition } from '../fixtures/routes';
import {
  call,
  expectJson,
  expectProblem,
  get,
  patch,
  post,
  problemOf,
  token,
  uniqueTenant,
} from '../fixtures/http';

const b64url = (s: string | Uint8Array) =>
  btoa(typeof s === 'string' ? s : String.fromCharCode(...s))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replaceAll('=', '');

const now = () => Math.floor(Date.now() / 1000);

/** The claims a genuine admin token of `tenant` would carry. */
const claimsOf = (tenant: string): Record<string, unknown> => ({
  sub: 'mallory',
  tid: tenant,
  roles: ['admin'],
  iss: env.AUTH_ISSUER,
  aud: env.AUTH_AUDIENCE,
  iat: now(),
  exp: now() + 600,
});

/** HS256 over `claims` with `secret` (what a key-confusion attacker would send). */
async function hs256(claims: Record<string, unknown>, secret: Uint8Array): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: 'test-key' })
    .sign(secret);
}

/** Signs with a fresh attacker key; `header` adds protected header fields. */
async function attackerSigned(
  claims: Record<string, unknown>,
  header: (pub: JWK) => Record<string, unknown>,
  crit?: Record<string, boolean>,
): Promise<string> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const pub = await exportJWK(publicKey);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', typ: 'JWT', ...header(pub) })
    .sign(privateKey, crit ? { crit } : {});
}

describe('forged tokens', () => {
  let victim: Books;

  beforeAll(async () => {
    victim = await openBooks();
  });

  /** Each case: a token claiming the victim's tenant with admin rights. */
  const CASES: Array<[string, (tenant: string) => Promise<string>]> = [
    [
      'alg none',
      async (t) =>
        `${b64url(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${b64url(JSON.stringify(claimsOf(t)))}.`,
    ],
    [
      'alg NoNe with a bogus signature',
      async (t) =>
        `${b64url(JSON.stringify({ alg: 'NoNe' }))}.${b64url(JSON.stringify(claimsOf(t)))}.${b64url('sig')}`,
    ],
    [
      'HS256 keyed with the public JWK text',
      async (t) => hs256(claimsOf(t), new TextEncoder().encode(env.AUTH_PUBLIC_JWK)),
    ],
    [
      'HS256 keyed with the public key PEM',
      async (t) => {
        const pem = await exportSPKI(
          (await importJWK(JSON.parse(env.AUTH_PUBLIC_JWK) as JWK, 'ES256', {
            extractable: true,
          })) as CryptoKey,
        );
        return hs256(claimsOf(t), new TextEncoder().encode(pem));
      },
    ],
    [
      'HS256 keyed with the public key x coordinate',
      async (t) => {
        const { x = '' } = JSON.parse(env.AUTH_PUBLIC_JWK) as JWK;
        return hs256(
          claimsOf(t),
          Uint8Array.from(atob(x.replaceAll('-', '+').replaceAll('_', '/')), (c) =>
            c.charCodeAt(0),
          ),
        );
      },
    ],
    ['wrong issuer', (t) => token({ tenant: t, claims: { iss: 'https://evil.example' } })],
    ['wrong audience', (t) => token({ tenant: t, claims: { aud: 'another-api' } })],
    ['audience list without ours', (t) => token({ tenant: t, claims: { aud: ['a', 'b'] } })],
    ['expired beyond the 60 s skew', (t) => token({ tenant: t, expiresIn: now() - 90 })],
    ['no exp', (t) => token({ tenant: t, claims: { exp: undefined } })],
    [
      'not yet valid (nbf beyond the skew)',
      (t) => token({ tenant: t, claims: { nbf: now() + 120 } }),
    ],
    ['missing tid', (t) => token({ tenant: t, claims: { tid: undefined } })],
    ['missing sub', (t) => token({ tenant: t, claims: { sub: undefined } })],
    ['missing roles', (t) => token({ tenant: t, claims: { roles: undefined } })],
    ['roles not a list', (t) => token({ tenant: t, claims: { roles: 'admin' } })],
    ['tid with path characters', (t) => token({ tenant: `../${t}` })],
    [
      'tampered payload, original signature',
      async (t) => {
        const [h, , s] = (await token({ tenant: uniqueTenant(), roles: ['viewer'] })).split('.');
        return `${h}.${b64url(JSON.stringify(claimsOf(t)))}.${s}`;
      },
    ],
    [
      'signed by another key under our kid',
      (t) => attackerSigned(claimsOf(t), () => ({ kid: 'test-key' })),
    ],
    [
      'attacker key embedded in the header (jwk)',
      (t) => attackerSigned(claimsOf(t), (pub) => ({ jwk: pub })),
    ],
    [
      'attacker key set by URL (jku)',
      (t) =>
        attackerSigned(claimsOf(t), () => ({ jku: 'https://evil.example/jwks.json', kid: 'evil' })),
    ],
    [
      'unknown critical header',
      (t) =>
        attackerSigned(claimsOf(t), () => ({ crit: ['exp-zone'], 'exp-zone': 1 }), {
          'exp-zone': true,
        }),
    ],
  ];

  it.each(CASES)('%s → 401, no reason given, nothing written', async (_name, forge) => {
    const before = await ledgerPosition(victim.tenant);
    const forged = await forge(victim.tenant);
    const attempts = [
      await post(forged, '/v1/customers', { name: 'Mallory Ltd' }),
      await patch(forged, `/v1/customers/${victim.customerId}`, { name: 'Hijacked' }),
      await get(forged, `/v1/customers/${victim.customerId}`),
      await get(forged, '/v1/me'),
    ];
    for (const res of attempts) {
      expect(res.status).toBe(401);
      expect(res.headers.get('WWW-Authenticate')).toBe('Bearer error="invalid_token"');
      const { requestId: _id, ...body } = await problemOf(res);
      expect(body).toEqual({
        type: 'https://finance-edge.dev/problems/unauthorized',
        title: 'Unauthorized',
        status: 401,
        code: 'unauthorized',
        detail: 'A valid bearer token is required.',
      });
    }
    expect(await ledgerPosition(victim.tenant)).toBe(before);
    expect(
      await expectJson(await get(victim.t, `/v1/customers/${victim.customerId}`), 200),
    ).toMatchObject({ name: 'Acme Ltd' });
  });

  it('within the skew a token is still accepted (the controls above are not vacuous)', async () => {
    const t = victim.tenant;
    await expectJson(
      await get(await token({ tenant: t, claims: { nbf: now() + 30 } }), '/v1/me'),
      200,
    );
    await expectJson(await get(await token({ tenant: t, expiresIn: now() - 30 }), '/v1/me'), 200);
    await expectJson(
      await get(await token({ tenant: t, claims: { aud: ['a', env.AUTH_AUDIENCE] } }), '/v1/me'),
      200,
    );
  });

  it("a valid token of tenant A on tenant B's ids → 404, nothing written in either tenant", async () => {
    const a = await openBooks();
    const [beforeA, beforeV] = [
      await ledgerPosition(a.tenant),
      await ledgerPosition(victim.tenant),
    ];
    const path = `/v1/customers/${victim.customerId}`;
    const unknown = await problemOf(await get(a.t, '/v1/customers/cus_0unknown0000000'));
    const read = await expectProblem(await get(a.t, path), 404, 'customer_not_found');
    expect(read.detail).toBe(unknown.detail);
    await expectProblem(await patch(a.t, path, { name: 'Hijacked' }), 404, 'customer_not_found');
    await expectProblem(await post(a.t, `${path}/deactivate`), 404, 'customer_not_found');
    await expectProblem(
      await get(a.t, `/v1/audit?streamId=customer:${victim.customerId}`),
      404,
      'customer_not_found',
    );
    expect([await ledgerPosition(a.tenant), await ledgerPosition(victim.tenant)]).toEqual([
      beforeA,
      beforeV,
    ]);
  });

  it('a bearer header that is not a compact JWT is a 401 too', async () => {
    for (const header of [
      'Bearer ',
      'Bearer a.b',
      'Bearer x'.padEnd(9000, 'x'),
      'bearer  two  spaces',
      'Bearer a.b.c.d.e',
      'Bearer ..',
    ]) {
      const res = await call('/v1/me', { headers: { Authorization: header } });
      expect(res.status, header.slice(0, 20)).toBe(401);
    }
  });
});
