/**
 * Per-socket state. It lives in the socket's attachment (`serializeAttachment`), which
 * survives hibernation, and in a memo for the life of this instance. The attachment is
 * written when the state changes in a way a woken object could not rebuild: acks, replay
 * progress, catching up, bad messages. A caught-up socket has been sent everything up to the
 * ledger head (live events are pushed synchronously after each commit), so its `lastSent` is
 * not rewritten on every push: after a wake it is the head again.
 */
import type { Permission } from '../../auth/permissions';

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
}

/** Tag of a user's sockets (`ctx.getWebSockets(tag)` counts them). */
export const userTag = (subject: string): string => `user:${subject}`;

export class SocketStates {
  private readonly memo = new WeakMap<WebSocket, SocketState>();

  /**
   * The socket's state. `head` is the position every caught-up socket has been sent: the
   * ledger head, or during `publish` the head before the command being published.
   */
  get(ws: WebSocket, head: number): SocketState | undefined {
    const hit = this.memo.get(ws);
    if (hit) return hit;
    const stored = ws.deserializeAttachment() as SocketState | null;
    if (!stored) return undefined;
    if (stored.caughtUp) stored.lastSent = head;
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
