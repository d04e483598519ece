/** Hostile or careless input never produces a 5xx: every route answers 4xx problem+json. */
import { describe, expect, it } from 'vitest';
import { openBooks } from '../fixtures/books';
import { call, key } from '../fixtures/http';

const WRITES: Array<[string, string]> = [
  ['POST', '/v1/accounts'],
  ['PATCH', '/v1/accounts/acc_x'],
  ['POST', '/v1/accounts/acc_x/deactivate'],
  ['POST', '/v1/journal-entries'],
  ['POST', '/v1/journal-entries/je_x/reverse'],
  ['POST', '/v1/invoices'],
  ['PATCH', '/v1/invoices/inv_x'],
  ['POST', '/v1/invoices/inv_x/issue'],
  ['POST', '/v1/invoices/inv_x/void'],
  ['POST', '/v1/payments'],
  ['POST', '/v1/payments/pay_x/allocations'],
  ['POST', '/v1/customers'],
  ['PATCH', '/v1/customers/cus_x'],
  ['POST', '/v1/vendors/ven_x/deactivate'],
  ['PATCH', '/v1/settings'],
];

const BODIES = [
  '{',
  '[]',
  'null',
  '"x"',
  '123',
  '{}',
  '{"__proto__":{"x":1}}',
  '{"constructor":{"prototype":{}}}',
  '{"lines":[null,1,"x",{}]}',
  '{"amount":1e400}',
  '{"date":"9999-99-99","lines":[{"quantity":1e308,"taxRate":-0}]}',
  `{"name":"${'é'.repeat(1000)}"}`,
  '{"allocations":[{"invoiceId":{},"amount":[]}]}',
  '{"accounts":null,"lockDate":5}',
];

describe('robustness', () => {
  it('every write route × odd body answers 4xx problem+json, never 5xx', async () => {
    const { t } = await openBooks();
    for (const [method, path] of WRITES) {
      for (const rawBody of BODIES) {
        const res = await call(path, {
          method,
          token: t,
          rawBody,
          headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key() },
        });
        const label = `${method} ${path} ${rawBody.slice(0, 40)}`;
        expect(res.status, label).toBeGreaterThanOrEqual(400);
        expect(res.status, label).toBeLessThan(500);
        expect(res.headers.get('Content-Type'), label).toMatch(/^application\/problem\+json/);
      }
    }
  });

  it('odd ids, queries and headers answer 4xx', async () => {
    const { t } = await openBooks();
    const paths = [
      '/v1/accounts/%ff',
      '/v1/invoices/..%2f..%2fsettings',
      '/v1/payments/pay_%00',
      `/v1/customers/cus_${'a'.repeat(5000)}`,
      '/v1/events?after=99999999999999999999',
      '/v1/events?limit=&after=',
      '/v1/events?after=1&after=2',
    ];
    for (const path of paths) {
      const res = await call(path, { token: t });
      expect(res.status, path).toBeGreaterThanOrEqual(400);
      expect(res.status, path).toBeLessThan(500);
    }
    const res = await call('/v1/customers', {
      method: 'POST',
      token: t,
      body: { name: 'x' },
      headers: { 'Idempotency-Key': key(), 'If-Match': 'W/"' },
    });
    expect(res.status).toBe(201); // If-Match is not part of a create and is ignored there
  });
});
