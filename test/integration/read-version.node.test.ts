/**
 * How an isolate learns a tenant's read-model version (src/cache/read-version.ts): one
 * ask of the ledger per burst, never an answer older than the staleness bound,
 * X-Min-Position always forcing an ask, and a failing projection marked behind; a position
 * the memo has not reached asked for with one waiting call (no polling, unless the ledger is
 * of an older release), and a principal's session position served STALE when short. The
 * clock and the ledger's answer are injected.
 */
import { describe, expect, it } from 'vitest';
import {
  MIN_POSITION_WAIT_MS,
  PositionBeyondLedgerError,
  readVersion,
  ReadModelBehindError,
  REFRESH_AT,
} from '../../src/cache/read-version';
import { FAMILIES, type FamilyVersions } from '../../src/read/families';

/** Every family at `position`. */
const familiesAt = (position: number) =>
  Object.fromEntries(FAMILIES.map((f) => [f, position])) as FamilyVersions;

let n = 0;
const tenant = () => `rv-${(n += 1)}-${Date.now()}`;

/** A ledger that answers version `value()` (projection failing: `failing()`) after `delayMs`, counting asks. */
function checkpoint(value: () => number, delayMs = 0, failing: () => boolean = () => false) {
  const c = {
    reads: 0,
    read: async () => {
      c.reads++;
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      const version = value();
      return { version, failing: failing(), families: familiesAt(version) };
    },
  };
  return c;
}

