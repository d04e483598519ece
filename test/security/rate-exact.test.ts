/**
 * The limiter charges exactly one unit per request, also under concurrency (leases spent by
 * concurrent requests, leases that run out, grants that land after a refusal), and a 429 names
 * only the bucket that is exhausted, with the same `Retry-After` on every route.
 */
import { describe, expect, it } from 'vitest';
import { appWith, uniqueIp, type Fetch } from '../fixtures/edge';
import { expectProblem, token, uniqueTenant } from '../fixtures/http';

const OFF = { RATE_LIMIT_IP: 'off', RATE_LIMIT_USER: 'off', RATE_LIMIT_TENANT: 'off' };
const bearer = (ip: string, t: string): RequestInit => ({
  headers: { 'CF-Connecting-IP': ip, Authorization: `Bearer ${t}` },
});

/** Sends `concurrency` requests at a time until one is refused; the number allowed before it. */
async function allowedUnderConcurrency(
  fetch: Fetch,
  init: RequestInit,
  concurrency: number,
  max: number,
): Promise<{ allowed: number; refused: Response }> {
  let allowed = 0;
  for (let sent = 0; sent < max; sent += concurrency) {
    const wave = await Promise.all(
      Array.from({ length: concurrency }, () => fetch('/v1/me', init)),
    );
    for (const res of wave) {
      if (res.status === 200) allowed++;
      else if (res.status === 429) {
        // The rest of the wave may hold more 200s (they were in flight together): count them all.
        for (const other of wave)
          if (other !== res && other.status === 200) await other.body?.cancel();
        const rest = wave.filter((r) => r !== res && r.status === 429);
        for (const r of rest) await r.body?.cancel();
        return { allowed, refused: res };
      } else throw new Error(`unexpected status ${res.status}`);
    }
  }
  throw new Error(`no refusal after ${max} requests`);
}

describe('one unit per request', () => {
  it.each([1, 8])(
    'a user quota of 600/1m lets exactly 600 requests through at concurrency %i',
    async (concurrency) => {
      const { fetch } = appWith({
        ...OFF,
        RATE_LIMIT_USER: '600/1m',
        RATE_LIMIT_TENANT: '3000/1m',
      });
      const init = bearer(uniqueIp(), await token({ tenant: uniqueTenant() }));
      const { allowed, refused } = await allowedUnderConcurrency(fetch, init, concurrency, 800);
      expect(allowed).toBe(600);
      expect(refused.headers.get('RateLimit')).toMatch(/^"user";r=0;t=\d+, "tenant";r=2400;t=\d+$/);
    },
  );

  it("a 429 names only the exhausted bucket, and Retry-After is that bucket's whatever the route", async () => {
    const { fetch } = appWith({ ...OFF, RATE_LIMIT_USER: '3/1m', RATE_LIMIT_TENANT: '100/1m' });
    const init = bearer(uniqueIp(), await token({ tenant: uniqueTenant() }));
    for (let i = 0; i < 3; i++) expect((await fetch('/v1/me', init)).status).toBe(200);
    const answers = [];
    for (const path of ['/v1/me', '/v1/accounts', '/v1/reports/trial-balance', '/v1/me']) {
      const res = await fetch(path, init);
      const body = await expectProblem(res, 429);
      expect(body.code, path).toBe('rate_limited');
      answers.push({ detail: body.detail, retry: res.headers.get('Retry-After') });
    }
    for (const a of answers) {
      expect(a.detail).toMatch(/\(user\)/);
      expect(a.detail).not.toMatch(/tenant/);
    }
    // Within the same second every route answers the same wait (rounding may tick over once).
    const waits = new Set(answers.map((a) => Number(a.retry)));
    expect(Math.max(...waits) - Math.min(...waits)).toBeLessThanOrEqual(1);
    expect(Math.min(...waits)).toBeGreaterThanOrEqual(59);
  });
});
