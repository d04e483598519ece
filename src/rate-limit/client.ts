/**
 * The Worker's side of the rate limiter: picks the shard, calls it with a deadline, and
 * remembers refusals in the isolate so that a flood of one key costs one limiter call per
 * isolate per `Retry-After` instead of one per request (the shard also serves other keys).
 *
 * Leases: a busy key does not call its shard for every request. The shard grants up to
 * `want` requests at once, counted there at once, and this isolate spends them for up to
 * LEASE_TTL_MS; `want` doubles while leases run out before they expire and halves when they
 * expire unspent, between 1 and a cap of 1/20 of the smallest limit (at most LEASE_MAX), so a
 * quiet key still makes one call per request and the limit is never exceeded.
 *
 * Exactly one unit per request, also under concurrency: one lease call per key is in flight
 * per isolate at a time (concurrent requests wait for it and spend its grant instead of each
 * asking for a lease of their own — by polling its record, never by awaiting its promise: a
 * request that awaited another request's promise resumed in that request's I/O context, and
 * its next I/O failed with "Cannot perform I/O on behalf of a different request", issue #21);
 * tokens already granted are spent before a remembered
 * refusal is answered (they were counted); and the unspent rest of an expired lease is
 * handed back with the next call (`Refund`), taken off the window it was counted in.
 * If the limiter cannot be reached in time the request is let through (fail open) and the
 * failure logged: a broken limiter must not take the API down.
 */
import type { Config } from '../env';
import { log } from '../log';
import { withTimeout } from '../timeout';
import { awaitCall, ownCall, runningCall } from './lease-calls';
import { shardName, type AppliedPolicy, type PolicyName, type RatePolicy } from './policy';
import type { BucketCheck, Refund, Verdict } from './sliding-window';

/** Deadline of one limiter call. */
export const LIMITER_TIMEOUT_MS = 500;
const DENY_CACHE_MAX = 10_000;
const deniedUntil = new Map<string, number>();

/** How long an isolate may spend a lease (and at most a tenth of the shortest window). */
export const LEASE_TTL_MS = 1_000;
/** The most requests one lease may cover. */
export const LEASE_MAX = 64;
const LEASES_MAX = 10_000;

interface Lease {
  /** Requests still to spend here. */
  tokens: number;
  expiresAt: number;
  /** What the last grant asked for (the next ask adapts from it). */
  want: number;
  grantedAt: number;
  applied: AppliedPolicy[];
}
const leases = new Map<string, Lease>();
/**
 * A lease call older than this is taken to be lost (its request was torn down before it
 * settled; alive, it settles within `LIMITER_TIMEOUT_MS`): the next request makes its own.
 */
const CALL_MAX_AGE_MS = LIMITER_TIMEOUT_MS + 100;
/** How often a request joins a shared call before it makes its own, and its rounds at most. */
const JOIN_MAX = 4;
const ROUNDS_MAX = 16;

export interface Bucket {
  name: PolicyName;
  key: string;
  policy: RatePolicy;
}

export interface Outcome {
  allowed: boolean;
  applied: AppliedPolicy[];
  /** When refused: the policies that are exhausted. */
  refusing?: PolicyName[];
}

/** A refusal naming only the policies that refused (the others still had room). */
function refusal(applied: AppliedPolicy[]): Outcome {
  return {
    allowed: false,
    applied,
    refusing: applied.filter((a) => a.verdict.retryAfterMs > 0).map((a) => a.name),
  };
}

const cacheKey = (b: Bucket): string => `${b.name}:${b.key}|${b.policy.limit}/${b.policy.windowMs}`;

/** The isolate's key of a list of buckets (a caller that reuses a list may pass it to `consume`). */
export const bucketsKey = (buckets: Bucket[]): string => buckets.map(cacheKey).join('&');

/** A refusal remembered in this isolate, answered without calling the limiter. */
function remembered(buckets: Bucket[], now: number): Outcome | undefined {
  const waits = buckets.map((b) => (deniedUntil.get(cacheKey(b)) ?? 0) - now);
  if (!waits.some((w) => w > 0)) return undefined;
  // Only the refusing policies are reported: the others' state is not known here.
  const applied = buckets.flatMap((b, i): AppliedPolicy[] => {
    const wait = waits[i] ?? 0;
    return wait > 0
      ? [
          {
            name: b.name,
            policy: b.policy,
            verdict: { allowed: false, remaining: 0, resetMs: wait, retryAfterMs: wait },
          },
        ]
      : [];
  });
  return refusal(applied);
}

/** Holds a fresh grant; tokens of a concurrent live grant add up. */
function keep(
  key: string,
  g: { granted: number; want: number; applied: AppliedPolicy[]; ttl: number },
): void {
  const now = Date.now();
  const live = leases.get(key);
  const carried = live && now < live.expiresAt ? live.tokens : 0;
  if (leases.size >= LEASES_MAX) leases.clear();
  leases.set(key, {
    tokens: carried + g.granted,
    expiresAt: now + g.ttl,
    want: g.want,
    grantedAt: now,
    applied: g.applied,
  });
}

function remember(buckets: Bucket[], verdicts: Verdict[], now: number): void {
  if (deniedUntil.size >= DENY_CACHE_MAX) deniedUntil.clear();
  buckets.forEach((b, i) => {
    const wait = verdicts[i]?.retryAfterMs ?? 0;
    if (wait > 0) deniedUntil.set(cacheKey(b), now + wait);
  });
}

