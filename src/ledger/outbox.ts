/**
 * Drains the outbox into the Postgres read models, for the Durable Object's projector
 * (src/ledger/projector.ts: at once after a write, and from the alarm).
 * Batches of events go to `projectEvents` (one Postgres transaction each, idempotent by
 * position); delivered positions leave the outbox. A failure never touches the event log:
 * the alarm retries with exponential backoff until Postgres is back.
 */
import type { Config } from '../env';
import { log } from '../log';
import { createDbClient, type DbClient } from '../read/db';
import { describeDbError } from '../read/db-errors';
import { advanceFamilies, parseFamilies } from '../read/families';
import { projectEvents, ProjectionGapError, ProjectionIntegrityError } from '../read/projection';
import type { ReadModelCheck } from './read-model-check';
import type { EventStore } from './store';

export const DRAIN_BATCH = 500;
/** Stop draining after this long and continue in a fresh alarm (keeps alarms short). */
const DRAIN_BUDGET_MS = 10_000;
/**
 * The projection's connect and queries wait at least this long. `DB_TIMEOUT_MS` (2 s) is for
 * reads a client waits on; a drain is background work, and a timeout there marks every read
 * of the tenant STALE until the next delivered batch. Under overload a drain's connect can
 * outlast `DB_TIMEOUT_MS` although Postgres is up (docs/performance.md). A database that refuses connections still fails at once.
 */
const PROJECTION_TIMEOUT_FLOOR_MS = 10_000;
const BACKOFF_BASE_MS = 250;
const BACKOFF_MAX_MS = 30_000;

export interface DrainResult {
  delivered: number;
  /** When the next alarm should run, or null when the outbox is empty. */
  nextAttemptAt: number | null;
}

export function outboxDepth(sql: SqlStorage): number {
  return sql.exec<{ n: number }>('SELECT count(*) AS n FROM outbox').one().n;
}

/**
 * When the oldest event still waiting for Postgres was written (epoch ms), or null with none
 * waiting: the read model has every write acknowledged before it (src/cache/stale-age.ts).
 */
export function oldestUndeliveredAt(sql: SqlStorage): number | null {
  const row = sql
    .exec<{ at: string }>(
      'SELECT e.at FROM events e WHERE e.position = (SELECT min(position) FROM outbox)',
    )
    .toArray()[0];
  const at = row === undefined ? NaN : Date.parse(row.at);
  return Number.isFinite(at) ? at : null;
}

/**
 * Queues every logged event after `position` for projection again (operator actions:
 * replay, rebuild); events already queued stay once. Returns how many were added.
 */
export function requeueAfter(sql: SqlStorage, position: number): number {
  const before = outboxDepth(sql);
  sql.exec(
    'INSERT OR IGNORE INTO outbox (position) SELECT position FROM events WHERE position > ?',
    position,
  );
  return outboxDepth(sql) - before;
}

/**
 * The read model was cleared (operator rebuild): forgets the families and failures. The
 * delivered position is kept at its highest, like a read model that lost rows
 * (read-model-check.ts): reads keep claiming it, every build finds Postgres's checkpoint
 * behind it and answers STALE or 503 until the rebuild is back there, so no reader sees
 * fewer rows with a 200 or a position going backwards.
 */
export function resetProjection(store: EventStore): void {
  store.setMeta('projection.families', '');
  store.setMeta('projection.attempts', '0');
  store.setMeta('projection.lastError', '');
}

/**
 * `projection.attempts` counts consecutive failed deliveries (the read side marks answers
 * STALE while it is above 0, see `readModelVersion`); this ends a streak.
 */
function endFailingStreak(store: EventStore): void {
  if ((store.getMeta('projection.attempts') ?? '0') === '0') return;
  store.setMeta('projection.attempts', '0');
  store.setMeta('projection.lastError', '');
}

/**
 * Moves the checkpoint and, with it, the positions of the read families the delivered events
 * move (src/read/families.ts), in the same synchronous step: a reader never sees one without
 * the other. Never backwards: while a read model that lost rows is rebuilt (read-model-check.ts),
 * the position reads claim stays the highest ever delivered, and a build refuses to answer for
 * it until Postgres's checkpoint is back there (src/cache/cached-read.ts), so no reader is
 * answered from the half-rebuilt model as if it were current.
 */
