/**
 * A cacheable read (lists, reports, master data): learn the tenant's read-model version from
 * its ledger (read-version.ts), answer from the versioned cache, or build the answer from
 * Postgres and cache it (once per isolate: concurrent requests for the same entry wait for
 * that build). While Postgres is down (the projection failing, or nothing to build
 * with), answers are the last cached ones marked `X-Cache: STALE` with their `Age`
 * (stale-age.ts) up to `STALE_MAX_AGE_S`; with nothing cached, or only older answers, 503.
 * Every answer says `X-Cache` and `X-Read-Model-Position`; the outcome goes to the log.
 * A principal's reads include every write acknowledged to it by this isolate, with no header
 * (src/ledger/session-positions.ts); `X-Min-Position` asks for a position explicitly.
 */
import type { AppContext, StaleReason } from '../env';
import { AppError } from '../errors';
import { describeDbError } from '../read/db-errors';
import { ReadModelRegressedError } from '../read/checkpoint';
import { keyVersion, type CachedRoute } from '../read/families';
import { ledgerOf } from '../ledger/client';
import { sessionPosition } from '../ledger/session-positions';
import { BUILD_WAIT_MS, buildEntry, type BuildQuery } from './build-entry';
import { awaitBuild, claimBuild, releaseBuild, type MemoryEntry } from './memory-cache';
import { gzipFor, gzippedResponse, precompress } from './precompressed';
import { behind, tooStale, unavailable } from './read-refusals';
import { staleAge } from './stale-age';
import {
  readVersion,
  PositionBeyondLedgerError,
  ReadModelBehindError,
  type VersionResult,
} from './read-version';
import {
  entryKey,
  lookup,
  lookupLatest,
  store,
  type CacheDeps,
  type CacheKeyParts,
  type CacheStatus,
} from './response-cache';

export interface CachedReadOptions {
  /** The route; its read families (src/read/families.ts) decide which version keys its entries. */
  route: CachedRoute;
  query: URLSearchParams;
  /** Overrides the caller's permission scope (default: every permission the caller holds). */
  scope?: string;
  build: BuildQuery;
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
    throw new AppError({
      status: 400,
      code: 'invalid_min_position',
      title: 'Bad request',
      detail: 'X-Min-Position must be a non-negative integer ledger position.',
    });
  }
  return Number(raw.trim());
}

/**
 * The 200 for an entry. A STALE one carries `Age`, counted from `behindSince` when the read
 * model is behind, else from the entry's build (stale-age.ts); one older than the configured
 * maximum is refused instead.
 */
function respond(
  c: AppContext,
  entry: MemoryEntry,
  status: CacheStatus,
  version: number,
  behindSince?: number | null,
): Response {
  const age = status === 'STALE' ? staleAge(c, behindSince ?? entry.builtAt) : undefined;
  if (age === null) throw tooStale(c, c.get('config').STALE_MAX_AGE_S);
  c.set('cacheStatus', status);
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'X-Cache': status,
    'X-Read-Model-Position': String(version),
    'Cache-Control': 'private, no-store',
  };
  if (age !== undefined) headers.Age = String(age);
  if (entry.link) headers.Link = entry.link;
  c.set('bodyLength', entry.json.length);
  const gzipped = gzipFor(c, entry);
  return gzipped ? gzippedResponse(c, gzipped, headers) : c.body(entry.json, 200, headers);
}

