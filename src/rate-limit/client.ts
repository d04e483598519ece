/**
 * The Worker's side of the rate limiter: picks the shard, calls it with a deadline, and
 * remembers refusals in the isolate so that a flood of one key costs one limiter call per
 * isolate per `Retry-After` instead of one per request (the shard also serves other keys).
 * If the limiter cannot be reached in time the request is let through (fail open) and the
 * failure logged: a broken limiter must not take the API down.
 */
import type { Config } from '../env';
import { log } from '../log';
import { withTimeout } from '../timeout';
import type { BucketCheck } from '../../durable-objects/rate-limiter';
import { shardName, type AppliedPolicy, type PolicyName, type RatePolicy } from './policy';
import type { Verdict } from './sliding-window';

/** Deadline of one limiter call. */
export const LIMITER_TIMEOUT_MS = 500;
const DENY_CACHE_MAX = 10_000;
const deniedUntil = new Map<string, number>();

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

function remember(buckets: Bucket[], verdicts: Verdict[], now: number): void {
  if (deniedUntil.size >= DENY_CACHE_MAX) deniedUntil.clear();
  buckets.forEach((b, i) => {
    const wait = verdicts[i]?.retryAfterMs ?? 0;
    if (wait > 0) deniedUntil.set(cacheKey(b), now + wait);
  });
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
  const stub = env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(shardName(kind, shardKey, config.RATE_LIMIT_SHARDS)));
  const checks: BucketCheck[] = buckets.map((b) => ({ key: `${b.name}:${b.key}`, limit: b.policy.limit, windowMs: b.policy.windowMs }));
  try {
    const verdicts = await withTimeout(stub.consume(checks), LIMITER_TIMEOUT_MS, 'rate limiter');
    if (!verdicts[0]?.allowed) remember(buckets, verdicts, now);
    const applied = buckets.map((b, i): AppliedPolicy => ({
      name: b.name,
      policy: b.policy,
      verdict: verdicts[i] ?? { allowed: true, remaining: b.policy.limit, resetMs: b.policy.windowMs, retryAfterMs: 0 },
    }));
    return { allowed: verdicts[0]?.allowed ?? true, applied };
  } catch (err) {
    log.warn('rate_limiter_unavailable', { requestId, kind, error: err instanceof Error ? err.name : 'unknown' });
    return { allowed: true, applied: [] };
  }
}
