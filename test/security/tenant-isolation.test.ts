/**
 * Tenant isolation through the API. Tenant B's token on tenant A's ids answers exactly what
 * an id that exists nowhere answers (404, same body apart from the request id) on every
 * route with an id, reads and writes alike, and nothing is written anywhere. B's event feed
 * and audit trail never show A's events. The verified token's `tid` is the only source of
 * the tenant: headers, body fields, query parameters and other claims are ignored or refused.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { eventsAfter, openBooks, type Books } from '../fixtures/books';
import { documentedRoutes, ledgerPosition, send } from '../fixtures/routes';
import { seedBooks, UNKNOWN_IDS, type Seeded } from '../fixtures/books';
import { call, expectJson, expectProblem, get, post, problemOf, token } from '../fixtures/http';

const routes = await documentedRoutes();
const withId = routes.filter((r) => r.path.includes('{id}'));

/** A problem body without its per-request id. */
async function anonymous(res: Response): Promise<Record<string, unknown>> {
  const { requestId: _requestId, ...rest } = await problemOf(res);
  return rest;
}

describe('tenant isolation', () => {
  let a: Seeded;
  let b: Books;

  beforeAll(async () => {
    a = await seedBooks();
    b = await openBooks();
  });

  it('covers every resource kind, reads and writes', () => {
    const kinds = new Set(withId.map((r) => r.path.split('/')[2]));
    expect([...kinds].sort()).toEqual(Object.keys(UNKNOWN_IDS).sort());
    expect(withId.filter((r) => r.method === 'GET')).toHaveLength(kinds.size);
    expect(withId.length).toBeGreaterThan(kinds.size * 2);
  });

  it.each(withId.map((r) => [r.key, r] as const))(
    "%s with tenant A's id answers B like an unknown id",
    async (_key, route) => {
      const [beforeA, beforeB] = [await ledgerPosition(a.tenant), await ledgerPosition(b.tenant)];
      const foreign = await send(b.t, route, a, a.ids);
      const unknown = await send(b.t, route, a, UNKNOWN_IDS);
      expect(foreign.status).toBe(404);
      expect(unknown.status).toBe(404);
      expect(await anonymous(foreign)).toEqual(await anonymous(unknown));
      expect(foreign.headers.get('X-Ledger-Position')).toBe(
        unknown.headers.get('X-Ledger-Position'),
      );
      expect([await ledgerPosition(a.tenant), await ledgerPosition(b.tenant)]).toEqual([
        beforeA,
        beforeB,
      ]);
    },
  );

  it("A's resources are untouched and still A's", async () => {
    for (const [collection, id] of Object.entries(a.ids))
      await expectJson(await get(a.t, `/v1/${collection}/${id}`), 200);
  });

  it("B's audit trail of A's stream is the unknown-stream 404", async () => {
    for (const [kind, collection] of [
      ['customer', 'customers'],
      ['invoice', 'invoices'],
      ['journal', 'journal-entries'],
    ] as const) {
      const foreign = await get(b.t, `/v1/audit?streamId=${kind}:${a.ids[collection]}`);
      const unknown = await get(b.t, `/v1/audit?streamId=${kind}:${UNKNOWN_IDS[collection]}`);
      expect(foreign.status).toBe(404);
      expect(await anonymous(foreign)).toEqual(await anonymous(unknown));
    }
  });

  it("B's event feed never shows A's events", async () => {
    const feed = await eventsAfter(b.t);
    expect(feed.length).toBeGreaterThan(0);
    for (const e of feed) expect(e.tenantId).toBe(b.tenant);
    const text = JSON.stringify(feed);
    for (const id of [...Object.values(a.ids), a.issuedInvoiceId]) expect(text).not.toContain(id);
    // ... and A's feed holds A's events only.
    for (const e of await eventsAfter(a.t)) expect(e.tenantId).toBe(a.tenant);
  });
});

describe("the token's tid is the only tenant source", () => {
  it('an X-Tenant-Id header, a tenantId query parameter and extra claims are ignored', async () => {
    const [a, b] = [await openBooks(), await openBooks()];
    const beforeB = await ledgerPosition(b.tenant);
    const spoof = { 'X-Tenant-Id': b.tenant, 'X-Tenant': b.tenant, Tenant: b.tenant };
    const me = await call(`/v1/me?tenantId=${b.tenant}`, { token: a.t, headers: spoof });
    expect(await expectJson(me, 200)).toMatchObject({ tenantId: a.tenant });
    const created = await expectJson(
      await post(a.t, `/v1/customers?tenantId=${b.tenant}`, { name: 'Spoofed' }, spoof),
      201,
    );
    await expectJson(await get(a.t, `/v1/customers/${created.id}`), 200);
    await expectProblem(await get(b.t, `/v1/customers/${created.id}`), 404, 'customer_not_found');
    // On the strict reads (lists, feed, audit) a tenantId parameter is refused as unknown, never honoured.
    for (const path of [
      `/v1/events?tenantId=${b.tenant}`,
      `/v1/customers?tenantId=${b.tenant}`,
      `/v1/audit?streamId=customer:${created.id}&tenantId=${b.tenant}`,
    ]) {
      await expectProblem(
        await call(path, { token: a.t, headers: spoof }),
        400,
        'validation_failed',
      );
    }
    const feed = await call('/v1/events', { token: a.t, headers: spoof });
    for (const e of (
      (await expectJson(feed, 200)) as unknown as { data: Array<{ tenantId: string }> }
    ).data)
      expect(e.tenantId).toBe(a.tenant);
    const claims = await token({
      tenant: a.tenant,
      claims: { tenantId: b.tenant, tenant: b.tenant, org_id: b.tenant },
    });
    expect(await expectJson(await get(claims, '/v1/me'), 200)).toMatchObject({
      tenantId: a.tenant,
    });
    expect(await ledgerPosition(b.tenant)).toBe(beforeB);
  });

  it('a tenantId body field is refused as an unknown key (400) and nothing is written', async () => {
    const [a, b] = [await openBooks(), await openBooks()];
    const [beforeA, beforeB] = [await ledgerPosition(a.tenant), await ledgerPosition(b.tenant)];
    for (const [path, body] of [
      ['/v1/customers', { name: 'X', tenantId: b.tenant }],
      ['/v1/vendors', { name: 'X', tenant_id: b.tenant }],
      ['/v1/accounts', { code: '7777', name: 'X', type: 'expense', tenantId: b.tenant }],
    ] as const) {
      const problem = await expectProblem(await post(a.t, path, body), 400, 'validation_failed');
      expect(problem.errors).toEqual([
        { path: Object.keys(body).at(-1), message: 'is not a known field' },
      ]);
    }
    expect([await ledgerPosition(a.tenant), await ledgerPosition(b.tenant)]).toEqual([
      beforeA,
      beforeB,
    ]);
  });
});