function recordDelivered(
  store: EventStore,
  delivered: readonly { type: string; position: number }[],
  checkpoint: number,
): void {
  const before = Number(store.getMeta('projection.position') ?? '0');
  const known = parseFamilies(store.getMeta('projection.families'), before);
  store.setMeta('projection.families', JSON.stringify(advanceFamilies(known, before, delivered)));
  store.setMeta('projection.position', String(Math.max(before, checkpoint)));
}

/** A Postgres client for the projection (deadlines at least `PROJECTION_TIMEOUT_FLOOR_MS`). */
export function projectionClient(config: Config): DbClient {
  return createDbClient(
    config,
    'projection',
    Math.max(config.DB_TIMEOUT_MS, PROJECTION_TIMEOUT_FLOOR_MS),
  );
}

export interface DrainOptions {
  /** When due, the read model's checkpoint is read first (read-model-check.ts). */
  check?: ReadModelCheck;
  /** Called after each committed batch with the read model's checkpoint (reads waiting on it). */
  onBatch?: (checkpoint: number) => void;
  /** A client the caller keeps open across drains (not closed here); default: one of its own. */
  client?: DbClient;
}

/**
 * Delivers outbox events to Postgres; returns when to try again. When `check` is due, first
 * reads the read model's checkpoint and re-queues what Postgres lost (read-model-check.ts).
 */
export async function drainOutbox(
  store: EventStore,
  sql: SqlStorage,
  tenantId: string,
  config: Config,
  o: DrainOptions = {},
): Promise<DrainResult> {
  const { check, onBatch } = o;
  const started = Date.now();
  let delivered = 0;
  const client = o.client ?? projectionClient(config);
  try {
    const projected = Number(store.getMeta('projection.position') ?? '0');
    if (check?.due && projected > 0) await check.run(client.db, sql, tenantId, projected, started);
    for (;;) {
      const first = sql.exec<{ p: number | null }>('SELECT min(position) AS p FROM outbox').one().p;
      if (first === null) {
        endFailingStreak(store);
        return { delivered, nextAttemptAt: null };
      }
      const events = store.eventsAfter(tenantId, first - 1, DRAIN_BATCH);
      let checkpoint: number;
      let applied: number;
      try {
        ({ checkpoint, applied } = await projectEvents(client.db, tenantId, events));
      } catch (err) {
        if (err instanceof ProjectionGapError) {
          // The read model is behind the outbox (e.g. the database was restored or reset):
          // re-queue everything after its checkpoint from the log, which is the source of truth.
          requeueAfter(sql, err.checkpoint);
          continue;
        }
        throw err;
      }
      sql.exec('DELETE FROM outbox WHERE position <= ?', checkpoint);
      recordDelivered(
        store,
        events.filter((e) => e.position <= checkpoint),
        checkpoint,
      );
      check?.delivered(Date.now(), checkpoint);
      onBatch?.(checkpoint);
      // A delivered batch ends a failing streak even while new writes keep the outbox full.
      endFailingStreak(store);
      delivered += applied;
      if (Date.now() - started > DRAIN_BUDGET_MS) return { delivered, nextAttemptAt: Date.now() };
    }
  } catch (err) {
    const attempts = Number(store.getMeta('projection.attempts') ?? '0') + 1;
    const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.min(attempts - 1, 16));
    const message = describeDbError(err);
    store.setMeta('projection.attempts', String(attempts));
    store.setMeta('projection.lastError', message.slice(0, 500));
    // A corrupt read model does not heal by retrying: shout, keep the outbox, keep backing off.
    const fields = { tenantId, attempts, retryInMs: delay, error: message };
    if (err instanceof ProjectionIntegrityError) log.error('projection_integrity_failed', fields);
    else log.warn('projection_failed', fields);
    return { delivered, nextAttemptAt: Date.now() + delay };
  } finally {
    if (o.client === undefined) await client.close();
  }
}
