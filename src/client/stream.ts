/**
 * A typed client of the live ledger stream (docs/stream.md) for browsers and Node: it
 * connects, yields each event once and in order through an async iterator, acks what it has
 * yielded, and after any close (deploy, eviction, 4408 too slow, 4401 expired credential,
 * network loss) reconnects from its last ack with jittered exponential backoff.
 *
 * ```ts
 * const stream = new LedgerStream({ baseUrl, open: ticketOpener(baseUrl, getToken) });
 * for await (const { position, event } of stream) console.log(position, event.type);
 * ```
 * No Cloudflare or Hono imports: it runs wherever a WebSocket does.
 */
import {
  STREAM_PROTOCOL,
  TICKET_PROTOCOL_PREFIX,
  type ServerMessage,
  type VisibleEvent,
} from '../ledger/stream/protocol';

/** The part of a WebSocket (browser, Node 22, `ws`, workerd) the client uses. */
export interface WebSocketLike {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'message', listener: (e: { data: unknown }) => void): void;
  addEventListener(type: 'close', listener: (e: { code: number; reason: string }) => void): void;
  addEventListener(type: 'error', listener: (e: unknown) => void): void;
}

/** Opens a socket to `url` (the stream URL with `?after=`); the opener decides how to authenticate. */
export type Opener = (url: string) => Promise<WebSocketLike>;

export interface LedgerStreamOptions {
  /** The API's origin, e.g. `https://api.example.com`. */
  baseUrl: string;
  open: Opener;
  /** Start after this position (default 0: the whole log). */
  after?: number;
  /**
   * Ack after this many yielded events (default 500: half the server's default replay window,
   * a quarter of its default `STREAM_MAX_UNACKED`; every ack wakes the tenant's object) ...
   */
  ackEvery?: number;
  /** ... or this long after the first unacked one (default 5000 ms). */
  ackDelayMs?: number;
  /**
   * Ask for `events` frames of several events (`?batch=true`, default true): the same events,
   * in fewer frames when the tenant writes fast. false: one `event` frame per event.
   */
  batch?: boolean;
  /** Reconnect backoff: full jitter over `baseMs · 2^attempt`, capped (defaults 250 ms, 30 s). */
  backoff?: { baseMs: number; maxMs: number };
  /** Connection changes, for logs and status lines. */
  onStatus?: (status: StreamStatus) => void;
}

export type StreamStatus =
  | { type: 'connecting'; after: number; attempt: number }
  | { type: 'caught_up'; position: number }
  | { type: 'closed'; code: number; reason: string; retryInMs: number };

export interface StreamItem {
  position: number;
  event: VisibleEvent;
}

/** Non-browser clients: a WebSocket class that takes headers (Node's `ws`), and a fresh bearer token per connect. */
export function bearerOpener(
  token: () => Promise<string>,
  WebSocketClass: new (
    url: string,
    protocols: string[],
    options: { headers: Record<string, string> },
  ) => WebSocketLike,
): Opener {
  return async (url) =>
    new WebSocketClass(url, [STREAM_PROTOCOL], {
      headers: { Authorization: `Bearer ${await token()}` },
    });
}

