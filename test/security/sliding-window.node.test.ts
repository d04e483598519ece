/** The limiter's algorithm and key handling, as pure functions with an explicit clock. */
import { describe, expect, it } from 'vitest';
import {
  clientKey,
  fnv1a,
  parseRatePolicy,
  policyHeader,
  shardName,
  stateHeader,
} from '../../src/rate-limit/policy';
import { decideAll, freshState, type WindowState } from '../../src/rate-limit/sliding-window';

const W = 60_000;

/** Sends `n` requests at `at`, returning how many were allowed and the last verdicts. */
function burst(state: WindowState, limit: number, at: number, n: number) {
  let s = state;
  let allowed = 0;
  let last = decideAll([s], [limit], at).verdicts;
  for (let i = 0; i < n; i++) {
    const r = decideAll([s], [limit], at);
    s = r.states[0] ?? s;
    last = r.verdicts;
    if (r.verdicts[0]?.allowed) allowed++;
  }
  return { state: s, allowed, verdict: last[0] };
}

describe('sliding-window counter', () => {
  it('allows exactly `limit` in a burst and refuses the next with a retry time', () => {
    const { state, allowed, verdict } = burst(freshState(W, 0), 100, 10, 101);
    expect(allowed).toBe(100);
    expect(verdict).toMatchObject({ allowed: false, remaining: 0 });
    expect(state.curCount).toBe(100); // the refused request was not counted
    expect(verdict?.retryAfterMs).toBeGreaterThan(0);
  });

  it('reopens exactly when Retry-After says, not a millisecond earlier', () => {
    const full = burst(freshState(W, 0), 10, 0, 10).state;
    const refused = decideAll([full], [10], 5_000).verdicts[0];
    const retry = refused?.retryAfterMs ?? 0;
    expect(decideAll([full], [10], 5_000 + retry - 1).verdicts[0]?.allowed).toBe(false);
    expect(decideAll([full], [10], 5_000 + retry).verdicts[0]?.allowed).toBe(true);
  });

  it('does not let 2 × limit through across a window edge (unlike a fixed window)', () => {
    // 100 at the very end of the first window, then a burst right after the edge.
    const late = burst(freshState(W, 0), 100, W - 1, 100).state;
    const afterEdge = burst(late, 100, W + 1_000, 100);
    expect(afterEdge.allowed).toBeLessThanOrEqual(2);
    // Half a window later, half of the previous window still weighs.
    expect(burst(afterEdge.state, 100, W + W / 2, 100).allowed).toBeLessThanOrEqual(51);
  });

  it('forgets a key idle for two windows', () => {
    const full = burst(freshState(W, 0), 5, 0, 5).state;
    expect(burst(full, 5, 2 * W, 5).allowed).toBe(5);
  });

  it('decides several buckets atomically: counted in all or in none', () => {
    const user = freshState(W, 0);
    const tenant = { ...freshState(W, 0), curCount: 3 };
    const r = decideAll([user, tenant], [10, 3], 1);
    expect(r.verdicts.map((v) => v.allowed)).toEqual([false, false]);
    expect(r.states[0]?.curCount).toBe(0);
    expect(r.verdicts[0]?.retryAfterMs).toBe(0); // the user policy did not refuse
    expect(r.verdicts[1]?.retryAfterMs).toBeGreaterThan(0);
  });
});

describe('policies, keys and headers', () => {
  it('parses "<limit>/<window>" settings and refuses nonsense', () => {
    expect(parseRatePolicy('100/15m')).toEqual({ limit: 100, windowMs: 900_000 });
    expect(parseRatePolicy('3000/1m')).toEqual({ limit: 3000, windowMs: 60_000 });
    expect(parseRatePolicy('off')).toBeNull();
    for (const bad of ['', '100', '0/1m', '10/0s', '10/2d', '-1/1m', '10/25h', 'ten/1m'])
      expect(parseRatePolicy(bad), bad).toBeUndefined();
  });

  it('keys IPv4 by address and IPv6 by /64; a missing header is the fixed local key', () => {
    expect(clientKey('203.0.113.7')).toBe('203.0.113.7');
    expect(clientKey('2001:db8:1:2:aaaa::1')).toBe(clientKey('2001:0db8:0001:0002:ffff:1:2:3'));
    expect(clientKey('2001:db8:1:2::1')).not.toBe(clientKey('2001:db8:1:3::1'));
    expect(clientKey('::ffff:198.51.100.4')).toBe('198.51.100.4');
    expect(clientKey(undefined)).toBe('local');
    expect(clientKey('not an ip; drop table')).toBe('invalid');
  });

  it('spreads keys over the configured shards', () => {
    const shards = new Set(
      Array.from({ length: 1000 }, (_, i) => shardName('ip', `10.0.${i >> 8}.${i & 255}`, 16)),
    );
    expect(shards.size).toBe(16);
    expect(fnv1a('tenant_a')).toBe(fnv1a('tenant_a'));
  });

  it('formats the IETF RateLimit-Policy and RateLimit fields', () => {
    const applied = [
      {
        name: 'user' as const,
        policy: { limit: 600, windowMs: 60_000 },
        verdict: { allowed: true, remaining: 12, resetMs: 29_500, retryAfterMs: 0 },
      },
      {
        name: 'tenant' as const,
        policy: { limit: 3000, windowMs: 60_000 },
        verdict: { allowed: true, remaining: 2000, resetMs: 29_500, retryAfterMs: 0 },
      },
    ];
    expect(policyHeader(applied)).toBe('"user";q=600;w=60, "tenant";q=3000;w=60');
    expect(stateHeader(applied)).toBe('"user";r=12;t=30, "tenant";r=2000;t=30');
  });
});
