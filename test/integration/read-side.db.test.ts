/**
 * The read side end to end: lists and reports from Postgres behind the versioned cache,
 * read-your-writes with X-Min-Position, cache separation by tenant and scope, and refusals
 * of bad query parameters (degradation: read-side-degradation.db.test.ts).
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { problemOf, token, uniqueTenant } from '../helpers';
import { books, get, post } from './read-side-fixtures';

describe(`read side (${env.TEST_DB_BACKEND})`, () => {
  it('every list and report sees a write when the client passes its position', async () => {
    const b = await books(uniqueTenant());
    const cases: [string, (body: Record<string, unknown>) => void][] = [
      ['/v1/customers', (x) => expect(JSON.stringify(x)).toContain(b.customerId)],
      ['/v1/invoices?status=issued', (x) => expect((x.data as { id: string }[]).map((i) => i.id)).toContain(b.invoiceId)],
      ['/v1/journal-entries?sourceType=invoice', (x) => expect((x.data as unknown[]).length).toBe(1)],
      ['/v1/accounts?type=revenue', (x) => expect((x.data as unknown[]).length).toBeGreaterThan(0)],
      ['/v1/reports/trial-balance?asOf=2026-12-31', (x) => expect(JSON.stringify(x)).toContain('119000')],
      ['/v1/reports/ar-aging?asOf=2026-03-15', (x) => expect(JSON.stringify(x)).toContain(b.customerId)],
      ['/v1/reports/dashboard?asOf=2026-03-15', (x) => expect(JSON.stringify(x)).toContain('119000')],
      ['/v1/reports/account-balances', (x) => expect(JSON.stringify(x)).toContain('119000')],
    ];
    for (const [path, check] of cases) {
      const res = await get(b.t, path, b.position);
      expect(res.status, path).toBe(200);
      expect(Number(res.headers.get('X-Read-Model-Position')), path).toBeGreaterThanOrEqual(Number(b.position));
      check((await res.json()) as Record<string, unknown>);
    }
    // A later write is visible to the next read that carries its position: no stale HIT.
    const later = await post(b.t, '/v1/customers', { name: 'Second Customer' });
    const after = await get(b.t, '/v1/customers', later.position);
    expect(JSON.stringify(await after.json())).toContain('Second Customer');
  });

  it('caches by version: MISS then HIT; entries are never shared across tenants or permission scopes', async () => {
    const a = await books(uniqueTenant('a'));
    const b = await books(uniqueTenant('b'));
    const first = await get(a.t, '/v1/invoices?expand=customer', a.position);
    expect(first.headers.get('X-Cache')).toBe('MISS');
    const firstBody = await first.text();
    const second = await get(a.t, '/v1/invoices?expand=customer', a.position);
    expect(second.headers.get('X-Cache')).toBe('HIT');
    expect(await second.text()).toBe(firstBody);
    expect(JSON.parse(firstBody).data[0].customer).toMatchObject({ id: a.customerId, name: 'Read Side GmbH' });

    const other = await get(b.t, '/v1/invoices?expand=customer', b.position);
    expect(other.headers.get('X-Cache')).toBe('MISS');
    expect(JSON.stringify(await other.json())).not.toContain(a.invoiceId);

    const viewer = await token({ tenant: uniqueTenantOf(a), roles: ['viewer'] });
    const asViewer = await get(viewer, '/v1/invoices?expand=customer', a.position);
    expect(asViewer.headers.get('X-Cache')).toBe('MISS');
    const bypass = await get(a.t, '/v1/invoices?expand=customer', a.position, { 'Cache-Control': 'no-cache' });
    expect(bypass.headers.get('X-Cache')).toBe('BYPASS');
  });

  it('a report made for its default date shares the entry of that date named: the day is in the key', async () => {
    const b = await books(uniqueTenant());
    const today = new Date().toISOString().slice(0, 10);
    for (const [plain, named] of [
      ['/v1/reports/ar-aging', `/v1/reports/ar-aging?asOf=${today}`],
      ['/v1/reports/dashboard', `/v1/reports/dashboard?asOf=${today}`],
    ] as const) {
      const first = await get(b.t, plain, b.position);
      expect(first.headers.get('X-Cache'), plain).toBe('MISS');
      const same = await get(b.t, named, b.position);
      expect(same.headers.get('X-Cache'), named).toBe('HIT');
      expect(await same.text()).toBe(await first.text());
    }
  });

  it('a burst of identical reads at a new version builds the answer once; the rest wait for it', async () => {
    const b = await books(uniqueTenant());
    const later = await post(b.t, '/v1/customers', { name: 'Burst Customer' });
    const burst = await Promise.all(Array.from({ length: 12 }, () => get(b.t, '/v1/customers?limit=100', later.position)));
    const outcomes = burst.map((r) => r.headers.get('X-Cache'));
    const bodies = await Promise.all(burst.map((r) => r.text()));
    expect(burst.map((r) => r.status)).toEqual(Array(12).fill(200));
    expect(outcomes.filter((o) => o === 'MISS')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'HIT')).toHaveLength(11);
    expect(new Set(bodies).size).toBe(1);
    expect(bodies[0]).toContain('Burst Customer');
  });

  it('refuses bad query parameters with 400 problem+json', async () => {
    const b = await books(uniqueTenant());
    const other = await books(uniqueTenant());
    const page = await get(b.t, '/v1/accounts?limit=2', b.position);
    const { nextCursor } = (await page.json()) as { nextCursor: string };
    expect(page.headers.get('Link')).toMatch(/^<\/v1\/accounts\?limit=2&cursor=[^>]+>; rel="next"$/);
    const bad: [string, string?][] = [
      ['/v1/accounts?limit=0'], ['/v1/accounts?limit=1000'], ['/v1/invoices?status=paid,unknown'],
      ['/v1/invoices?issueDateFrom=2026-02-30', 'invalid_query'], ['/v1/invoices?issueDateFrom=yesterday'], ['/v1/payments?method=barter'],
      ['/v1/customers?colour=red'], [`/v1/accounts?limit=2&cursor=${nextCursor.slice(0, -2)}xx`, 'invalid_cursor'],
      [`/v1/accounts?limit=2&cursor=not-a-cursor`, 'invalid_cursor'],
      [`/v1/accounts?limit=2&type=asset&cursor=${nextCursor}`, 'invalid_cursor'],
      ['/v1/reports/trial-balance?asOf=2026-13-01', 'invalid_query'], ['/v1/search?q='],
    ];
    for (const [path, code] of bad) {
      const res = await get(b.t, path);
      expect(res.status, path).toBe(400);
      const body = await problemOf(res);
      if (code) expect(body.code, path).toBe(code);
    }
    // A cursor of tenant B's list is refused for tenant A (and reveals nothing).
    const foreign = await get(other.t, `/v1/accounts?limit=2&cursor=${nextCursor}`);
    expect(foreign.status).toBe(400);
    expect((await problemOf(foreign)).code).toBe('invalid_cursor');
  });

  it('compresses large JSON when the client accepts it', async () => {
    const b = await books(uniqueTenant());
    const res = await get(b.t, '/v1/accounts?limit=100', b.position, { 'Accept-Encoding': 'gzip' });
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Encoding')).toBe('gzip');
    expect(res.headers.get('Vary')).toContain('Accept-Encoding');
    // Exactly one layer of gzip: the body decodes to the JSON page.
    const raw = new Uint8Array(await res.arrayBuffer());
    const once = await new Response(new Blob([raw]).stream().pipeThrough(new DecompressionStream('gzip'))).text().catch(() => null);
    const body = once ?? new TextDecoder().decode(raw);
    expect((JSON.parse(body) as { data: unknown[] }).data.length).toBeGreaterThan(10);
    const plain = await get(b.t, '/v1/accounts?limit=100', b.position);
    expect(plain.headers.get('Content-Encoding')).toBeNull();
    const small = await get(b.t, '/v1/me', undefined, { 'Accept-Encoding': 'gzip' });
    expect(small.headers.get('Content-Encoding')).toBeNull();
  });

  it('a cached answer taken as gzip decodes, one layer deep, to the JSON it was built from, with every header', async () => {
    const b = await books(uniqueTenant());
    const path = '/v1/accounts?limit=100';
    const gz = { 'Accept-Encoding': 'gzip' };
    const miss = await get(b.t, path, b.position, gz);
    expect(miss.headers.get('X-Cache')).toBe('MISS');
    await miss.arrayBuffer();
    const plain = await get(b.t, path, b.position, { 'Accept-Encoding': 'identity' });
    expect(plain.headers.get('Content-Encoding')).toBeNull();
    const json = await plain.text();
    expect((JSON.parse(json) as { data: unknown[] }).data.length).toBeGreaterThan(10);
    // The gzip form is made after the MISS (waitUntil); whichever way a HIT is encoded, the
    // caller here (fetch semantics) decodes it once and must get the JSON itself. Sent twice
    // encoded, it would get gzip bytes. (The wire bytes: test/integration/precompressed.test.ts.)
    for (let i = 0; i < 5; i++) {
      const hit = await get(b.t, path, b.position, gz);
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
  return JSON.parse(atob(b.t.split('.')[1]?.replaceAll('-', '+').replaceAll('_', '/') ?? '')).tid as string;
}
