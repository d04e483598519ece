/**
 * Sliding-window counter, the algorithm of the rate limiter (pure: the clock is passed in).
 *
 * Why this one: it needs O(1) memory per key (two counters and a window start), it refuses
 * exactly the `limit + 1`-th request of a burst inside one window (what `RateLimit-Policy:
 * q=…;w=…` promises a client), and unlike a fixed window it does not let `2 × limit` through
 * across a window edge: the previous window's count still weighs on the current one in
 * proportion to how much of it overlaps the sliding window. The approximation is that the
 * previous window's requests were evenly spread. A token bucket would be as cheap but
 * refills continuously, so "N per window" would not hold for a burst that spans a few
 * refill intervals; an exact sliding log needs memory per request.
 *
 * Windows are anchored at a key's first request (not at wall-clock multiples), so a fresh
 * key always starts a full window.
 */

/** One key's counters. */

/** One bucket to check and count: `limit` requests per `windowMs` for `key`. */
export interface BucketCheck {
  key: string;
  limit: number;
  windowMs: number;
}

export interface WindowState {
  windowMs: number;
  /** Start of the current window (ms since the epoch). */
  start: number;
  prevCount: number;
  curCount: number;
}

export interface Verdict {
  allowed: boolean;
  /** Requests still allowed now (after this one, when it was allowed). */
  remaining: number;
  /** Until the current window ends, in ms. */
  resetMs: number;
  /** When refused: how long until one request would be allowed, in ms; else 0. */
  retryAfterMs: number;
}

export function freshState(windowMs: number, now: number): WindowState {
  return { windowMs, start: now, prevCount: 0, curCount: 0 };
}

/** Moves `s` to the window that contains `now`; a key idle for two windows starts afresh. */
export function roll(s: WindowState, now: number): WindowState {
  const passed = Math.floor((now - s.start) / s.windowMs);
  if (passed <= 0) return s;
  if (passed === 1)
    return {
      windowMs: s.windowMs,
      start: s.start + s.windowMs,
      prevCount: s.curCount,
      curCount: 0,
    };
  return freshState(s.windowMs, now);
}

/** The weighted count of the sliding window ending at `now` (`s` already rolled). */
export function estimate(s: WindowState, now: number): number {
  const overlap = 1 - (now - s.start) / s.windowMs;
  return s.prevCount * overlap + s.curCount;
}

/** Whether a state can be forgotten: nothing of it weighs on any future decision. */
export function isIdle(s: WindowState, now: number): boolean {
  return now - s.start >= 2 * s.windowMs;
}

/** Time from `now` until `estimate + 1 <= limit` holds again (`s` rolled, limit >= 1). */
export function retryAfter(s: WindowState, limit: number, now: number): number {
  const elapsed = now - s.start;
  const w = s.windowMs;
  // Still inside this window: the previous window's share decays linearly.
  if (s.prevCount > 0 && s.curCount + 1 <= limit) {
    const at = w * (1 - (limit - 1 - s.curCount) / s.prevCount);
    if (at < w) return Math.max(0, at - elapsed);
  }
  // Next window: this window's count becomes the decaying previous one.
  const into = s.curCount > limit - 1 ? w * (1 - (limit - 1) / s.curCount) : 0;
  return w - elapsed + into;
}

/**
 * Decides one request of `cost` against several buckets at once: allowed only if every
 * bucket allows it, and then counted in all of them (a refused request counts nowhere, so
 * a client that keeps retrying still recovers).
 */
export function decideAll(
  states: WindowState[],
  limits: number[],
  now: number,
  cost = 1,
): { states: WindowState[]; verdicts: Verdict[] } {
  const rolled = states.map((s) => roll(s, now));
  const counts = rolled.map((s) => estimate(s, now));
  const allowed = counts.every((n, i) => n + cost <= (limits[i] ?? 0));
  const next = allowed ? rolled.map((s) => ({ ...s, curCount: s.curCount + cost })) : rolled;
  const verdicts = next.map((s, i): Verdict => {
    const limit = limits[i] ?? 0;
    const left = limit - estimate(s, now);
    const refusedHere = !allowed && (counts[i] ?? 0) + cost > limit;
    return {
      allowed,
      remaining: Math.max(0, Math.floor(left + 1e-9)),
      resetMs: s.start + s.windowMs - now,
      retryAfterMs: refusedHere ? retryAfter(s, limit, now) : 0,
    };
  });
  return { states: next, verdicts };
}

/**
 * How many requests every bucket still allows now (`limit - estimate`, the smallest over the
 * buckets, never below 0). A lease asks for up to this many at once.
 */
export function room(states: WindowState[], limits: number[], now: number): number {
  const left = states.map((s, i) => (limits[i] ?? 0) - estimate(roll(s, now), now));
  return Math.max(0, Math.floor(Math.min(...left) + 1e-9));
}

/** Requests a lease counted at `at` (ms since the epoch) that were never made. */
export interface Refund {
  count: number;
  at: number;
}

/**
 * Gives back `count` requests counted at `at` but never made (an unspent lease that expired):
 * they come off the window they were counted in, while that window still weighs.
 */
export function refund(s: WindowState, back: Refund, now: number): WindowState {
  const r = roll(s, now);
  if (back.at >= r.start) return { ...r, curCount: Math.max(0, r.curCount - back.count) };
  if (back.at >= r.start - r.windowMs)
    return { ...r, prevCount: Math.max(0, r.prevCount - back.count) };
  return r;
}

/**
 * One lease call, decided (the RateLimiter object's logic, pure): the refund first, then up to
 * `want` requests, as many as every bucket still allows, counted in all of them; `granted` 0
 * means refused. `store` is what to keep: the counted states, the refunded ones when only the
 * refund changed anything, or null.
 */
export function decideLease(
  states: WindowState[],
  limits: number[],
  now: number,
  want: number,
  back?: Refund,
): { granted: number; verdicts: Verdict[]; store: WindowState[] | null } {
  const current = back && back.count > 0 ? states.map((s) => refund(s, back, now)) : states;
  const cost = Math.max(1, Math.min(Math.floor(want), room(current, limits, now)));
  const { states: next, verdicts } = decideAll(current, limits, now, cost);
  if (!verdicts[0]?.allowed)
    return { granted: 0, verdicts, store: current === states ? null : current };
  return { granted: cost, verdicts, store: next };
}
