/**
 * Rate limiting, attacked: floods from one IP, one token-guesser, one user and one tenant are
 * refused with 429 + `Retry-After` + `RateLimit-Policy`/`RateLimit`, the window reopens, and no
 * flood limits anyone else. Each test runs the app on its own env (its own policies) and its
 * own client IPs, users and tenants, so nothing is shared with other suites.
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { appWith, uniqueIp } from '../fixtures/edge';
import { expectProblem, token, uniqueTenant } from '../fixtures/http';

const OFF = { RATE_LIMIT_IP: 'off', RATE_LIMIT_USER: 'off', RATE_LIMIT_TENANT: 'off' };
const from = (ip: string, headers: Record<string, string> = {}): RequestInit => ({
  headers: { 'CF-Connecting-IP': ip, ...headers },
});
const bearer = (ip: string, t: string): RequestInit => from(ip, { Authorization: `Bearer ${t}` });

describe('per-IP limit on unauthenticated requests (production default 100 per 15 minutes)', () => {
  it('answers 100 requests with RateLimit headers and refuses the 101st with 429 problem+json', async () => {
    const { fetch } = appWith({ ...OFF, RATE_LIMIT_IP: '100/15m' });
    const ip = uniqueIp();
    for (let i = 1; i <= 100; i++) {
      const res = await fetch('/health', from(ip));
      expect(res.status, `request ${i}`).toBe(200);
      expect(res.headers.get('RateLimit-Policy')).toBe('"ip";q=100;w=900');
      expect(res.headers.get('RateLimit')).toMatch(new RegExp(`^"ip";r=${100 - i};t=\\d+$`));
    }
    const refused = await fetch('/health', from(ip));
    const body = await expectProblem(refused, 429);
    expect(body).toMatchObject({ code: 'rate_limited', status: 429 });
    const retry = Number(refused.headers.get('Retry-After'));
    expect(retry).toBeGreaterThan(0);
    expect(retry).toBeLessThanOrEqual(2 * 900);
    expect(refused.headers.get('RateLimit-Policy')).toBe('"ip";q=100;w=900');
    expect(refused.headers.get('RateLimit')).toBe(`"ip";r=0;t=${retry}`);
    expect(refused.headers.get('X-Request-Id')).toBeTruthy();
    // Still refused, on every anonymous route; another IP is untouched.
    expect((await fetch('/openapi.json', from(ip))).status).toBe(429);
    expect((await fetch('/health', from(uniqueIp()))).status).toBe(200);
  });

  it('reopens when the window has passed (5 per 1 s)', async () => {
    const { fetch } = appWith({ ...OFF, RATE_LIMIT_IP: '5/1s' });
    const ip = uniqueIp();
    for (let i = 0; i < 5; i++) expect((await fetch('/health', from(ip))).status).toBe(200);
    const refused = await fetch('/health', from(ip));
    expect(refused.status).toBe(429);
    const retry = Number(refused.headers.get('Retry-After'));
    expect(retry).toBeGreaterThanOrEqual(1);
    expect(retry).toBeLessThanOrEqual(2);
    await new Promise((resolve) => setTimeout(resolve, retry * 1000 + 50));
    const again = await fetch('/health', from(ip));
    expect(again.status).toBe(200);
    expect(again.headers.get('RateLimit')).toMatch(/^"ip";r=\d+;t=\d+$/);
  });

  it('counts failed authentications: a token-guessing flood gets 429, a valid token from that IP still works', async () => {
    const { fetch } = appWith({ ...OFF, RATE_LIMIT_IP: '10/15m' });
    const ip = uniqueIp();
    for (let i = 0; i < 10; i++) {
      const res = await fetch('/v1/me', bearer(ip, `guess.${i}.x`));
      expect(res.status).toBe(401);
      expect(res.headers.get('RateLimit')).toBe(`"ip";r=${9 - i};t=900`);
    }
    const refused = await fetch('/v1/me', bearer(ip, 'guess.11.x'));
    expect(await expectProblem(refused, 429)).toMatchObject({ code: 'rate_limited' });
    expect(refused.headers.get('WWW-Authenticate')).toBeNull();
    expect(refused.headers.get('Retry-After')).toMatch(/^\d+$/);
    expect((await fetch('/v1/me', from(ip))).status).toBe(429); // no token at all: also a failure
    // A real user behind the same address is not locked out by the guesser.
    const ok = await fetch('/v1/me', bearer(ip, await token({ tenant: uniqueTenant() })));
    expect(ok.status).toBe(200);
  });
});

describe('per-user and per-tenant limits on authenticated requests', () => {
  it('limits one user without limiting another user of the tenant, or another tenant', async () => {
    const { fetch } = appWith({ ...OFF, RATE_LIMIT_USER: '5/1m', RATE_LIMIT_TENANT: '8/1m' });
    const tenant = uniqueTenant();
    const [alice, bob, other] = await Promise.all([
      token({ tenant, sub: 'alice' }),
      token({ tenant, sub: 'bob' }),
      token({ tenant: uniqueTenant(), sub: 'alice' }),
    ]);
    const ip = uniqueIp();
    for (let i = 1; i <= 5; i++) {
      const res = await fetch('/v1/me', bearer(ip, alice));
      expect(res.status).toBe(200);
      expect(res.headers.get('RateLimit-Policy')).toBe('"user";q=5;w=60, "tenant";q=8;w=60');
      expect(res.headers.get('RateLimit')).toMatch(
        new RegExp(`^"user";r=${5 - i};t=\\d+, "tenant";r=${8 - i};t=\\d+$`),
      );
    }
    const refused = await fetch('/v1/me', bearer(ip, alice));
    expect(await expectProblem(refused, 429)).toMatchObject({ code: 'rate_limited' });
    expect(refused.headers.get('RateLimit-Policy')).toContain('"user";q=5;w=60');
    expect(Number(refused.headers.get('Retry-After'))).toBeGreaterThan(0);

    // Bob (same tenant, same IP) still has the tenant's remaining 3; the other tenant's Alice is untouched.
    for (let i = 0; i < 3; i++) expect((await fetch('/v1/me', bearer(ip, bob))).status).toBe(200);
    expect((await fetch('/v1/me', bearer(ip, other))).status).toBe(200);

    // Now the tenant is exhausted: Bob is refused by the tenant policy, the other tenant is not.
    const tenantFull = await fetch('/v1/me', bearer(ip, bob));
    expect(tenantFull.status).toBe(429);
    expect(tenantFull.headers.get('RateLimit')).toMatch(/"tenant";r=0;t=\d+/);
    expect((await fetch('/v1/me', bearer(ip, other))).status).toBe(200);
  });

  it("follows each configuration's policies for the same principal (the isolate's per-principal plan is per configuration)", async () => {
    const t = await token({ tenant: uniqueTenant(), sub: 'carol' });
    const ip = uniqueIp();
    const tight = appWith({ ...OFF, RATE_LIMIT_USER: '2/1m', RATE_LIMIT_TENANT: '9/1m' });
    const loose = appWith({ ...OFF, RATE_LIMIT_USER: '7/1m' });
    for (let i = 0; i < 2; i++)
      expect((await tight.fetch('/v1/me', bearer(ip, t))).status).toBe(200);
    const refused = await tight.fetch('/v1/me', bearer(ip, t));
    expect(refused.status).toBe(429);
    const other = await loose.fetch('/v1/me', bearer(ip, t));
    expect(other.status).toBe(200);
    expect(other.headers.get('RateLimit-Policy')).toBe('"user";q=7;w=60');
    expect((await tight.fetch('/v1/me', bearer(ip, t))).status).toBe(429);
  });

  it('refuses a write before it reaches the ledger: nothing is written', async () => {
    const { fetch } = appWith({ ...OFF, RATE_LIMIT_USER: '2/1m' });
    const t = await token({ tenant: uniqueTenant() });
    const ip = uniqueIp();
    const create = (n: number) =>
      fetch('/v1/customers', {
        method: 'POST',
        body: JSON.stringify({ name: `C${n}` }),
        headers: {
          'CF-Connecting-IP': ip,
          Authorization: `Bearer ${t}`,
          'Content-Type': 'application/json',
          'Idempotency-Key': crypto.randomUUID(),
        },
      });
    expect((await create(1)).status).toBe(201);
    const written = (await create(2)).headers.get('X-Ledger-Position');
    expect((await create(3)).status).toBe(429);
    const { fetch: unlimited } = appWith(OFF);
    const feed = await unlimited('/v1/events?limit=1', bearer(ip, t));
    expect(feed.headers.get('X-Ledger-Position')).toBe(written);
  });
});

describe('cost of the limiter', () => {
  it.runIf(env.TEST_TIMINGS === '1')(
    'measures the added time per request (logged, not asserted; TEST_TIMINGS=1)',
    async () => {
      const N = 200;
      const on = appWith({
        RATE_LIMIT_IP: '1000000/1m',
        RATE_LIMIT_USER: '1000000/1m',
        RATE_LIMIT_TENANT: '1000000/1m',
      });
      const off = appWith(OFF);
      const t = await token({ tenant: uniqueTenant() });
      const ip = uniqueIp();
      const run = async (fetch: typeof on.fetch, path: string, init: RequestInit) => {
        for (let i = 0; i < 20; i++) await fetch(path, init); // warm-up
        const started = Date.now();
        for (let i = 0; i < N; i++) await fetch(path, init);
        return (Date.now() - started) / N;
      };
      const rows = [
        [
          'GET /health (ip)',
          await run(off.fetch, '/health', from(ip)),
          await run(on.fetch, '/health', from(ip)),
        ],
        [
          'GET /v1/me (user+tenant)',
          await run(off.fetch, '/v1/me', bearer(ip, t)),
          await run(on.fetch, '/v1/me', bearer(ip, t)),
        ],
      ] as const;
      for (const [route, without, withLimiter] of rows) {
        console.log(
          `[limiter cost] ${route}: ${without.toFixed(3)} ms without, ${withLimiter.toFixed(3)} ms with, +${(withLimiter - without).toFixed(3)} ms/request (N=${N}, sequential, in workerd)`,
        );
      }
      expect(rows).toHaveLength(2);
    },
  );
});
