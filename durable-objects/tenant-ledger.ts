/**
 * One tenant's books: an append-only event log with per-stream snapshots in SQLite storage,
 * chosen by `idFromName(tenantId)` where the tenant comes from the verified token.
 * Commands run one at a time (the object is single-threaded and `execute` never awaits
 * between its check and its write); the outbox is drained to Postgres by the alarm.
 */
import { DurableObject } from 'cloudflare:workers';
import { getConfig } from '../src/env';
import { poll } from '../src/timeout';
import { toView } from '../src/domain';
import {
  MAX_EVENTS_PAGE,
  type EventsPage,
  type ExecuteRequest,
  type ExecuteResponse,
  type HistoryPage,
  type JsonObject,
  type OperatorOutcome,
  type ProjectionStatus,
  type ReadModelVersion,
  type ReadResponse,
} from '../src/ledger/contract';
import { executeCommand } from '../src/ledger/executor';
import {
  drainOutbox,
  oldestUndeliveredAt,
  outboxDepth,
  requeueAfter,
  resetProjection,
} from '../src/ledger/outbox';
import { clearTenant } from '../src/read/projection';
import { createDbClient } from '../src/read/db';
import { ReadModelCheck } from '../src/ledger/read-model-check';
import { ProjectionWaiters } from '../src/ledger/projection-waiters';
import { parseFamilies } from '../src/read/families';
import { EventStore } from '../src/ledger/store';
import { log } from '../src/log';
import {
  commandOutcome,
  writeLedgerPoint,
  type LedgerFacts,
} from '../src/telemetry/ledger-metrics';
import { StreamHub } from '../src/ledger/stream/hub';
import { readHandoff } from '../src/ledger/stream/handoff';
import { StreamTickets, type IssuedTicket, type TicketGrant } from '../src/ledger/stream/tickets';
import type { StreamGrant } from '../src/ledger/stream/handoff';

/** Idempotency records are kept at least this long (the API promises 24 h). */
const IDEMPOTENCY_TTL_MS = 48 * 3600 * 1000;
/** While an operator rebuild clears Postgres, a due drain waits this long and looks again. */
const REBUILD_RETRY_MS = 1_000;
/** Clearing a tenant's rows may take longer than a read's deadline. */
const REBUILD_TIMEOUT_MS = 30_000;
/** The longest a read waits here for the projection to commit its position. */
const MAX_READ_WAIT_MS = 5_000;
/** How long an alarm waits for a drain already running before leaving the rest to it. */
const ALARM_WAITS_FOR_DRAIN_MS = 30_000;
/** The safety-net alarm after a write (the write starts the drain itself). */
const DRAIN_DEBOUNCE_MS = 10;

/** A requested page size clamped to 1..MAX_EVENTS_PAGE. */
const pageSize = (limit: number) => Math.max(1, Math.min(MAX_EVENTS_PAGE, Math.trunc(limit)));

