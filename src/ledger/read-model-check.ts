/**
 * The ledger's check of what the Postgres read model really holds. The ledger remembers the
 * highest position it delivered (`projection.position`), but Postgres can lose rows behind its
 * back: a restore from an older backup, a reset, a new Neon branch. Then the read model's own
 * checkpoint (`projection_checkpoints`) is behind that memo, and nothing would notice until
 * the next write reached the outbox. The check reads the checkpoint and, when it is behind,
 * re-queues every event after it from the log (the source of truth), so the next drain
 * rebuilds the read model without waiting for a write.
 *
 * It runs in the alarm, before the drain (src/ledger/outbox.ts): when the object starts, on
 * a schedule while the tenant is read (`CHECK_EVERY_MS`), when a read asks for a position the
 * memo says is projected (`ASKED_CHECK_MS`), and at once when a cache build found the
 * checkpoint behind the position it was asked to answer at (src/cache/cached-read.ts). Reads
 * never trust the memo alone: every build reads the checkpoint in its own snapshot.
 */
import { log } from '../log';
import { requeueAfter } from './outbox';
import type { Database } from '../read/db';
import { readCheckpoint } from '../read/checkpoint';
import { withTenant } from '../read/tenant-tx';

/** A tenant that is being read has its checkpoint checked at least this often. */
export const CHECK_EVERY_MS = 60_000;
/** A read asking for a projected position has the checkpoint checked if the last check is older. */
export const ASKED_CHECK_MS = 5_000;

/** The ledger's in-memory state of the check (a restarted object checks again: "on start"). */
export class ReadModelCheck {
  /** A check is wanted at the next alarm. Starts true: an object that starts checks once. */
  private wanted = true;
  private checkedAt = Number.NEGATIVE_INFINITY;
  /** The checkpoint the last check found (null before the first). */
  lastCheckpoint: number | null = null;

  /** Asks for a check at the next alarm. */
  request(): void {
    this.wanted = true;
  }

  /** Notes that a read asked for `minPosition` (the memo says `projected`): check if the last check is old. */
  asked(now: number, minPosition: number | undefined, projected: number): void {
    if (projected === 0) return;
    const age = now - this.checkedAt;
    if (
      age >= CHECK_EVERY_MS ||
      (minPosition !== undefined &&
        minPosition > 0 &&
        minPosition <= projected &&
        age >= ASKED_CHECK_MS)
    )
      this.wanted = true;
  }

  /**
   * A delivery succeeded: it read the checkpoint under its lock and would have refused a gap
   * (src/read/projection.ts), so it vouches for the read model like a check does.
   */
  delivered(now: number, checkpoint: number): void {
    this.wanted = false;
    this.checkedAt = now;
    this.lastCheckpoint = checkpoint;
  }

  /** Whether the alarm should check now. */
  get due(): boolean {
    return this.wanted;
  }

  /** When the caller should arm an alarm for the check (null: no need, or one is coming anyway). */
  alarmAt(o: {
    now: number;
    projected: number;
    alarmAt: number | null;
    draining: boolean;
  }): number | null {
    if (!this.wanted || o.projected === 0 || o.alarmAt !== null || o.draining) return null;
    return o.now;
  }

  /**
   * Reads the tenant's checkpoint and, when it is behind the delivered position `projected`,
   * re-queues every event after it; returns the checkpoint and how many outbox rows it added.
   * Throws when Postgres cannot be asked (the caller treats that like a failed delivery:
   * backoff, reads marked STALE); the check stays wanted then.
   */
  async run(
    db: Database,
    sql: SqlStorage,
    tenantId: string,
    projected: number,
    now: number,
  ): Promise<{ checkpoint: number; requeued: number }> {
    const checkpoint = await withTenant(db, tenantId, (tx) => readCheckpoint(tx, tenantId), {
      readOnly: true,
    });
    this.wanted = false;
    this.checkedAt = now;
    this.lastCheckpoint = checkpoint;
    if (checkpoint >= projected) return { checkpoint, requeued: 0 };
    const requeued = requeueAfter(sql, checkpoint);
    log.warn('read_model_behind_ledger', { tenantId, checkpoint, delivered: projected, requeued });
    return { checkpoint, requeued };
  }
}
