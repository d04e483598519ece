/**
 * The live stream as a client sees it: replay then `caught_up` then live events, in order and
 * once each; acks; bad client messages; the permission filter; and tenant isolation.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { token, uniqueTenant } from '../helpers';
import { eventsAfter, expectJson, openBooks, positionOf, post } from './api-fixtures';
import { connect, type TestSocket } from './stream-fixtures';

const open: TestSocket[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});
const track = (s: TestSocket): TestSocket => {
  open.push(s);
  return s;
};

describe('GET /v1/stream', () => {
  it('replays the log, says caught_up, then pushes each new event once, in order', async () => {
    const b = await openBooks();
    const head = await positionOf(b.t);
    const s = track(await connect(b.t, 0));
    await s.untilCaughtUp();
    expect(s.positions).toEqual(Array.from({ length: head }, (_, i) => i + 1));
    expect(s.frames.at(-1)).toEqual({ type: 'caught_up', position: head });
    await expectJson(await post(b.t, '/v1/customers', { name: 'Live Ltd' }), 201);
    const after = await positionOf(b.t);
    await s.untilPosition(after);
    const log = await eventsAfter(b.t, 0);
    expect(s.positions).toEqual(log.map((e) => e.position));
    const live = s.frames.at(-1);
    expect(live).toMatchObject({ type: 'event', position: after, event: log.at(-1) });
  });
});
