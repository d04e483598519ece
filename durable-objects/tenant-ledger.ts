/**
 * One tenant's books: an append-only event log with per-stream snapshots in SQLite storage,
 * chosen by `idFromName(tenantId)` where the tenant comes from the verified token.
 * Commands run one at a time (the object is single-threaded and `execute` never awaits
 * between its check and its write); the outbox is drained to Postgres by the projector
 * (src/ledger/projector.ts), the live stream is served by the hub (src/ledger/stream/).
 */
import { DurableObject } from 'cloudflare:workers';
import { getConfig } from '../src/env';
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
import { Projector } from '../src/ledger/projector';
import { EventStore } from '../src/ledger/store';
import { log } from '../src/log';
import { commandOutcome, writeLedgerPoint } from '../src/telemetry/ledger-metrics';
import { StreamHub } from '../src/ledger/stream/hub';
import { pushRecord, pushWait } from '../src/ledger/stream/push';
import { readHandoff } from '../src/ledger/stream/handoff';
import { StreamTickets, type IssuedTicket, type TicketGrant } from '../src/ledger/stream/tickets';
import type { StreamGrant } from '../src/ledger/stream/handoff';

/** A requested page size clamped to 1..MAX_EVENTS_PAGE. */
const pageSize = (limit: number) => Math.max(1, Math.min(MAX_EVENTS_PAGE, Math.trunc(limit)));

export class TenantLedger extends DurableObject<Env> {
  private readonly store: EventStore;
  private position = 0;
  private tenantId: string | undefined;
  /** The Postgres projection: drains, waiting reads, the read-model check, operator actions. */
  private readonly projector: Projector;
  /** The live stream (src/ledger/stream/): hibernatable sockets and browser tickets. */
  private readonly stream: StreamHub;
  private readonly tickets: StreamTickets;
  /** The earliest credential expiry among the open sockets (an alarm closes them 4401 then). */
  private streamExpiryAt: number | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new EventStore(ctx.storage.sql);
    log.setLevel(getConfig(env).LOG_LEVEL);
    this.tickets = new StreamTickets(ctx.storage.sql);
    this.stream = new StreamHub({
      ctx,
      pushWaitMs: pushWait(getConfig(env).STREAM_PUSH_INTERVAL_MS),
      head: () => this.position,
      eventsAfter: (after, limit) => this.store.eventsAfter(this.tenantId ?? '', after, limit),
      ...pushRecord(this.store),
    });
    this.projector = new Projector({
      ctx,
      store: this.store,
      env: () => this.env,
      tenantId: () => this.tenantId,
      position: () => this.position,
      afterDrain: () => this.armStreamExpiry(),
    });
    void ctx.blockConcurrencyWhile(async () => {
      this.store.migrate();
      this.tickets.migrate();
      this.position = this.store.lastPosition();
      this.tenantId = this.store.getMeta('tenant_id');
      this.stream.resume();
      await this.projector.start();
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
      this.position = res.position;
      this.stream.publish();
      await this.projector.afterWrite(res.position - before);
    }
    const { outcome, errorCode } = commandOutcome(res);
    writeLedgerPoint(
      this.env,
      req.command.type,
      outcome,
      errorCode,
      this.projector.facts(req.tenantId, started),
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
   * The read model's version and whether the projection is failing (no Postgres call); with
   * `waitMs`, answered once the projection has committed `minPosition` (Projector.version).
   */
  async readModelVersion(
    minPosition?: number,
    waitMs?: number,
    duringOutage = false,
  ): Promise<ReadModelVersion> {
    return this.projector.version(minPosition, waitMs, duringOutage);
  }

  /** How far the Postgres projection has caught up. */
  async projectionStatus(): Promise<ProjectionStatus> {
    return this.projector.status();
  }

  /** A read found the read model behind the position it was to answer at: check it now. */
  async checkReadModel(): Promise<void> {
    await this.projector.checkReadModel();
  }

  /**
   * The alarm, shared by the projection and the stream: closes sockets whose credential
   * expired (4401), then the projector drains (an alarm set for an expiry brings a drain
   * forward: an empty outbox costs nothing, and during a Postgres outage it is one extra
   * attempt within the backoff).
   */
  override async alarm(): Promise<void> {
    this.streamExpiryAt = this.stream.expire();
    await this.projector.onAlarm();
  }

  /** Operator action: projects every event after the projected position again, now. */
  async replayOutbox(): Promise<OperatorOutcome> {
    return this.projector.replay();
  }

  /** Operator action: rebuilds the tenant's read model from the event log (Projector.rebuild). */
  async rebuildReadModel(): Promise<OperatorOutcome> {
    return this.projector.rebuild();
  }

  /** A stream upgrade handed off by the Worker (src/routes/stream.ts); nothing else comes by fetch. */
  override async fetch(request: Request): Promise<Response> {
    const handoff = readHandoff(request);
    if (!handoff) return new Response(null, { status: 400 });
    this.bindTenant(handoff.grant.tenantId);
    const res = this.stream.accept(handoff.grant, handoff.after, handoff.limits, handoff.batch);
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

  /** Remembers which tenant this object holds (the name it was addressed by). */
  private bindTenant(tenantId: string): void {
    if (this.tenantId === tenantId) return;
    if (this.tenantId !== undefined) throw new Error('ledger addressed with a different tenant id');
    this.tenantId = tenantId;
    this.store.setMeta('tenant_id', tenantId);
  }
}