describe('readVersion', () => {
  it('answers from the memo until it is REFRESH_AT of the bound old, then asks again', async () => {
    let clock = 1_000_000;
    const t = tenant();
    const cp = checkpoint(() => 7);
    const opts = { tenantId: t, read: cp.read, maxStalenessMs: 1000, now: () => clock };
    expect(await readVersion(opts)).toEqual({
      version: 7,
      families: familiesAt(7),
      source: 'ledger',
      behind: false,
      lagging: false,
    });
    clock += 1000 * REFRESH_AT - 1;
    expect(await readVersion(opts)).toEqual({
      version: 7,
      families: familiesAt(7),
      source: 'memo',
      behind: false,
      lagging: false,
    });
    expect(cp.reads).toBe(1);
    clock += 1;
    expect(await readVersion(opts)).toEqual({
      version: 7,
      families: familiesAt(7),
      source: 'ledger',
      behind: false,
      lagging: false,
    });
    expect(cp.reads).toBe(2);
  });

  it('past REFRESH_AT of the bound, one request refreshes while a burst goes on with the memo', async () => {
    let clock = 2_000_000;
    let current = 10;
    const t = tenant();
    const cp = checkpoint(() => current, 20);
    const opts = { tenantId: t, read: cp.read, maxStalenessMs: 1000, now: () => clock };
    await readVersion(opts);
    current = 11;
    clock += 850;
    const burst = await Promise.all(Array.from({ length: 20 }, () => readVersion(opts)));
    expect(cp.reads).toBe(2); // the first read plus exactly one refresh
    expect(burst.filter((r) => r.source === 'ledger')).toEqual([
      { version: 11, families: familiesAt(11), source: 'ledger', behind: false, lagging: false },
    ]);
    expect(burst.filter((r) => r.source === 'memo').every((r) => r.version === 10)).toBe(true);
    expect(await readVersion(opts)).toMatchObject({ version: 11, source: 'memo' });
  });

  it('never answers from a memo older than the bound: past it, a burst waits for the one running read', async () => {
    let clock = 3_000_000;
    let current = 5;
    const t = tenant();
    const cp = checkpoint(() => current, 30);
    const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
    const opts = { tenantId: t, read: cp.read, maxStalenessMs: 1000, now: () => clock, sleep };
    await readVersion(opts);
    current = 6;
    clock += 1000; // exactly at the bound: too old to serve
    const burst = await Promise.all(Array.from({ length: 10 }, () => readVersion(opts)));
    expect(burst.every((r) => r.version === 6)).toBe(true);
    expect(cp.reads).toBe(2);
  });

  it('a cold isolate: a burst for a tenant it has never seen asks the ledger once', async () => {
    const t = tenant();
    const cp = checkpoint(() => 42, 20);
    const burst = await Promise.all(
      Array.from({ length: 50 }, () =>
        readVersion({ tenantId: t, read: cp.read, maxStalenessMs: 1000 }),
      ),
    );
    expect(burst.every((r) => r.version === 42)).toBe(true);
    expect(cp.reads).toBe(1);
  });

  it('an older ledger (no `waited` in its answer): X-Min-Position beyond the memo is polled for', async () => {
    let clock = 4_000_000;
    let current = 20;
    const t = tenant();
    const cp = checkpoint(() => current);
    const sleep = async (ms: number) => {
      clock += ms;
      if (clock > 4_000_200) current = 25;
    };
    const opts = { tenantId: t, read: cp.read, maxStalenessMs: 1000, now: () => clock, sleep };
    await readVersion(opts);
    const r = await readVersion({ ...opts, minPosition: 24 });
    expect(r).toMatchObject({ version: 25, source: 'ledger' });
    await expect(readVersion({ ...opts, minPosition: 99 })).rejects.toBeInstanceOf(
      ReadModelBehindError,
    );
  });

  it('falls back to the last known version, marked stale and behind, when the ledger cannot be asked', async () => {
    let clock = 5_000_000;
    let down = false;
    const t = tenant();
    const read = async () => {
      if (down) throw new Error('connection refused');
      return { version: 3, failing: false, families: familiesAt(3) };
    };
    const opts = { tenantId: t, read, maxStalenessMs: 1000, now: () => clock };
    await readVersion(opts);
    down = true;
    clock += 2000;
    expect(await readVersion(opts)).toMatchObject({ version: 3, source: 'stale', behind: true });
    await expect(readVersion({ ...opts, minPosition: 4 })).rejects.toThrow('connection refused');
    await expect(readVersion({ ...opts, tenantId: tenant() })).rejects.toThrow(
      'connection refused',
    );
  });

  it("says since when the read model may lack writes: the ledger's behindSince, else its last answer", async () => {
    let clock = 5_500_000;
    let answer: 'failing' | 'ok' | 'down' = 'failing';
    const t = tenant();
    const read = async () => {
      if (answer === 'down') throw new Error('connection refused');
      const failing = answer === 'failing';
      return { version: 3, failing, behindSince: failing ? 42 : null, families: familiesAt(3) };
    };
    const opts = { tenantId: t, read, maxStalenessMs: 1000, now: () => clock };
    expect(await readVersion(opts)).toMatchObject({ behind: true, behindSince: 42 });
    answer = 'ok';
    clock += 2000;
    expect((await readVersion(opts)).behindSince ?? null).toBeNull();
    const lastAnswer = clock;
    answer = 'down';
    clock += 2000;
    expect(await readVersion(opts)).toMatchObject({
      source: 'stale',
      behind: true,
      behindSince: lastAnswer,
    });
  });

  it('a failing projection makes the version behind; once it delivers again, it is not', async () => {
    let clock = 6_000_000;
    let failing = true;
    const t = tenant();
    const cp = checkpoint(
      () => 9,
      0,
      () => failing,
    );
    const opts = { tenantId: t, read: cp.read, maxStalenessMs: 1000, now: () => clock };
    expect(await readVersion(opts)).toMatchObject({ version: 9, source: 'ledger', behind: true });
    expect(await readVersion(opts)).toMatchObject({ version: 9, source: 'memo', behind: true });
    failing = false;
    clock += 850;
    expect(await readVersion(opts)).toMatchObject({ version: 9, source: 'ledger', behind: false });
  });

  it('keeps each family at the newest position it was told, and takes a ledger that names no families as moving them all', async () => {
    let clock = 7_000_000;
    const t = tenant();
    let answer: { version: number; failing: boolean; families?: FamilyVersions } = {
      version: 10,
      failing: false,
      families: { ...familiesAt(4), customers: 10 },
    };
    const opts = {
      tenantId: t,
      read: async () => answer as never,
      maxStalenessMs: 1000,
      now: () => clock,
    };
    expect((await readVersion(opts)).families).toEqual({ ...familiesAt(4), customers: 10 });
    // A later answer that says less for a family (another ledger replica, a reset read model)
    // never moves the memo back.
    answer = {
      version: 12,
      failing: false,
      families: { ...familiesAt(3), invoices: 12, customers: 9 },
    };
    clock += 1000;
    expect((await readVersion(opts)).families).toEqual({
      ...familiesAt(4),
      invoices: 12,
      customers: 10,
    });
    // A ledger of an older release says no families: every family is at its version.
    answer = { version: 15, failing: false };
    clock += 1000;
    expect(await readVersion(opts)).toEqual({
      version: 15,
      families: familiesAt(15),
      source: 'ledger',
      behind: false,
      lagging: false,
    });
  });

  it('a position beyond the ledger fails at once (no wait): it names no write', async () => {
    let reads = 0;
    const read = async () => {
      reads++;
      return { version: 5, position: 8, failing: false, families: familiesAt(5) };
    };
    const sleeps: number[] = [];
    const sleep = async (ms: number) => void sleeps.push(ms);
    await expect(
      readVersion({ tenantId: tenant(), read, minPosition: 9, sleep }),
    ).rejects.toBeInstanceOf(PositionBeyondLedgerError);
    expect(reads).toBe(1);
    expect(sleeps).toEqual([]);
    // Within the ledger but past the projection: that one is waited for (and then behind).
    await expect(
      readVersion({
        tenantId: tenant(),
        read,
        minPosition: 7,
        sleep,
        now: (() => {
          let t = 0;
          return () => (t += 100);
        })(),
      }),
    ).rejects.toBeInstanceOf(ReadModelBehindError);
    expect(sleeps.length).toBeGreaterThan(0);
  });

  describe('with a ledger that waits for its projection', () => {
    /**
     * A ledger of this release: asked with a wait, it answers once `release(v)` has moved its
     * projection to the position asked for (or at once when it is there already).
     */
    function waitingLedger(start: number, position: number) {
      const l = {
        version: start,
        calls: [] as { minPosition: number | undefined; waitMs: number | undefined }[],
        parked: [] as { min: number; go: () => void }[],
        release(v: number) {
          l.version = v;
          for (const p of l.parked.filter((x) => x.min <= v)) p.go();
          l.parked = l.parked.filter((x) => x.min > v);
        },
        answer: (waitMs?: number) => ({
          version: l.version,
          position,
          failing: false,
          families: familiesAt(l.version),
          ...(waitMs === undefined ? {} : { waited: true }),
        }),
        read: (minPosition: number | undefined) => async (waitMs?: number) => {
          l.calls.push({ minPosition, waitMs });
          // Like TenantLedger: only a position it has written is waited for.
          if (
            waitMs !== undefined &&
            minPosition !== undefined &&
            minPosition > l.version &&
            minPosition <= position
          )
            await new Promise<void>((go) => l.parked.push({ min: minPosition, go }));
          return l.answer(waitMs);
        },
      };
      return l;
    }
    const noSleep = async () => {
      throw new Error('polled: the consistent path must not sleep');
    };

    it('X-Min-Position beyond the memo is one waiting call, no polling', async () => {
      const t = tenant();
      const l = waitingLedger(20, 30);
      await readVersion({ tenantId: t, read: l.read(undefined), sleep: noSleep });
      const pending = readVersion({
        tenantId: t,
        read: l.read(25),
        minPosition: 25,
        sleep: noSleep,
      });
      await new Promise((r) => setTimeout(r, 5));
      l.release(26);
      expect(await pending).toMatchObject({ version: 26, source: 'ledger', behind: false });
      expect(l.calls).toEqual([
        { minPosition: undefined, waitMs: undefined },
        { minPosition: 25, waitMs: MIN_POSITION_WAIT_MS },
      ]);
    });

    it('the session position is waited for too; short of it the answer is STALE, not refused', async () => {
      const t = tenant();
      const l = waitingLedger(20, 30);
      const reached = readVersion({ tenantId: t, read: l.read(24), sessionPosition: 24 });
      l.release(24);
      expect(await reached).toMatchObject({ version: 24, behind: false, lagging: false });
      // The ledger gave up waiting (its projection failing or slow): served, marked behind.
      const short = await readVersion({
        tenantId: t,
        read: async () => ({ ...l.answer(MIN_POSITION_WAIT_MS), failing: true }),
        sessionPosition: 28,
        sleep: noSleep,
      });
      expect(short).toMatchObject({ version: 24, behind: true, lagging: false });
      // Or its wait ran out with the projection healthy but slow: lagging.
      const slow = await readVersion({
        tenantId: t,
        read: async () => l.answer(MIN_POSITION_WAIT_MS),
        sessionPosition: 29,
        sleep: noSleep,
      });
      expect(slow).toMatchObject({ version: 24, behind: true, lagging: true });
      // An X-Min-Position short of it is still refused.
      await expect(
        readVersion({
          tenantId: t,
          read: async () => l.answer(MIN_POSITION_WAIT_MS),
          minPosition: 28,
          sleep: noSleep,
        }),
      ).rejects.toBeInstanceOf(ReadModelBehindError);
    });

    it('a session position beyond the ledger (a reset ledger) is no error', async () => {
      const l = waitingLedger(5, 5);
      const r = await readVersion({ tenantId: tenant(), read: l.read(9), sessionPosition: 9 });
      expect(r).toMatchObject({ version: 5, behind: true, lagging: true });
    });

    it("one principal waiting for its write never makes another principal's read wait", async () => {
      let clock = 8_000_000;
      const t = tenant();
      const l = waitingLedger(10, 12);
      const now = () => clock;
      await readVersion({ tenantId: t, read: l.read(undefined), now, maxStalenessMs: 1000 });
      // A waits for position 12 (its own write); the projection is slow.
      let aDone = false;
      const a = readVersion({
        tenantId: t,
        read: l.read(12),
        sessionPosition: 12,
        now,
        maxStalenessMs: 1000,
      }).then((r) => {
        aDone = true;
        return r;
      });
      // B, with no position of its own and the memo past its refresh point, asks without a
      // wait and is answered while A still waits.
      clock += 900;
      const b = await readVersion({
        tenantId: t,
        read: l.read(undefined),
        now,
        maxStalenessMs: 1000,
      });
      expect(b).toMatchObject({ version: 10, source: 'ledger', behind: false });
      expect(aDone).toBe(false);
      l.release(12);
      expect(await a).toMatchObject({ version: 12, lagging: false });
    });
  });
});
