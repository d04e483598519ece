/**
 * The live push (src/ledger/stream/push.ts) on its own, with fake sockets and a fake clock:
 * pushes at most every `pushWaitMs` (the first at once), one `events` frame for a batch
 * socket and one frame per event otherwise; a socket whose replay ran ahead gets only the
 * rest; a slow socket gets its window, then 4408; an expired one nothing, and 4401; a failed
 * send or a failed push closes the sockets it left behind with 1011 (they resume from their
 * ack) and never fails the command; after a wake, a socket's state comes from its attachment
 * without lowering what was sent.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RecordedEvent } from '../../src/ledger/contract';
import { event, FakeSocket } from '../fixtures/stream-fakes';
import { LivePush, pushRecord, pushWait } from '../../src/ledger/stream/push';
import { OpenSockets, type SocketState } from '../../src/ledger/stream/sockets';

/** A ledger of `log` events, the sockets of `ctx.getWebSockets()`, pushes `interval` ms apart (or as `wait` says). */
function setup(interval: number | ((sockets: number) => number) = 50) {
  const log: RecordedEvent[] = [];
  const sockets: FakeSocket[] = [];
  /** The ledger's meta table. */
  const meta = new Map<string, string>();
  const host = {
    ctx: { getWebSockets: () => sockets } as unknown as DurableObjectState,
    head: () => log.length,
    eventsAfter: vi.fn((after: number, limit: number) => log.slice(after, after + limit)),
    pushWaitMs: typeof interval === 'number' ? () => interval : interval,
    ...pushRecord({
      getMeta: (k: string) => meta.get(k),
      setMeta: (k: string, v: string) => void meta.set(k, v),
      deleteMeta: (k: string) => void meta.delete(k),
    }),
  };
  const open = new OpenSockets(host.ctx);
  const push = new LivePush(host, open);
  push.resume(); // as the object does when it starts
  /** Commits one event and publishes it, as the ledger does after each command. */
  const commit = () => {
    log.push(event(log.length + 1));
    push.publish();
  };
  /** A socket that has been sent everything up to `lastSent` (caught up). */
  const socket = (o: Partial<SocketState> = {}): FakeSocket => {
    const ws = new FakeSocket();
    const state: SocketState = {
      subject: 's',
      permissions: ['books:read'],
      maxUnacked: 2000,
      expiresAt: Date.now() + 3_600_000,
      lastSent: log.length,
      lastAcked: log.length,
      caughtUp: true,
      bad: 0,
      batch: false,
      ...o,
    };
    // As StreamHub.accept does; `sockets` is what a woken object's runtime would list.
    sockets.push(ws);
    open.all().add(ws as unknown as WebSocket);
    open.states.save(ws as unknown as WebSocket, state);
    return ws;
  };
  return { log, host, meta, open, push, commit, socket, sockets };
}

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-12-05T00:00:00Z') });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('LivePush', () => {
  it('pushes the first event at once, then the events of each interval together', () => {
    const s = setup(50);
    const single = s.socket();
    const batch = s.socket({ batch: true });
    s.commit();
    expect(single.positions).toEqual([1]);
    expect(batch.sent).toEqual([
      { type: 'events', events: [expect.objectContaining({ position: 1 })] },
    ]);
    for (let i = 0; i < 4; i++) {
      vi.advanceTimersByTime(5);
      s.commit();
    }
    expect(single.positions).toEqual([1]);
    vi.advanceTimersByTime(50);
    expect(single.positions).toEqual([1, 2, 3, 4, 5]);
    expect(single.sent.map((f) => f.type)).toEqual(['event', 'event', 'event', 'event', 'event']);
    expect(batch.positions).toEqual([1, 2, 3, 4, 5]);
    expect(batch.sent).toHaveLength(2);
    // The log was read once per push, not once per socket.
    expect(s.host.eventsAfter).toHaveBeenCalledTimes(2);
    // A quiet spell later, the next event goes at once again.
    vi.advanceTimersByTime(1000);
    s.commit();
    expect(single.positions.at(-1)).toBe(6);
  });

  it('waits 0.5 ms per open socket, at most the interval: a few sockets get each event at once', () => {
    const few = setup(pushWait(50));
    const a = few.socket();
    few.socket();
    few.commit();
    vi.advanceTimersByTime(2);
    few.commit(); // 2 ms later: past 2 × 0.5 ms, pushed at once
    expect(a.positions).toEqual([1, 2]);
    expect(a.sent).toHaveLength(2);

    const many = setup(pushWait(50));
    const sockets = Array.from({ length: 300 }, () => many.socket()); // 150 ms → the 50 ms cap
    many.commit();
    vi.advanceTimersByTime(1);
    many.commit();
    expect(sockets[0]?.positions).toEqual([1]);
    vi.advanceTimersByTime(48);
    expect(sockets[0]?.positions).toEqual([1]);
    vi.advanceTimersByTime(1);
    expect(sockets[299]?.positions).toEqual([1, 2]);
  });

  it('keeps the wait below the cap: 10 ms for 20 sockets', () => {
    const s = setup(pushWait(50));
    const sockets = Array.from({ length: 20 }, () => s.socket());
    s.commit();
    vi.advanceTimersByTime(1);
    s.commit();
    vi.advanceTimersByTime(8); // 9 ms after the first push
    expect(sockets[0]?.positions).toEqual([1]);
    vi.advanceTimersByTime(1); // 10 ms
    expect(sockets[0]?.positions).toEqual([1, 2]);
  });

  it('with an interval of 0 pushes after every command', () => {
    const s = setup(pushWait(0));
    const ws = s.socket({ batch: true });
    for (let i = 0; i < 3; i++) s.commit();
    expect(ws.sent).toHaveLength(3);
    expect(ws.positions).toEqual([1, 2, 3]);
  });

  it('a socket whose replay ran ahead of the last push gets only the rest, once', () => {
    const s = setup(50);
    const early = s.socket();
    s.commit();
    s.commit();
    s.commit();
    // Caught up by its replay at 3 while the push of 2–3 is pending.
    const late = s.socket({ lastSent: 3, lastAcked: 3 });
    s.commit();
    vi.advanceTimersByTime(50);
    expect(early.positions).toEqual([1, 2, 3, 4]);
    expect(late.positions).toEqual([4]);
  });

  it('a slow socket is sent what its window allows, then closed 4408', () => {
    const s = setup(50);
    s.commit();
    const slow = s.socket({ maxUnacked: 4, lastAcked: 0, lastSent: 1 });
    const prompt = s.socket({ lastAcked: 1 });
    for (let i = 0; i < 6; i++) s.commit();
    vi.advanceTimersByTime(50);
    expect(slow.positions).toEqual([2, 3, 4]);
    expect(slow.closed).toEqual({ code: 4408, reason: expect.stringContaining('resume after 0') });
    expect(prompt.positions).toEqual([2, 3, 4, 5, 6, 7]);
  });

  it('a push to a socket whose credential has expired sends nothing and closes it 4401', () => {
    const s = setup(0);
    const expiring = s.socket({ expiresAt: Date.now() + 1000 });
    const fine = s.socket();
    s.commit();
    expect(expiring.positions).toEqual([1]);
    vi.advanceTimersByTime(1000);
    s.commit();
    expect(expiring.positions).toEqual([1]);
    expect(expiring.closed?.code).toBe(4401);
    expect(fine.positions).toEqual([1, 2]);
  });

  it('a failed send closes that socket 1011 at once; the others get their events', () => {
    const s = setup(0);
    const broken = s.socket();
    const fine = s.socket();
    broken.failSends = true;
    s.commit();
    expect(broken.closed?.code).toBe(1011);
    expect(fine.positions).toEqual([1]);
    s.commit();
    expect(fine.positions).toEqual([1, 2]);
  });

  it('a failed push never throws into the command and closes the sockets it left behind with 1011', () => {
    const s = setup(0);
    const a = s.socket();
    const b = s.socket({ batch: true });
    s.host.eventsAfter.mockImplementationOnce(() => {
      throw new Error('SQLITE_BUSY');
    });
    expect(() => s.commit()).not.toThrow();
    expect(a.closed?.code).toBe(1011);
    expect(b.closed?.code).toBe(1011);
    expect(a.sent).toEqual([]);
  });

  it('stores the last push while there are sockets, and nothing once there are none', () => {
    const s = setup(0);
    s.commit();
    expect(s.host.savedPush()).toBeUndefined();
    const ws = s.socket();
    s.commit();
    s.commit();
    expect(s.host.savedPush()).toBe(3);
    s.sockets.pop();
    s.open.close(ws as unknown as WebSocket, 1000, 'done');
    s.commit();
    expect(s.host.savedPush()).toBeUndefined();
  });

  it('a wake with a push pending (an eviction that kept the sockets) sends the rest', () => {
    const s = setup(50);
    const ws = s.socket();
    s.commit();
    s.commit();
    s.commit();
    expect(ws.positions).toEqual([1]);
    // The object leaves memory with its push pending; the sockets stay open.
    vi.clearAllTimers();
    const woken = new LivePush(s.host, new OpenSockets(s.host.ctx));
    woken.resume();
    vi.advanceTimersByTime(0);
    expect(ws.positions).toEqual([1, 2, 3]);
  });

  it('a push left pending finds its start stored, also right after a spell without sockets', () => {
    const s = setup(50);
    const first = s.socket();
    s.commit(); // pushed at once
    s.sockets.pop();
    s.open.close(first as unknown as WebSocket, 1000, 'done');
    s.commit(); // no sockets: nothing stored
    expect(s.host.savedPush()).toBeUndefined();
    vi.advanceTimersByTime(10);
    const ws = s.socket(); // caught up at 2 by its replay
    s.commit(); // 10 ms after the last push: left pending
    expect(ws.positions).toEqual([]);
    expect(s.host.savedPush()).toBe(2);
    vi.clearAllTimers(); // the object leaves memory with the push pending
    const woken = new LivePush(s.host, new OpenSockets(s.host.ctx));
    woken.resume();
    vi.advanceTimersByTime(0);
    expect(ws.positions).toEqual([3]);
  });

  it('after a wake the states come from the attachments, without lowering what a replay sent', () => {
    const s = setup(50);
    // Its attachment was written when it caught up at 0 (pushes do not rewrite it).
    const behind = s.socket();
    s.commit(); // pushed at once
    vi.advanceTimersByTime(50);
    s.commit(); // pushed at once: 2 is stored
    s.commit(); // left pending
    // Caught up by its replay at 3 while the push of 3 is pending.
    const ahead = s.socket({ lastSent: 3, lastAcked: 3 });
    vi.clearAllTimers(); // the object leaves memory with the push pending
    const woken = new LivePush(s.host, new OpenSockets(s.host.ctx));
    woken.resume();
    vi.advanceTimersByTime(0);
    expect(behind.positions).toEqual([1, 2, 3]);
    expect(ahead.positions).toEqual([]);
  });
});
