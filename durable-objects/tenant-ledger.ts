/**
 * One tenant's books: an append-only event log with per-stream snapshots in SQLite storage,
 * chosen by `idFromName(tenantId)` where the tenant comes from the verified token.
 * Commands run one at a time (the object is single-threaded and `execute` never awaits
 * between its check and its write); the outbox is drained to Postgres by the alarm.
 */
import { DurableObject } from 'cloudflare:workers';
import { getConfig } from '../src/env';
import { toView } from '../src/domain';
import { MAX_EVENTS_PAGE, type EventsPage, type ExecuteRequest, type ExecuteResponse, type HistoryPage, type JsonObject, type ProjectionStatus, type ReadModelVersion, type ReadResponse } from '../src/ledger/contract';
import { executeCommand } from '../src/ledger/executor';
import { drainOutbox, outboxDepth } from '../src/ledger/outbox';
import { parseFamilies } from '../src/read/families';
import { EventStore } from '../src/ledger/store';
import { log } from '../src/log';

/** Idempotency records are kept at least this long (the API promises 24 h). */
const IDEMPOTENCY_TTL_MS = 48 * 3600 * 1000;
/** Delay between a write and the drain it schedules (batches bursts of writes). */
const DRAIN_DEBOUNCE_MS = 10;

/** A requested page size clamped to 1..MAX_EVENTS_PAGE. */
const pageSize = (limit: number) => Math.max(1, Math.min(MAX_EVENTS_PAGE, Math.trunc(limit)));

export class TenantLedger extends DurableObject<Env> {
  private readonly store: EventStore;
  private position = 0;
  private tenantId: string | undefined;
  private alarmAt: number | null = null;
  private draining = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new EventStore(ctx.storage.sql);
    log.setLevel(getConfig(env).LOG_LEVEL);
    void ctx.blockConcurrencyWhile(async () => {
      this.store.migrate();
      this.position = this.store.lastPosition();
      this.tenantId = this.store.getMeta('tenant_id');
      this.alarmAt = await ctx.storage.getAlarm();
    });
  }

  /** Executes one command (see src/ledger/executor.ts for the steps). */
  async execute(req: ExecuteRequest): Promise<ExecuteResponse> {
    this.bindTenant(req.tenantId);
    const res = executeCommand({ store: this.store, storage: this.ctx.storage, position: this.position }, req);
    if (res.ok && !res.replayed) {
      this.position = res.position;
      await this.scheduleDrain();
    }
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
    return { resource: toView(s.state) as JsonObject, streamId, version: s.version, position: this.position };
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
    const rows = this.store.streamEventsAfter(this.tenantId ?? '', streamId, Math.max(0, Math.trunc(after)), n + 1);
    return { events: rows.slice(0, n), version: this.store.version(streamId), position: this.position, hasMore: rows.length > n };
  }

  /** The read model's version, its read families' versions, and whether the projection is failing (no Postgres call). */
  async readModelVersion(): Promise<ReadModelVersion> {
    const version = Number(this.store.getMeta('projection.position') ?? '0');
    return {
      version,
      position: this.position,
      failing: Number(this.store.getMeta('projection.attempts') ?? '0') > 0,
      families: parseFamilies(this.store.getMeta('projection.families'), version),
    };
  }

  /** How far the Postgres projection has caught up. */
  async projectionStatus(): Promise<ProjectionStatus> {
    return {
      position: this.position,
      projectedPosition: Number(this.store.getMeta('projection.position') ?? '0'),
      outboxDepth: outboxDepth(this.ctx.storage.sql),
      lastError: this.store.getMeta('projection.lastError') || null,
      nextAttemptAt: this.alarmAt === null ? null : new Date(this.alarmAt).toISOString(),
    };
  }

  /**
   * Drains the outbox to Postgres. Afterwards it always re-arms from the facts: the backoff
   * time after a failure, at once when writes arrived during the drain, else nothing.
   */
  override async alarm(): Promise<void> {
    this.draining = true;
    this.alarmAt = null;
    try {
      if (!this.tenantId) return;
      const { nextAttemptAt } = await drainOutbox(this.store, this.ctx.storage.sql, this.tenantId, getConfig(this.env));
      this.ctx.storage.sql.exec('DELETE FROM idempotency WHERE created_at < ?', Date.now() - IDEMPOTENCY_TTL_MS);
      const next = nextAttemptAt ?? (outboxDepth(this.ctx.storage.sql) > 0 ? Date.now() : null);
      if (next !== null) {
        this.alarmAt = next;
        await this.ctx.storage.setAlarm(next);
      } else {
        this.alarmAt = await this.ctx.storage.getAlarm();
      }
    } finally {
      this.draining = false;
    }
  }

  /**
   * After a write: make sure a drain is coming. An alarm already set (including a backoff
   * after a failure) is left alone, so writes never defeat the backoff; a drain in progress
   * re-arms itself when it ends. The short delay lets a burst of writes share one batch.
   */
  private async scheduleDrain(): Promise<void> {
    if (this.alarmAt !== null || this.draining) return;
    const at = Date.now() + DRAIN_DEBOUNCE_MS;
    this.alarmAt = at;
    await this.ctx.storage.setAlarm(at);
  }

  /** Remembers which tenant this object holds (the name it was addressed by). */
  private bindTenant(tenantId: string): void {
    if (this.tenantId === tenantId) return;
    if (this.tenantId !== undefined) throw new Error('ledger addressed with a different tenant id');
    this.tenantId = tenantId;
    this.store.setMeta('tenant_id', tenantId);
  }
}
