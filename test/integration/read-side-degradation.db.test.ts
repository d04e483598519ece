/**
 * The read side degraded: with Postgres down, lists answer the last cached entry marked
 * STALE (503 when nothing is cached) and recover with no manual step; with every build slot
 * taken, a read answers 503 instead of opening another connection. The request log says why.
 */
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it } from 'vitest';
import { buildSlots } from '../../src/cache/build-slots';
import { call, problemOf, setBridge, uniqueTenant } from '../helpers';
import { books, get, loggedGet, post } from './read-side-fixtures';

afterEach(async () => {
  await setBridge(true);
});

describe(`read side, degraded (${env.TEST_DB_BACKEND})`, () => {
  it('serves the last cached answer marked STALE while Postgres is down, 503 when nothing is cached, and recovers', async () => {
    const b = await books(uniqueTenant());
    const warm = await get(b.t, '/v1/customers', b.position);
    expect(warm.status).toBe(200);
    await warm.text();
    await new Promise((r) => setTimeout(r, 1100)); // let the version memo expire

    await setBridge(false);
    const write = await post(b.t, '/v1/customers', { name: 'Written During Outage' });
    // The cached answer counts as current until the projection's delivery of that write has
    // failed (its Postgres timeout); from then on it is marked STALE. It never has the write.
    const outcomes: string[] = [];
    for (let i = 0; i < 80 && outcomes.at(-1) !== 'STALE'; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 100));
      const stale = await get(b.t, '/v1/customers');
      expect(stale.status).toBe(200);
      outcomes.push(String(stale.headers.get('X-Cache')));
      expect(JSON.stringify(await stale.json())).not.toContain('Written During Outage');
    }
    expect(outcomes.at(-1)).toBe('STALE');
    expect(new Set(outcomes.slice(0, -1))).toEqual(new Set(outcomes.length > 1 ? ['HIT'] : []));
    // The request log says why: the ledger reports its projection's deliveries failing.
    const logged = await loggedGet(b.t, '/v1/customers');
    expect(logged.res.headers.get('X-Cache')).toBe('STALE');
    expect(logged.request).toMatchObject({ status: 200, cache: 'STALE', staleReason: 'projection_failing' });
    const uncached = await get(b.t, '/v1/reports/ar-aging?asOf=2026-01-01');
    expect(uncached.status).toBe(503);
    expect(uncached.headers.get('Retry-After')).toBeTruthy();
    expect(await problemOf(uncached)).toMatchObject({ code: 'read_model_unavailable' });
    // Single resources are still answered by the ledger.
    const one = await call(`/v1/customers/${String(write.body.id)}`, { token: b.t });
    expect(one.status).toBe(200);

    await setBridge(true);
    const fresh = await get(b.t, '/v1/customers', write.position);
    expect(fresh.status).toBe(200);
    expect(JSON.stringify(await fresh.json())).toContain('Written During Outage');
  });

  it('with every build slot taken, a read that needs Postgres answers 503 (or STALE) instead of opening another connection', async () => {
    const b = await books(uniqueTenant());
    const later = await post(b.t, '/v1/customers', { name: 'Slotless Customer' });
    // Earlier tests' builds may still hold a slot for a moment: take each as it comes free.
    const held: ((() => void) | null)[] = [];
    while (held.length < buildSlots.max) held.push(await buildSlots.acquire(10_000));
    expect(held.every((r) => typeof r === 'function')).toBe(true);
    try {
      const refused = await get(b.t, '/v1/customers', later.position);
      expect(refused.status).toBe(503);
      expect(await problemOf(refused)).toMatchObject({ code: 'read_model_unavailable' });
      // The request log names the cause, for telling it apart from a ledger that cannot be asked.
      const logged = await loggedGet(b.t, '/v1/customers?limit=7');
      expect(logged.res.status).toBe(503);
      expect(logged.request).toMatchObject({ status: 503, staleReason: 'build_failed', staleError: 'NoBuildSlotError: no build slot free' });
    } finally {
      for (const release of held) release?.();
    }
    const fresh = await get(b.t, '/v1/customers', later.position);
    expect(fresh.status).toBe(200);
    expect(fresh.headers.get('X-Cache')).toBe('MISS');
    expect(JSON.stringify(await fresh.json())).toContain('Slotless Customer');
  });
});
