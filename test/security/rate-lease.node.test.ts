/**
 * Limiter leases (src/rate-limit/client.ts): a busy key calls its shard far less than once per
 * request, yet never gets more than its limit — from one isolate or from two sharing the
 * shard — and the RateLimit remaining count stays exact. The shard is a stand-in built on the
 * same pure algorithm as the Durable Object (sliding-window.ts), so the counting is the real one.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Config } from '../../src/env';
import type { Bucket } from '../../src/rate-limit/client';
import {
  decideLease,
  freshState,
  isIdle,
  type Refund,
  type WindowState,
} from '../../src/rate-limit/sliding-window';

interface Check {
  key: string;
  limit: number;
  windowMs: number;
}

/** The RateLimiter object's `lease`, in memory. */
function fakeShard() {
  const states = new Map<string, WindowState>();
  const shard = {
    calls: 0,
    async lease(checks: Check[], want = 1, back?: Refund) {
      shard.calls++;
      const now = Date.now();
      const current = checks.map((c) => {
        const s = states.get(c.key);
        return !s || isIdle(s, now) ? freshState(c.windowMs, now) : s;
      });
      const { granted, verdicts, store } = decideLease(
        current,
        checks.map((c) => c.limit),
        now,
        want,
        back,
      );
      if (store) checks.forEach((c, i) => states.set(c.key, store[i] as WindowState));
      return { granted, verdicts };
    },
  };
  const env = {
    RATE_LIMITER: { idFromName: (n: string) => n, get: () => shard },
  } as unknown as Env;
  return { shard, env };
}

const config = { RATE_LIMIT_SHARDS: 1 } as Config;
const buckets = (limit: number, windowMs = 60_000): Bucket[] => [
  { name: 'user', key: `t:u-${limit}-${Math.random()}`, policy: { limit, windowMs } },
];

/** A fresh copy of the client module: a separate isolate with its own leases. */
async function isolate() {
  vi.resetModules();
  return import('../../src/rate-limit/client');
}

afterEach(() => {
  vi.useRealTimers();
});

describe('rate-limiter leases', () => {
  it('a busy key: exactly `limit` allowed, exact remaining counts, a fraction of the calls', async () => {
    const { consume } = await isolate();
    const { shard, env } = fakeShard();
    const b = buckets(600);
    const remaining: number[] = [];
    let allowed = 0;
    for (let i = 0; i < 650; i++) {
      const o = await consume(env, config, 'tenant', 't', b);
      if (!o.allowed) break;
      allowed++;
      remaining.push(o.applied[0]?.verdict.remaining ?? -1);
    }
    expect(allowed).toBe(600);
    expect(remaining).toEqual(Array.from({ length: 600 }, (_, i) => 599 - i));
    const refused = await consume(env, config, 'tenant', 't', b);
    expect(refused.allowed).toBe(false);
    expect(refused.applied[0]?.verdict.retryAfterMs).toBeGreaterThan(0);
    expect(shard.calls).toBeLessThan(60); // leases grow to 30 (600 / 20) requests
  });

  it('two isolates sharing a key never get more than the limit between them', async () => {
    const a = await isolate();
    const b = await isolate();
    expect(a.consume).not.toBe(b.consume);
    const { env } = fakeShard();
    const bk = buckets(200);
    let allowed = 0;
    for (let i = 0; i < 300; i++) {
      const o = await (i % 3 === 0 ? b : a).consume(env, config, 'tenant', 't', bk);
      if (o.allowed) allowed++;
    }
    expect(allowed).toBeLessThanOrEqual(200);
    expect(allowed).toBeGreaterThanOrEqual(200 - 2 * 10); // at most one lease each left unspent
  });

  it('a quiet key calls the shard for every request (no lease outlives its TTL)', async () => {
    vi.useFakeTimers();
    const { consume, LEASE_TTL_MS } = await isolate();
    const { shard, env } = fakeShard();
    const b = buckets(600);
    for (let i = 0; i < 10; i++) {
      expect((await consume(env, config, 'tenant', 't', b)).allowed).toBe(true);
      vi.advanceTimersByTime(LEASE_TTL_MS + 1);
    }
    expect(shard.calls).toBe(10);
  });

  it('small limits are never leased ahead: 5 per window is 5 calls for 5 requests', async () => {
    const { consume } = await isolate();
    const { shard, env } = fakeShard();
    const b = buckets(5, 2000);
    const outcomes = [];
    for (let i = 0; i < 6; i++) outcomes.push((await consume(env, config, 'ip', 'x', b)).allowed);
    expect(outcomes).toEqual([true, true, true, true, true, false]);
    expect(shard.calls).toBe(6);
  });

  it('an expired lease hands its unspent rest back: after a pause, the quota is still exactly `limit`', async () => {
    vi.useFakeTimers();
    const { consume, LEASE_TTL_MS } = await isolate();
    const { env } = fakeShard();
    const b = buckets(600);
    let allowed = 0;
    // Bursts that grow the lease, each followed by a pause that lets it expire unspent.
    for (let burst = 0; burst < 6; burst++) {
      for (let i = 0; i < 40; i++)
        if ((await consume(env, config, 'tenant', 't', b)).allowed) allowed++;
      vi.advanceTimersByTime(LEASE_TTL_MS + 1);
    }
    for (let i = 0; i < 700; i++)
      if ((await consume(env, config, 'tenant', 't', b)).allowed) allowed++;
    expect(allowed).toBe(600);
  });

  it('concurrent requests share one lease call and are counted once each', async () => {
    const { consume } = await isolate();
    const { shard, env } = fakeShard();
    const b = buckets(600);
    let allowed = 0;
    for (let wave = 0; wave < 100; wave++) {
      const outcomes = await Promise.all(
        Array.from({ length: 8 }, () => consume(env, config, 'tenant', 't', b)),
      );
      allowed += outcomes.filter((o) => o.allowed).length;
    }
    expect(allowed).toBe(600);
    expect(shard.calls).toBeLessThan(100);
  });
});
