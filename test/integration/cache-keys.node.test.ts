/**
 * Cache keys (src/cache/response-cache.ts): every part that decides an answer is in the key,
 * and nothing that does not (the order of query parameters).
 */
import { describe, expect, it } from 'vitest';
import { entryKey, type CacheKeyParts } from '../../src/cache/response-cache';

const parts = (over: Partial<CacheKeyParts> = {}): CacheKeyParts => ({
  release: 'rel-1',
  tenantId: 'tenant_a',
  scope: 'books:read',
  route: '/v1/invoices',
  query: new URLSearchParams('status=issued&limit=50'),
  ...over,
});

describe('cache keys', () => {
  it('differ by release, tenant, scope, route, query and version', () => {
    const key = entryKey(parts(), 7);
    const others = [
      entryKey(parts({ release: 'rel-2' }), 7),
      entryKey(parts({ tenantId: 'tenant_b' }), 7),
      entryKey(parts({ scope: 'books:read+books:write' }), 7),
      entryKey(parts({ route: '/v1/payments' }), 7),
      entryKey(parts({ query: new URLSearchParams('status=issued&limit=51') }), 7),
      entryKey(parts(), 8),
    ];
    expect(new Set([key, ...others]).size).toBe(others.length + 1);
  });

  it('do not depend on the order of query parameters; names cannot run into each other', () => {
    expect(entryKey(parts({ query: new URLSearchParams('limit=50&status=issued') }), 7)).toBe(
      entryKey(parts(), 7),
    );
    // A release or tenant holding a separator cannot impersonate another split of the parts.
    expect(entryKey(parts({ release: 'a/b', tenantId: 'c' }), 7)).not.toBe(
      entryKey(parts({ release: 'a', tenantId: 'b/c' }), 7),
    );
  });
});
