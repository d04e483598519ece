/**
 * Shared by the security suites: the `/v1` routes as `/openapi.json` lists them (with their
 * `x-permission`), a tenant holding one resource of every kind, and one well-formed request
 * per route, so a suite can call every route with any token and any ids.
 */
import { expect } from 'vitest';
import { call, token } from '../helpers';
import { draftInvoice, expectJson, get, issuedInvoice, key, openBooks, post, type Books } from '../integration/api-fixtures';

/** `METHOD /v1/path/{id}` as in the OpenAPI document. */
export type RouteKey = string;

export interface DocRoute {
  key: RouteKey;
  method: string;
  path: string;
  permission: string | undefined;
}

/** Every `/v1` operation of the public OpenAPI document. */
export async function documentedRoutes(): Promise<DocRoute[]> {
  const res = await call('/openapi.json');
  expect(res.status).toBe(200);
  const doc = (await res.json()) as { paths: Record<string, Record<string, { 'x-permission'?: string }>> };
  return Object.entries(doc.paths)
    .filter(([path]) => path.startsWith('/v1/'))
    .flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({
      key: `${method.toUpperCase()} ${path}`, method: method.toUpperCase(), path, permission: op['x-permission'],
    })));
}

/** Ids per URL collection (`accounts`, `invoices`, ...). */
export type Ids = Record<string, string>;

export interface Seeded extends Books {
  ids: Ids;
  issuedInvoiceId: string;
}

/** A fresh tenant (admin token `t`) with an account, a journal entry, a draft and an issued invoice, a payment, a customer and a vendor. */
export async function seedBooks(): Promise<Seeded> {
  const b = await openBooks();
  const created = async (path: string, body: unknown) => (await expectJson(await post(b.t, path, body), 201)).id;
  const account = await created('/v1/accounts', { code: '6900', name: 'Travel', type: 'expense' });
  const journal = await created('/v1/journal-entries', {
    date: '2025-03-05', currency: 'USD', lines: [{ accountId: account, debit: 500 }, { accountId: b.accounts.cash, credit: 500 }],
  });
  const draft = (await draftInvoice(b)).id;
  const issued = (await issuedInvoice(b)).id;
  const payment = await created('/v1/payments', { customerId: b.customerId, amount: 2_000, currency: 'USD', date: '2025-03-10', method: 'bank_transfer' });
  const vendor = await created('/v1/vendors', { name: 'Initech' });
  const ids = { accounts: account, 'journal-entries': journal, invoices: draft, payments: payment, customers: b.customerId, vendors: vendor };
  return { ...b, ids, issuedInvoiceId: issued };
}

/** Ids that exist nowhere, in the same shapes. */
export const UNKNOWN_IDS: Ids = {
  accounts: 'acc_0unknown0000000', 'journal-entries': 'je_0unknown0000000', invoices: 'inv_0unknown0000000',
  payments: 'pay_0unknown0000000', customers: 'cus_0unknown0000000', vendors: 'ven_0unknown0000000',
};

let codes = 7000;

/** A valid body (and query) per route; ids of referenced resources come from `s`. */
const REQUESTS: Record<RouteKey, (s: Seeded) => { body?: unknown; query?: string; headers?: Record<string, string> }> = {
  'POST /v1/accounts': () => ({ body: { code: String((codes += 1)), name: 'Misc', type: 'expense' } }),
  'PATCH /v1/accounts/{id}': () => ({ body: { name: 'Travel and lodging' } }),
  'POST /v1/journal-entries': (s) => ({
    body: { date: '2025-03-06', currency: 'USD', lines: [{ accountId: s.accounts.cash, debit: 100 }, { accountId: s.accounts.revenue, credit: 100 }] },
  }),
  'POST /v1/journal-entries/{id}/reverse': () => ({ body: { memo: 'Reversal' } }),
  'POST /v1/invoices': (s) => ({
    body: { customerId: s.customerId, currency: 'USD', issueDate: '2025-03-01', dueDate: '2025-03-31', lines: [{ description: 'Work', quantity: 1, unitAmount: 1_000 }] },
  }),
  'PATCH /v1/invoices/{id}': () => ({ body: { memo: 'Thanks' } }),
  'POST /v1/invoices/{id}/void': () => ({ body: {} }),
  'POST /v1/payments': (s) => ({ body: { customerId: s.customerId, amount: 100, currency: 'USD', date: '2025-03-11', method: 'cash' } }),
  'POST /v1/payments/{id}/allocations': (s) => ({ body: { allocations: [{ invoiceId: s.issuedInvoiceId, amount: 1 }] } }),
  'POST /v1/customers': () => ({ body: { name: 'Globex' } }),
  'PATCH /v1/customers/{id}': () => ({ body: { email: 'ar@acme.example' } }),
  'POST /v1/vendors': () => ({ body: { name: 'Initrode' } }),
  'PATCH /v1/vendors/{id}': () => ({ body: { name: 'Initech GmbH' } }),
  'PATCH /v1/settings': () => ({ body: { lockDate: '2000-01-31' } }),
  'GET /v1/events': () => ({ query: 'limit=5' }),
  'GET /v1/audit': (s) => ({ query: `streamId=customer:${s.customerId}` }),
  'GET /v1/search': () => ({ query: 'q=acme' }),
  'GET /v1/stream': () => ({ headers: { Upgrade: 'websocket' } }),
  'POST /v1/stream/tickets': () => ({ headers: { Origin: 'https://app.finance-edge.test' } }),
};

/** Calls `route` with token `t`, filling `{id}` from `ids` and the body from `s`. */
export function send(t: string, route: DocRoute, s: Seeded, ids: Ids = s.ids, headers: Record<string, string> = {}): Promise<Response> {
  const collection = route.path.split('/')[2] ?? '';
  const path = route.path.replace('{id}', ids[collection] ?? 'missing');
  const { body, query, headers: extra } = REQUESTS[route.key]?.(s) ?? {};
  const all = { ...(route.method === 'POST' ? { 'Idempotency-Key': key() } : {}), ...extra, ...headers };
  return call(query ? `${path}?${query}` : path, { method: route.method, token: t, body, headers: all });
}

/** The tenant's ledger position, from `GET /v1/me` (needs no permission). */
export async function ledgerPosition(tenant: string): Promise<number> {
  const res = await get(await token({ tenant, sub: 'position-probe', roles: [] }), '/v1/me');
  return Number(((await expectJson(res, 200)) as unknown as { ledgerPosition: number }).ledgerPosition);
}
