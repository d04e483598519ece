/**
 * The live stream as a client sees it: replay then `caught_up` then live events, in order and
 * once each; acks pace the replay; bad client messages; the permission filter; tenant
 * isolation; the credential's expiry.
 */
import { describe, expect, it } from 'vitest';
import {
  appWith,
  connect,
  eventsAfter,
  openBooks,
  positionOf,
  post,
  TestSocket,
  token,
  uniqueTenant,
  trackedSockets,
  customer,
} from './stream-fixtures';

const { track } = trackedSockets();

describe('GET /v1/stream', () => {
  it('replays the log, says caught_up, then pushes each new event once, in order, as GET /v1/events shows it', async () => {
    const b = await openBooks();
    const head = await positionOf(b.t);
    const s = track(await connect(b.t, 0));
    await s.untilCaughtUp();
    expect(s.positions).toEqual(Array.from({ length: head }, (_, i) => i + 1));
    expect(s.frames.at(-1)).toEqual({ type: 'caught_up', position: head });
    await customer(b.t, 'Live Ltd');
    const after = await positionOf(b.t);
    await s.untilPosition(after);
    const log = await eventsAfter(b.t, 0);
    expect(s.positions).toEqual(log.map((e) => e.position));
    const events = s.frames.flatMap((f) => (f.type === 'event' ? [f.event] : []));
    expect(events).toEqual(log);
  });

  it('resumes after a position: only the later events, then caught_up', async () => {
    const b = await openBooks();
    const head = await positionOf(b.t);
    const s = track(await connect(b.t, head - 2));
    await s.untilCaughtUp();
    expect(s.frames.map((f) => (f.type === 'event' ? f.position : f.type))).toEqual([
      head - 1,
      head,
      'caught_up',
    ]);
  });

  it('paces the replay by acks: at most half of STREAM_MAX_UNACKED ahead of the last ack', async () => {
    const { fetch } = appWith({ STREAM_MAX_UNACKED: '20' });
    const b = await openBooks();
    for (let i = 0; i < 8; i++) await customer(b.t, `Pad ${i}`);
    const head = await positionOf(b.t);
    expect(head).toBeGreaterThan(25);
    const res = await fetch('/v1/stream', {
      headers: { Upgrade: 'websocket', Authorization: `Bearer ${b.t}` },
    });
    const s = track(new TestSocket(res.webSocket as WebSocket));
    await s.untilPosition(10);
    await new Promise((r) => setTimeout(r, 100));
    expect(s.positions).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    s.ack(4);
    await s.untilPosition(14);
    await new Promise((r) => setTimeout(r, 100));
    expect(s.lastPosition).toBe(14);
    const caughtUp = () => s.frames.some((f) => f.type === 'caught_up');
    for (let round = 0; round < 100 && !caughtUp(); round++) {
      const had = s.lastPosition;
      s.ack();
      await s.until(() => caughtUp() || s.lastPosition > had, 'the next page');
    }
    expect(s.positions).toEqual(Array.from({ length: head }, (_, i) => i + 1));
  });

  it('never sends an event of a refused command', async () => {
    const b = await openBooks();
    const s = track(await connect(b.t, await positionOf(b.t)));
    await s.untilCaughtUp();
    const unbalanced = {
      date: '2025-02-10',
      currency: 'USD',
      lines: [
        { accountId: b.accounts.cash, debit: 5_000 },
        { accountId: b.accounts.revenue, credit: 4_000 },
      ],
    };
    expect((await post(b.t, '/v1/journal-entries', unbalanced)).status).toBe(422);
    await customer(b.t, 'After refusal');
    const head = await positionOf(b.t);
    await s.untilPosition(head);
    const events = s.frames.flatMap((f) => (f.type === 'event' ? [f.event] : []));
    expect(events.map((e) => e.type)).toEqual(['customer.created']);
  });

  it('answers bad client messages with error frames and stays usable; past the limit it closes 4400', async () => {
    const b = await openBooks();
    const s = track(await connect(b.t, await positionOf(b.t)));
    await s.untilCaughtUp();
    const bad: Array<[string | ArrayBuffer, string]> = [
      ['not json', 'malformed_message'],
      [JSON.stringify({ type: 'subscribe' }), 'unknown_message_type'],
      [JSON.stringify({ type: 'ack', position: -1 }), 'invalid_ack'],
      [JSON.stringify({ type: 'ack', position: 10 ** 9 }), 'invalid_ack'],
      [JSON.stringify({ type: 'ack', position: 1, pad: 'x'.repeat(2000) }), 'message_too_large'],
      [new Uint8Array([1, 2]).buffer, 'binary_not_supported'],
    ];
    for (const [data, code] of bad) {
      const before = s.frames.length;
      s.ws.send(data);
      await s.until(() => s.frames.length > before, code);
      expect(s.frames.at(-1)).toMatchObject({ type: 'error', code });
    }
    s.ws.send(JSON.stringify({ type: 'ping' }));
    await s.until(() => s.frames.at(-1)?.type === 'pong', 'pong');
    await customer(b.t, 'Still here');
    await s.untilPosition(await positionOf(b.t));
    for (let i = 0; i < 5; i++) s.ws.send('nope');
    await s.untilClosed();
    expect(s.closed?.code).toBe(4400);
  });

  it('shows actor and requestId only to audit:read, as GET /v1/events (which needs it) does', async () => {
    const b = await openBooks();
    const viewer = track(
      await connect(await token({ tenant: b.tenant, roles: ['viewer'], sub: 'v' })),
    );
    const auditor = track(
      await connect(await token({ tenant: b.tenant, roles: ['auditor'], sub: 'a' })),
    );
    await Promise.all([viewer.untilCaughtUp(), auditor.untilCaughtUp()]);
    const log = await eventsAfter(b.t, 0);
    const events = (s: TestSocket) =>
      s.frames.flatMap((f) => (f.type === 'event' ? [f.event] : []));
    expect(events(auditor)).toEqual(log);
    expect(events(viewer)).toEqual(log.map(({ actor: _a, requestId: _r, ...rest }) => rest));
  });

  it("a socket of tenant A never receives tenant B's events", async () => {
    const [a, b] = [await openBooks(), await openBooks()];
    const sa = track(await connect(a.t));
    const sb = track(await connect(b.t));
    await Promise.all([sa.untilCaughtUp(), sb.untilCaughtUp()]);
    for (let i = 0; i < 3; i++) await customer(b.t, `B ${i}`);
    await customer(a.t, 'A last');
    await sa.untilPosition(await positionOf(a.t));
    await sb.untilPosition(await positionOf(b.t));
    const tenants = (s: TestSocket) =>
      new Set(s.frames.flatMap((f) => (f.type === 'event' ? [f.event.tenantId] : [])));
    expect(tenants(sa)).toEqual(new Set([a.tenant]));
    expect(tenants(sb)).toEqual(new Set([b.tenant]));
    expect(sa.positions).toEqual((await eventsAfter(a.t, 0)).map((e) => e.position));
  });

  it('an alarm closes an idle socket 4401 when its credential expires', async () => {
    const tenant = uniqueTenant();
    const writer = await token({ tenant });
    const short = await token({
      tenant,
      sub: 'short',
      expiresIn: Math.floor(Date.now() / 1000) + 2,
    });
    await customer(writer, 'Before');
    const s = track(await connect(short));
    await s.untilCaughtUp();
    await s.until(() => s.closed !== undefined, '4401', 6000);
    expect(s.closed?.code).toBe(4401);
    // A push to a socket past its expiry closes it instead: test/integration/stream-push.node.test.ts.
  });
});
