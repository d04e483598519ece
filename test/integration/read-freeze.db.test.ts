/**
 * A database that stops answering mid-statement (frozen, not down: the connection stays open
 * and nothing comes back). Every Postgres round trip has the `DB_TIMEOUT_MS` deadline, so a
 * read answers STALE or 503 within about that time, never a 504 at the request deadline; and
 * once the database answers again, reads are fresh again with no manual step. The bridge
 * freezes only the connections that carry this test's tenant id, so suites running beside it
 * are unaffected.
 */
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it } from 'vitest';
import { books } from '../fixtures/read-side';
import { freezeBridge, get, problemOf, thawBridge, uniqueTenant, write } from '../fixtures/http';

afterEach(async () => {
  await thawBridge();
});

const DB_TIMEOUT_MS = Number(env.DB_TIMEOUT_MS ?? 2000);
/** About `DB_TIMEOUT_MS`: the deadline of the round trip that hangs, plus slack for a busy machine (not a second deadline for the ROLLBACK). */
const WITHIN_MS = DB_TIMEOUT_MS + 1_500;

async function timed(work: () => Promise<Response>): Promise<{ res: Response; ms: number }> {
  const started = Date.now();
  const res = await work();
  return { res, ms: Date.now() - started };
}

describe(`database frozen mid-statement (${env.TEST_DB_BACKEND})`, () => {
  it('reads answer STALE or 503 within about DB_TIMEOUT_MS, then fresh again after the thaw', async () => {
    const tenant = uniqueTenant();
    const b = await books(tenant);
    const warm = await get(b.t, '/v1/customers', { minPosition: b.position });
    expect(warm.status).toBe(200);
    const right = await warm.text();

    await freezeBridge(tenant);
    // A build (not cached: forced by no-cache) hangs at its first statement carrying the tenant.
    const stale = await timed(() =>
      get(b.t, '/v1/customers', {
        minPosition: undefined,
        headers: { 'Cache-Control': 'no-cache' },
      }),
    );
    expect(stale.res.status).toBe(200);
    expect(stale.res.headers.get('X-Cache')).toBe('STALE');
    expect(await stale.res.text()).toBe(right);
    expect(stale.ms).toBeLessThan(WITHIN_MS);
    // Nothing cached for this report: 503 problem+json with Retry-After, as quickly.
    const refused = await timed(() => get(b.t, '/v1/reports/ar-aging?asOf=2026-01-01'));
    expect(refused.res.status).toBe(503);
    expect(refused.res.headers.get('Retry-After')).toBeTruthy();
    expect(await problemOf(refused.res)).toMatchObject({ code: 'read_model_unavailable' });
    expect(refused.ms).toBeLessThan(WITHIN_MS);
    // Writes never wait for Postgres.
    const written = await timed(async () => {
      await write(b.t, '/v1/customers', { name: 'Written While Frozen' });
      return new Response(null, { status: 204 });
    });
    expect(written.ms).toBeLessThan(WITHIN_MS);

    await thawBridge();
    let fresh = await get(b.t, '/v1/customers', {
      minPosition: undefined,
      headers: { 'Cache-Control': 'no-cache' },
    });
    for (
      let i = 0;
      i < 100 &&
      !(fresh.status === 200 && (await fresh.clone().text()).includes('Written While Frozen'));
      i++
    ) {
      await new Promise((r) => setTimeout(r, 100));
      fresh = await get(b.t, '/v1/customers', {
        minPosition: undefined,
        headers: { 'Cache-Control': 'no-cache' },
      });
    }
    expect(fresh.status).toBe(200);
    expect(fresh.headers.get('X-Cache')).toBe('BYPASS');
    expect(await fresh.text()).toContain('Written While Frozen');
  });
});
