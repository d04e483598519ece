/**
 * The read-model version of a tenant: the ledger position the Postgres projection has
 * reached (its checkpoint). Cache keys carry it, so entries are immutable and a new
 * projection simply makes new keys. Learned without a Durable Object call: each isolate
 * memoizes it per tenant and reads the one-row checkpoint again when the memo is half
 * `maxStalenessMs` (default 1 s) old; while one request of the isolate does that, the others
 * go on with the memo until it is `maxStalenessMs` old, then wait for that read's answer
 * (polling the memo, not sharing a promise across requests). So a burst of requests makes
 * one checkpoint read per isolate, not one each, and no answer is older than the bound.
 * A caller's `X-Min-Position` forces a fresh read, and waits briefly for the projection, so
 * a client always sees its own acknowledged write.
 */
import { eq } from 'drizzle-orm';
import type { Database } from '../read/db';
import { projectionCheckpoints } from '../read/schema';
import { withTenant } from '../read/tenant-tx';

export const DEFAULT_MAX_STALENESS_MS = 1_000;
/** How long a read waits for the projection to reach `minPosition`. */
export const MIN_POSITION_WAIT_MS = 3_000;
const POLL_MS = 50;

interface Memo {
  version: number;
  checkedAt: number;
}
const memo = new Map<string, Memo>();
/** Tenants whose checkpoint a request of this isolate is reading now (since when). */
const refreshing = new Map<string, number>();
const MAX_TENANTS = 10_000;

/** The read model has not reached the position the client asked for (yet). */
export class ReadModelBehindError extends Error {
  override name = 'ReadModelBehindError';
  constructor(readonly version: number, readonly wanted: number) {
    super(`read model at ${version}, client needs ${wanted}`);
  }
}

export interface VersionResult {
  version: number;
  /** `memo`: from this isolate's memory; `db`: just read; `stale`: Postgres failed, last known. */
  source: 'memo' | 'db' | 'stale';
}

export interface VersionOptions {
  tenantId: string;
  /** Reads the tenant's checkpoint (`readCheckpoint` on the request's database, opened only then). */
  read: () => Promise<number>;
  minPosition?: number;
  maxStalenessMs?: number;
  /** `ctx.waitUntil`: keeps the checkpoint read alive if the client disconnects. */
  keepAlive?: (p: Promise<unknown>) => void;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export async function readCheckpoint(db: Database, tenantId: string): Promise<number> {
  const rows = await withTenant(db, tenantId, (tx) =>
    tx.select({ position: projectionCheckpoints.position }).from(projectionCheckpoints).where(eq(projectionCheckpoints.tenantId, tenantId)),
  );
  return rows[0]?.position ?? 0;
}

function remember(tenantId: string, version: number, at: number): void {
  memo.delete(tenantId);
  memo.set(tenantId, { version, checkedAt: at });
  if (memo.size > MAX_TENANTS) {
    const oldest = memo.keys().next().value;
    if (oldest !== undefined) memo.delete(oldest);
  }
}

/** Polls the memo (5 ms backing off to 50 ms) until a refresh that started at `since` has landed (or `maxWaitMs` passes). */
async function awaitRefresh(tenantId: string, since: number, maxWaitMs: number, sleep: (ms: number) => Promise<void>, now: () => number): Promise<Memo | undefined> {
  const deadline = now() + maxWaitMs;
  for (let every = 5; ; every = Math.min(every * 2, 50)) {
    const m = memo.get(tenantId);
    if (m && m.checkedAt >= since) return m;
    if (!refreshing.has(tenantId) || now() >= deadline) return undefined;
    await sleep(every);
  }
}

/**
 * The version to read at. Throws `ReadModelBehindError` when `minPosition` is not reached
 * within `MIN_POSITION_WAIT_MS`, and rethrows the database error when Postgres is down and
 * nothing is known (callers then serve a stale cache entry or a 503).
 */
export async function readVersion(o: VersionOptions): Promise<VersionResult> {
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const wanted = o.minPosition ?? 0;
  const bound = o.maxStalenessMs ?? DEFAULT_MAX_STALENESS_MS;
  const known = memo.get(o.tenantId);
  const at = now();
  const since = refreshing.get(o.tenantId);
  const inFlight = since !== undefined && at - since < bound;
  if (known && known.version >= wanted) {
    const age = at - known.checkedAt;
    if (age < bound / 2 || (inFlight && age < bound)) return { version: known.version, source: 'memo' };
  }
  if (inFlight) {
    // Nothing servable here (no memo yet, too old, or behind the client's position), and
    // another request is reading already: wait for its answer rather than read too.
    const fresh = await awaitRefresh(o.tenantId, since, bound, sleep, now);
    if (fresh && fresh.version >= wanted) return { version: fresh.version, source: 'memo' };
  }
  refreshing.set(o.tenantId, now());
  // The read runs to its end even if this request's client goes away (`keepAlive`): requests
  // waiting for it rely on it finishing and clearing its mark.
  const attempt = (async () => {
    try {
      let version = await o.read();
      const deadline = now() + MIN_POSITION_WAIT_MS;
      while (version < wanted && now() < deadline) {
        await sleep(POLL_MS);
        version = await o.read();
      }
      remember(o.tenantId, Math.max(version, memo.get(o.tenantId)?.version ?? 0), now());
      return version;
    } finally {
      refreshing.delete(o.tenantId);
    }
  })();
  o.keepAlive?.(attempt.catch(() => {}));
  let version: number;
  try {
    version = await attempt;
  } catch (err) {
    if (known && known.version >= wanted) return { version: known.version, source: 'stale' };
    throw err;
  }
  if (version < wanted) throw new ReadModelBehindError(version, wanted);
  return { version, source: 'db' };
}
