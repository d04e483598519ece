/**
 * The read families are complete (src/read/families.ts): one write of every event type, each
 * projected, and after each one every cached route's answer (built fresh, `Cache-Control:
 * no-cache`) compared with the answer before. A route whose answer changed must have changed
 * its cache key, or a reader would be served the old entry as a HIT. This is what makes it
 * safe to key entries by family instead of by the tenant's whole position.
 */
import { runDurableObjectAlarm } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { DomainEventType } from '../../src/domain/events';
import {
  keyVersion,
  MOVES,
  ROUTE_READS,
  type CachedRoute,
  type FamilyVersions,
} from '../../src/read/families';
import { eventsAfter, openBooks, type Books } from '../fixtures/books';
import { call, expectJson, type Json, patch, post } from '../fixtures/http';

/** One concrete read per cached route (typed: a new route does not compile until it is here). */
const READS: Record<CachedRoute, string> = {
  '/v1/accounts': '/v1/accounts?limit=100',
  '/v1/journal-entries': '/v1/journal-entries?limit=100',
  '/v1/invoices': '/v1/invoices?expand=customer&limit=100',
  '/v1/payments': '/v1/payments?expand=customer&limit=100',
  '/v1/customers': '/v1/customers?limit=100',
  '/v1/vendors': '/v1/vendors?limit=100',
  '/v1/reports/trial-balance': '/v1/reports/trial-balance?asOf=2025-12-31',
  '/v1/reports/ar-aging': '/v1/reports/ar-aging?asOf=2025-06-30',
  '/v1/reports/dashboard': '/v1/reports/dashboard?asOf=2025-06-30&from=2025-01-01&to=2025-12-31',
  '/v1/reports/account-balances': '/v1/reports/account-balances',
  '/v1/search': '/v1/search?q=acme',
};
const ROUTES = Object.keys(ROUTE_READS) as CachedRoute[];

const ledgerOf = (tenant: string) => env.TENANT_LEDGER.get(env.TENANT_LEDGER.idFromName(tenant));

/** Runs alarms until the projection has delivered everything (bounded); the family versions then. */
async function projected(tenant: string): Promise<FamilyVersions> {
  const stub = ledgerOf(tenant);
  for (let i = 0; i < 20; i++) {
    const status = await stub.projectionStatus();
    if (status.outboxDepth === 0 && status.projectedPosition === status.position)
      return (await stub.readModelVersion()).families;
    await runDurableObjectAlarm(stub);
  }
  throw new Error(`projection did not catch up: ${JSON.stringify(await stub.projectionStatus())}`);
}

/** Every cached route's answer, built from Postgres (no cache). */
async function answers(t: string): Promise<Record<CachedRoute, string>> {
  const out = {} as Record<CachedRoute, string>;
  for (const route of ROUTES) {
    const res = await call(READS[route], { token: t, headers: { 'Cache-Control': 'no-cache' } });
    const text = await res.text();
    expect(res.status, `${READS[route]}: ${text}`).toBe(200);
    expect(res.headers.get('X-Cache')).toBe('BYPASS');
    out[route] = text;
  }
  return out;
}

const ok = async (res: Promise<Response>, status = 200): Promise<Json> =>
  expectJson(await res, status);

