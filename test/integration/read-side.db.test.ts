/**
 * The read side end to end: lists and reports from Postgres behind the versioned cache,
 * read-your-writes with X-Min-Position, cache separation by tenant and scope, degradation
 * while Postgres is down or the build slots are taken, and refusals of bad query parameters.
 */
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it } from 'vitest';
import { buildSlots } from '../../src/cache/build-slots';
import { books, LATER_WRITES, laterWrites, loggedGet } from '../fixtures/read-side';
import {
  call,
  cutBridge,
  get,
  problemOf,
  restoreBridge,
  token,
  uniqueTenant,
  write,
} from '../fixtures/http';

/** Bad parameters answer 400 even when nothing can be built (Postgres down, no build slot). */
async function expectRefusedWithoutPostgres(t: string): Promise<void> {
  for (const path of [
    '/v1/customers?limit=0',
    '/v1/invoices?limit=2&cursor=not-a-cursor',
    '/v1/payments?dateFrom=2026-02-30',
    '/v1/reports/dashboard?asOf=2026-13-01',
    '/v1/reports/dashboard?from=2099-01-01',
    '/v1/search?q=x&limit=99',
  ]) {
    const res = await get(t, path);
    expect(res.status, path).toBe(400);
    await problemOf(res);
  }
}

// The outage tests cut their own tenant's database connections (cutBridge), so suites running
// beside them keep their database.
afterEach(async () => {
  await restoreBridge();
});

