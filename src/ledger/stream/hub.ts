/**
 * The tenant's live stream inside its `TenantLedger` (docs/stream.md). Sockets are accepted
 * with the Hibernation API, so an idle object leaves memory while they stay open.
 *
 * Per socket: replay `after+1…` from the SQLite log in pages, at most `replayWindow` events
 * ahead of the client's ack (acks pull the next page), then `caught_up`, then the live events
 * (src/ledger/stream/push.ts). `lastSent` only grows: nothing is sent twice. A socket further
 * than `maxUnacked` ahead of its ack is closed 4408 and resumes from its ack.
 */
import { EventFrames } from './frames';
import { refusalResponse, type StreamGrant, type StreamLimits } from './handoff';
import {
  CLOSE_CODES,
  MAX_BAD_MESSAGES,
  parseClientMessage,
  PING_FRAME,
  PONG_FRAME,
  type ServerMessage,
} from './protocol';
import { log } from '../../log';
import { LivePush, type StreamHost } from './push';
import { OpenSockets, userTag, type SocketState } from './sockets';
import { seesAuditFields } from './visibility';

/** Largest page read from the log during a replay. */
const REPLAY_PAGE = 500;

const frame = (m: ServerMessage): string => JSON.stringify(m);

/** The replay runs this far ahead of the ack (read in pages): half the close threshold, so a prompt client is never closed. */
const replayWindow = (s: SocketState): number => Math.max(1, Math.floor(s.maxUnacked / 2));

export class StreamHub {
  private readonly open: OpenSockets;
  private readonly push: LivePush;

  constructor(private readonly host: StreamHost) {
    this.open = new OpenSockets(host.ctx);
    this.push = new LivePush(host, this.open);
    // Keep-alive pings are answered by the runtime without waking the object.
    host.ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING_FRAME, PONG_FRAME));
  }

  /** Accepts a handed-off upgrade (src/ledger/stream/handoff.ts), or refuses it before upgrading. */
  accept(grant: StreamGrant, after: number, limits: StreamLimits, batch: boolean): Response {
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
    this.open.all().add(server);
    const state: SocketState = {
      subject: grant.subject,
      permissions: grant.permissions,
      maxUnacked: limits.maxUnacked,
      expiresAt: grant.expiresAt,
      lastSent: after,
      lastAcked: after,
      caughtUp: false,
      bad: 0,
      batch,
    };
    this.pump(server, state);
    return new Response(null, { status: 101, webSocket: client });
  }

  /** A client frame: an ack moves the window (and the replay); anything else is an `error` frame. */
  message(ws: WebSocket, data: string | ArrayBuffer): void {
    const state = this.open.states.get(ws, this.push.sentHead());
    if (!state || this.open.closeIfExpired(ws, state)) return;
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
    if (state.caughtUp) this.open.states.save(ws, state);
    else this.pump(ws, state);
  }

  /** The client closed (or the connection dropped): answer the close, forget the socket. */
  closed(ws: WebSocket, code: number): void {
    this.open.forget(ws);
    try {
      ws.close(code === 1005 || code === 1006 ? CLOSE_CODES.normal : code, 'closed');
    } catch {
      // Already closed: nothing to answer.
    }
  }

  /** After a wake: sends a push that was pending when the object left memory (push.ts). */
  resume(): void {
    this.push.resume();
  }

  /** After each committed command (src/ledger/stream/push.ts). */
  publish(): void {
    this.push.publish();
  }

  /** Sends the replay from `lastSent` while the window allows; `caught_up` once at the head. */
  private pump(ws: WebSocket, state: SocketState): void {
    try {
      this.replay(ws, state);
    } catch (err) {
      // A failed send or log read: the client resumes from its ack (as after a push, push.ts).
      log.warn('stream_replay_failed', { error: err instanceof Error ? err.name : 'unknown' });
      this.open.close(ws, CLOSE_CODES.internal, `resume after ${state.lastAcked}`);
      return;
    }
    this.open.states.save(ws, state);
  }

  private replay(ws: WebSocket, state: SocketState): void {
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
      const frames = new EventFrames(state.lastSent, page);
      for (const f of frames.between(state.lastSent, frames.head, full, state.batch)) ws.send(f);
      state.lastSent = frames.head;
    }
  }

  private refuse(
    ws: WebSocket,
    state: SocketState,
    code: Extract<ServerMessage, { type: 'error' }>['code'],
    detail: string,
  ): void {
    state.bad += 1;
    if (state.bad > MAX_BAD_MESSAGES) {
      this.open.close(ws, CLOSE_CODES.badMessages, 'too many bad messages');
      return;
    }
    ws.send(frame({ type: 'error', code, detail }));
    this.open.states.save(ws, state);
  }

  /** Closes every socket whose credential expired by now; returns the next expiry (ms) or null. */
  expire(): number | null {
    let next: number | null = null;
    for (const ws of this.open.all()) {
      const state = this.open.states.get(ws, this.push.sentHead());
      if (!state || this.open.closeIfExpired(ws, state)) continue;
      next = next === null ? state.expiresAt : Math.min(next, state.expiresAt);
    }
    return next;
  }
}
