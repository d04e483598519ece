/**
 * Shared steps of the stream suites: open a socket as a client would, collect its frames, wait
 * for them. The suites take the project's general helpers through this file only.
 */
import { runInDurableObject } from 'cloudflare:test';
import { afterEach, expect } from 'vitest';
import type { TenantLedger } from '../../durable-objects/tenant-ledger';
import { call, expectJson, post } from '../fixtures/http';

export {
  BASE,
  call,
  expectJson,
  expectProblem as expectRefusal,
  post,
  token,
  uniqueTenant,
} from '../fixtures/http';
export { eventsAfter, openBooks, positionOf, type Books } from '../fixtures/books';
export { appWith } from '../fixtures/edge';

type Item = {
  position: number;
  event: Record<string, unknown> & { position: number; type: string };
};
export type Frame =
  | ({ type: 'event' } & Item)
  | { type: 'events'; events: Item[] }
  | { type: 'caught_up'; position: number }
  | { type: 'error'; code: string; detail: string }
  | { type: 'pong' };

/** One client socket: every frame it received, and how it closed. */
export class TestSocket {
  readonly frames: Frame[] = [];
  closed: { code: number; reason: string } | undefined;
  private waiters: Array<() => void> = [];

  constructor(readonly ws: WebSocket) {
    ws.accept();
    ws.addEventListener('message', (m) => {
      this.frames.push(JSON.parse(String(m.data)) as Frame);
      this.wake();
    });
    ws.addEventListener('close', (e) => {
      this.closed = { code: e.code, reason: e.reason };
      this.wake();
    });
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** The events received (`event` frames and the items of `events` frames), in arrival order. */
  get items(): Item[] {
    return this.frames.flatMap((f) =>
      f.type === 'event' ? [f] : f.type === 'events' ? f.events : [],
    );
  }

  /** The positions of the events received, in arrival order. */
  get positions(): number[] {
    return this.items.map((i) => i.position);
  }

  get lastPosition(): number {
    return this.positions.at(-1) ?? 0;
  }

  /** Resolves once `done()` holds; fails after `ms`. */
  async until(done: () => boolean, what: string, ms = 5000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!done()) {
      if (Date.now() > deadline)
        throw new Error(
          `timed out waiting for ${what}; frames: ${JSON.stringify(this.frames.slice(-3))}, closed: ${JSON.stringify(this.closed)}`,
        );
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  untilCaughtUp(): Promise<void> {
    return this.until(() => this.frames.some((f) => f.type === 'caught_up'), 'caught_up');
  }

  untilPosition(position: number): Promise<void> {
    return this.until(() => this.lastPosition >= position, `position ${position}`);
  }

  untilClosed(): Promise<void> {
    return this.until(() => this.closed !== undefined, 'close');
  }

  ack(position = this.lastPosition): void {
    this.ws.send(JSON.stringify({ type: 'ack', position }));
  }

  close(): void {
    if (this.closed) return;
    this.ws.close(1000, 'done');
  }
}

/** The upgrade request as a client sends it; `extra` is added to the query (e.g. `batch=true`). */
export function upgrade(
  t: string | undefined,
  after?: number,
  headers: Record<string, string> = {},
  extra?: string,
): Promise<Response> {
  const params = [...(after === undefined ? [] : [`after=${after}`]), ...(extra ? [extra] : [])];
  const query = params.length > 0 ? `?${params.join('&')}` : '';
  return call(`/v1/stream${query}`, { token: t, headers: { Upgrade: 'websocket', ...headers } });
}

/** Opens a socket and expects the upgrade to succeed. */
export async function connect(
  t: string,
  after?: number,
  headers: Record<string, string> = {},
  extra?: string,
): Promise<TestSocket> {
  const res = await upgrade(t, after, headers, extra);
  if (res.status !== 101) expect.fail(`upgrade answered ${res.status}: ${await res.text()}`);
  const ws = res.webSocket;
  if (!ws) return expect.fail('no webSocket on the 101');
  return new TestSocket(ws);
}

/** The sockets a suite opens: each test's are closed after it (`closeAll()` closes them sooner). */
export function trackedSockets(): { track: (s: TestSocket) => TestSocket; closeAll: () => void } {
  const open: TestSocket[] = [];
  const closeAll = () => {
    for (const s of open.splice(0)) s.close();
  };
  afterEach(closeAll);
  return { track: (s) => (open.push(s), s), closeAll };
}

/** A write: one `customer.created` event. */
export const customer = (t: string, name: string) =>
  post(t, '/v1/customers', { name }).then((r) => expectJson(r, 201));

type PushInternals = { lastPushAt: number; pending: ReturnType<typeof setTimeout> | undefined };
const livePush = (o: TenantLedger) =>
  (o as unknown as { stream: { push: PushInternals } }).stream.push;

/**
 * Runs `write` with the ledger's next push held back (as if its last push had just happened),
 * then drops that pending push's timer, as an object that leaves memory would lose it
 * (src/ledger/stream/push.ts). Miniflare does not evict an object with a timer pending.
 */
export async function leavePushPending(
  stub: DurableObjectStub<TenantLedger>,
  write: () => Promise<unknown>,
): Promise<void> {
  await runInDurableObject(stub, (o: TenantLedger) => {
    livePush(o).lastPushAt = Date.now() + 60_000;
  });
  await write();
  await runInDurableObject(stub, (o: TenantLedger) => {
    const push = livePush(o);
    expect(push.pending, 'a push is pending').toBeDefined();
    clearTimeout(push.pending);
    push.pending = undefined;
  });
}
