/**
 * Per-socket state. It lives in the socket's attachment (`serializeAttachment`), which
 * survives hibernation, and in a memo for the life of this instance. The attachment is
 * written when the state changes in a way a woken object could not rebuild: acks, replay
 * progress, catching up, bad messages. A caught-up socket has been sent everything up to the
 * last push (src/ledger/stream/push.ts), so its `lastSent` is not rewritten on every push:
 * after a wake it is the last push the object stored (or the head), or what the attachment
 * says if that is more. A version change drops the sockets with their attachments.
 */
import type { Permission } from '../../auth/permissions';
import { CLOSE_CODES } from './protocol';

export interface SocketState {
  subject: string;
  permissions: Permission[];
  /** Events this socket may run ahead of its ack before it is closed 4408 (the Worker's setting at connect). */
  maxUnacked: number;
  /** Credential expiry (ms since the epoch). */
  expiresAt: number;
  /** The last position sent (or skipped as already known: the `after` of the upgrade). */
  lastSent: number;
  /** The last position the client acknowledged. */
  lastAcked: number;
  /** True once `caught_up` was sent: from then on events are pushed as they commit. */
  caughtUp: boolean;
  /** Bad client messages so far. */
  bad: number;
  /** Opened with `?batch=true`: events go out in `events` frames (src/ledger/stream/frames.ts). */
  batch: boolean;
}

/** Tag of a user's sockets (`ctx.getWebSockets(tag)` counts them). */
export const userTag = (subject: string): string => `user:${subject}`;

export class SocketStates {
  private readonly memo = new WeakMap<WebSocket, SocketState>();

  /**
   * The socket's state. `head` is the position every caught-up socket has been sent: the
   * hub's last push (the ledger head when none is pending).
   */
  get(ws: WebSocket, head: number): SocketState | undefined {
    const hit = this.memo.get(ws);
    if (hit) return hit;
    const stored = ws.deserializeAttachment() as SocketState | null;
    if (!stored) return undefined;
    // A replay may have run ahead of the last push: never lower what was sent.
    if (stored.caughtUp) stored.lastSent = Math.max(stored.lastSent, head);
    this.memo.set(ws, stored);
    return stored;
  }

  /** Keeps the state and writes it to the attachment. */
  save(ws: WebSocket, state: SocketState): void {
    this.memo.set(ws, state);
    ws.serializeAttachment(state);
  }

  forget(ws: WebSocket): void {
    this.memo.delete(ws);
  }

  /** A socket the server is closing: it has no state any more (never sent to again). */
  drop(ws: WebSocket): void {
    this.memo.delete(ws);
    ws.serializeAttachment(null);
  }
}

/** The object's open sockets and their states; a socket the server closes is forgotten. */
export class OpenSockets {
  readonly states = new SocketStates();
  /** Kept here so a push does not ask the runtime for all of them; rebuilt after a wake. */
  private sockets: Set<WebSocket> | undefined;

  constructor(private readonly ctx: DurableObjectState) {}

  all(): Set<WebSocket> {
    this.sockets ??= new Set(this.ctx.getWebSockets());
    return this.sockets;
  }

  /** The client closed (or the connection dropped). */
  forget(ws: WebSocket): void {
    this.states.forget(ws);
    this.sockets?.delete(ws);
  }

  close(ws: WebSocket, code: number, reason: string): void {
    this.states.drop(ws);
    this.sockets?.delete(ws);
    try {
      ws.close(code, reason);
    } catch {
      // Already closing.
    }
  }

  /** Closes (4401) a socket whose credential has expired; true when it did. */
  closeIfExpired(ws: WebSocket, state: SocketState): boolean {
    if (Date.now() < state.expiresAt) return false;
    this.close(ws, CLOSE_CODES.expired, 'credential expired');
    return true;
  }
}
