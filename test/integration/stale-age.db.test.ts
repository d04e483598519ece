/**
 * A STALE answer says how old it is (`Age`, src/cache/stale-age.ts) and is never older than
 * `STALE_MAX_AGE_S`: past it the read is a 503 `read_model_stale` with `Retry-After`. Fresh
 * answers (HIT, MISS, BYPASS) carry no `Age`.
 *
 * No outage of the shared database here (other files run beside this one): a build fails for
 * want of a build slot (this workerd's own), and a failing projection is the ledger's own
 * record of one (`projection.attempts`, an outbox row) with the undelivered write's time set
 * back, a controllable clock instead of a 10 s sleep.
 */
import { env } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { buildSlots } from '../../src/cache/build-slots';
import { memoryCache } from '../../src/cache/memory-cache';
import type { TenantLedger } from '../../durable-objects/tenant-ledger';
import { books, loggedGet } from '../fixtures/read-side';
import { holdDrains } from '../fixtures/projector';
import { get, problemOf, uniqueTenant } from '../fixtures/http';

const ledgerFor = (tenant: string) => env.TENANT_LEDGER.get(env.TENANT_LEDGER.idFromName(tenant));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `Age` of an answer, as a number (NaN when absent or not whole seconds). */
function ageOf(res: Response): number {
  const raw = res.headers.get('Age');
  return raw !== null && /^\d+$/.test(raw) ? Number(raw) : NaN;
}

/** A STALE answer refused as too old: 503 problem+json, `Retry-After`, `X-Cache: MISS`, no `Age`. */
async function expectTooStale(res: Response): Promise<void> {
  expect(res.status).toBe(503);
  expect(res.headers.get('Retry-After')).toBe('5');
  expect(res.headers.get('X-Cache')).toBe('MISS');
  expect(res.headers.get('Age')).toBeNull();
  expect(await problemOf(res)).toMatchObject({ code: 'read_model_stale' });
}

/** The request log line of such a refusal: why the answer was STALE, and why it was refused. */
const refusalLog = (staleReason: string) => ({
  status: 503,
  cache: 'MISS',
  staleReason,
  problem: 'read_model_stale',
});

/** Whole seconds from `since` to each end of a request that ran from `started` to `ended`. */
const window = (since: number, started: number, ended: number) => ({
  min: Math.floor((started - since) / 1000),
  max: Math.floor((ended - since) / 1000),
});

async function timedGet(...args: Parameters<typeof get>) {
  const started = Date.now();
  const res = await get(...args);
  return { res, started, ended: Date.now() };
}

/** The build time of this tenant's cached `/v1/customers` entries in this isolate's memory. */
function builtAtOf(tenant: string): number[] {
  return [...memoryCache.entries()]
    .filter(([key]) => key.includes(`/${tenant}/`) && key.includes('/v1/customers?'))
    .map(([, entry]) => entry.builtAt);
}

/**
 * The ledger records its projection failing with the write at `position` not delivered, as
 * written `agoMs` before now (its event time set back): the clock the `Age` is counted on. A
 * far alarm keeps a drain from delivering it meanwhile. Returns that time (epoch ms).
 */
async function projectionFailingSince(tenant: string, position: number, agoMs: number) {
  const at = Date.now() - agoMs;
  await runInDurableObject(
    ledgerFor(tenant),
    async (o: TenantLedger, state: DurableObjectState) => {
      await holdDrains(o, state, 120_000);
      const sql = state.storage.sql;
      sql.exec('UPDATE events SET at = ? WHERE position = ?', new Date(at).toISOString(), position);
      sql.exec('INSERT OR IGNORE INTO outbox (position) VALUES (?)', position);
      sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('projection.attempts', '1')");
    },
  );
  return at;
}

async function projectionRecovered(tenant: string, position: number) {
  await runInDurableObject(
    ledgerFor(tenant),
    async (_o: TenantLedger, state: DurableObjectState) => {
      state.storage.sql.exec('DELETE FROM outbox WHERE position = ?', position);
      state.storage.sql.exec(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('projection.attempts', '0')",
      );
      await state.storage.deleteAlarm();
    },
  );
}

