/**
 * The operator's actions on a tenant's projection (`TenantLedger.replayProjection` and
 * `rebuildReadModel`, docs/runbook.md), run by the projector (projector.ts) on its own state.
 */
import { getConfig } from '../env';
import { createDbClient } from '../read/db';
import { clearTenant } from '../read/projection';
import type { OperatorOutcome, ProjectionStatus } from './contract';
import { requeueAfter, resetProjection } from './outbox';
import type { EventStore } from './store';

/** Clearing a tenant's rows may take longer than a read's deadline. */
const REBUILD_TIMEOUT_MS = 30_000;

/** The object's part (projector.ts's `ProjectorHost` has it). */
interface OperatedHost {
  readonly ctx: DurableObjectState;
  readonly store: EventStore;
  env(): Env;
  tenantId(): string | undefined;
  position(): number;
}

/** What the actions need of the projector. */
export interface OperatedProjection {
  host: OperatedHost;
  /** The highest position delivered to the read model. */
  projected(): number;
  status(): ProjectionStatus;
  /** A drain or a rebuild is running. */
  busy(): boolean;
  setRebuilding(on: boolean): void;
  /** `rows` outbox rows were queued again. */
  queued(rows: number): void;
  /** Sets the alarm to now (replacing a later one, e.g. a backoff). */
  drainNow(): Promise<void>;
}

/**
 * Projects every event after the projected position again, now (a backoff in progress is cut
 * short). Delivery is idempotent by position, so events the read model already has are
 * skipped there.
 */
export async function replayProjection(p: OperatedProjection): Promise<OperatorOutcome> {
  if (p.host.position() === 0) return { ok: false, reason: 'empty' };
  const requeued = requeueAfter(p.host.ctx.storage.sql, p.projected());
  p.queued(requeued);
  p.host.store.setMeta('projection.attempts', '0');
  await p.drainNow();
  return { ok: true, requeued, status: p.status() };
}

/**
 * Rebuilds the tenant's read model from the event log. Clears the tenant's rows and
 * checkpoint in Postgres, forgets the projection's progress, queues every event and drains
 * now. Refused while a drain runs (try again: it ends within its budget). The delivered
 * position stays where it was (resetProjection), so until the rebuild has caught up reads
 * answer their cached answer marked STALE or 503 `read_model_behind`.
 */
export async function rebuildProjection(p: OperatedProjection): Promise<OperatorOutcome> {
  const tenantId = p.host.tenantId();
  if (p.host.position() === 0 || !tenantId) return { ok: false, reason: 'empty' };
  if (p.busy()) return { ok: false, reason: 'busy' };
  p.setRebuilding(true);
  try {
    const config = getConfig(p.host.env());
    const client = createDbClient(
      config,
      'rebuild',
      Math.max(config.DB_TIMEOUT_MS, REBUILD_TIMEOUT_MS),
    );
    try {
      await clearTenant(client.db, tenantId);
    } finally {
      await client.close();
    }
    const requeued = p.host.ctx.storage.transactionSync(() => {
      resetProjection(p.host.store);
      return requeueAfter(p.host.ctx.storage.sql, 0);
    });
    p.queued(requeued);
    await p.drainNow();
    return { ok: true, requeued, status: p.status() };
  } finally {
    p.setRebuilding(false);
  }
}
