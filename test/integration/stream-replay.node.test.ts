/**
 * The hub's replay (src/ledger/stream/hub.ts) when a send fails: the socket is closed 1011 and
 * resumes from its ack, as after a failed push; the other sockets carry on, and the error
 * stays in the object (the ack that pulled the page does not throw).
 */
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import type { RecordedEvent } from '../../src/ledger/contract';
import { StreamHub } from '../../src/ledger/stream/hub';
import { pushRecord } from '../../src/ledger/stream/push';
import type { SocketState } from '../../src/ledger/stream/sockets';
import { event, FakeSocket } from '../fixtures/stream-fakes';

beforeEach(() => {
  // workerd's auto-response pair; the hub only hands it to the runtime.
  vi.stubGlobal(
    'WebSocketRequestResponsePair',
    class {
      constructor(
        readonly request: string,
        readonly response: string,
      ) {}
    },
  );
});
afterEach(() => {
  vi.unstubAllGlobals();
});

it('a send that fails during a replay closes that socket 1011; another socket gets its page', () => {
  const log: RecordedEvent[] = Array.from({ length: 6 }, (_, i) => event(i + 1));
  const meta = new Map<string, string>();
  const sockets = [new FakeSocket(), new FakeSocket()];
  const hub = new StreamHub({
    ctx: {
      getWebSockets: () => sockets,
      setWebSocketAutoResponse: () => undefined,
    } as unknown as DurableObjectState,
    head: () => log.length,
    eventsAfter: (after, limit) => log.slice(after, after + limit),
    pushWaitMs: () => 50,
    ...pushRecord({
      getMeta: (k) => meta.get(k),
      setMeta: (k, v) => void meta.set(k, v),
      deleteMeta: (k) => void meta.delete(k),
    }),
  });
  hub.resume(); // as the object does when it starts
  // Two sockets mid-replay at 0, as a woken object finds them in their attachments.
  const replaying: SocketState = {
    subject: 's',
    permissions: ['books:read'],
    maxUnacked: 4,
    expiresAt: Date.now() + 3_600_000,
    lastSent: 0,
    lastAcked: 0,
    caughtUp: false,
    bad: 0,
    batch: false,
  };
  for (const ws of sockets) ws.serializeAttachment(replaying);
  const [broken, fine] = sockets as [FakeSocket, FakeSocket];
  broken.failSends = true;
  const ack = '{"type":"ack","position":0}';
  expect(() => hub.message(broken as unknown as WebSocket, ack)).not.toThrow();
  expect(broken.closed).toEqual({ code: 1011, reason: 'resume after 0' });
  expect(broken.attachment).toBeNull();
  hub.message(fine as unknown as WebSocket, ack);
  expect(fine.positions).toEqual([1, 2]); // half of maxUnacked ahead of the ack
  expect(fine.closed).toBeUndefined();
});
