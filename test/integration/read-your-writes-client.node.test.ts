/**
 * The client-side half of read-your-writes (src/client/read-your-writes.ts): the typed `hc`
 * client with `readYourWrites()` as its fetch sends the position of its last acknowledged
 * write as `X-Min-Position` on reads. A fake server records what it was sent.
 */
import { hc } from 'hono/client';
import { describe, expect, it } from 'vitest';
import type { AppType } from '../../src/app';
import { readYourWrites } from '../../src/client/read-your-writes';

/** A server that answers each request with the next of `answers` and records the request. */
function fakeServer(answers: { status: number; position?: number }[]) {
  const seen: { method: string; path: string; minPosition: string | null }[] = [];
  let i = 0;
  const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const req = new Request(input, init);
    seen.push({
      method: req.method,
      path: new URL(req.url).pathname,
      minPosition: req.headers.get('X-Min-Position'),
    });
    const a = answers[i++] ?? { status: 200 };
    const headers = new Headers({ 'Content-Type': 'application/json' });
    if (a.position !== undefined) headers.set('X-Ledger-Position', String(a.position));
    return new Response('{}', { status: a.status, headers });
  };
  return { fetch, seen };
}

describe('readYourWrites', () => {
  it("echoes the last acknowledged write as X-Min-Position on the typed client's reads", async () => {
    const server = fakeServer([
      { status: 200 }, // GET before any write: no header
      { status: 201, position: 41 }, // POST acknowledged at 41
      { status: 200, position: 99 }, // GET of a resource: where the ledger was, not ours
      { status: 200 }, // GET list: still 41
      { status: 409 }, // a refused write moves nothing
      { status: 200 },
    ]);
    const ryw = readYourWrites(server.fetch);
    const api = hc<AppType>('http://127.0.0.1:8787', { fetch: ryw });
    await api.v1.invoices.$get({ query: {}, header: {} });
    await api.v1.customers.$post({ json: { name: 'Acme' }, header: { 'Idempotency-Key': 'k1' } });
    await api.v1.customers[':id'].$get({ param: { id: 'cus_1' } });
    await api.v1.invoices.$get({ query: {}, header: {} });
    await api.v1.customers.$post({
      json: { name: 'Duplicate' },
      header: { 'Idempotency-Key': 'k2' },
    });
    await api.v1.reports['ar-aging'].$get({ query: {}, header: {} });
    expect(server.seen.map((s) => [s.method, s.minPosition])).toEqual([
      ['GET', null],
      ['POST', null],
      ['GET', '41'],
      ['GET', '41'],
      ['POST', null],
      ['GET', '41'],
    ]);
    expect(ryw.position).toBe(41);
  });

  it("keeps a caller's own X-Min-Position and never moves the position back", async () => {
    const server = fakeServer([
      { status: 201, position: 10 },
      { status: 200, position: 3 },
      { status: 201, position: 5 }, // an idempotent replay of an older write
      { status: 200 },
    ]);
    const ryw = readYourWrites(server.fetch);
    await ryw('http://x/v1/customers', { method: 'POST', body: '{}' });
    await ryw('http://x/v1/customers', { headers: { 'X-Min-Position': '3' } });
    await ryw('http://x/v1/customers', { method: 'POST', body: '{}' });
    await ryw('http://x/v1/customers');
    expect(server.seen.map((s) => s.minPosition)).toEqual([null, '3', null, '10']);
  });
});