describe(`STALE answers carry their age and have a maximum (${env.TEST_DB_BACKEND})`, () => {
  it('the last cached answer standing in for a failed build is STALE with Age since its build; older than STALE_MAX_AGE_S it is a 503', async () => {
    const tenant = uniqueTenant();
    const b = await books(tenant);
    const miss = await get(b.t, '/v1/customers', { minPosition: b.position });
    expect(miss.headers.get('X-Cache')).toBe('MISS');
    expect(miss.headers.get('Age')).toBeNull();
    const json = await miss.text();
    const hit = await get(b.t, '/v1/customers', { minPosition: b.position });
    expect(hit.headers.get('X-Cache')).toBe('HIT');
    expect(hit.headers.get('Age')).toBeNull();
    const bypass = await get(b.t, '/v1/customers', { headers: { 'Cache-Control': 'no-cache' } });
    expect(bypass.headers.get('X-Cache')).toBe('BYPASS');
    expect(bypass.headers.get('Age')).toBeNull();
    // The latest entry is the bypass's build (the pointer moved): the newest build time.
    const builtAt = Math.max(...builtAtOf(tenant));
    expect(builtAt).toBeGreaterThan(0);

    // Earlier tests' builds may still hold a slot for a moment: take each as it comes free.
    const held: ((() => void) | null)[] = [];
    while (held.length < buildSlots.max) held.push(await buildSlots.acquire(10_000));
    try {
      // A build that gets no slot within 2 s fails: the last cached answer, marked STALE.
      const stale = await timedGet(b.t, '/v1/customers', {
        headers: { 'Cache-Control': 'no-cache' },
      });
      expect(stale.res.status).toBe(200);
      expect(stale.res.headers.get('X-Cache')).toBe('STALE');
      expect(await stale.res.text()).toBe(json);
      const { min, max } = window(builtAt, stale.started, stale.ended);
      expect(ageOf(stale.res)).toBeGreaterThanOrEqual(min);
      expect(ageOf(stale.res)).toBeLessThanOrEqual(max);
      // It waited 2 s for a slot after the build: its age shows it.
      expect(ageOf(stale.res)).toBeGreaterThanOrEqual(2);

      // With a maximum of 1 s the same answer is refused, and the log says why.
      const refused = await loggedGet(b.t, '/v1/customers', {
        vars: { STALE_MAX_AGE_S: '1' },
        headers: { 'Cache-Control': 'no-cache' },
      });
      await expectTooStale(refused.res);
      expect(refused.request).toMatchObject(refusalLog('build_failed'));
      expect(refused.request?.staleAgeS).toBeGreaterThan(1);
    } finally {
      for (const release of held) release?.();
    }
    const fresh = await get(b.t, '/v1/customers', { headers: { 'Cache-Control': 'no-cache' } });
    expect(fresh.headers.get('X-Cache')).toBe('BYPASS');
    expect(fresh.headers.get('Age')).toBeNull();
  });

  it('while the projection fails, a HIT is STALE with Age since the oldest write Postgres lacks; past the maximum, 503', async () => {
    const tenant = uniqueTenant();
    const b = await books(tenant);
    const position = Number(b.position);
    const warm = await get(b.t, '/v1/customers', { minPosition: b.position });
    expect(warm.headers.get('X-Cache')).toBe('MISS');
    await warm.text();
    expect(await ledgerFor(tenant).readModelVersion()).toMatchObject({
      failing: false,
      behindSince: null,
    });
    try {
      const since = await projectionFailingSince(tenant, position, 5_000);
      expect(await ledgerFor(tenant).readModelVersion()).toMatchObject({
        failing: true,
        behindSince: since,
      });
      await sleep(1_100); // the isolate's version memo expires: it asks the ledger again
      expect(await ledgerFor(tenant).readModelVersion()).toMatchObject({ failing: true });

      const stale = await timedGet(b.t, '/v1/customers');
      expect(stale.res.status).toBe(200);
      expect(stale.res.headers.get('X-Cache')).toBe('STALE');
      // Counted from the undelivered write (5 s back), not from the entry's build (~1 s back).
      const { min, max } = window(since, stale.started, stale.ended);
      expect(ageOf(stale.res)).toBeGreaterThanOrEqual(Math.max(min, 5));
      expect(ageOf(stale.res)).toBeLessThanOrEqual(max);

      const refused = await loggedGet(b.t, '/v1/customers', { vars: { STALE_MAX_AGE_S: '4' } });
      await expectTooStale(refused.res);
      expect(refused.request).toMatchObject(refusalLog('projection_failing'));
      expect(refused.request?.staleAgeS).toBeGreaterThanOrEqual(5);

      // Behind for 30 s: past the default maximum (10 s) as configured for every request.
      await projectionFailingSince(tenant, position, 30_000);
      await sleep(1_100);
      await expectTooStale(await get(b.t, '/v1/customers'));
    } finally {
      await projectionRecovered(tenant, position);
    }
    await sleep(1_100);
    const fresh = await get(b.t, '/v1/customers');
    expect(fresh.headers.get('X-Cache')).toBe('HIT');
    expect(fresh.headers.get('Age')).toBeNull();
  });
});
