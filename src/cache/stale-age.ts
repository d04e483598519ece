/**
 * How old a STALE answer is, as its standard `Age` header (RFC 9111 §5.1: whole seconds, never
 * negative) says: how long the answer may be behind the ledger. Counted from the latest moment
 * the answer is known to have held every acknowledged write, conservatively:
 * - the read model is behind (the projection failing): when the oldest write it has not
 *   received was written (the ledger's `behindSince`);
 * - the ledger could not be asked: when it last answered (the isolate's version memo);
 * - otherwise (the build failed and the last cached answer stands in, or the ledger cannot
 *   say): when that answer's build started (`MemoryEntry.builtAt`).
 * The read model's ordinary lag (the version bound, `CACHE_VERSION_TTL_MS`) comes on top, as
 * for every answer. An answer older than `STALE_MAX_AGE_S` is not served: 503
 * `read_model_stale` (src/cache/read-refusals.ts).
 */
import type { AppContext } from '../env';

/** The `Age` of an answer current at `since` (epoch ms), in whole seconds, at `now`. */
export function ageSeconds(since: number, now: number): number {
  return Math.max(0, Math.floor((now - since) / 1000));
}

/**
 * The `Age` of a STALE answer current at `since`, recorded for the request log
 * (`staleAgeS`); null when it is older than `STALE_MAX_AGE_S` (the caller refuses it).
 */
export function staleAge(c: AppContext, since: number, now = Date.now()): number | null {
  const age = ageSeconds(since, now);
  c.set('cacheStaleAgeS', age);
  return now - since > c.get('config').STALE_MAX_AGE_S * 1000 ? null : age;
}
