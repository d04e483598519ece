/**
 * The read-model version of a tenant: the ledger position the Postgres projection has
 * committed, and per read family the last position that moved it (src/read/families.ts).
 * Cache keys carry a family version, so entries are immutable and a projection that moves a
 * family simply makes new keys for the reads of that family. Learned from the tenant's ledger
 * (`readModelVersion`, one Durable Object call that touches no database), not on every read:
 * each isolate memoizes it per tenant and asks
 * again when the memo is `REFRESH_AT` (0.8) of `maxStalenessMs` (default 1 s) old; while one
 * request of the isolate does that, the others go on with the memo until it is
 * `maxStalenessMs` old, then wait for that answer (polling the memo, not sharing a promise
 * across requests). So a burst of requests makes one call per isolate, not one each, and no
 * answer is older than the bound.
 * A read that needs a position the memo has not reached — the client's `X-Min-Position`, or
 * by default the last position this isolate acknowledged to the same principal
 * (src/ledger/session-positions.ts) — asks the ledger with a wait: the ledger drains its
 * outbox now and answers when its projection has committed that position (no polling).
 * That ask is the caller's own, so other principals' reads never wait for it.
 *
 * The ledger also says whether its projection's last delivery failed (Postgres down): the
 * read model is then behind the ledger and answers are marked STALE, as they are when the
 * ledger cannot be asked at all, and when a principal's own write is not projected within
 * the wait (`lagging`). An `X-Min-Position` not reached is a 503 instead.
 */
import type { ReadModelVersion } from '../ledger/contract';
import { FAMILIES, type FamilyVersions } from '../read/families';
import { poll, sleep, type Clock } from '../timeout';

export const DEFAULT_MAX_STALENESS_MS = 1_000;
/**
 * The share of the bound after which the memo is refreshed. Under steady writes every refresh
 * finds a new version, and a new version means new cache keys, each built once: refreshing
 * late keeps that to about one move per bound. 0.5 moved every key twice a second; 0.8 gave the
 * bench's mix about 50 % more throughput and a higher hit rate (docs/performance.md). The
 * remaining fifth of the bound is slack for the ask (a few ms) before anyone has to wait.
 */
export const REFRESH_AT = 0.8;
/** How long a read waits for the projection to reach `minPosition`. */
export const MIN_POSITION_WAIT_MS = 3_000;
const POLL_MS = 50;

interface Memo {
  version: number;
  families: FamilyVersions;
  failing: boolean;
  /** The ledger's `behindSince` (when failing). */
  behindSince: number | null;
  checkedAt: number;
}
const memo = new Map<string, Memo>();
/** Tenants whose checkpoint a request of this isolate is reading now (since when). */
const refreshing = new Map<string, number>();
const MAX_TENANTS = 10_000;

/** The client asked for a position the ledger has not written: no wait can reach it. */
export class PositionBeyondLedgerError extends Error {
  override name = 'PositionBeyondLedgerError';
  constructor(
    readonly position: number,
    readonly wanted: number,
  ) {
    super(`ledger at ${position}, client asked for ${wanted}`);
  }
}

/** The read model has not reached the position the client asked for (yet). */
export class ReadModelBehindError extends Error {
  override name = 'ReadModelBehindError';
  constructor(
    readonly version: number,
    readonly wanted: number,
  ) {
    super(`read model at ${version}, client needs ${wanted}`);
  }
}

export interface VersionResult {
  version: number;
  /** Per read family, the last position that moved it: what cache keys carry (src/read/families.ts). */
  families: FamilyVersions;
  /** `memo`: from this isolate's memory; `ledger`: just asked; `stale`: the ledger did not answer, last known. */
  source: 'memo' | 'ledger' | 'stale';
  /** The projection is failing (Postgres down), or the ledger could not be asked, or `lagging`: answers are STALE. */
  behind: boolean;
  /**
   * The read model has not reached the caller's session position (see `sessionPosition`)
   * although the projection is not failing (it is slower than the wait).
   */
  lagging: boolean;
  /**
   * When `behind`: since when acknowledged writes may be missing from the read model (epoch
   * ms): the ledger's `behindSince`, or when the ledger could not be asked, the time it last
   * answered; absent or null when unknown (a STALE answer's age then counts from its build).
   */
  behindSince?: number | null;
}

export interface VersionOptions {
  tenantId: string;
  /**
   * Asks the tenant's ledger (`readModelVersion`); with `waitMs`, the ledger answers once its
   * projection has committed the position asked for (or the wait ends); `duringOutage`: wait
   * even while the projection is failing (for an explicit `minPosition` only: the session's
   * position is not worth a wait through an outage, its answer is served STALE at once).
   */
  read: (waitMs?: number, duringOutage?: boolean) => Promise<ReadModelVersion>;
  /** The client's `X-Min-Position`: the answer must include it, else `ReadModelBehindError`. */
  minPosition?: number;
  /**
   * The last position this isolate acknowledged to the caller (src/ledger/session-positions.ts):
   * waited for like `minPosition`, but an answer short of it is served marked STALE, not refused.
   */
  sessionPosition?: number;
  maxStalenessMs?: number;
  /** `ctx.waitUntil`: keeps the ask of the ledger alive if the client disconnects. */
  keepAlive?: (p: Promise<unknown>) => void;
  now?: Clock['now'];
  sleep?: Clock['sleep'];
}

