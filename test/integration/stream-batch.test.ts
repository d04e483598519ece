/**
 * Sockets opened with `?batch=true` (docs/stream.md) through the Worker: the same events as
 * sockets of one frame per event, in `events` frames of consecutive events, at most 100 to a
 * frame; the permission filter holds inside batches. How pushes group the writes of an
 * interval: test/integration/stream-push.node.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  connect,
  eventsAfter,
  openBooks,
  positionOf,
  TestSocket,
  token,
  type Frame,
  trackedSockets,
  customer,
} from './stream-fixtures';

const { track } = trackedSockets();

/** The frames after `caught_up`. */
const live = (s: TestSocket): Frame[] =>
  s.frames.slice(s.frames.findIndex((f) => f.type === 'caught_up') + 1);

describe('GET /v1/stream?batch=true', () => {
  it('replays and pushes the log in events frames of consecutive events: the same events as single frames', async () => {
    const b = await openBooks();
    const batched = track(await connect(b.t, 0, {}, 'batch=true'));
    const single = track(await connect(b.t, 0, {}, 'batch=false'));
    await Promise.all([batched.untilCaughtUp(), single.untilCaughtUp()]);
    const writes = 30;
    await Promise.all(Array.from({ length: writes }, (_, i) => customer(b.t, `Burst ${i}`)));
    const head = await positionOf(b.t);
    await Promise.all([batched.untilPosition(head), single.untilPosition(head)]);

    const log = await eventsAfter(b.t, 0);
    expect(batched.items.map((i) => i.event)).toEqual(log);
    expect(single.items.map((i) => i.event)).toEqual(log);
    expect(batched.positions).toEqual(log.map((e) => e.position));
    expect(batched.frames.filter((f) => f.type === 'event')).toEqual([]);
    expect(single.frames.filter((f) => f.type === 'events')).toEqual([]);
    for (const f of batched.frames) {
      if (f.type !== 'events') continue;
      expect(f.events.length).toBeGreaterThan(0);
      expect(f.events.length).toBeLessThanOrEqual(100);
      expect(f.events.map((e) => e.position)).toEqual(
        f.events.map((_, i) => (f.events[0]?.position ?? 0) + i),
      );
      for (const e of f.events) expect(e.event.position).toBe(e.position);
    }
    // Live: one frame per event without batch. How the writes of one interval share a frame is
    // tested on a fake clock (stream-push.node.test.ts): here it depends on the machine's speed.
    expect(live(single)).toHaveLength(writes);
  });

  it('a replay longer than one frame comes in frames of at most 100 events, in order', async () => {
    const b = await openBooks();
    for (let i = 0; i < 3; i++)
      await Promise.all(Array.from({ length: 40 }, (_, j) => customer(b.t, `Pad ${i}.${j}`)));
    const head = await positionOf(b.t);
    expect(head).toBeGreaterThan(100);
    const s = track(await connect(b.t, 0, {}, 'batch=true'));
    await s.untilCaughtUp();
    const frames = s.frames.filter((f) => f.type === 'events');
    expect(frames.length).toBeGreaterThanOrEqual(2);
    expect(frames.every((f) => f.events.length <= 100)).toBe(true);
    expect(s.positions).toEqual(Array.from({ length: head }, (_, i) => i + 1));
    expect(s.frames.at(-1)).toEqual({ type: 'caught_up', position: head });
  });

  it('shows actor and requestId only to audit:read, inside batches as well', async () => {
    const b = await openBooks();
    const viewer = track(
      await connect(
        await token({ tenant: b.tenant, roles: ['viewer'], sub: 'v' }),
        0,
        {},
        'batch=true',
      ),
    );
    const auditor = track(
      await connect(
        await token({ tenant: b.tenant, roles: ['auditor'], sub: 'a' }),
        0,
        {},
        'batch=true',
      ),
    );
    await Promise.all([viewer.untilCaughtUp(), auditor.untilCaughtUp()]);
    await Promise.all([customer(b.t, 'One'), customer(b.t, 'Two')]);
    const head = await positionOf(b.t);
    await Promise.all([viewer.untilPosition(head), auditor.untilPosition(head)]);
    const log = await eventsAfter(b.t, 0);
    expect(auditor.items.map((i) => i.event)).toEqual(log);
    expect(viewer.items.map((i) => i.event)).toEqual(
      log.map(({ actor: _a, requestId: _r, ...rest }) => rest),
    );
  });
});
