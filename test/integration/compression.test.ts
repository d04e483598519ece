/**
 * gzip only for a client that accepts it (RFC 9110 q-values): a write's answer and a problem
 * body above 1 KiB, under every Accept-Encoding worth telling apart, and the edge's case where
 * the header reads `br, gzip` but `cf.clientAcceptEncoding` holds what the client sent. Inside
 * workerd the bodies arrive decoded, so the header is what is checked here; the bytes on the
 * wire are checked in wire.node.test.ts and wrangler-dev.node.test.ts.
 */
import { exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { openBooks, type Books } from '../fixtures/books';
import { BASE, key } from '../fixtures/http';

const CASES: Array<[string | undefined, boolean]> = [
  [undefined, false],
  ['', false],
  ['identity', false],
  ['br', false],
  ['deflate', false],
  ['gzip;q=0', false],
  ['gzip;q=0, *;q=1', false],
  ['*;q=0', false],
  ['gzip', true],
  ['GZIP;q=0.5', true],
  ['br, gzip', true],
  ['*', true],
];

function invoiceBody(b: Books): string {
  const lines = Array.from({ length: 12 }, (_, i) => ({
    description: `Consulting, week ${i + 1}`,
    quantity: 1,
    unitAmount: 10_000 + i,
  }));
  return JSON.stringify({
    customerId: b.customerId,
    currency: 'USD',
    issueDate: '2025-03-01',
    dueDate: '2025-03-31',
    lines,
  });
}

function send(
  b: Books,
  path: string,
  body: string,
  headers: Record<string, string>,
  cf?: Record<string, unknown>,
): Promise<Response> {
  const init: RequestInit & { cf?: Record<string, unknown> } = {
    method: 'POST',
    body,
    headers: {
      Authorization: `Bearer ${b.t}`,
      'Content-Type': 'application/json',
      'Idempotency-Key': key(),
      ...headers,
    },
  };
  if (cf) init.cf = cf;
  return exports.default.fetch(new Request(`${BASE}${path}`, init));
}

const tooManyKeys = JSON.stringify({
  name: 'x',
  ...Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`unknownField${i}`, i])),
});

describe('Content-Encoding follows Accept-Encoding', () => {
  it.each(CASES)(
    'Accept-Encoding %j → gzip %s (a 201 and a 400 problem, both over 1 KiB)',
    async (accept, gzip) => {
      const b = await openBooks();
      const headers: Record<string, string> =
        accept === undefined ? {} : { 'Accept-Encoding': accept };
      const created = await send(b, '/v1/invoices', invoiceBody(b), headers);
      expect(created.status).toBe(201);
      expect((await created.text()).length).toBeGreaterThan(1024);
      expect(created.headers.get('Content-Encoding')).toBe(gzip ? 'gzip' : null);
      expect(created.headers.get('Vary')).toContain('Accept-Encoding');

      const refused = await send(b, '/v1/customers', tooManyKeys, headers);
      expect(refused.status).toBe(400);
      expect(refused.headers.get('Content-Type')).toMatch(/^application\/problem\+json/);
      expect((await refused.text()).length).toBeGreaterThan(1024);
      expect(refused.headers.get('Content-Encoding')).toBe(gzip ? 'gzip' : null);
    },
  );

  it("at the edge the client's own header (cf.clientAcceptEncoding) decides, not the platform's `br, gzip`", async () => {
    const b = await openBooks();
    const plain = await send(
      b,
      '/v1/invoices',
      invoiceBody(b),
      { 'Accept-Encoding': 'br, gzip' },
      { clientAcceptEncoding: '' },
    );
    expect(plain.status).toBe(201);
    expect(plain.headers.get('Content-Encoding')).toBeNull();
    const identity = await send(
      b,
      '/v1/customers',
      tooManyKeys,
      { 'Accept-Encoding': 'br, gzip' },
      { clientAcceptEncoding: 'identity' },
    );
    expect(identity.headers.get('Content-Encoding')).toBeNull();
    const gzip = await send(
      b,
      '/v1/invoices',
      invoiceBody(b),
      { 'Accept-Encoding': 'br, gzip' },
      { clientAcceptEncoding: 'gzip, deflate' },
    );
    expect(gzip.headers.get('Content-Encoding')).toBe('gzip');
  });
});
