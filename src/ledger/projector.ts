/**
 * The ledger's side of the Postgres projection, for one tenant's `TenantLedger`: when the
 * outbox is drained (a write starts a drain at once; the alarm is the safety net and the
 * backoff after a failure), reads that wait for their position (`version` with a wait,
 * projection-waiters.ts), the read model's checkpoint check (read-model-check.ts), the
 * projection's status, and the operator's replay and rebuild (projection-operator.ts). The
 * object keeps the log and the stream; it calls in here after each write and from its alarm,
 * which it shares with the stream's credential expiry (`afterDrain`).
 */
import { getConfig } from '../env';
import { log } from '../log';
import { poll } from '../timeout';
import { parseFamilies } from '../read/families';
import { writeLedgerPoint, type LedgerFacts } from '../telemetry/ledger-metrics';
import type { OperatorOutcome, ProjectionStatus, ReadModelVersion } from './contract';
import { drainOutbox, oldestUndeliveredAt, outboxDepth } from './outbox';
import { KeptConnection } from './kept-connection';
import {
  rebuildProjection,
  replayProjection,
  type OperatedProjection,
} from './projection-operator';
import { ProjectionWaiters } from './projection-waiters';
import { ReadModelCheck } from './read-model-check';
import type { EventStore } from './store';

/** Idempotency records are kept at least this long (the API promises 24 h). */
const IDEMPOTENCY_TTL_MS = 48 * 3600 * 1000;
/** While an operator rebuild clears Postgres, a due drain waits this long and looks again. */
const REBUILD_RETRY_MS = 1_000;
/** The longest a read waits here for the projection to commit its position. */
const MAX_READ_WAIT_MS = 5_000;
/** How long an alarm waits for a drain already running before leaving the rest to it. */
const ALARM_WAITS_FOR_DRAIN_MS = 30_000;
/** The projection's connection is closed after this long without a drain. */
const CONNECTION_IDLE_MS = 10_000;
/** The safety-net alarm after a write (the write starts the drain itself). */
const DRAIN_DEBOUNCE_MS = 10;

/** What the projector needs of its Durable Object. */
export interface ProjectorHost {
  readonly ctx: DurableObjectState;
  readonly store: EventStore;
  /** The object's env, read each time (tests replace it to record telemetry). */
  env(): Env;
  tenantId(): string | undefined;
  /** The ledger's position (last appended event). */
  position(): number;
  /** After each drain has re-armed the alarm: the host re-arms what else shares it. */
  afterDrain(): Promise<void>;
}

export class Projector {
  /** When the alarm is set to go off for the projection (null: none this object set). */
  private alarmAt: number | null = null;
  private draining = false;
  /** An operator rebuild is clearing Postgres: drains wait for it. */
  private rebuilding = false;
  /**
   * Outbox rows, for telemetry without a count(*) per command (a backlog during a Postgres
   * outage can be large): counted exactly at start-up and after each drain or requeue, plus
   * the events each command appends (one outbox row each) in between.
   */
  private outboxRows = 0;
  /** Whether Postgres still holds what was delivered (read-model-check.ts). */
  private readonly check = new ReadModelCheck();
  /** Reads waiting for the projection to commit their position. */
  private readonly waiters = new ProjectionWaiters();
  /** The projection's connection, kept between drains (kept-connection.ts). */
  private readonly connection = new KeptConnection(CONNECTION_IDLE_MS);

  constructor(private readonly host: ProjectorHost) {}

  private get sql(): SqlStorage {
    return this.host.ctx.storage.sql;
  }

  /** At start-up (inside the object's blockConcurrencyWhile). */
  async start(): Promise<void> {
    this.outboxRows = outboxDepth(this.sql);
    this.alarmAt = await this.host.ctx.storage.getAlarm();
    await this.armCheck();
  }

