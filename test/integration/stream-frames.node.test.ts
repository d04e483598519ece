/**
 * The frames of a push or a replay page (src/ledger/stream/frames.ts): `event` frames one per
 * event; `events` frames of consecutive events, closed at 100 events or past about 256 K
 * characters (one larger event still goes alone); a range of the events; the audit fields
 * only for `audit:read`.
 */
import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../src/ledger/contract';
import { BATCH_MAX_CHARS, BATCH_MAX_EVENTS, EventFrames } from '../../src/ledger/stream/frames';

const event = (position: number, pad = 0): RecordedEvent =>
  ({
    position,
    tenantId: 't',
    streamId: `customer:${position}`,
    version: 1,
    type: 'customer.created',
    data: { name: 'x'.repeat(pad) },
    at: '2026-12-05T00:00:00.000Z',
    actor: 'a',
    requestId: `r${position}`,
  }) as RecordedEvent;

type Item = { position: number; event: Record<string, unknown> };
const parse = (frames: string[]) =>
  frames.map((f) => JSON.parse(f) as { type: string; position?: number; events?: Item[] });
const positionsOf = (frames: string[]) =>
  parse(frames).flatMap((f) =>
    f.type === 'event' ? [f.position] : (f.events ?? []).map((e) => e.position),
  );

describe('EventFrames', () => {
  it('batches at most 100 consecutive events to a frame; one frame per event otherwise', () => {
    const events = Array.from({ length: 250 }, (_, i) => event(11 + i));
    const frames = new EventFrames(10, events);
    expect(frames.head).toBe(260);
    const batched = frames.between(10, 260, true, true);
    expect(parse(batched).map((f) => f.events?.length)).toEqual([BATCH_MAX_EVENTS, 100, 50]);
    expect(positionsOf(batched)).toEqual(events.map((e) => e.position));
    const single = frames.between(10, 260, true, false);
    expect(single).toHaveLength(250);
    expect(parse(single)[0]).toEqual({ type: 'event', position: 11, event: events[0] });
  });

  it('closes a batch past about 256 K characters; a larger event goes alone', () => {
    const big = Math.floor(BATCH_MAX_CHARS / 3);
    const events = [
      event(1, big),
      event(2, big),
      event(3, big),
      event(4, 2 * BATCH_MAX_CHARS),
      event(5),
    ];
    const frames = parse(new EventFrames(0, events).between(0, 5, true, true));
    expect(frames.map((f) => f.events?.map((e) => e.position))).toEqual([[1, 2], [3], [4], [5]]);
  });

  it('gives a range of its events, and the audit fields only to audit:read', () => {
    const frames = new EventFrames(0, [event(1), event(2), event(3), event(4)]);
    expect(positionsOf(frames.between(1, 3, false, true))).toEqual([2, 3]);
    expect(positionsOf(frames.between(2, 4, false, false))).toEqual([3, 4]);
    expect(frames.between(4, 4, true, true)).toEqual([]);
    const [partial] = parse(frames.between(0, 1, false, false));
    expect(partial).toEqual({
      type: 'event',
      position: 1,
      event: expect.not.objectContaining({ actor: expect.anything() }),
    });
    const [whole] = parse(frames.between(0, 1, true, true));
    expect(whole?.events?.[0]?.event).toMatchObject({ actor: 'a', requestId: 'r1' });
  });
});
