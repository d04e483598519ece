/** Helpers of the read-side suites: writes and reads through the Worker, seeded books, a logged read, the later writes every route must show. */
import { env } from 'cloudflare:workers';
import { expect, vi } from 'vitest';
import { createApp } from '../../src/app';
import { call, token } from '../helpers';

let keys = 0;
export async function post(t: string, path: string, body: unknown) {
  const res = await call(path, { method: 'POST', token: t, body, headers: { 'Idempotency-Key': `rs-${Date.now()}-${(keys += 1)}` } });
  if (res.status >= 300) throw new Error(`POST ${path} -> ${res.status} ${await res.text()}`);
  return { body: (await res.json()) as Record<string, unknown>, position: res.headers.get('X-Ledger-Position') ?? '0' };
}

export function get(t: string, path: string, position?: string, headers: Record<string, string> = {}) {
  return call(path, { token: t, headers: position ? { 'X-Min-Position': position, ...headers } : headers });
}

/** A GET through the app with LOG_LEVEL=info, and the request log line it wrote. */
export async function loggedGet(t: string, path: string) {
  const lines: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((l: unknown) => void lines.push(String(l)));
  const waits: Promise<unknown>[] = [];
  const ctx = { waitUntil: (p: Promise<unknown>) => void waits.push(p), passThroughOnException() {}, props: {} } as unknown as ExecutionContext;
  try {
    const res = await createApp().fetch(new Request(`http://x${path}`, { headers: { Authorization: `Bearer ${t}` } }), { ...env, LOG_LEVEL: 'info' }, ctx);
    await Promise.allSettled(waits);
    const request = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'request');
    return { res, request };
  } finally {
    spy.mockRestore();
  }
}

export async function books(tenant: string) {
  const t = await token({ tenant, roles: ['admin'] });
  const customer = await post(t, '/v1/customers', { name: 'Read Side GmbH', email: 'ap@readside.example' });
  const draft = await post(t, '/v1/invoices', {
    customerId: customer.body.id, currency: 'EUR', issueDate: '2026-02-01', dueDate: '2026-02-28',
    lines: [{ description: 'Consulting', quantity: 2, unitAmount: 50_000, taxRate: 19 }],
  });
  const issued = await post(t, `/v1/invoices/${String(draft.body.id)}/issue`, {});
  return { t, customerId: String(customer.body.id), invoiceId: String(draft.body.id), position: issued.position };
}

type Ids = Record<'customer' | 'vendor' | 'account' | 'payment' | 'invoice', string>;

/** The writes LATER_WRITES looks for, on top of `books`: a customer, a vendor, an account and a 3,000 payment on the invoice. */
export async function laterWrites(b: { t: string; customerId: string; invoiceId: string }): Promise<{ ids: Ids; position: string }> {
  const customer = await post(b.t, '/v1/customers', { name: 'Zephyr Later GmbH' });
  const vendor = await post(b.t, '/v1/vendors', { name: 'Zephyr Supplies' });
  const account = await post(b.t, '/v1/accounts', { code: '4900', name: 'Zephyr revenue', type: 'revenue' });
  const payment = await post(b.t, '/v1/payments', {
    customerId: b.customerId, amount: 3_000, currency: 'EUR', date: '2026-03-01', method: 'bank_transfer', reference: 'ZEPHYR-1',
    allocations: [{ invoiceId: b.invoiceId, amount: 3_000 }],
  });
  const ids = { customer: String(customer.body.id), vendor: String(vendor.body.id), account: String(account.body.id), payment: String(payment.body.id), invoice: b.invoiceId };
  return { ids, position: payment.position };
}
const has = (key: keyof Ids) => (text: string, ids: Ids, path: string) => expect(text, path).toContain(ids[key]);
/** Routes, and what each must show after a new customer, vendor, account and a 3,000 payment on the 119,000 invoice. */
export const LATER_WRITES: Record<string, (text: string, ids: Ids, path: string) => void> = {
  '/v1/customers': has('customer'),
  '/v1/vendors': has('vendor'),
  '/v1/accounts?type=revenue': has('account'),
  '/v1/payments': has('payment'),
  '/v1/invoices': (text, ids, path) => expect(JSON.parse(text).data.find((i: { id: string }) => i.id === ids.invoice), path).toMatchObject({ status: 'partially_paid', balanceDue: 116_000 }),
  '/v1/journal-entries?sourceType=payment': (text, _ids, path) => expect(JSON.parse(text).data, path).toHaveLength(1),
  '/v1/search?q=zephyr': (text, ids, path) => expect([text.includes(ids.customer), text.includes(ids.vendor)], path).toEqual([true, true]),
  '/v1/reports/trial-balance?asOf=2026-12-31': (text, _ids, path) => expect(text, path).toContain('116000'),
  '/v1/reports/ar-aging?asOf=2026-03-15': (text, _ids, path) => expect(text, path).toContain('116000'),
  '/v1/reports/dashboard?asOf=2026-03-15': (text, _ids, path) => expect(JSON.parse(text).currencies, path).toEqual([{ currency: 'EUR', outstanding: 116_000, overdue: 116_000, received: 3_000 }]),
  '/v1/reports/account-balances': (text, _ids, path) => expect(text, path).toContain('116000'),
};