/** Keeps the newest of what this isolate knew and what the ledger just said: versions never go back. */
function remember(tenantId: string, answer: ReadModelVersion, at: number): Memo {
  const prior = memo.get(tenantId);
  // A ledger of an older release (during a gradual rollout) says no families: each is then at
  // its version, the safe answer.
  const said = (f: (typeof FAMILIES)[number]) =>
    (answer.families as Partial<FamilyVersions> | undefined)?.[f] ?? answer.version;
  const families = Object.fromEntries(
    FAMILIES.map((f) => [f, Math.max(said(f), prior?.families[f] ?? 0)]),
  ) as FamilyVersions;
  const next = {
    version: Math.max(answer.version, prior?.version ?? 0),
    families,
    failing: answer.failing,
    behindSince: answer.failing ? (answer.behindSince ?? null) : null,
    checkedAt: at,
  };
  memo.delete(tenantId);
  memo.set(tenantId, next);
  if (memo.size > MAX_TENANTS) {
    const oldest = memo.keys().next().value;
    if (oldest !== undefined) memo.delete(oldest);
  }
  return next;
}

/** Polls the memo until a refresh that started at `since` has landed (or ended without landing, or `maxWaitMs` passes). */
async function awaitRefresh(
  tenantId: string,
  since: number,
  maxWaitMs: number,
  clock: Clock,
): Promise<Memo | undefined> {
  const landed = await poll(
    () => {
      const m = memo.get(tenantId);
      if (m && m.checkedAt >= since) return m;
      return refreshing.has(tenantId) ? undefined : null;
    },
    maxWaitMs,
    clock,
  );
  return landed ?? undefined;
}

/** The ask of a read that needs a position the memo has not reached: one waiting call, not shared. */
async function askAndWait(
  o: VersionOptions,
  hard: number,
  soft: number,
  seen: number,
  clock: Required<Clock>,
): Promise<Memo> {
  let answer = await o.read(MIN_POSITION_WAIT_MS, hard > seen);
  if (answer.position !== undefined && hard > answer.position)
    throw new PositionBeyondLedgerError(answer.position, hard);
  if (answer.waited !== true) {
    // A ledger of an older release (during a rollout) answers at once: poll it, as before.
    const target = Math.max(hard, Math.min(soft, answer.position ?? soft));
    const deadline = clock.now() + MIN_POSITION_WAIT_MS;
    while (answer.version < target && !answer.failing && clock.now() < deadline) {
      await clock.sleep(POLL_MS);
      answer = await o.read();
    }
  }
  return remember(o.tenantId, answer, clock.now());
}

/**
 * The version to read at. Throws `PositionBeyondLedgerError` at once when `minPosition` is
 * beyond the ledger's own position, `ReadModelBehindError` when it is not reached
 * within `MIN_POSITION_WAIT_MS`, and rethrows the ledger's error when it cannot be asked and
 * nothing is known (callers then serve a stale cache entry or a 503). A `sessionPosition`
 * not reached (the projection failing, or slower than the wait) is no error: the answer is
 * marked `behind` and `lagging` and served as STALE.
 */
export async function readVersion(o: VersionOptions): Promise<VersionResult> {
  const now = o.now ?? Date.now;
  const wait = o.sleep ?? sleep;
  const hard = o.minPosition ?? 0;
  const soft = o.sessionPosition ?? 0;
  const wanted = Math.max(hard, soft);
  const bound = o.maxStalenessMs ?? DEFAULT_MAX_STALENESS_MS;
  const known = memo.get(o.tenantId);
  const at = now();
  const since = refreshing.get(o.tenantId);
  const inFlight = since !== undefined && at - since < bound;
  const fromMemo = (m: Memo, source: VersionResult['source'] = 'memo'): VersionResult => ({
    version: m.version,
    families: m.families,
    source,
    behind: m.failing,
    lagging: false,
    ...(m.failing ? { behindSince: m.behindSince } : {}),
  });
  // The ledger could not be asked: the last known version, behind since the ledger last said.
  const unreachable = (m: Memo): VersionResult => ({
    ...fromMemo(m, 'stale'),
    behind: true,
    behindSince: m.failing ? m.behindSince : m.checkedAt,
  });
  if (known && known.version >= wanted) {
    const age = at - known.checkedAt;
    if (age < bound * REFRESH_AT || (inFlight && age < bound)) return fromMemo(known);
  }
  if (wanted > (known?.version ?? 0)) {
    // The caller needs a position this isolate has not seen projected: ask the ledger to
    // answer once its projection has it. Not marked as the tenant's refresh, so other
    // principals' reads never wait for this one's write to be projected.
    const attempt = askAndWait(o, hard, soft, known?.version ?? 0, { now, sleep: wait });
    o.keepAlive?.(attempt.catch(() => {}));
    let asked: Memo;
    try {
      asked = await attempt;
    } catch (err) {
      if (err instanceof PositionBeyondLedgerError) throw err;
      if (known && known.version >= hard) return unreachable(known);
      throw err;
    }
    if (asked.version < hard) throw new ReadModelBehindError(asked.version, hard);
    const lagging = asked.version < soft && !asked.failing;
    return { ...fromMemo(asked, 'ledger'), behind: asked.failing || lagging, lagging };
  }
  if (inFlight) {
    // Nothing servable here (no memo yet, or too old), and another request is reading
    // already: wait for its answer rather than read too.
    const fresh = await awaitRefresh(o.tenantId, since, bound, { now, sleep: wait });
    if (fresh) return fromMemo(fresh);
  }
  refreshing.set(o.tenantId, now());
  // The ask runs to its end even if this request's client goes away (`keepAlive`): requests
  // waiting for it rely on it finishing and clearing its mark.
  const attempt = (async () => {
    try {
      return remember(o.tenantId, await o.read(), now());
    } finally {
      refreshing.delete(o.tenantId);
    }
  })();
  o.keepAlive?.(attempt.catch(() => {}));
  try {
    return fromMemo(await attempt, 'ledger');
  } catch (err) {
    if (known) return unreachable(known);
    throw err;
  }
}