describe(`read side (${env.TEST_DB_BACKEND})`, () => {
  it('every list, report and search shows a later write to the client that passes its position, with an older answer cached', async () => {
    const b = await books(uniqueTenant());
    // Each route is cached at the books' position first, so a stale HIT would fail below.
    const cached = new Map<string, string>();
    for (const path of Object.keys(LATER_WRITES)) {
      const res = await get(b.t, path, { minPosition: b.position });
      expect(res.status, path).toBe(200);
      cached.set(path, await res.text());
      expect((await get(b.t, path, { minPosition: b.position })).headers.get('X-Cache'), path).toBe(
        'HIT',
      );
    }
    const { ids, position } = await laterWrites(b);
    for (const [path, sees] of Object.entries(LATER_WRITES)) {
      const res = await get(b.t, path, { minPosition: position });
      expect(res.status, path).toBe(200);
      expect(Number(res.headers.get('X-Read-Model-Position')), path).toBeGreaterThanOrEqual(
        Number(position),
      );
      const text = await res.text();
      expect(text, path).not.toBe(cached.get(path));
      sees(text, ids, path);
    }
  });

  it('caches by version: MISS then HIT; entries are never shared across tenants or permission scopes', async () => {
    const a = await books(uniqueTenant('a'));
    const b = await books(uniqueTenant('b'));
    const first = await get(a.t, '/v1/invoices?expand=customer', { minPosition: a.position });
    expect(first.headers.get('X-Cache')).toBe('MISS');
    const firstBody = await first.text();
    const second = await get(a.t, '/v1/invoices?expand=customer', { minPosition: a.position });
    expect(second.headers.get('X-Cache')).toBe('HIT');
    expect(await second.text()).toBe(firstBody);
    expect(JSON.parse(firstBody).data[0].customer).toMatchObject({
      id: a.customerId,
      name: 'Read Side GmbH',
    });

    const other = await get(b.t, '/v1/invoices?expand=customer', { minPosition: b.position });
    expect(other.headers.get('X-Cache')).toBe('MISS');
    expect(JSON.stringify(await other.json())).not.toContain(a.invoiceId);

    const viewer = await token({ tenant: uniqueTenantOf(a), roles: ['viewer'] });
    const asViewer = await get(viewer, '/v1/invoices?expand=customer', { minPosition: a.position });
    expect(asViewer.headers.get('X-Cache')).toBe('MISS');
    const bypass = await get(a.t, '/v1/invoices?expand=customer', {
      minPosition: a.position,
      headers: { 'Cache-Control': 'no-cache' },
    });
    expect(bypass.headers.get('X-Cache')).toBe('BYPASS');
  });

  it('a report made for its default date shares the entry of that date named: the day is in the key', async () => {
    const b = await books(uniqueTenant());
    const today = new Date().toISOString().slice(0, 10);
    for (const [plain, named] of [
      ['/v1/reports/ar-aging', `/v1/reports/ar-aging?asOf=${today}`],
      ['/v1/reports/dashboard', `/v1/reports/dashboard?asOf=${today}`],
    ] as const) {
      const first = await get(b.t, plain, { minPosition: b.position });
      expect(first.headers.get('X-Cache'), plain).toBe('MISS');
      const same = await get(b.t, named, { minPosition: b.position });
      expect(same.headers.get('X-Cache'), named).toBe('HIT');
      expect(await same.text()).toBe(await first.text());
    }
  });

  it('a burst of identical reads at a new version builds the answer once; the rest wait for it', async () => {
    const b = await books(uniqueTenant());
    const later = await write(b.t, '/v1/customers', { name: 'Burst Customer' });
    const burst = await Promise.all(
      Array.from({ length: 12 }, () =>
        get(b.t, '/v1/customers?limit=100', { minPosition: later.position }),
      ),
    );
    const outcomes = burst.map((r) => r.headers.get('X-Cache'));
    const bodies = await Promise.all(burst.map((r) => r.text()));
    expect(burst.map((r) => r.status)).toEqual(Array(12).fill(200));
    expect(outcomes.filter((o) => o === 'MISS')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'HIT')).toHaveLength(11);
    expect(new Set(bodies).size).toBe(1);
    expect(bodies[0]).toContain('Burst Customer');
  });

  it('serves the last cached answer marked STALE while Postgres is down, 503 when nothing is cached, and recovers', async () => {
    const tenant = uniqueTenant();
    const b = await books(tenant);
    const warm = await get(b.t, '/v1/customers', { minPosition: b.position });
    expect(warm.status).toBe(200);
    await warm.text();
    await new Promise((r) => setTimeout(r, 1100)); // let the version memo expire

    await cutBridge(tenant);
    const written = await write(b.t, '/v1/customers', { name: 'Written During Outage' });
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
    // Its Age counts from the write Postgres has not received (src/cache/stale-age.ts).
    expect(Number(logged.res.headers.get('Age'))).toBeLessThanOrEqual(10);
    expect(logged.request).toMatchObject({
      status: 200,
      cache: 'STALE',
      staleReason: 'projection_failing',
    });
    const uncached = await loggedGet(b.t, '/v1/reports/ar-aging?asOf=2026-01-01');
    expect(uncached.res.status).toBe(503);
    expect(uncached.res.headers.get('Retry-After')).toBeTruthy();
    expect(uncached.res.headers.get('X-Cache')).toBe('MISS');
    expect(await problemOf(uncached.res)).toMatchObject({ code: 'read_model_unavailable' });
    expect(uncached.request).toMatchObject({ status: 503, cache: 'MISS' });
    // Bad parameters are still 400s: they are checked before the cache and Postgres.
    await expectRefusedWithoutPostgres(b.t);
    // Single resources are still answered by the ledger.
    const one = await call(`/v1/customers/${String(written.body.id)}`, { token: b.t });
    expect(one.status).toBe(200);

    await restoreBridge();
    const fresh = await get(b.t, '/v1/customers', { minPosition: written.position });
    expect(fresh.status).toBe(200);
    expect(JSON.stringify(await fresh.json())).toContain('Written During Outage');
    // With no manual step, readers that send no position get fresh answers again too.
    let plain = await get(b.t, '/v1/customers');
    for (let i = 0; i < 30 && plain.headers.get('X-Cache') === 'STALE'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      plain = await get(b.t, '/v1/customers');
    }
    expect(plain.headers.get('X-Cache')).toMatch(/^(HIT|MISS)$/);
    expect(JSON.stringify(await plain.json())).toContain('Written During Outage');
    const aging = await get(b.t, '/v1/reports/ar-aging?asOf=2026-01-01');
    expect(aging.status).toBe(200);
    expect(aging.headers.get('X-Cache')).toBe('MISS');
  });

  it('with every build slot taken, a read that needs Postgres answers 503 (or STALE) instead of opening another connection', async () => {
    const b = await books(uniqueTenant());
    const later = await write(b.t, '/v1/customers', { name: 'Slotless Customer' });
    // Earlier tests' builds may still hold a slot for a moment: take each as it comes free.
    const held: ((() => void) | null)[] = [];
    while (held.length < buildSlots.max) held.push(await buildSlots.acquire(10_000));
    expect(held.every((r) => typeof r === 'function')).toBe(true);
    try {
      const refused = await get(b.t, '/v1/customers', { minPosition: later.position });
      expect(refused.status).toBe(503);
      expect(await problemOf(refused)).toMatchObject({ code: 'read_model_unavailable' });
      // The request log names the cause, for telling it apart from a ledger that cannot be asked.
      const logged = await loggedGet(b.t, '/v1/customers?limit=7');
      expect(logged.res.status).toBe(503);
      expect(logged.request).toMatchObject({
        status: 503,
        cache: 'MISS',
        staleReason: 'build_failed',
        staleError: 'NoBuildSlotError: no build slot free',
      });
      // Bad parameters need no slot: still 400s.
      await expectRefusedWithoutPostgres(b.t);
    } finally {
      for (const release of held) release?.();
    }
    const fresh = await get(b.t, '/v1/customers', { minPosition: later.position });
    expect(fresh.status).toBe(200);
    expect(fresh.headers.get('X-Cache')).toBe('MISS');
    expect(JSON.stringify(await fresh.json())).toContain('Slotless Customer');
  });

  it('compresses large JSON when the client accepts it', async () => {
    const b = await books(uniqueTenant());
    const res = await get(b.t, '/v1/accounts?limit=100', {
      minPosition: b.position,
      headers: { 'Accept-Encoding': 'gzip' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Encoding')).toBe('gzip');
    expect(res.headers.get('Vary')).toContain('Accept-Encoding');
    // Exactly one layer of gzip: the body decodes to the JSON page.
    const raw = new Uint8Array(await res.arrayBuffer());
    const once = await new Response(
      new Blob([raw]).stream().pipeThrough(new DecompressionStream('gzip')),
    )
      .text()
      .catch(() => null);
    const body = once ?? new TextDecoder().decode(raw);
    expect((JSON.parse(body) as { data: unknown[] }).data.length).toBeGreaterThan(10);
    const plain = await get(b.t, '/v1/accounts?limit=100', { minPosition: b.position });
    expect(plain.headers.get('Content-Encoding')).toBeNull();
    const small = await get(b.t, '/v1/me', {
      minPosition: undefined,
      headers: { 'Accept-Encoding': 'gzip' },
    });
    expect(small.headers.get('Content-Encoding')).toBeNull();
  });

  it('a cached answer taken as gzip decodes, one layer deep, to the JSON it was built from, with every header', async () => {
    const b = await books(uniqueTenant());
    const path = '/v1/accounts?limit=100';
    const gz = { 'Accept-Encoding': 'gzip' };
    const miss = await get(b.t, path, { minPosition: b.position, headers: gz });
    expect(miss.headers.get('X-Cache')).toBe('MISS');
    await miss.arrayBuffer();
    const plain = await get(b.t, path, {
      minPosition: b.position,
      headers: { 'Accept-Encoding': 'identity' },
    });
    expect(plain.headers.get('Content-Encoding')).toBeNull();
    const json = await plain.text();
    expect((JSON.parse(json) as { data: unknown[] }).data.length).toBeGreaterThan(10);
    // The gzip form is made after the MISS (waitUntil); whichever way a HIT is encoded, the
    // caller here (fetch semantics) decodes it once and must get the JSON itself. Sent twice
    // encoded, it would get gzip bytes. (The wire bytes: test/integration/precompressed.test.ts.)
    for (let i = 0; i < 5; i++) {
      const hit = await get(b.t, path, { minPosition: b.position, headers: gz });
      expect(hit.headers.get('X-Cache')).toBe('HIT');
      expect(hit.headers.get('Content-Encoding')).toBe('gzip');
      expect(hit.headers.get('Vary')).toContain('Accept-Encoding');
      expect(hit.headers.get('X-Request-Id')).toBeTruthy();
      expect(hit.headers.get('RateLimit')).toBeTruthy();
      expect(hit.headers.get('X-Content-Type-Options')).toBe('nosniff');
      expect(await hit.text()).toBe(json);
      await new Promise((r) => setTimeout(r, 30));
    }
  });
});

function uniqueTenantOf(b: { t: string }): string {
  return JSON.parse(atob(b.t.split('.')[1]?.replaceAll('-', '+').replaceAll('_', '/') ?? ''))
    .tid as string;
}