  /**
   * After a write appended `appended` events: make sure a drain is coming. An alarm already
   * set (including a backoff after a failure) is left alone, so writes never defeat the
   * backoff; a drain in progress re-arms itself when it ends. Otherwise the drain starts now,
   * so the write's reader (who asks right after the answer) finds it under way; writes that
   * arrive meanwhile share the next batch. The alarm stays as the safety net: a drain cut
   * short by an eviction is picked up by it.
   */
  async afterWrite(appended: number): Promise<void> {
    this.outboxRows += appended;
    if (this.alarmAt !== null || this.draining) return;
    const at = Date.now() + DRAIN_DEBOUNCE_MS;
    this.alarmAt = at;
    await this.host.ctx.storage.setAlarm(at);
    if (!this.failing() && !this.rebuilding) this.drainInBackground();
  }

  /**
   * The read model's version, its read families' versions, and whether the projection is
   * failing (no Postgres call). A read asking for `minPosition` may have the alarm check
   * the read model's checkpoint (read-model-check.ts). With `waitMs`, a `minPosition` this
   * ledger has written but not yet projected is waited for: the outbox is drained now
   * (unless a drain runs or a rebuild is clearing Postgres) and the answer comes when a
   * delivered batch covers it, at most `waitMs` later. While the projection is failing it
   * answers at once, unless `duringOutage` (a client's explicit `X-Min-Position`): then it
   * waits for the next attempt of the backoff, which it does not bring forward.
   */
  async version(
    minPosition?: number,
    waitMs?: number,
    duringOutage = false,
  ): Promise<ReadModelVersion> {
    const wanted = minPosition ?? 0;
    const failing = this.failing();
    if (
      waitMs !== undefined &&
      waitMs > 0 &&
      wanted > this.projected() &&
      wanted <= this.host.position() &&
      (!failing || duringOutage)
    ) {
      const reached = this.waiters.wait(wanted, Math.min(waitMs, MAX_READ_WAIT_MS));
      if (!failing && !this.draining && !this.rebuilding) this.drainInBackground();
      await reached;
    }
    const version = this.projected();
    this.check.asked(Date.now(), minPosition, version);
    await this.armCheck();
    const nowFailing = this.failing();
    return {
      version,
      position: this.host.position(),
      failing: nowFailing,
      behindSince: nowFailing ? oldestUndeliveredAt(this.sql) : null,
      families: parseFamilies(this.host.store.getMeta('projection.families'), version),
      ...(waitMs === undefined ? {} : { waited: true }),
    };
  }

  /** How far the Postgres projection has caught up. */
  status(): ProjectionStatus {
    return {
      position: this.host.position(),
      projectedPosition: this.projected(),
      outboxDepth: outboxDepth(this.sql),
      lastError: this.host.store.getMeta('projection.lastError') || null,
      readModelCheckpoint: this.check.lastCheckpoint,
      nextAttemptAt: this.alarmAt === null ? null : new Date(this.alarmAt).toISOString(),
    };
  }

  /** The alarm's part: drains the outbox, or waits for the drain that is running. */
  async onAlarm(): Promise<void> {
    if (this.rebuilding) {
      this.alarmAt = Date.now() + REBUILD_RETRY_MS;
      await this.host.ctx.storage.setAlarm(this.alarmAt);
      return;
    }
    this.alarmAt = null;
    if (this.draining) {
      // A drain a write or a waiting read started is running: let it end, then deliver what
      // it left (if it is still running then, it re-arms the alarm itself when it ends).
      await poll(() => (this.draining ? undefined : true), ALARM_WAITS_FOR_DRAIN_MS);
      if (this.draining || (outboxDepth(this.sql) === 0 && !this.check.due)) return;
    }
    await this.drain();
  }

