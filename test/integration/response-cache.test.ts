/**
 * The cache tiers behind a versioned key (src/cache/response-cache.ts), on Miniflare's real
 * Cache API and KV: an entry stored once is found in the isolate's memory, then in the Cache
 * API, then in KV, and each deeper hit refills the nearer tiers; the "latest" pointer finds
 * the newest entry for serving STALE; a KV that does not answer in time is a miss.
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { memoryCache } from '../../src/cache/memory-cache';
import {
  entryKey,
  lookup,
  lookupLatest,
  store,
  type CacheDeps,
  type CacheKeyParts,
} from '../../src/cache/response-cache';
import { uniqueTenant } from '../fixtures/http';

function deps(over: Partial<CacheDeps> = {}) {
  const pending: Promise<unknown>[] = [];
  const d: CacheDeps = {
    cache: caches.default,
    kv: env.CACHE_KV,
    waitUntil: (p) => void pending.push(p),
    kvTimeoutMs: 500,
    ...over,
  };
  return { d, settled: () => Promise.allSettled(pending.splice(0)) };
}

const parts = (tenantId: string, query = 'limit=5'): CacheKeyParts => ({
  release: 'test',
  tenantId,
  scope: 'books:read',
  route: '/v1/customers',
  query: new URLSearchParams(query),
});
/** Entry `n`, built at `1_700_000_000_000 + n` (every tier keeps the build time). */
const entry = (n: number) => ({
  link: `</v1/customers?cursor=c${n}>; rel="next"`,
  json: `{"data":[{"id":"cus_${n}"}]}`,
  builtAt: 1_700_000_000_000 + n,
});
const stored = (n: number) => `${1_700_000_000_000 + n}\n${entry(n).link}\n${entry(n).json}`;

describe('response cache tiers', () => {
  it('memory, then the Cache API, then KV; a deeper hit refills the nearer tiers', async () => {
    const { d, settled } = deps();
    const p = parts(uniqueTenant());
    const key = entryKey(p, 7);
    expect(await lookup(d, key)).toBeNull();
    store(d, p, 7, entry(7));
    await settled();
    const want = entry(7);
    expect(await lookup(d, key)).toMatchObject(want);

    // Not in memory: the Cache API answers, and memory has it again.
    memoryCache.delete(key);
    await env.CACHE_KV.delete(key); // so that only the Cache API can answer
    expect(await lookup(d, key)).toMatchObject(want);
    expect(memoryCache.get(key)).toMatchObject(want);

    // Only KV has it: KV answers, memory and the Cache API are refilled.
    const again = deps();
    store(again.d, p, 8, entry(8));
    await again.settled();
    const key8 = entryKey(p, 8);
    memoryCache.delete(key8);
    expect(await caches.default.delete(key8)).toBe(true);
    expect(await lookup(again.d, key8)).toEqual(entry(8));
    await again.settled();
    expect(memoryCache.get(key8)).toBeDefined();
    expect(await (await caches.default.match(key8))?.text()).toBe(stored(8));

    // Gone from every tier: a miss.
    memoryCache.delete(key8);
    await caches.default.delete(key8);
    await env.CACHE_KV.delete(key8);
    expect(await lookup(again.d, key8)).toBeNull();
  });

  it('the latest pointer names the newest version of the same parts, and only of those parts', async () => {
    const { d, settled } = deps();
    const tenant = uniqueTenant();
    expect(await lookupLatest(d, parts(tenant))).toBeNull();
    store(d, parts(tenant), 3, entry(3));
    store(d, parts(tenant), 5, entry(5));
    await settled();
    const latest = await lookupLatest(d, parts(tenant));
    expect(latest?.version).toBe(5);
    expect(latest?.entry).toEqual(entry(5));
    expect(await lookupLatest(d, parts(tenant, 'limit=6'))).toBeNull();
    expect(await lookupLatest(d, parts(uniqueTenant()))).toBeNull();
  });

  it('text in no stored form (no build time) is a miss, never an entry without an age', async () => {
    const { d } = deps();
    const key = entryKey(parts(uniqueTenant()), 4);
    await env.CACHE_KV.put(key, `${entry(4).link}\n${entry(4).json}`);
    expect(await lookup(d, key)).toBeNull();
    await env.CACHE_KV.put(key, stored(4));
    expect(await lookup(d, key)).toEqual(entry(4));
  });

  it('a KV that does not answer within kvTimeoutMs is a miss, not a wait', async () => {
    const asked: string[] = [];
    const never = {
      get: (key: string) => (asked.push(key), new Promise(() => {})),
    } as unknown as KVNamespace;
    const { d } = deps({ kv: never, kvTimeoutMs: 50 });
    const key = entryKey(parts(uniqueTenant()), 1);
    const started = Date.now();
    expect(await lookup(d, key)).toBeNull();
    expect(asked).toEqual([key]); // KV was asked, and not waited for
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
