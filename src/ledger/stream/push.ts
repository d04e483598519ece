/**
 * Live events to the caught-up sockets (docs/stream.md). The ledger calls `publish` after each
 * accepted command (a refused one writes nothing and publishes nothing). A push sends every
 * caught-up socket the committed events after its `lastSent`, read from the log in position
 * order. The first push after a quiet spell goes at once; the next waits `pushWait`: 0.5 ms per
 * open socket (whole milliseconds in workerd's timers), at most `STREAM_PUSH_INTERVAL_MS`.
 * Below that cap a push's sends take 3–5 % of the wait (a send is ~14–25 µs a socket,
 * scripts/bench/ws-send.mjs) and a tenant with a few sockets gets its events at once; past it
 * (100 sockets by default) the share grows with the sockets (28–50 % at 1,000), and at a high
 * write rate one push carries the interval's events: one `send` per socket and frame, few frames for `?batch=true` sockets
 * (src/ledger/stream/frames.ts). Measured in `npm run bench -- --only stream`
 * (docs/performance.md). The last push's position is stored with each push (one meta row), so
 * a wake can finish a push the object left pending.
 */
import { log } from '../../log';
import type { RecordedEvent } from '../contract';
import type { EventStore } from '../store';
import { EventFrames } from './frames';
import { CLOSE_CODES } from './protocol';
import type { OpenSockets, SocketState } from './sockets';
import { seesAuditFields } from './visibility';

/** What the stream needs from the ledger. */
export interface StreamHost {
  ctx: DurableObjectState;
  /** The last committed position. */
  head(): number;
  /** Events after `after`, in order, at most `limit`. */
  eventsAfter(after: number, limit: number): RecordedEvent[];
  /** Least time between two pushes to `sockets` sockets (`pushWait`). */
  pushWaitMs(sockets: number): number;
  /** The last push's position as stored in the object (none while it has no sockets). */
  savedPush(): number | undefined;
  savePush(position: number | undefined): void;
}

const PUSHED_KEY = 'stream_pushed';

/** The wait between pushes per open socket (ms), sockets still replaying included: a push's sends (~14–25 µs a socket) take 3–5 % of it. */
export const PUSH_MS_PER_SOCKET = 0.5;

/** Least time between two pushes: `PUSH_MS_PER_SOCKET` per socket, at most `maxMs` (0: none). */
export const pushWait =
  (maxMs: number) =>
  (sockets: number): number =>
    Math.min(maxMs, sockets * PUSH_MS_PER_SOCKET);

/** The last push's position, kept in the ledger's meta table (src/ledger/store.ts). */
export function pushRecord(
  meta: Pick<EventStore, 'getMeta' | 'setMeta' | 'deleteMeta'>,
): Pick<StreamHost, 'savedPush' | 'savePush'> {
  return {
    savedPush: () => {
      const saved = meta.getMeta(PUSHED_KEY);
      return saved === undefined ? undefined : Number(saved);
    },
    savePush: (position) =>
      position === undefined
        ? meta.deleteMeta(PUSHED_KEY)
        : meta.setMeta(PUSHED_KEY, String(position)),
  };
}

export class LivePush {
  /**
   * The position every caught-up socket has been sent (by a push, or by its replay, which may
   * run ahead of it). Set by `resume`, which the object calls when it starts: the last push as
   * the object stored it, else the head.
   */
  private pushed = 0;
  /** What `savePush` last stored, so an unchanged position is not written again. */
  private saved: number | undefined;
  private lastPushAt = 0;
  private pending: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly host: StreamHost,
    private readonly open: OpenSockets,
  ) {}

  /** The position a caught-up socket has been sent (see `pushed`). */
  sentHead(): number {
    return this.pushed;
  }

  /**
   * When the object starts (or wakes): where the last push stopped, and the rest of a push that
   * was pending when it left memory (the runtime does not hibernate an object with a timer
   * pending, but an eviction that keeps the sockets could), sent now.
   */
  resume(): void {
    const head = this.host.head();
    const saved = this.host.savedPush();
    this.pushed = saved ?? head;
    this.saved = saved;
    if (saved !== undefined && saved < head && this.pending === undefined)
      this.pending = setTimeout(() => this.pushSafely(), 0);
  }

  /** After a committed command moved the head: pushes now, or schedules the next push. */
  publish(): void {
    if (this.open.all().size === 0) {
      this.pushed = this.host.head();
      this.store(undefined);
      return;
    }
    // Stored before any push is left pending (a no-op when unchanged), so a wake finds it.
    this.store(this.pushed);
    if (this.pending !== undefined) return;
    const wait = this.lastPushAt + this.host.pushWaitMs(this.open.all().size) - Date.now();
    if (wait <= 0) this.pushSafely();
    else this.pending = setTimeout(() => this.pushSafely(), wait);
  }

  /** A failed push must not fail the command that was already committed and acknowledged. */
  private pushSafely(): void {
    try {
      this.push();
    } catch (err) {
      log.error('stream_push_failed', { error: err instanceof Error ? err.name : 'unknown' });
      // The sockets this push did not finish are closed and resume from their ack: none is left
      // waiting for a retry that a hibernation could forget.
      const head = this.host.head();
      for (const ws of this.open.all()) {
        const state = this.open.states.get(ws, this.sentHead());
        if (state?.caughtUp && state.lastSent < head) this.resumeFromAck(ws, state);
      }
      this.pushed = head;
      this.store(head);
    }
  }

  /** Stores the last push's position (none: no sockets) when it changed. */
  private store(position: number | undefined): void {
    if (this.saved === position) return;
    this.host.savePush(position);
    this.saved = position;
  }

  /** Closes 1011: the socket missed events that no later push would bring it. */
  private resumeFromAck(ws: WebSocket, state: SocketState): void {
    this.open.close(ws, CLOSE_CODES.internal, `resume after ${state.lastAcked}`);
  }

  /** Sends every caught-up socket the events after its `lastSent`, up to the head. */
  private push(): void {
    clearTimeout(this.pending);
    this.pending = undefined;
    this.lastPushAt = Date.now();
    const from = this.sentHead();
    const head = this.host.head();
    if (head <= from) return;
    const frames = new EventFrames(from, this.host.eventsAfter(from, head - from));
    // Before the sends: a woken object never sends a socket again what this push sends.
    this.store(head);
    for (const ws of this.open.all()) {
      const state = this.open.states.get(ws, from);
      if (
        !state?.caughtUp ||
        state.lastSent >= head ||
        ws.readyState !== WebSocket.OPEN ||
        this.open.closeIfExpired(ws, state)
      )
        continue;
      if (state.lastSent < from) {
        // Not expected (a failed send or push closes the socket): the events it lacks are not here.
        this.resumeFromAck(ws, state);
        continue;
      }
      // A slow socket gets what its window allows, then is closed 4408 (it resumes from its ack).
      const to = Math.min(head, state.lastAcked + state.maxUnacked);
      try {
        const full = seesAuditFields(state.permissions);
        if (to > state.lastSent) {
          for (const f of frames.between(state.lastSent, to, full, state.batch)) ws.send(f);
          state.lastSent = to;
        }
      } catch (err) {
        log.warn('stream_send_failed', { error: err instanceof Error ? err.name : 'unknown' });
        this.resumeFromAck(ws, state);
        continue;
      }
      if (to < head)
        this.open.close(
          ws,
          CLOSE_CODES.tooSlow,
          `more than ${state.maxUnacked} events unacknowledged; resume after ${state.lastAcked}`,
        );
    }
    this.pushed = head;
  }
}
