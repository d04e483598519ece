/**
 * The Postgres projection of a tenant's event log. The ledger's alarm hands it batches of
 * recorded events (at least once, possibly overlapping); each call applies the events after
 * the tenant's checkpoint, in one transaction, and moves the checkpoint. Events at or before
 * the checkpoint are skipped, so redelivery is a no-op; a gap is refused, so nothing is ever
 * skipped either.
 */
import { eq, sql } from 'drizzle-orm';
import type { RecordedEvent } from '../domain/recorded';
import type { Database } from './db';
import { applyEvent } from './projection-apply';
import { Batch, ProjectionIntegrityError } from './projection-batch';
import { loadRows, writeBatch, type Tx } from './projection-store';
import { rowsToLoad } from './projection-targets';
import {
  accountBalances,
  accounts,
  customers,
  invoiceLines,
  invoices,
  journalEntries,
  journalLines,
  paymentAllocations,
  payments,
  projectionCheckpoints,
  tenantSettings,
  vendors,
} from './schema';
import { withTenant } from './tenant-tx';

export { ProjectionIntegrityError } from './projection-batch';

/** Every read-model table the projection writes (all keyed by `tenant_id` first). */
export const READ_MODEL_TABLES = [
  accounts,
  journalEntries,
  journalLines,
  invoices,
  invoiceLines,
  payments,
  paymentAllocations,
  customers,
  vendors,
  accountBalances,
  tenantSettings,
] as const;

/** Events per transaction when rebuilding a tenant. */
export const REBUILD_CHUNK = 1_000;

/**
 * The first unapplied event is not the one right after the checkpoint (or the batch has a
 * hole). Nothing was written; the caller should deliver from `checkpoint + 1`.
 */
export class ProjectionGapError extends Error {
  override name = 'ProjectionGapError';
  constructor(
    readonly tenantId: string,
    /** The tenant's checkpoint: the last position applied (0 for none). */
    readonly checkpoint: number,
    /** The position offered where `expected` was needed. */
    readonly received: number,
    /** The position the projection needs next (`checkpoint + 1` unless the batch has a hole). */
    readonly expected: number = checkpoint + 1,
  ) {
    super(
      `projection of ${tenantId} needs position ${expected}, got ${received} (checkpoint ${checkpoint})`,
    );
  }
}

/** Outcome of `projectEvents`: how many events were applied and the checkpoint after. */
export interface ProjectionResult {
  applied: number;
  checkpoint: number;
}

/**
 * Reads the tenant's checkpoint and locks its row until the transaction ends, in one round
 * trip: the upsert creates the row on first use, and on conflict its no-op update takes
 * the same row lock `select ... for update` would (a concurrent projection of the tenant
 * waits here, then reads the position the first one committed).
 */
async function lockCheckpoint(tx: Tx, tenantId: string): Promise<number> {
  const [row] = await tx
    .insert(projectionCheckpoints)
    .values({ tenantId, position: 0 })
    .onConflictDoUpdate({
      target: projectionCheckpoints.tenantId,
      set: { position: sql`${projectionCheckpoints.position}` },
    })
    .returning({ position: projectionCheckpoints.position });
  if (row === undefined) throw new ProjectionIntegrityError(`no checkpoint row for ${tenantId}`);
  return row.position;
}

/** The events after `checkpoint`, deduplicated and in order; refuses any gap. */
function pending(
  tenantId: string,
  events: readonly RecordedEvent[],
  checkpoint: number,
): RecordedEvent[] {
  const byPosition = new Map<number, RecordedEvent>();
  for (const event of events) {
    if (event.tenantId !== tenantId) {
      throw new ProjectionIntegrityError(
        `event at position ${event.position} belongs to ${event.tenantId}, not ${tenantId}`,
      );
    }
    if (!Number.isSafeInteger(event.position) || event.position < 1) {
      throw new ProjectionIntegrityError(`invalid event position ${event.position}`);
    }
    if (event.position > checkpoint) byPosition.set(event.position, event);
  }
  const todo = [...byPosition.values()].sort((a, b) => a.position - b.position);
  let expected = checkpoint + 1;
  for (const event of todo) {
    if (event.position !== expected)
      throw new ProjectionGapError(tenantId, checkpoint, event.position, expected);
    expected += 1;
  }
  return todo;
}

/**
 * Applies `events` (one tenant's, in any order, possibly already applied) to the read
 * model in one transaction: locks the tenant's checkpoint, skips events at or before it,
 * folds the rest into one batch (rows it changes loaded once per table; balances aggregated
 * per account and currency) and writes it with the new checkpoint (the highest position
 * applied) in one statement of multi-row upserts. Round trips per call: begin, lock, one
 * load per entity table with changed rows, the write, commit. Keep calls to a few thousand
 * events (the write carries them as one statement).
 *
 * Throws `ProjectionGapError` (writing nothing) when the first new event is not
 * checkpoint + 1 or the new events have a hole, and `ProjectionIntegrityError` on an
 * unknown event type, another tenant's event, or an event that does not fit the rows
 * (a corrupt read model: rebuild the tenant). Balances are running totals, so never reset
 * a checkpoint by hand without clearing the tenant's rows: use `rebuildTenant`.
 */
export async function projectEvents(
  db: Database,
  tenantId: string,
  events: RecordedEvent[],
): Promise<ProjectionResult> {
  return withTenant(db, tenantId, async (tx) => {
    const checkpoint = await lockCheckpoint(tx, tenantId);
    const todo = pending(tenantId, events, checkpoint);
    const last = todo.at(-1);
    if (last === undefined) return { applied: 0, checkpoint };
    const batch = new Batch(tenantId);
    await loadRows(tx, batch, rowsToLoad(todo));
    for (const event of todo) applyEvent(batch, event);
    await writeBatch(tx, batch, last.position);
    return { applied: todo.length, checkpoint: last.position };
  });
}

/**
 * Deletes a tenant's rows from every read table and its checkpoint, in one transaction
 * holding the checkpoint lock (a concurrent projection waits, then finds checkpoint 0).
 * The ledger's operator rebuild (`TenantLedger.rebuildReadModel`) then re-projects from its
 * log through the outbox.
 */
export async function clearTenant(db: Database, tenantId: string): Promise<void> {
  await withTenant(db, tenantId, async (tx) => {
    await lockCheckpoint(tx, tenantId);
    for (const table of READ_MODEL_TABLES)
      await tx.delete(table).where(eq(table.tenantId, tenantId));
    await tx.delete(projectionCheckpoints).where(eq(projectionCheckpoints.tenantId, tenantId));
  });
}

/**
 * Rebuilds a tenant's read model from its full event log: deletes the tenant's rows from
 * every read table and its checkpoint in one transaction, then projects `events` from
 * position 1 in chunks of `REBUILD_CHUNK` (one transaction each). Reads in between see a
 * partially rebuilt model; a concurrent projection is serialized by the checkpoint lock.
 */
export async function rebuildTenant(
  db: Database,
  tenantId: string,
  events: RecordedEvent[],
): Promise<ProjectionResult> {
  await clearTenant(db, tenantId);
  const sorted = [...events].sort((a, b) => a.position - b.position);
  let result: ProjectionResult = { applied: 0, checkpoint: 0 };
  for (let i = 0; i < sorted.length; i += REBUILD_CHUNK) {
    const step = await projectEvents(db, tenantId, sorted.slice(i, i + REBUILD_CHUNK));
    result = { applied: result.applied + step.applied, checkpoint: step.checkpoint };
  }
  return result;
}
