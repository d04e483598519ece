/**
 * When the ledger checks the read model's checkpoint (src/ledger/read-model-check.ts): once
 * after it starts, on a schedule while the tenant is read, when a read asks for a position
 * the ledger says is projected, and at once when a read found the checkpoint behind; never
 * for a tenant with nothing delivered, and never by an extra alarm while one is coming.
 */
import { describe, expect, it } from 'vitest';
import { ASKED_CHECK_MS, CHECK_EVERY_MS, ReadModelCheck } from '../../src/ledger/read-model-check';

const T0 = 1_000_000;
const idle = (now: number, projected = 10) => ({ now, projected, alarmAt: null, draining: false });

describe('read model check schedule', () => {
  it('checks once after start, then only when due', () => {
    const check = new ReadModelCheck();
    expect(check.alarmAt(idle(T0))).toBe(T0);
    expect(check.alarmAt(idle(T0, 0))).toBeNull();
    check.delivered(T0, 10);
    expect(check.due).toBe(false);
    expect(check.lastCheckpoint).toBe(10);
    check.asked(T0 + CHECK_EVERY_MS - 1, undefined, 10);
    expect(check.due).toBe(false);
    check.asked(T0 + CHECK_EVERY_MS, undefined, 10);
    expect(check.alarmAt(idle(T0 + CHECK_EVERY_MS))).toBe(T0 + CHECK_EVERY_MS);
  });

  it.each([
    { name: 'a projected position, recent check', min: 10, age: ASKED_CHECK_MS - 1, due: false },
    { name: 'a projected position, older check', min: 10, age: ASKED_CHECK_MS, due: true },
    { name: 'a position not yet projected', min: 11, age: ASKED_CHECK_MS, due: false },
    { name: 'position 0', min: 0, age: ASKED_CHECK_MS, due: false },
    { name: 'no position', min: undefined, age: ASKED_CHECK_MS, due: false },
  ])('a read asking for $name: due $due', ({ min, age, due }) => {
    const check = new ReadModelCheck();
    check.delivered(T0, 10);
    check.asked(T0 + age, min, 10);
    expect(check.due).toBe(due);
  });

  it('a requested check waits for an alarm already coming or a drain in progress', () => {
    const check = new ReadModelCheck();
    check.delivered(T0, 10);
    check.request();
    expect(check.alarmAt({ ...idle(T0), alarmAt: T0 + 5 })).toBeNull();
    expect(check.alarmAt({ ...idle(T0), draining: true })).toBeNull();
    expect(check.alarmAt(idle(T0))).toBe(T0);
  });
});