function leaseCap(buckets: Bucket[]): number {
  return Math.max(1, Math.min(LEASE_MAX, ...buckets.map((b) => Math.floor(b.policy.limit / 20))));
}

function leaseTtl(buckets: Bucket[]): number {
  return Math.min(LEASE_TTL_MS, ...buckets.map((b) => b.policy.windowMs / 10));
}

/** One request from this isolate's lease, if it holds one; the headers as of now. */
function spend(key: string, now: number): Outcome | undefined {
  const lease = leases.get(key);
  if (!lease || lease.tokens <= 0 || now >= lease.expiresAt) return undefined;
  lease.tokens--;
  const held = lease.tokens;
  const applied = lease.applied.map((a) => ({
    ...a,
    verdict: {
      ...a.verdict,
      remaining: a.verdict.remaining + held,
      resetMs: Math.max(0, a.verdict.resetMs - (now - lease.grantedAt)),
    },
  }));
  return { allowed: true, applied };
}

/** How many to ask for: more while leases run dry before they expire, fewer when they go unspent. */
function nextWant(key: string, now: number, cap: number): number {
  const lease = leases.get(key);
  if (!lease) return 1;
  if (lease.tokens <= 0 && now < lease.expiresAt) return Math.min(cap, lease.want * 2);
  if (lease.tokens > 0) return Math.max(1, Math.floor(lease.want / 2));
  return Math.min(cap, lease.want);
}

/** The unspent rest of this isolate's expired lease for `key`, taken out of it (to hand back). */
function takeExpired(key: string, now: number): Refund | undefined {
  const lease = leases.get(key);
  if (!lease || lease.tokens <= 0 || now < lease.expiresAt) return undefined;
  const back = { count: lease.tokens, at: lease.grantedAt };
  lease.tokens = 0;
  return back;
}

/**
 * One lease call to the shard: keeps the grant (null then: spend it), or the refusal. Fails
 * open (an empty allowed outcome) when the shard does not answer in time.
 */
async function callShard(
  env: Env,
  config: Config,
  kind: string,
  shardKey: string,
  buckets: Bucket[],
  key: string,
  requestId?: string,
): Promise<Outcome | null> {
  const now = Date.now();
  const stub = env.RATE_LIMITER.get(
    env.RATE_LIMITER.idFromName(shardName(kind, shardKey, config.RATE_LIMIT_SHARDS)),
  );
  const checks: BucketCheck[] = buckets.map((b) => ({
    key: `${b.name}:${b.key}`,
    limit: b.policy.limit,
    windowMs: b.policy.windowMs,
  }));
  const want = nextWant(key, now, leaseCap(buckets));
  const back = takeExpired(key, now);
  try {
    const { granted, verdicts } = await withTimeout(
      stub.lease(checks, want, back),
      LIMITER_TIMEOUT_MS,
      'rate limiter',
    );
    const applied = buckets.map((b, i): AppliedPolicy => ({
      name: b.name,
      policy: b.policy,
      verdict: verdicts[i] ?? {
        allowed: true,
        remaining: b.policy.limit,
        resetMs: b.policy.windowMs,
        retryAfterMs: 0,
      },
    }));
    if (granted === 0) {
      remember(buckets, verdicts, now);
      return refusal(applied);
    }
    keep(key, { granted, want, applied, ttl: leaseTtl(buckets) });
    return null;
  } catch (err) {
    log.warn('rate_limiter_unavailable', {
      requestId,
      kind,
      error: err instanceof Error ? err.name : 'unknown',
    });
    return { allowed: true, applied: [] };
  }
}

/** This isolate holds tokens of a live lease for `key`. */
function holding(key: string): boolean {
  const lease = leases.get(key);
  return lease !== undefined && lease.tokens > 0 && Date.now() < lease.expiresAt;
}

/**
 * Checks and counts one request against `buckets`, which must all live on the shard named
 * by `kind` and `shardKey` (one call, decided atomically). Switched-off policies are left out
 * by the caller; an empty list is always allowed.
 */
export async function consume(
  env: Env,
  config: Config,
  kind: string,
  shardKey: string,
  buckets: Bucket[],
  requestId?: string,
  key: string = bucketsKey(buckets),
): Promise<Outcome> {
  if (buckets.length === 0) return { allowed: true, applied: [] };
  for (let round = 0; round < ROUNDS_MAX; round++) {
    const now = Date.now();
    // Tokens held here were counted already: they go first, even past a remembered refusal.
    const local = spend(key, now);
    if (local) return local;
    const cached = remembered(buckets, now);
    if (cached) return cached;
    const running =
      round < JOIN_MAX ? runningCall<Outcome | null>(key, now, CALL_MAX_AGE_MS) : undefined;
    if (running)
      await awaitCall(running, CALL_MAX_AGE_MS - (now - running.startedAt), () => holding(key));
    const call =
      running ??
      (await ownCall(key, now, () =>
        callShard(env, config, kind, shardKey, buckets, key, requestId),
      ));
    // A grant (null) is spent by whoever comes first; a request left without a token asks again.
    const spent = spend(key, Date.now());
    if (spent) return spent;
    if (call.settled && call.outcome) return call.outcome;
  }
  // Every round's grant went to other requests: let this one through rather than spin (logged).
  log.warn('rate_limiter_contended', { requestId, kind });
  return { allowed: true, applied: [] };
}