export async function cachedRead(c: AppContext, o: CachedReadOptions): Promise<Response> {
  const config = c.get('config');
  const tenantId = c.get('principal').tenantId;
  const deps: CacheDeps = {
    cache: caches.default,
    kv: c.env.CACHE_KV,
    waitUntil: (p) => c.executionCtx.waitUntil(p),
    kvTimeoutMs: config.KV_TIMEOUT_MS,
    timings: c.get('timings'),
  };
  const release = c.env.CF_VERSION_METADATA?.id ?? 'local';
  const parts: CacheKeyParts = {
    release,
    tenantId,
    scope: o.scope ?? scopeOf(c),
    route: o.route,
    query: o.query,
  };
  const bypass = !config.CACHE_ENABLED || /no-cache/i.test(c.req.header('Cache-Control') ?? '');
  const wanted = minPosition(c);
  const bound = config.CACHE_VERSION_TTL_MS;
  // `X-Consistency: eventual` (validated by the route's schema): no wait for one's own writes.
  const mine =
    c.req.header('X-Consistency')?.trim() === 'eventual'
      ? undefined
      : sessionPosition(tenantId, c.get('principal').subject, o.route);

  let known: VersionResult;
  try {
    known = await readVersion({
      tenantId,
      read: (waitMs, duringOutage) =>
        waitMs === undefined
          ? ledgerOf(c).readModelVersion(wanted)
          : ledgerOf(c).readModelVersion(Math.max(wanted ?? 0, mine ?? 0), waitMs, duringOutage),
      keepAlive: deps.waitUntil,
      minPosition: wanted,
      sessionPosition: mine,
      maxStalenessMs: bound,
    });
  } catch (err) {
    if (err instanceof PositionBeyondLedgerError) {
      throw new AppError({
        status: 400,
        code: 'invalid_min_position',
        title: 'Bad request',
        detail: `X-Min-Position ${err.wanted} is beyond the ledger's position ${err.position}: send the X-Ledger-Position of a write.`,
      });
    }
    if (err instanceof ReadModelBehindError) throw behind(c, err.wanted);
    because(c, 'ledger_unreachable', err);
    return stale(c, deps, parts, wanted);
  }
  // The answer includes every event up to `version`; its key carries the last position that
  // moved one of the route's families, so writes elsewhere leave the entry valid.
  const { version } = known;
  const keyedAt = keyVersion(known.families, o.route);
  // The ledger was not reachable, or its projection is failing (Postgres down): whatever is
  // served may be behind acknowledged writes. Say so.
  if (known.behind)
    because(
      c,
      known.source === 'stale'
        ? 'ledger_unreachable'
        : known.lagging
          ? 'read_model_behind'
          : 'projection_failing',
    );
  const answer = (entry: MemoryEntry, status: CacheStatus): Response =>
    known.behind
      ? respond(c, entry, 'STALE', version, known.behindSince)
      : respond(c, entry, status, version);
  const orStale = (err: unknown): Promise<Response> => {
    if (err instanceof AppError) throw err;
    if (err instanceof ReadModelRegressedError) {
      // Postgres lost rows the ledger delivered (a restore, a reset): never answer from it as
      // if it held `version`. The ledger re-queues what is missing; until then STALE or 503.
      because(c, 'read_model_behind', err);
      deps.waitUntil(
        ledgerOf(c)
          .checkReadModel()
          .catch(() => {}),
      );
      return stale(c, deps, parts, wanted, () => behind(c, version));
    }
    because(c, 'build_failed', err);
    return stale(c, deps, parts, wanted);
  };
  if (bypass) return buildEntry(c, o.build, version).then((e) => answer(e, 'BYPASS'), orStale);

  const key = entryKey(parts, keyedAt);
  const hit = await lookup(deps, key);
  if (hit !== null) {
    if (!hit.gzip) deps.waitUntil(precompress(key, hit));
    return answer(hit, 'HIT');
  }
  if (known.source === 'stale') return stale(c, deps, parts, wanted);
  // Another request in this isolate is building this very entry: wait for it rather than
  // run the same query again. Served from the cache, so it is a HIT.
  if (!claimBuild(key, Date.now(), BUILD_WAIT_MS)) {
    const built = await awaitBuild(key, BUILD_WAIT_MS);
    if (built !== undefined) {
      c.set('cacheWaitedForBuild', true);
      return answer(built, 'HIT');
    }
    claimBuild(key, Date.now(), 0);
  }
  // The build runs to its end even if this client goes away: others may be waiting for it.
  const work = buildEntry(c, o.build, version)
    .then((e) => keep(deps, parts, keyedAt, e))
    .finally(() => releaseBuild(key));
  deps.waitUntil(work.catch(() => {}));
  return work.then((e) => answer(e, 'MISS'), orStale);
}

/**
 * Records for the request log why the answer cannot be fresh (the first reason wins), with
 * the error's kind and SQLSTATE, never the driver's message (it holds the statement).
 */
function because(c: AppContext, reason: StaleReason, err?: unknown): void {
  if (c.get('cacheStaleReason') !== undefined) return;
  c.set('cacheStaleReason', reason);
  if (err !== undefined) c.set('cacheStaleError', describeDbError(err));
}

/** Stores a built answer in every tier and has its gzip form made. */
function keep(
  deps: CacheDeps,
  parts: CacheKeyParts,
  version: number,
  built: MemoryEntry,
): MemoryEntry {
  const entry = store(deps, parts, version, built);
  deps.waitUntil(precompress(entryKey(parts, version), entry));
  return entry;
}

/** Postgres failed: the newest cached answer if it is recent enough for the client, else 503. */
async function stale(
  c: AppContext,
  deps: CacheDeps,
  parts: CacheKeyParts,
  wanted: number | undefined,
  refuse = () => unavailable(c),
): Promise<Response> {
  const latest = await lookupLatest(deps, parts);
  if (latest && latest.version >= (wanted ?? 0))
    return respond(c, latest.entry, 'STALE', latest.version);
  throw refuse();
}
