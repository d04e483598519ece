/**
 * Immutable, versioned response cache: the isolate's memory (memory-cache.ts), then the
 * Cache API (this data center), then KV (global), in front of Postgres. A key names the
 * Worker release, the tenant, the read-model version (of the route's read families), the
 * caller's permission scope, the route and the normalized query, so an entry can never be
 * served to another tenant or scope and never needs invalidating. A small "latest" pointer
 * per (release, tenant, scope, route, query) lets a read serve the last good entry, marked
 * STALE, while Postgres is down.
 */
import { withTimeout } from '../timeout';
import { timed, type Timings } from '../telemetry/timings';
import { memoryCache, toMemoryEntry, toStoredForm, type MemoryEntry } from './memory-cache';
import { normalizeQuery } from './query-key';

export type CacheStatus = 'HIT' | 'MISS' | 'BYPASS' | 'STALE';

export interface CacheDeps {
  cache: Cache;
  kv: KVNamespace;
  waitUntil(p: Promise<unknown>): void;
  kvTimeoutMs: number;
  /** The request's timings: KV reads on the response path add to `kvMs` (telemetry). */
  timings?: Timings | undefined;
}

export interface CacheKeyParts {
  /**
   * The Worker version that builds and reads the entry. An answer's shape and the read-family
   * tables (src/read/families.ts) belong to a release: during a split rollout each version
   * keeps its own entries, and a release that corrects the family tables starts on fresh keys
   * instead of finding entries the old tables failed to move.
   */
  release: string;
  tenantId: string;
  scope: string;
  /** The route template, e.g. `/v1/invoices`. */
  route: string;
  /** The query parameters that shape the answer (cursor included); read only (query-key.ts). */
  query: URLSearchParams;
}

/** Entries are immutable; a day bounds storage, not correctness. */
const TTL_SECONDS = 86_400;
const ORIGIN = 'https://cache.finance-edge.internal';

function base(p: CacheKeyParts): string {
  return `${encodeURIComponent(p.release)}/${encodeURIComponent(p.tenantId)}/${encodeURIComponent(p.scope)}${p.route}?${normalizeQuery(p.query)}`;
}

export function entryKey(p: CacheKeyParts, version: number): string {
  return `${ORIGIN}/v${version}/${base(p)}`;
}

function latestKey(p: CacheKeyParts): string {
  return `${ORIGIN}/latest/${base(p)}`;
}

/** A KV read that gives up after the configured deadline: a slow KV is a miss, not a wait. */
function kvGet(deps: CacheDeps, key: string): Promise<string | null> {
  return timed(
    deps.timings,
    'kvMs',
    withTimeout(deps.kv.get(key, 'text'), deps.kvTimeoutMs, 'kv'),
  ).catch(() => null);
}

/** Looks an entry up in memory, the Cache API, then KV (refilling the nearer tiers on a hit). */
export async function lookup(deps: CacheDeps, key: string): Promise<MemoryEntry | null> {
  const mem = memoryCache.get(key);
  if (mem !== undefined) return mem;
  const local = await deps.cache.match(key).catch(() => undefined);
  const near = local ? toMemoryEntry(await local.text()) : null;
  if (near) {
    memoryCache.set(key, near);
    return near;
  }
  const global = await kvGet(deps, key);
  const entry = global === null ? null : toMemoryEntry(global);
  if (global === null || entry === null) return null;
  memoryCache.set(key, entry);
  deps.waitUntil(putLocal(deps, key, global));
  return entry;
}

function putLocal(deps: CacheDeps, key: string, body: string): Promise<void> {
  const res = new Response(body, {
    headers: { 'Content-Type': 'application/json', 'Cache-Control': `max-age=${TTL_SECONDS}` },
  });
  return deps.cache.put(key, res).catch(() => {});
}

/** Stores a freshly built entry under its versioned key and moves the "latest" pointer. */
export function store(
  deps: CacheDeps,
  parts: CacheKeyParts,
  version: number,
  entry: MemoryEntry,
): MemoryEntry {
  const key = entryKey(parts, version);
  const body = toStoredForm(entry);
  memoryCache.set(key, entry);
  deps.waitUntil(
    Promise.all([
      putLocal(deps, key, body),
      deps.kv.put(key, body, { expirationTtl: TTL_SECONDS }).catch(() => {}),
      deps.kv
        .put(latestKey(parts), String(version), { expirationTtl: TTL_SECONDS })
        .catch(() => {}),
    ]),
  );
  return entry;
}

/** The newest entry known for these parts, for serving STALE while Postgres is down. */
export async function lookupLatest(
  deps: CacheDeps,
  parts: CacheKeyParts,
): Promise<{ version: number; entry: MemoryEntry } | null> {
  const pointer = await kvGet(deps, latestKey(parts));
  const version = pointer === null ? NaN : Number(pointer);
  if (!Number.isInteger(version)) return null;
  const entry = await lookup(deps, entryKey(parts, version));
  return entry === null ? null : { version, entry };
}
