/**
 * The Worker's side of the rate limiter: picks the shard, calls it with a deadline, and
 * remembers refusals in the isolate so that a flood of one key costs one limiter call per
 * isolate per `Retry-After` instead of one per request (the shard also serves other keys).
 *
 * Leases: a busy key does not call its shard for every request. The shard grants up to
 * `want` requests at once, counted there at once, and this isolate spends them for up to
 * LEASE_TTL_MS; `want` doubles while leases run out before they expire and halves when they
 * expire unspent, between 1 and a cap of 1/20 of the smallest limit (at most LEASE_MAX), so a
 * quiet key still makes one call per request and the limit is never exceeded. The price:
 * a lease that expires unspent has counted up to `cap - 1` requests that were never made.
 * If the limiter cannot be reached in time the request is let through (fail open) and the
 * failure logged: a broken limiter must not take the API down.
 */
import type { Config } from '../env';
import { log } from '../log';
import { withTimeout } from '../timeout';
import { shardName, type AppliedPolicy, type PolicyName, type RatePolicy } from './policy';
import type { BucketCheck, Verdict } from './sliding-window';

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

export interface Bucket {
  name: PolicyName;
  key: string;
  policy: RatePolicy;
}

export interface Outcome {
  allowed: boolean;
  applied: AppliedPolicy[];
}

const cacheKey = (b: Bucket): string => `${b.name}:${b.key}|${b.policy.limit}/${b.policy.windowMs}`;

/** A refusal remembered in this isolate, answered without calling the limiter. */
function remembered(buckets: Bucket[], now: number): Outcome | undefined {
  const waits = buckets.map((b) => (deniedUntil.get(cacheKey(b)) ?? 0) - now);
  if (!waits.some((w) => w > 0)) return undefined;
  // Only the refusing policies are reported: the others' state is not known here.
  const applied = buckets.flatMap((b, i): AppliedPolicy[] => {
    const wait = waits[i] ?? 0;
    return wait > 0 ? [{ name: b.name, policy: b.policy, verdict: { allowed: false, remaining: 0, resetMs: wait, retryAfterMs: wait } }] : [];
  });
  return { allowed: false, applied };
}

/** Holds a fresh grant; tokens of a concurrent live grant add up. */
function keep(key: string, g: { granted: number; want: number; applied: AppliedPolicy[]; ttl: number }): void {
  const now = Date.now();
  const live = leases.get(key);
  const carried = live && now < live.expiresAt ? live.tokens : 0;
  if (leases.size >= LEASES_MAX) leases.clear();
  leases.set(key, { tokens: carried + g.granted, expiresAt: now + g.ttl, want: g.want, grantedAt: now, applied: g.applied });
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
    verdict: { ...a.verdict, remaining: a.verdict.remaining + held, resetMs: Math.max(0, a.verdict.resetMs - (now - lease.grantedAt)) },
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

/**
 * Checks and counts one request against `buckets`, which must all live on the shard named
 * by `kind` and `shardKey` (one call, decided atomically). Switched-off policies are left out
 * by the caller; an empty list is always allowed.
 */
export async function consume(env: Env, config: Config, kind: string, shardKey: string, buckets: Bucket[], requestId?: string): Promise<Outcome> {
  if (buckets.length === 0) return { allowed: true, applied: [] };
  const now = Date.now();
  const cached = remembered(buckets, now);
  if (cached) return cached;
  const key = buckets.map(cacheKey).join('&');
  const local = spend(key, now);
  if (local) return local;
  const stub = env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(shardName(kind, shardKey, config.RATE_LIMIT_SHARDS)));
  const checks: BucketCheck[] = buckets.map((b) => ({ key: `${b.name}:${b.key}`, limit: b.policy.limit, windowMs: b.policy.windowMs }));
  const want = nextWant(key, now, leaseCap(buckets));
  try {
    const { granted, verdicts } = await withTimeout(stub.lease(checks, want), LIMITER_TIMEOUT_MS, 'rate limiter');
    if (granted === 0) remember(buckets, verdicts, now);
    const applied = buckets.map((b, i): AppliedPolicy => ({
      name: b.name,
      policy: b.policy,
      verdict: verdicts[i] ?? { allowed: true, remaining: b.policy.limit, resetMs: b.policy.windowMs, retryAfterMs: 0 },
    }));
    if (granted === 0) return { allowed: false, applied };
    keep(key, { granted, want, applied, ttl: leaseTtl(buckets) });
    // This request is the first of the grant, spent like the rest.
    return spend(key, Date.now()) ?? { allowed: true, applied };
  } catch (err) {
    log.warn('rate_limiter_unavailable', { requestId, kind, error: err instanceof Error ? err.name : 'unknown' });
    return { allowed: true, applied: [] };
  }
}