export class TenantLedger extends DurableObject<Env> {
  private readonly store: EventStore;
  private position = 0;
  private tenantId: string | undefined;
  private alarmAt: number | null = null;
  private draining = false;
  /**
   * Outbox rows, for telemetry without a count(*) per command (a backlog during a Postgres
   * outage can be large): counted exactly at start-up and after each drain or requeue, plus
   * the events each command appends (one outbox row each) in between.
   */
  private outboxRows = 0;
  /** An operator rebuild is clearing Postgres: drains wait for it. */
  private rebuilding = false;
  /** The live stream (src/ledger/stream/): hibernatable sockets and browser tickets. */
  private readonly stream: StreamHub;
  private readonly tickets: StreamTickets;
  /** The earliest credential expiry among the open sockets (an alarm closes them 4401 then). */
  private streamExpiryAt: number | null = null;
  /** Whether Postgres still holds what was delivered (src/ledger/read-model-check.ts). */
  private readonly check = new ReadModelCheck();
  /** Reads waiting for the projection to commit their position. */
  private readonly waiters = new ProjectionWaiters();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new EventStore(ctx.storage.sql);
    log.setLevel(getConfig(env).LOG_LEVEL);
    this.tickets = new StreamTickets(ctx.storage.sql);
    this.stream = new StreamHub({
      ctx,
      head: () => this.position,
      eventsAfter: (after, limit) => this.store.eventsAfter(this.tenantId ?? '', after, limit),
    });
    void ctx.blockConcurrencyWhile(async () => {
      this.store.migrate();
      this.tickets.migrate();
      this.position = this.store.lastPosition();
      this.tenantId = this.store.getMeta('tenant_id');
      this.outboxRows = outboxDepth(ctx.storage.sql);
      this.alarmAt = await ctx.storage.getAlarm();
      await this.armCheck();
    });
  }

  /** Executes one command (see src/ledger/executor.ts for the steps). */
  async execute(req: ExecuteRequest): Promise<ExecuteResponse> {
    const started = performance.now();
    this.bindTenant(req.tenantId);
    const before = this.position;
    const res = executeCommand(
      { store: this.store, storage: this.ctx.storage, position: this.position },
      req,
    );
    if (res.ok && !res.replayed) {
      this.outboxRows += res.position - this.position;
      this.position = res.position;
      this.stream.publish(before);
      await this.scheduleDrain();
    }
    const { outcome, errorCode } = commandOutcome(res);
    writeLedgerPoint(
      this.env,
      req.command.type,
      outcome,
      errorCode,
      this.facts(req.tenantId, started),
    );
    return res;
  }

  /** The tenant's ledger position (last appended event), 0 for an empty ledger. */
  async info(): Promise<{ position: number }> {
    return { position: this.position };
  }

  /** A resource by stream id, answered from the log (null when the stream is empty). */
  async read(streamId: string): Promise<ReadResponse | null> {
    const s = this.store.load(streamId);
    if (!s) return null;
    return {
      resource: toView(s.state) as JsonObject,
      streamId,
      version: s.version,
      position: this.position,
    };
  }

  /** The tenant's event feed after a position. */
  async events(after: number, limit: number): Promise<EventsPage> {
    const n = pageSize(limit);
    const rows = this.store.eventsAfter(this.tenantId ?? '', Math.max(0, Math.trunc(after)), n + 1);
    return { events: rows.slice(0, n), position: this.position, hasMore: rows.length > n };
  }

  /** One stream's events after a position (the audit trail); `version` 0 means no such stream. */
  async history(streamId: string, after: number, limit: number): Promise<HistoryPage> {
    const n = pageSize(limit);
    const rows = this.store.streamEventsAfter(
      this.tenantId ?? '',
      streamId,
      Math.max(0, Math.trunc(after)),
      n + 1,
    );
    return {
      events: rows.slice(0, n),
      version: this.store.version(streamId),
      position: this.position,
      hasMore: rows.length > n,
    };
  }

  /**
   * The read model's version, its read families' versions, and whether the projection is
   * failing (no Postgres call). A read asking for `minPosition` may have the alarm check
   * the read model's checkpoint (src/ledger/read-model-check.ts). With `waitMs`, a
   * `minPosition` this ledger has written but not yet projected is waited for: the outbox is
   * drained now (unless a drain runs or a rebuild is clearing Postgres) and the answer comes
   * when a delivered batch covers it, at most `waitMs` later
   * (src/ledger/projection-waiters.ts). While the projection is failing it answers at once,
   * unless `duringOutage` (a client's explicit `X-Min-Position`): then it waits for the next
   * attempt of the backoff, which it does not bring forward.
   */
  async readModelVersion(
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
      wanted <= this.position &&
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
      position: this.position,
      failing: nowFailing,
      behindSince: nowFailing ? oldestUndeliveredAt(this.ctx.storage.sql) : null,
      families: parseFamilies(this.store.getMeta('projection.families'), version),
      ...(waitMs === undefined ? {} : { waited: true }),
    };
  }

  /** How far the Postgres projection has caught up. */
  async projectionStatus(): Promise<ProjectionStatus> {
    return {
      position: this.position,
      projectedPosition: this.projected(),
      outboxDepth: outboxDepth(this.ctx.storage.sql),
      lastError: this.store.getMeta('projection.lastError') || null,
      readModelCheckpoint: this.check.lastCheckpoint,
      nextAttemptAt: this.alarmAt === null ? null : new Date(this.alarmAt).toISOString(),
    };
  }

  /**
   * The alarm: closes stream sockets whose credential expired, then drains the outbox
   * (unless a drain is running already: it re-arms when it ends).
   */
  override async alarm(): Promise<void> {
    // Stream sockets whose credential expired are closed 4401; the drain below runs as always
    // (an alarm set for an expiry brings a drain forward: an empty outbox costs nothing, and
    // during a Postgres outage it is one extra attempt within the backoff).
    this.streamExpiryAt = this.stream.expire();
    if (this.rebuilding) {
      this.alarmAt = Date.now() + REBUILD_RETRY_MS;
      await this.ctx.storage.setAlarm(this.alarmAt);
      return;
    }
    this.alarmAt = null;
    if (this.draining) {
      // A drain a write or a waiting read started is running: let it end, then deliver what
      // it left (if it is still running then, it re-arms the alarm itself when it ends).
      await poll(() => (this.draining ? undefined : true), ALARM_WAITS_FOR_DRAIN_MS);
      if (this.draining || (outboxDepth(this.ctx.storage.sql) === 0 && !this.check.due)) return;
    }
    await this.drain();
  }

  /**
   * Drains the outbox to Postgres, from the alarm or at once for a read waiting on its own
   * write (`readModelVersion` with a wait). Afterwards it always re-arms from the facts: the
   * backoff time after a failure, at once when writes arrived during the drain, else nothing.
   * Reads still waiting when it ends are let go (they see the facts and answer STALE or 503).
   */
  private async drain(): Promise<void> {
    this.draining = true;
    try {
      if (!this.tenantId) return;
      const started = performance.now();
      let result: { nextAttemptAt: number | null };
      do {
        result = await drainOutbox(
          this.store,
          this.ctx.storage.sql,
          this.tenantId,
          getConfig(this.env),
          this.check,
          (checkpoint) => this.waiters.settle(checkpoint),
        );
        // Writes that came in during the drain, with a read waiting on them: go on now
        // rather than through a new alarm.
      } while (
        result.nextAttemptAt === null &&
        this.waiters.pending > 0 &&
        outboxDepth(this.ctx.storage.sql) > 0
      );
      const { nextAttemptAt } = result;
      this.outboxRows = outboxDepth(this.ctx.storage.sql);
      const failing = this.failing();
      writeLedgerPoint(
        this.env,
        'projection.drain',
        failing ? 'drain_failed' : 'drained',
        '',
        this.facts(this.tenantId, started),
      );
      this.ctx.storage.sql.exec(
        'DELETE FROM idempotency WHERE created_at < ?',
        Date.now() - IDEMPOTENCY_TTL_MS,
      );
      const next =
        nextAttemptAt ??
        (outboxDepth(this.ctx.storage.sql) > 0
          ? Date.now()
          : this.check.alarmAt(this.checkArgs(false)));
      if (next !== null) {
        this.alarmAt = next;
        await this.ctx.storage.setAlarm(next);
      } else {
        this.alarmAt = await this.ctx.storage.getAlarm();
      }
      await this.armStreamExpiry();
    } finally {
      this.draining = false;
      if (this.failing()) this.waiters.releaseAll();
      else this.waiters.settle(this.projected());
    }
  }

  /** A read found the read model behind the position it was to answer at: check it now. */
  async checkReadModel(): Promise<void> {
    this.check.request();
    await this.armCheck();
  }

  private checkArgs(draining = this.draining) {
    return {
      now: Date.now(),
      projected: this.projected(),
      alarmAt: this.alarmAt,
      draining,
    };
  }

  /** Arms the alarm for a wanted check of the read model, unless an alarm is coming anyway. */
  private async armCheck(): Promise<void> {
    const at = this.check.alarmAt(this.checkArgs());
    if (at === null) return;
    this.alarmAt = at;
    await this.ctx.storage.setAlarm(at);
  }

  /**
   * Operator action: projects every event after the projected position again, now (a
   * backoff in progress is cut short). Delivery is idempotent by position, so events the
   * read model already has are skipped there.
   */
  async replayOutbox(): Promise<OperatorOutcome> {
    if (this.position === 0) return { ok: false, reason: 'empty' };
    const requeued = requeueAfter(this.ctx.storage.sql, this.projected());
    this.outboxRows += requeued;
    this.store.setMeta('projection.attempts', '0');
    await this.drainNow();
    return { ok: true, requeued, status: await this.projectionStatus() };
  }

  /**
   * Operator action: rebuilds the tenant's read model from the event log. Clears the tenant's
   * rows and checkpoint in Postgres, forgets the projection's progress, queues every event
   * and drains now. Refused while a drain runs (try again: it ends within its budget).
   * The delivered position stays where it was (resetProjection), so until the rebuild has
   * caught up reads answer their cached answer marked STALE or 503 `read_model_behind`.
   */
  async rebuildReadModel(): Promise<OperatorOutcome> {
    if (this.position === 0 || !this.tenantId) return { ok: false, reason: 'empty' };
    if (this.draining || this.rebuilding) return { ok: false, reason: 'busy' };
    this.rebuilding = true;
    try {
      const config = getConfig(this.env);
      const client = createDbClient(
        config,
        'rebuild',
        Math.max(config.DB_TIMEOUT_MS, REBUILD_TIMEOUT_MS),
      );
      try {
        await clearTenant(client.db, this.tenantId);
      } finally {
        await client.close();
      }
      const requeued = this.ctx.storage.transactionSync(() => {
        resetProjection(this.store);
        return requeueAfter(this.ctx.storage.sql, 0);
      });
      this.outboxRows += requeued;
      await this.drainNow();
      return { ok: true, requeued, status: await this.projectionStatus() };
    } finally {
      this.rebuilding = false;
    }
  }

  /** Sets the alarm to now (replacing a later one, e.g. a backoff). */
  private async drainNow(): Promise<void> {
    if (this.draining) return;
    this.alarmAt = Date.now();
    await this.ctx.storage.setAlarm(this.alarmAt);
  }

  /**
   * After a write: make sure a drain is coming. An alarm already set (including a backoff
   * after a failure) is left alone, so writes never defeat the backoff; a drain in progress
   * re-arms itself when it ends. Otherwise the drain starts now, so the write's reader (who
   * asks right after the answer) finds it under way; writes that arrive meanwhile share the
   * next batch. The alarm stays as the safety net: a drain cut short by an eviction is
   * picked up by it.
   */
  private async scheduleDrain(): Promise<void> {
    if (this.alarmAt !== null || this.draining) return;
    const at = Date.now() + DRAIN_DEBOUNCE_MS;
    this.alarmAt = at;
    await this.ctx.storage.setAlarm(at);
    if (!this.failing() && !this.rebuilding) this.drainInBackground();
  }

  /** Starts a drain without waiting for it (its errors are its own: logged, never thrown). */
  private drainInBackground(): void {
    this.drain().catch((err: unknown) =>
      log.error('projection_drain_crashed', { error: String(err) }),
    );
  }

  /** Position, projection progress and outbox depth now, for a telemetry point (no table scan). */
  private facts(tenantId: string, started: number): LedgerFacts {
    return {
      tenantId,
      position: this.position,
      projectedPosition: this.projected(),
      outboxDepth: this.outboxRows,
      durationMs: performance.now() - started,
    };
  }

  /** A stream upgrade handed off by the Worker (src/routes/stream.ts); nothing else comes by fetch. */
  override async fetch(request: Request): Promise<Response> {
    const handoff = readHandoff(request);
    if (!handoff) return new Response(null, { status: 400 });
    this.bindTenant(handoff.grant.tenantId);
    const res = this.stream.accept(handoff.grant, handoff.after, handoff.limits);
    if (res.status === 101) {
      this.streamExpiryAt = Math.min(this.streamExpiryAt ?? Infinity, handoff.grant.expiresAt);
      await this.armStreamExpiry();
    }
    return res;
  }

  /** Makes sure an alarm comes by the earliest socket expiry (a drain alarm before it re-arms it). */
  private async armStreamExpiry(): Promise<void> {
    if (this.streamExpiryAt === null) return;
    const current = await this.ctx.storage.getAlarm();
    if (current === null || this.streamExpiryAt < current)
      await this.ctx.storage.setAlarm(this.streamExpiryAt);
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    this.stream.message(ws, message);
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    this.stream.closed(ws, code);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    this.stream.closed(ws, 1006);
  }

  /** Issues a single-use browser ticket for the stream (src/ledger/stream/tickets.ts). */
  async issueStreamTicket(grant: TicketGrant): Promise<IssuedTicket> {
    this.bindTenant(grant.tenantId);
    return this.tickets.issue(grant);
  }

  /** Redeems a browser ticket once; null when unknown, used, expired or offered from another Origin. */
  async redeemStreamTicket(secret: string, origin: string): Promise<StreamGrant | null> {
    return this.tenantId === undefined ? null : this.tickets.redeem(this.tenantId, secret, origin);
  }

  /** The projection's last delivery failed (it is backing off). */
  private failing(): boolean {
    return Number(this.store.getMeta('projection.attempts') ?? '0') > 0;
  }

  /** The highest position delivered to the read model (the ledger's memo; reads verify it). */
  private projected(): number {
    return Number(this.store.getMeta('projection.position') ?? '0');
  }

  /** Remembers which tenant this object holds (the name it was addressed by). */
  private bindTenant(tenantId: string): void {
    if (this.tenantId === tenantId) return;
    if (this.tenantId !== undefined) throw new Error('ledger addressed with a different tenant id');
    this.tenantId = tenantId;
    this.store.setMeta('tenant_id', tenantId);
  }
}
