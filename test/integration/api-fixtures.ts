/** Shared steps of the API suites: a fresh tenant with a customer, and write calls with the right headers. */
import { expect } from 'vitest';
import { call, token, uniqueTenant } from '../helpers';

export type Json = Record<string, unknown> & { id: string };

export interface Books {
  tenant: string;
  t: string;
  customerId: string;
  accounts: { receivable: string; revenue: string; taxPayable: string; cash: string; unappliedPayments: string };
}

/** A unique idempotency key. */
export const key = (): string => crypto.randomUUID();

/** POST with a fresh Idempotency-Key (override or drop it through `headers`). */
export function post(t: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
  const all: Record<string, string> = { 'Idempotency-Key': key(), ...headers };
  for (const [k, v] of Object.entries(all)) if (v === '') delete all[k];
  return call(path, { method: 'POST', token: t, body, headers: all });
}

/** PATCH, optionally with If-Match. */
export function patch(t: string, path: string, body: unknown, ifMatch?: string): Promise<Response> {
  return call(path, { method: 'PATCH', token: t, body, headers: ifMatch === undefined ? {} : { 'If-Match': ifMatch } });
}

/** GET with a token. */
export const get = (t: string, path: string): Promise<Response> => call(path, { token: t });

/** Asserts the status and returns the JSON body. */
export async function expectJson(res: Response, status: number): Promise<Json> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  return JSON.parse(text) as Json;
}

/** The tenant's ledger position (from the event feed's header). */
export async function positionOf(t: string): Promise<number> {
  const res = await get(t, '/v1/events?limit=1');
  expect(res.status).toBe(200);
  return Number(res.headers.get('X-Ledger-Position'));
}

/** Events of the tenant after `after` (one page of up to 500). */
export async function eventsAfter(t: string, after = 0): Promise<Array<Record<string, unknown>>> {
  const res = await get(t, `/v1/events?after=${after}&limit=500`);
  return ((await expectJson(res, 200)) as unknown as { data: Array<Record<string, unknown>> }).data;
}

/** A fresh tenant with one customer; its default accounts come from /v1/settings. */
export async function openBooks(): Promise<Books> {
  const tenant = uniqueTenant();
  const t = await token({ tenant });
  const customer = await expectJson(await post(t, '/v1/customers', { name: 'Acme Ltd', email: 'ap@acme.example' }), 201);
  const settings = (await expectJson(await get(t, '/v1/settings'), 200)) as unknown as { accounts: Books['accounts'] };
  return { tenant, t, customerId: customer.id, accounts: settings.accounts };
}

/** A draft invoice for the books' customer: one line of 100.00 with 10 % tax (total 110.00). */
export async function draftInvoice(b: Books, over: Record<string, unknown> = {}): Promise<Json> {
  const body = {
    customerId: b.customerId,
    currency: 'USD',
    issueDate: '2025-03-01',
    dueDate: '2025-03-31',
    lines: [{ description: 'Consulting', quantity: 1, unitAmount: 10_000, taxRate: 10 }],
    ...over,
  };
  return expectJson(await post(b.t, '/v1/invoices', body), 201);
}

/** An issued invoice (see `draftInvoice`). */
export async function issuedInvoice(b: Books, over: Record<string, unknown> = {}): Promise<Json> {
  const draft = await draftInvoice(b, over);
  return expectJson(await post(b.t, `/v1/invoices/${draft.id}/issue`), 200);
}

/** Asserts a problem+json answer with this status and code; returns the document. */
export async function expectProblem(res: Response, status: number, code: string): Promise<Record<string, unknown>> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  expect(res.headers.get('Content-Type')).toMatch(/^application\/problem\+json/);
  const body = JSON.parse(text) as Record<string, unknown>;
  expect(body, text).toMatchObject({ status, code, type: `https://finance-edge.dev/problems/${code}` });
  expect(typeof body.title).toBe('string');
  expect(typeof body.detail).toBe('string');
  return body;
}