  /**
   * Drains the outbox to Postgres, from the alarm or at once for a write or a read waiting on
   * its own write. Afterwards it always re-arms from the facts: the backoff time after a
   * failure, at once when writes arrived during the drain, else nothing. Reads still waiting
   * when it ends are let go (they see the facts and answer STALE or 503).
   */
  private async drain(): Promise<void> {
    this.draining = true;
    try {
      const tenantId = this.host.tenantId();
      if (!tenantId) return;
      const started = performance.now();
      const config = getConfig(this.host.env());
      let result: { nextAttemptAt: number | null };
      do {
        result = await drainOutbox(this.host.store, this.sql, tenantId, config, {
          check: this.check,
          onBatch: (checkpoint) => this.waiters.settle(checkpoint),
          client: this.connection.get(config),
        });
        // Writes that came in during the drain, with a read waiting on them: go on now
        // rather than through a new alarm.
      } while (
        result.nextAttemptAt === null &&
        this.waiters.pending > 0 &&
        outboxDepth(this.sql) > 0
      );
      this.outboxRows = outboxDepth(this.sql);
      writeLedgerPoint(
        this.host.env(),
        'projection.drain',
        this.failing() ? 'drain_failed' : 'drained',
        '',
        this.facts(tenantId, started),
      );
      this.sql.exec(
        'DELETE FROM idempotency WHERE created_at < ?',
        Date.now() - IDEMPOTENCY_TTL_MS,
      );
      const next =
        result.nextAttemptAt ??
        (outboxDepth(this.sql) > 0 ? Date.now() : this.check.alarmAt(this.checkArgs(false)));
      if (next !== null) {
        this.alarmAt = next;
        await this.host.ctx.storage.setAlarm(next);
      } else {
        this.alarmAt = await this.host.ctx.storage.getAlarm();
      }
      await this.host.afterDrain();
    } finally {
      this.draining = false;
      if (this.failing()) {
        this.waiters.releaseAll();
        this.connection.close(); // the next attempt connects afresh
      } else {
        this.waiters.settle(this.projected());
        this.connection.idle();
      }
    }
  }

  /** Starts a drain without waiting for it (its errors are its own: logged, never thrown). */
  private drainInBackground(): void {
    this.drain().catch((err: unknown) =>
      log.error('projection_drain_crashed', { error: String(err) }),
    );
  }

  /** A read found the read model behind the position it was to answer at: check it now. */
  async checkReadModel(): Promise<void> {
    this.check.request();
    await this.armCheck();
  }

  private checkArgs(draining = this.draining) {
    return { now: Date.now(), projected: this.projected(), alarmAt: this.alarmAt, draining };
  }

  /** Arms the alarm for a wanted check of the read model, unless an alarm is coming anyway. */
  private async armCheck(): Promise<void> {
    const at = this.check.alarmAt(this.checkArgs());
    if (at === null) return;
    this.alarmAt = at;
    await this.host.ctx.storage.setAlarm(at);
  }

  /** Operator action: the projection again from the projected position (projection-operator.ts). */
  replay(): Promise<OperatorOutcome> {
    return replayProjection(this.operated());
  }

  /** Operator action: the tenant's read model rebuilt from the log (projection-operator.ts). */
  rebuild(): Promise<OperatorOutcome> {
    return rebuildProjection(this.operated());
  }

  /** What the operator actions may do here. */
  private operated(): OperatedProjection {
    return {
      host: this.host,
      projected: () => this.projected(),
      status: () => this.status(),
      busy: () => this.draining || this.rebuilding,
      setRebuilding: (on) => {
        this.rebuilding = on;
      },
      queued: (rows) => {
        this.outboxRows += rows;
      },
      drainNow: () => this.drainNow(),
    };
  }

  /** Sets the alarm to now (replacing a later one, e.g. a backoff). */
  private async drainNow(): Promise<void> {
    if (this.draining) return;
    this.alarmAt = Date.now();
    await this.host.ctx.storage.setAlarm(this.alarmAt);
  }

  /** Position, projection progress and outbox depth now, for a telemetry point (no table scan). */
  facts(tenantId: string, started: number): LedgerFacts {
    return {
      tenantId,
      position: this.host.position(),
      projectedPosition: this.projected(),
      outboxDepth: this.outboxRows,
      durationMs: performance.now() - started,
    };
  }

  /** The projection's last delivery failed (it is backing off). */
  private failing(): boolean {
    return Number(this.host.store.getMeta('projection.attempts') ?? '0') > 0;
  }

  /** The highest position delivered to the read model (the ledger's memo; reads verify it). */
  private projected(): number {
    return Number(this.host.store.getMeta('projection.position') ?? '0');
  }
}
