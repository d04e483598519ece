/**
 * The stream across disconnects, hibernation and slow consumers: a client that resumes from
 * its last ack ends up with exactly the log — in order, no gaps, nothing twice on a socket,
 * nothing from a refused command — whatever happens in between.
 */
import { env } from 'cloudflare:workers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  appWith,
  connect,
  eventsAfter,
  openBooks,
  positionOf,
  post,
  TestSocket,
  type Books,
  trackedSockets,
  leavePushPending,
  customer,
} from './stream-fixtures';
import { evictLedger } from '../fixtures/projector';

const { track, closeAll } = trackedSockets();
const ledger = (tenant: string) => env.TENANT_LEDGER.get(env.TENANT_LEDGER.idFromName(tenant));
const unbalanced = (b: Books) => ({
  date: '2025-02-10',
  currency: 'USD',
  lines: [
    { accountId: b.accounts.cash, debit: 5_000 },
    { accountId: b.accounts.revenue, credit: 4_000 },
  ],
});
const eventsOf = (s: TestSocket) => s.frames.flatMap((f) => (f.type === 'event' ? [f.event] : []));

/** A client that resumes from its last ack, checking each socket's frames as they come. */
class ResumingClient {
  readonly delivered = new Map<number, Record<string, unknown>>();
  lastAck: number;
  socket!: TestSocket;
  private from = 0;

  constructor(
    private readonly t: string,
    after: number,
  ) {
    this.lastAck = after;
  }

  async connect(): Promise<void> {
    this.from = this.lastAck;
    this.socket = await connect(this.t, this.lastAck);
    track(this.socket);
  }

  /** Every event this socket sent so far: consecutive from its `after`, each kept in the union. */
  check(): void {
    const positions = this.socket.positions;
    expect(positions, 'one socket: in order, no gap, nothing twice').toEqual(
      positions.map((_, i) => this.from + i + 1),
    );
    for (const e of eventsOf(this.socket)) this.delivered.set(e.position, e);
  }

  /** Waits until this socket has caught up and brought everything up to `position`. */
  untilHas(position: number): Promise<void> {
    const s = this.socket;
    return s.until(
      () =>
        s.frames.some((f) => f.type === 'caught_up') &&
        Math.max(this.from, s.lastPosition) >= position,
      `position ${position}`,
    );
  }

  ack(): void {
    this.check();
    this.lastAck = this.socket.lastPosition || this.lastAck;
    this.socket.ack(this.lastAck);
  }

  async reconnect(): Promise<void> {
    this.check();
    this.socket.close();
    await this.socket.untilClosed();
    await this.connect();
  }
}

type Step = 'write' | 'refused' | 'ack' | 'reconnect';

describe('resume from the last ack', () => {
  it('property: random writes, refusals, acks and reconnects; the union delivered equals the log', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom<Step>('write', 'write', 'refused', 'ack', 'reconnect'), {
          minLength: 3,
          maxLength: 14,
        }),
        async (steps) => {
          const b = await openBooks();
          const client = new ResumingClient(b.t, 0);
          await client.connect();
          let n = 0;
          for (const step of steps) {
            if (step === 'write') await customer(b.t, `C ${n++}`);
            if (step === 'refused')
              expect((await post(b.t, '/v1/journal-entries', unbalanced(b))).status).toBe(422);
            if (step === 'ack') client.ack();
            if (step === 'reconnect') await client.reconnect();
          }
          const head = await positionOf(b.t);
          await client.untilHas(head);
          client.check();
          const log = await eventsAfter(b.t, 0);
          expect([...client.delivered.keys()].sort((x, y) => x - y)).toEqual(
            log.map((e) => e.position),
          );
          expect(log.map((e) => client.delivered.get(e.position as number))).toEqual(log);
          expect(log.filter((e) => e.type === 'journal.posted')).toEqual([]);
          closeAll();
        },
      ),
      { numRuns: 6 },
    );
  });

  it('hibernation: with sockets open the object is evicted, then a write still reaches every socket, once', async () => {
    const b = await openBooks();
    const head = await positionOf(b.t);
    const sockets = [await connect(b.t, head), await connect(b.t, head - 3)];
    sockets.forEach(track);
    await Promise.all(sockets.map((s) => s.untilCaughtUp()));
    sockets[1]?.ack();
    await evictLedger(ledger(b.tenant));
    await customer(b.t, 'While hibernating');
    await evictLedger(ledger(b.tenant));
    await customer(b.t, 'Again');
    const now = await positionOf(b.t);
    await Promise.all(sockets.map((s) => s.untilPosition(now)));
    const [first, second] = sockets as [TestSocket, TestSocket];
    expect(first.positions).toEqual([now - 1, now]);
    expect(second.positions).toEqual([head - 2, head - 1, head, now - 1, now]);
    expect(eventsOf(first)).toEqual(await eventsAfter(b.t, head));
  });

  it('an eviction that keeps the sockets while a push is pending: the woken object sends the rest', async () => {
    const b = await openBooks();
    const s = await connect(b.t, await positionOf(b.t));
    track(s);
    await s.untilCaughtUp();
    await customer(b.t, 'Pushed');
    const pushed = await positionOf(b.t);
    await s.untilPosition(pushed);
    await leavePushPending(ledger(b.tenant), () => customer(b.t, 'Pending at the eviction'));
    await evictLedger(ledger(b.tenant));
    expect(s.lastPosition, 'the push was still pending').toBe(pushed);
    // Any request wakes the object; it pushes from the position it stored, with no new write.
    const head = await positionOf(b.t);
    expect(head).toBe(pushed + 1);
    await s.untilPosition(head);
    expect(eventsOf(s)).toEqual(await eventsAfter(b.t, pushed - 1));
  });

  it('an eviction that drops the sockets: the client resumes from its ack and loses nothing', async () => {
    const b = await openBooks();
    const client = new ResumingClient(b.t, 0);
    await client.connect();
    await client.socket.untilCaughtUp();
    client.ack();
    await customer(b.t, 'Before the drop');
    await client.socket.untilPosition(await positionOf(b.t));
    await evictLedger(ledger(b.tenant), { webSockets: 'close' });
    await client.socket.untilClosed();
    // workerd drops the sockets without a close frame (1006); a runtime may also say 1012.
    expect([1006, 1012]).toContain(client.socket.closed?.code);
    client.check();
    await customer(b.t, 'During the drop');
    await client.connect();
    await client.untilHas(await positionOf(b.t));
    client.check();
    const log = await eventsAfter(b.t, 0);
    expect([...client.delivered.values()]).toEqual(log);
  });

  it('a slow consumer is closed 4408 past STREAM_MAX_UNACKED and resumes from its ack without loss', async () => {
    const { fetch } = appWith({ STREAM_MAX_UNACKED: '4' });
    const b = await openBooks();
    const head = await positionOf(b.t);
    const res = await fetch(`/v1/stream?after=${head}`, {
      headers: { Upgrade: 'websocket', Authorization: `Bearer ${b.t}` },
    });
    const slow = new TestSocket(res.webSocket as WebSocket);
    track(slow);
    await slow.untilCaughtUp();
    for (let i = 0; i < 6; i++) await customer(b.t, `Burst ${i}`);
    await slow.untilClosed();
    expect(slow.closed?.code).toBe(4408);
    expect(slow.positions).toEqual([head + 1, head + 2, head + 3, head + 4]);
    const resumed = await connect(b.t, head);
    track(resumed);
    await resumed.untilCaughtUp();
    expect(eventsOf(resumed)).toEqual(await eventsAfter(b.t, head));
  });
});