/** The writes, in an order where each finds what it needs; between them, every event type. */
function writes(b: Books) {
  const ids: Record<string, string> = {};
  const invoice = (over: Record<string, unknown> = {}) => ({
    customerId: b.customerId,
    currency: 'USD',
    issueDate: '2025-03-01',
    dueDate: '2025-03-31',
    lines: [{ description: 'Acme consulting', quantity: 1, unitAmount: 10_000, taxRate: 10 }],
    ...over,
  });
  const steps: [string, () => Promise<unknown>][] = [
    [
      'create a vendor',
      async () =>
        (ids.vendor = (await ok(post(b.t, '/v1/vendors', { name: 'Acme Supplies' }), 201)).id),
    ],
    ['update the vendor', () => ok(patch(b.t, `/v1/vendors/${ids.vendor}`, { taxId: 'V-100' }))],
    ['deactivate the vendor', () => ok(post(b.t, `/v1/vendors/${ids.vendor}/deactivate`))],
    [
      'create an account',
      async () =>
        (ids.parent = (
          await ok(
            post(b.t, '/v1/accounts', { code: '4900', name: 'Acme revenue', type: 'revenue' }),
            201,
          )
        ).id),
    ],
    [
      'create a child account',
      async () =>
        (ids.child = (
          await ok(
            post(b.t, '/v1/accounts', {
              code: '4910',
              name: 'Acme services',
              type: 'revenue',
              parentId: ids.parent,
            }),
            201,
          )
        ).id),
    ],
    [
      'rename the account',
      () => ok(patch(b.t, `/v1/accounts/${ids.parent}`, { name: 'Acme other revenue' })),
    ],
    [
      'detach the child account',
      () => ok(patch(b.t, `/v1/accounts/${ids.child}`, { parentId: null })),
    ],
    ['deactivate the child account', () => ok(post(b.t, `/v1/accounts/${ids.child}/deactivate`))],
    [
      'post a journal entry',
      async () => {
        const body = {
          date: '2025-02-10',
          memo: 'Cash sale',
          currency: 'USD',
          lines: [
            { accountId: b.accounts.cash, debit: 5_000 },
            { accountId: ids.parent, credit: 5_000 },
          ],
        };
        ids.journal = (await ok(post(b.t, '/v1/journal-entries', body), 201)).id;
      },
    ],
    [
      'reverse the journal entry',
      () =>
        ok(post(b.t, `/v1/journal-entries/${ids.journal}/reverse`, { date: '2025-02-11' }), 201),
    ],
    [
      'create a draft invoice',
      async () => (ids.invoice = (await ok(post(b.t, '/v1/invoices', invoice()), 201)).id),
    ],
    [
      'update the draft',
      () => ok(patch(b.t, `/v1/invoices/${ids.invoice}`, { dueDate: '2025-04-15' })),
    ],
    ['issue the invoice', () => ok(post(b.t, `/v1/invoices/${ids.invoice}/issue`))],
    [
      'record a payment applied to it',
      () =>
        ok(
          post(b.t, '/v1/payments', {
            customerId: b.customerId,
            amount: 5_000,
            currency: 'USD',
            date: '2025-03-10',
            method: 'bank_transfer',
            allocations: [{ invoiceId: ids.invoice, amount: 5_000 }],
          }),
          201,
        ),
    ],
    [
      'record an unapplied payment',
      async () =>
        (ids.credit = (
          await ok(
            post(b.t, '/v1/payments', {
              customerId: b.customerId,
              amount: 3_000,
              currency: 'USD',
              date: '2025-03-12',
              method: 'card',
            }),
            201,
          )
        ).id),
    ],
    [
      'allocate it',
      () =>
        ok(
          post(b.t, `/v1/payments/${ids.credit}/allocations`, {
            date: '2025-03-12',
            allocations: [{ invoiceId: ids.invoice, amount: 3_000 }],
          }),
        ),
    ],
    [
      'void a draft',
      async () => {
        const draft = await ok(post(b.t, '/v1/invoices', invoice({ memo: 'to be voided' })), 201);
        await ok(post(b.t, `/v1/invoices/${draft.id}/void`, { date: '2025-03-05' }));
      },
    ],
    ['create a customer', () => ok(post(b.t, '/v1/customers', { name: 'Acme Two' }), 201)],
    [
      'rename the invoiced customer',
      () => ok(patch(b.t, `/v1/customers/${b.customerId}`, { name: 'Acme Renamed' })),
    ],
    [
      'deactivate the invoiced customer',
      () => ok(post(b.t, `/v1/customers/${b.customerId}/deactivate`)),
    ],
    ['set a lock date', () => ok(patch(b.t, '/v1/settings', { lockDate: '2025-01-31' }))],
  ];
  return steps;
}

describe(`read families (${env.TEST_DB_BACKEND})`, () => {
  it('every write that changes a cached answer changes its cache key', async () => {
    const b = await openBooks();
    let families = await projected(b.tenant);
    let before = await answers(b.t);
    const changed: Record<string, CachedRoute[]> = {};
    const kept: Record<string, CachedRoute[]> = {};
    for (const [name, write] of writes(b)) {
      await write();
      const next = await projected(b.tenant);
      const after = await answers(b.t);
      changed[name] = ROUTES.filter((r) => after[r] !== before[r]);
      kept[name] = ROUTES.filter((r) => keyVersion(next, r) === keyVersion(families, r));
      for (const route of changed[name]) {
        expect(
          keyVersion(next, route),
          `${name}: ${route} changed but kept its key`,
        ).toBeGreaterThan(keyVersion(families, route));
      }
      families = next;
      before = after;
    }
    // Every event type was written, so every entry of the table was put to the test.
    const seen = new Set((await eventsAfter(b.t, 0)).map((e) => e.type as DomainEventType));
    expect([...seen].sort()).toEqual(Object.keys(MOVES).sort());
    // The check has teeth: these writes do change answers that embed or list what they touch.
    expect(changed['rename the invoiced customer']).toEqual(
      expect.arrayContaining([
        '/v1/invoices',
        '/v1/payments',
        '/v1/reports/ar-aging',
        '/v1/customers',
      ]),
    );
    expect(changed['issue the invoice']).toEqual(
      expect.arrayContaining([
        '/v1/invoices',
        '/v1/journal-entries',
        '/v1/reports/trial-balance',
        '/v1/reports/dashboard',
      ]),
    );
    // And the point of families: a new customer leaves the invoice, payment and report entries alone.
    expect(kept['create a customer']).toEqual(
      expect.arrayContaining([
        '/v1/invoices',
        '/v1/payments',
        '/v1/reports/ar-aging',
        '/v1/reports/trial-balance',
        '/v1/reports/dashboard',
      ]),
    );
    expect(kept['create a customer']).not.toContain('/v1/customers');
  }, 120_000);
});
