/**
 * The tenant's live stream inside its `TenantLedger` (docs/stream.md). Sockets are accepted
 * with the Hibernation API, so an idle object leaves memory while they stay open.
 *
 * Per socket: replay `after+1…` from the SQLite log in pages, at most `replayWindow` events
 * ahead of the client's ack (acks pull the next page), then `caught_up`, then every event
 * pushed right after the transaction that wrote it — synchronously from `publish`, which
 * the ledger calls after each accepted command, so a refused command (which writes nothing)
 * sends nothing, and the order is the log's. `lastSent` only grows: nothing is sent twice.
 * A socket further than `maxUnacked` ahead of its ack is closed 4408 and resumes from its ack.
 */
import { log } from '../../log';
import type { RecordedEvent } from '../contract';
import { refusalResponse, type StreamGrant, type StreamLimits } from './handoff';
import {
  CLOSE_CODES,
  MAX_BAD_MESSAGES,
  parseClientMessage,
  PING_FRAME,
  PONG_FRAME,
  type ServerMessage,
} from './protocol';
import { SocketStates, userTag, type SocketState } from './sockets';
import { seesAuditFields, visibleEvent } from './visibility';

/** Largest page read from the log during a replay. */
const REPLAY_PAGE = 500;

/** What the hub needs from the ledger. */
export interface StreamHost {
  ctx: DurableObjectState;
  /** The last committed position. */
  head(): number;
  /** Events after `after`, in order, at most `limit`. */
  eventsAfter(after: number, limit: number): RecordedEvent[];
}

const frame = (m: ServerMessage): string => JSON.stringify(m);

/** The replay runs this far ahead of the ack (read in pages): half the close threshold, so a prompt client is never closed. */
const replayWindow = (s: SocketState): number => Math.max(1, Math.floor(s.maxUnacked / 2));

export class StreamHub {
  private readonly states: SocketStates;
  /** The open sockets, kept here so a publish does not ask the runtime for all of them; rebuilt after a wake. */
  private sockets: Set<WebSocket> | undefined;

