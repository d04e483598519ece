/**
 * The typed client (src/client/stream.ts) against the Worker: it yields the log once and in
 * order, and when the object drops its sockets (a deploy or an eviction) it reconnects from
 * its last ack with backoff and carries on without a gap or a duplicate.
 */
import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import {
  LedgerStream,
  type StreamItem,
  type StreamStatus,
  type WebSocketLike,
} from '../../src/client/stream';
import { BASE, eventsAfter, expectJson, openBooks, positionOf, post } from './stream-fixtures';
import { evictLedger } from '../fixtures/projector';

/** Opens through the Worker's fetch handler, as the bearer opener does over the network. */
const opener =
  (t: string) =>
  async (url: string): Promise<WebSocketLike> => {
    const http = url.replace(/^ws/, 'http');
    const res = await exports.default.fetch(
      new Request(http, { headers: { Upgrade: 'websocket', Authorization: `Bearer ${t}` } }),
    );
    if (!res.webSocket) throw new Error(`upgrade answered ${res.status}`);
    res.webSocket.accept();
    return res.webSocket as unknown as WebSocketLike;
  };

async function until(done: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('LedgerStream (typed client)', () => {
  it.each([
    ['in events frames (batch, the default)', undefined],
    ['in one frame per event (batch: false)', false],
  ])('yields the whole log once, in order, across a dropped connection: %s', async (_, batch) => {
    const b = await openBooks();
    const statuses: StreamStatus[] = [];
    const stream = new LedgerStream({
      baseUrl: BASE,
      open: opener(b.t),
      ackEvery: 5,
      ...(batch === undefined ? {} : { batch }),
      backoff: { baseMs: 10, maxMs: 50 },
      onStatus: (s) => statuses.push(s),
    });
    const got: StreamItem[] = [];
    const consuming = (async () => {
      for await (const item of stream) got.push(item);
    })();
    await until(() => statuses.some((s) => s.type === 'caught_up'), 'caught_up');
    for (let i = 0; i < 3; i++)
      await expectJson(await post(b.t, '/v1/customers', { name: `Before ${i}` }), 201);
    await until(() => got.length >= 1, 'events');
    const ns = env.TENANT_LEDGER;
    await evictLedger(ns.get(ns.idFromName(b.tenant)), { webSockets: 'close' });
    for (let i = 0; i < 2; i++)
      await expectJson(await post(b.t, '/v1/customers', { name: `After ${i}` }), 201);
    const head = await positionOf(b.t);
    await until(() => stream.position >= head, `position ${head}`);
    stream.stop();
    await consuming;
    const log = await eventsAfter(b.t, 0);
    expect(got.map((g) => g.position)).toEqual(log.map((e) => e.position));
    expect(got.map((g) => g.event)).toEqual(log);
    expect(statuses.filter((s) => s.type === 'connecting').length).toBeGreaterThanOrEqual(2);
    expect(statuses.find((s) => s.type === 'closed')).toMatchObject({ type: 'closed' });
  });
});