/** Browsers: a single-use ticket per connect (`POST /v1/stream/tickets` with the bearer token), offered as a subprotocol. */
export function ticketOpener(
  baseUrl: string,
  token: () => Promise<string>,
  WebSocketClass: new (url: string, protocols: string[]) => WebSocketLike,
): Opener {
  return async (url) => {
    const res = await fetch(new URL('/v1/stream/tickets', baseUrl), {
      method: 'POST',
      headers: { Authorization: `Bearer ${await token()}` },
    });
    if (res.status !== 201) throw new Error(`ticket request answered ${res.status}`);
    const { ticket } = (await res.json()) as { ticket: string };
    return new WebSocketClass(url, [STREAM_PROTOCOL, `${TICKET_PROTOCOL_PREFIX}${ticket}`]);
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class LedgerStream implements AsyncIterable<StreamItem> {
  private lastAck: number;
  private lastYielded: number;
  private socket: WebSocketLike | undefined;
  private queue: StreamItem[] = [];
  private wake: (() => void) | undefined;
  private stopped = false;
  private attempt = 0;
  private ackTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly o: LedgerStreamOptions) {
    this.lastAck = o.after ?? 0;
    this.lastYielded = this.lastAck;
  }

  /** The position of the last event yielded (and acked or about to be). */
  get position(): number {
    return this.lastYielded;
  }

  /** Stops: closes the socket and ends the iteration. */
  stop(): void {
    this.stopped = true;
    this.socket?.close(1000, 'stopped');
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<StreamItem> {
    const loop = this.run();
    try {
      while (!this.stopped) {
        const next = this.queue.shift();
        if (next) {
          this.lastYielded = next.position;
          this.scheduleAck();
          yield next;
          continue;
        }
        await new Promise<void>((resolve) => (this.wake = resolve));
      }
    } finally {
      this.stop();
      await loop;
    }
  }

  /** Connect, read until the socket closes, back off, repeat. */
  private async run(): Promise<void> {
    while (!this.stopped) {
      // Resume from the last ack: what was received but not yielded is dropped and comes again.
      this.queue = [];
      const after = this.lastYielded;
      this.o.onStatus?.({ type: 'connecting', after, attempt: this.attempt });
      let closed: { code: number; reason: string };
      try {
        closed = await this.session(after);
      } catch (err) {
        closed = { code: 1006, reason: err instanceof Error ? err.message : 'connect failed' };
      }
      if (this.stopped) break;
      const { baseMs, maxMs } = this.o.backoff ?? { baseMs: 250, maxMs: 30_000 };
      const retryInMs = Math.floor(Math.random() * Math.min(maxMs, baseMs * 2 ** this.attempt));
      this.attempt = Math.min(this.attempt + 1, 16);
      this.o.onStatus?.({ type: 'closed', ...closed, retryInMs });
      await sleep(retryInMs);
    }
  }

  /** One socket's life; resolves with its close. */
  private async session(after: number): Promise<{ code: number; reason: string }> {
    const url = new URL('/v1/stream', this.o.baseUrl);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.searchParams.set('after', String(after));
    url.searchParams.set('batch', String(this.o.batch ?? true));
    const ws = await this.o.open(url.toString());
    this.socket = ws;
    let expected = after + 1;
    /** Queues the events in order; on a gap or a repeat, closes the socket (the next one resumes). */
    const take = (items: StreamItem[]) => {
      for (const item of items) {
        if (item.position !== expected) {
          ws.close(4000, `expected position ${expected}, got ${item.position}`);
          return;
        }
        expected += 1;
        this.queue.push(item);
      }
      this.wake?.();
    };
    return new Promise((resolve) => {
      ws.addEventListener('message', (e) => {
        const m = JSON.parse(String(e.data)) as ServerMessage;
        if (m.type === 'event') take([{ position: m.position, event: m.event }]);
        else if (m.type === 'events') take(m.events);
        else if (m.type === 'caught_up') {
          this.attempt = 0;
          this.o.onStatus?.({ type: 'caught_up', position: m.position });
        }
      });
      ws.addEventListener('close', (e) => resolve({ code: e.code, reason: e.reason }));
      ws.addEventListener('error', () => undefined);
    });
  }

  private scheduleAck(): void {
    const every = this.o.ackEvery ?? 500;
    if (this.lastYielded - this.lastAck >= every) return this.ack();
    if (this.ackTimer === undefined)
      this.ackTimer = setTimeout(() => this.ack(), this.o.ackDelayMs ?? 5000);
  }

  private ack(): void {
    clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    if (this.lastYielded <= this.lastAck) return;
    try {
      this.socket?.send(JSON.stringify({ type: 'ack', position: this.lastYielded }));
      this.lastAck = this.lastYielded;
    } catch {
      // The socket is gone; the next one resumes from lastYielded anyway.
    }
  }
}