  constructor(private readonly host: StreamHost) {
    this.states = new SocketStates();
    // Keep-alive pings are answered by the runtime without waking the object.
    host.ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING_FRAME, PONG_FRAME));
  }

  private live(): Set<WebSocket> {
    this.sockets ??= new Set(this.host.ctx.getWebSockets());
    return this.sockets;
  }

  /** Accepts a handed-off upgrade (src/ledger/stream/handoff.ts), or refuses it before upgrading. */
  accept(grant: StreamGrant, after: number, limits: StreamLimits): Response {
    const { ctx } = this.host;
    const head = this.host.head();
    if (after > head) {
      return refusalResponse({
        status: 400,
        code: 'invalid_after',
        detail: `after is beyond the ledger's last position (${head}).`,
      });
    }
    if (ctx.getWebSockets().length >= limits.perTenant) {
      return refusalResponse({
        status: 429,
        code: 'stream_connection_limit',
        detail: `Your tenant has ${limits.perTenant} open streams, the most allowed.`,
      });
    }
    if (ctx.getWebSockets(userTag(grant.subject)).length >= limits.perUser) {
      return refusalResponse({
        status: 429,
        code: 'stream_connection_limit',
        detail: `You have ${limits.perUser} open streams, the most allowed.`,
      });
    }
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    ctx.acceptWebSocket(server, [userTag(grant.subject)]);
    this.live().add(server);
    const state: SocketState = {
      subject: grant.subject,
      permissions: grant.permissions,
      maxUnacked: limits.maxUnacked,
      expiresAt: grant.expiresAt,
      lastSent: after,
      lastAcked: after,
      caughtUp: false,
      bad: 0,
    };
    this.pump(server, state);
    return new Response(null, { status: 101, webSocket: client });
  }

  /** A client frame: an ack moves the window (and the replay); anything else is an `error` frame. */
  message(ws: WebSocket, data: string | ArrayBuffer): void {
    const state = this.states.get(ws, this.host.head());
    if (!state || this.closeIfExpired(ws, state)) return;
    const parsed = parseClientMessage(data);
    if (parsed.ok && parsed.message.position > state.lastSent) {
      this.refuse(
        ws,
        state,
        'invalid_ack',
        `Position ${parsed.message.position} was not sent yet (last sent ${state.lastSent}).`,
      );
      return;
    }
    if (!parsed.ok) {
      this.refuse(ws, state, parsed.code, parsed.detail);
      return;
    }
    state.lastAcked = Math.max(state.lastAcked, parsed.message.position);
    if (state.caughtUp) this.states.save(ws, state);
    else this.pump(ws, state);
  }

  /** The client closed (or the connection dropped): answer the close, forget the socket. */
  closed(ws: WebSocket, code: number): void {
    this.states.forget(ws);
    this.sockets?.delete(ws);
    try {
      ws.close(code === 1005 || code === 1006 ? CLOSE_CODES.normal : code, 'closed');
    } catch {
      // Already closed: nothing to answer.
    }
  }

  /**
   * After a committed command moved the head from `before`: pushes its events to every
   * caught-up socket. Synchronous, so no other command can commit in between.
   */
  publish(before: number): void {
    const sockets = this.live();
    if (sockets.size === 0) return;
    const head = this.host.head();
    const events = this.host.eventsAfter(before, head - before);
    const frames = new Map<boolean, string[]>();
    const framesFor = (full: boolean): string[] => {
      let f = frames.get(full);
      if (!f) {
        f = events.map((e) =>
          frame({ type: 'event', position: e.position, event: visibleEvent(e, full) }),
        );
        frames.set(full, f);
      }
      return f;
    };
    for (const ws of sockets) {
      const state = this.states.get(ws, before);
      if (
        !state?.caughtUp ||
        state.lastSent !== before ||
        ws.readyState !== WebSocket.OPEN ||
        this.closeIfExpired(ws, state)
      )
        continue;
      if (head - state.lastAcked > state.maxUnacked) {
        this.close(
          ws,
          CLOSE_CODES.tooSlow,
          `more than ${state.maxUnacked} events unacknowledged; resume after ${state.lastAcked}`,
        );
        continue;
      }
      try {
        for (const f of framesFor(seesAuditFields(state.permissions))) ws.send(f);
        state.lastSent = head;
      } catch (err) {
        log.warn('stream_send_failed', { error: err instanceof Error ? err.name : 'unknown' });
      }
    }
  }

  /** Sends the replay from `lastSent` while the window allows; `caught_up` once at the head. */
  private pump(ws: WebSocket, state: SocketState): void {
    const full = seesAuditFields(state.permissions);
    while (!state.caughtUp) {
      const head = this.host.head();
      if (state.lastSent >= head) {
        ws.send(frame({ type: 'caught_up', position: head }));
        state.caughtUp = true;
        break;
      }
      const room = replayWindow(state) - (state.lastSent - state.lastAcked);
      if (room <= 0) break;
      const page = this.host.eventsAfter(state.lastSent, Math.min(room, REPLAY_PAGE));
      if (page.length === 0) break;
      for (const e of page)
        ws.send(frame({ type: 'event', position: e.position, event: visibleEvent(e, full) }));
      state.lastSent = page[page.length - 1]?.position ?? state.lastSent;
    }
    this.states.save(ws, state);
  }

  private refuse(
    ws: WebSocket,
    state: SocketState,
    code: Extract<ServerMessage, { type: 'error' }>['code'],
    detail: string,
  ): void {
    state.bad += 1;
    if (state.bad > MAX_BAD_MESSAGES) {
      this.close(ws, CLOSE_CODES.badMessages, 'too many bad messages');
      return;
    }
    ws.send(frame({ type: 'error', code, detail }));
    this.states.save(ws, state);
  }

  /** Closes (4401) a socket whose credential has expired; true when it did. */
  private closeIfExpired(ws: WebSocket, state: SocketState): boolean {
    if (Date.now() < state.expiresAt) return false;
    this.close(ws, CLOSE_CODES.expired, 'credential expired');
    return true;
  }

  private close(ws: WebSocket, code: number, reason: string): void {
    this.states.drop(ws);
    this.sockets?.delete(ws);
    try {
      ws.close(code, reason);
    } catch {
      // Already closing.
    }
  }

  /** Closes every socket whose credential expired by now; returns the next expiry (ms) or null. */
  expire(): number | null {
    let next: number | null = null;
    for (const ws of this.live()) {
      const state = this.states.get(ws, this.host.head());
      if (!state || this.closeIfExpired(ws, state)) continue;
      next = next === null ? state.expiresAt : Math.min(next, state.expiresAt);
    }
    return next;
  }
}
