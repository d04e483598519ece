/**
 * The isolate's bound on concurrent cache builds (src/cache/build-slots.ts): never more
 * than `max` held at once, a waiter gets a slot when one is released, gives up after its
 * wait, and a slot whose release was lost frees itself after its maximum age. The clock is
 * injected where the test needs to move it.
 */
import { describe, expect, it } from 'vitest';
import { BuildSlots } from '../../src/cache/build-slots';

describe('BuildSlots', () => {
  it('never hands out more than max slots; a waiter gets the next one released', async () => {
    const slots = new BuildSlots(3);
    const held = await Promise.all([slots.acquire(0), slots.acquire(0), slots.acquire(0)]);
    expect(held.every((r) => typeof r === 'function')).toBe(true);
    expect(slots.inUse()).toBe(3);
    expect(await slots.acquire(0)).toBeNull();

    const waiting = slots.acquire(1_000);
    await new Promise((r) => setTimeout(r, 20));
    expect(slots.inUse()).toBe(3); // still waiting: nothing was released
    held[0]?.();
    const got = await waiting;
    expect(got).toBeTypeOf('function');
    expect(slots.inUse()).toBe(3);
  });

  it('gives up after its wait when nothing is released, and a release is idempotent', async () => {
    const slots = new BuildSlots(1);
    const first = await slots.acquire(0);
    const t0 = Date.now();
    expect(await slots.acquire(60)).toBeNull();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(55);
    first?.();
    first?.();
    expect(slots.inUse()).toBe(0);
    const a = await slots.acquire(0);
    expect(a).toBeTypeOf('function');
    first?.(); // an old release does not free the new holder's slot
    expect(slots.inUse()).toBe(1);
  });

  it('a slot whose release was lost counts as free once it is older than the maximum age', async () => {
    let clock = 1_000_000;
    const slots = new BuildSlots(2, 10_000);
    const now = () => clock;
    const sleep = async (ms: number) => {
      clock += ms;
    };
    await slots.acquire(0, { now });
    await slots.acquire(0, { now });
    clock += 9_999;
    expect(await slots.acquire(0, { now })).toBeNull();
    expect(slots.inUse(clock)).toBe(2);
    clock += 1;
    expect(slots.inUse(clock)).toBe(0);
    // A waiter sees the expiry while it polls.
    clock = 2_000_000;
    await slots.acquire(0, { now });
    await slots.acquire(0, { now });
    expect(await slots.acquire(20_000, { now, sleep })).toBeTypeOf('function');
    expect(clock - 2_000_000).toBeGreaterThanOrEqual(10_000);
  });
});
