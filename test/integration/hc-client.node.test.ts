/**
 * The typed `hc` client a TypeScript consumer gets from `AppType`: list and report routes
 * infer their response bodies from the route schemas (the read runner is generic, so no
 * handler erases its type). `npm test` type-checks this file, so a list or report whose
 * handler stops returning its schema's type fails the type check, not only this test.
 */
import { hc, type InferResponseType } from 'hono/client';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { AppType } from '../../src/app';

const client = hc<AppType>('http://127.0.0.1:8787');

describe('hc<AppType>', () => {
  it('types a list page from the route schema', () => {
    type Page = InferResponseType<typeof client.v1.invoices.$get, 200>;
    expectTypeOf<Page['hasMore']>().toEqualTypeOf<boolean>();
    expectTypeOf<Page['nextCursor']>().toEqualTypeOf<string | null>();
    expectTypeOf<Page['data'][number]['id']>().toEqualTypeOf<string>();
    expectTypeOf<Page['data'][number]['total']>().toEqualTypeOf<number>();
    expect(client.v1.invoices.$url({ query: { limit: '10' } }).toString()).toBe(
      'http://127.0.0.1:8787/v1/invoices?limit=10',
    );
  });

  it('types a report and search from their route schemas', () => {
    type Aging = InferResponseType<(typeof client.v1.reports)['ar-aging']['$get'], 200>;
    expectTypeOf<Aging>().toBeObject();
    type Hits = InferResponseType<typeof client.v1.search.$get, 200>;
    expectTypeOf<Hits['data']>().toBeArray();
    expect(client.v1.reports['ar-aging'].$url({ query: { asOf: '2026-01-31' } }).pathname).toBe(
      '/v1/reports/ar-aging',
    );
    expect(client.v1.search.$url({ query: { q: 'acme' } }).search).toBe('?q=acme');
  });

  it('types single resources and their ids in the path', () => {
    type Invoice = InferResponseType<(typeof client.v1.invoices)[':id']['$get'], 200>;
    expectTypeOf<Invoice['status']>().toEqualTypeOf<
      'draft' | 'issued' | 'partially_paid' | 'paid' | 'void'
    >();
    expect(client.v1.invoices[':id'].issue.$url({ param: { id: 'inv_1' } }).pathname).toBe(
      '/v1/invoices/inv_1/issue',
    );
  });
});
