/**
 * A cacheable read (lists, reports, master data): learn the tenant's read-model version,
 * answer from the versioned cache, or build the answer from Postgres and cache it.
 * While Postgres is down: the last cached answer marked `X-Cache: STALE`, else 503.
 * Every answer says `X-Cache` and `X-Read-Model-Position`; the outcome goes to the log.
 */
import type { AppContext } from '../env';
import { AppError } from '../errors';
import type { Database } from '../read/db';
import { dbOf } from '../read/request-db';
import { withTenant, type TenantTx } from '../read/tenant-tx';
import { awaitBuild, claimBuild, releaseBuild } from './memory-cache';
import { readCheckpoint, readVersion, ReadModelBehindError } from './read-version';
import { entryKey, lookup, lookupLatest, store, type CacheDeps, type CacheKeyParts, type CacheStatus } from './response-cache';

export interface Built {
  body: unknown;
  /** RFC 8288 `Link` header value (next page), if any. */
  link?: string;
}

export interface CachedReadOptions {
  route: string;
  query: URLSearchParams;
  /** Overrides the caller's permission scope (default: every permission the caller holds). */
  scope?: string;
  build(tx: TenantTx): Promise<Built>;
}

/**
 * The caller's permission scope, part of every cache key: two callers share an entry only
 * when they hold exactly the same permissions, so an answer shaped for one scope is never
 * served to another.
 */
export function scopeOf(c: AppContext): string {
  return [...c.get('principal').permissions].sort().join('+') || 'none';
}

/** `X-Min-Position`: a ledger position the answer must include (read-your-writes). */
function minPosition(c: AppContext): number | undefined {
  const raw = c.req.header('X-Min-Position');
  if (raw === undefined) return undefined;
  if (!/^\d{1,15}$/.test(raw.trim())) {
    throw new AppError({ status: 400, code: 'invalid_min_position', title: 'Bad request', detail: 'X-Min-Position must be a non-negative integer ledger position.' });
  }
  return Number(raw.trim());
}

function respond(c: AppContext, stored: string, status: CacheStatus, version: number): Response {
  const cut = stored.indexOf('\n');
  const link = stored.slice(0, cut);
  c.set('cacheStatus', status);
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'X-Cache': status,
    'X-Read-Model-Position': String(version),
    'Cache-Control': 'private, no-store',
  };
  if (link) headers.Link = link;
  return c.body(stored.slice(cut + 1), 200, headers);
}

const unavailable = () =>
  new AppError({
    status: 503, code: 'read_model_unavailable', title: 'Service unavailable',
    detail: 'Reports and lists are temporarily unavailable; writes are not affected.',
    headers: { 'Retry-After': '5' },
  });

export async function cachedRead(c: AppContext, o: CachedReadOptions): Promise<Response> {
  const config = c.get('config');
  const tenantId = c.get('principal').tenantId;
  const deps: CacheDeps = { cache: caches.default, kv: c.env.CACHE_KV, waitUntil: (p) => c.executionCtx.waitUntil(p), kvTimeoutMs: config.KV_TIMEOUT_MS };
  const parts: CacheKeyParts = { tenantId, scope: o.scope ?? scopeOf(c), route: o.route, query: o.query };
  const bypass = !config.CACHE_ENABLED || /no-cache/i.test(c.req.header('Cache-Control') ?? '');
  // Created on first use: a HIT on a fresh version memo never touches Postgres.
  const db = () => dbOf(c).db;
  const wanted = minPosition(c);

  let version: number;
  let unverified = false;
  try {
    const known = await readVersion({ tenantId, read: () => readCheckpoint(db(), tenantId), keepAlive: deps.waitUntil, minPosition: wanted, maxStalenessMs: config.CACHE_VERSION_TTL_MS });
    version = known.version;
    // Postgres did not answer: the version is the last one this isolate saw, so whatever we
    // serve for it may be behind the ledger. Say so.
    unverified = known.source === 'stale';
  } catch (err) {
    if (err instanceof ReadModelBehindError) {
      throw new AppError({
        status: 503, code: 'read_model_behind', title: 'Service unavailable',
        detail: `The read model has not reached position ${err.wanted} yet; retry shortly.`, headers: { 'Retry-After': '1' },
      });
    }
    return stale(c, deps, parts, wanted);
  }

  const key = entryKey(parts, version);
  if (!bypass) {
    const hit = await lookup(deps, key);
    if (hit !== null) return respond(c, hit, unverified ? 'STALE' : 'HIT', version);
    if (unverified) return stale(c, deps, parts, wanted);
    // Another request in this isolate is building this very entry: wait for it rather than
    // run the same query again. Served from the cache, so it is a HIT.
    if (!claimBuild(key, Date.now(), BUILD_WAIT_MS)) {
      const built = await awaitBuild(key, BUILD_WAIT_MS);
      if (built !== undefined) {
        c.set('cacheWaitedForBuild', true);
        return respond(c, built, 'HIT', version);
      }
      claimBuild(key, Date.now(), 0);
    }
  }
  // The build runs to its end even if this client goes away: others may be waiting for it.
  const work = buildAndStore(c, o, deps, parts, { version, bypass, wanted, db }).finally(() => {
    if (!bypass) releaseBuild(key);
  });
  deps.waitUntil(work.catch(() => {}));
  return work;
}

/** How long a request waits for another request's build of the same entry before building itself. */
const BUILD_WAIT_MS = 2_000;

async function buildAndStore(
  c: AppContext, o: CachedReadOptions, deps: CacheDeps, parts: CacheKeyParts,
  at: { version: number; bypass: boolean; wanted: number | undefined; db: () => Database },
): Promise<Response> {
  const { version, bypass, wanted, db } = at;
  let stored: string;
  try {
    const built = await withTenant(db(), parts.tenantId, o.build);
    stored = `${built.link ?? ''}\n${JSON.stringify(built.body)}`;
    if (!bypass) store(deps, parts, version, stored);
  } catch (err) {
    if (err instanceof AppError) throw err;
    return stale(c, deps, parts, wanted);
  }
  return respond(c, stored, bypass ? 'BYPASS' : 'MISS', version);
}

/** Postgres failed: the newest cached answer if it is recent enough for the client, else 503. */
async function stale(c: AppContext, deps: CacheDeps, parts: CacheKeyParts, wanted: number | undefined): Promise<Response> {
  const latest = await lookupLatest(deps, parts);
  if (latest && latest.version >= (wanted ?? 0)) return respond(c, latest.body, 'STALE', latest.version);
  throw unavailable();
}
