/**
 * The read-model version of a tenant: the ledger position the Postgres projection has
 * reached (its checkpoint). Cache keys carry it, so entries are immutable and a new
 * projection simply makes new keys. Learned without a Durable Object call: each isolate
 * memoizes it per tenant for `maxStalenessMs` (default 1 s) and otherwise reads the
 * one-row checkpoint. A caller's `X-Min-Position` forces a fresh read, and waits briefly
 * for the projection, so a client always sees its own acknowledged write.
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
  /** The request's database, created only when the memo cannot answer. */
  db: () => Database;
  tenantId: string;
  minPosition?: number;
  maxStalenessMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

async function readCheckpoint(db: Database, tenantId: string): Promise<number> {
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

/**
 * The version to read at. Throws `ReadModelBehindError` when `minPosition` is not reached
 * within `MIN_POSITION_WAIT_MS`, and rethrows the database error when Postgres is down and
 * nothing is known (callers then serve a stale cache entry or a 503).
 */
export async function readVersion(o: VersionOptions): Promise<VersionResult> {
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const wanted = o.minPosition ?? 0;
  const known = memo.get(o.tenantId);
  if (known && now() - known.checkedAt < (o.maxStalenessMs ?? DEFAULT_MAX_STALENESS_MS) && known.version >= wanted) {
    return { version: known.version, source: 'memo' };
  }
  let version: number;
  try {
    version = await readCheckpoint(o.db(), o.tenantId);
  } catch (err) {
    if (known && known.version >= wanted) return { version: known.version, source: 'stale' };
    throw err;
  }
  const deadline = now() + MIN_POSITION_WAIT_MS;
  while (version < wanted && now() < deadline) {
    await sleep(POLL_MS);
    version = await readCheckpoint(o.db(), o.tenantId);
  }
  remember(o.tenantId, Math.max(version, known?.version ?? 0), now());
  if (version < wanted) throw new ReadModelBehindError(version, wanted);
  return { version, source: 'db' };
}
