/**
 * The isolate's own tier in front of the Cache API: a least-recently-used map of cached
 * answers (`lru-cache`), bounded by bytes. Safe because entries are immutable (the key names
 * the tenant, read-model version and scope, see response-cache.ts): an entry is never wrong,
 * only old, and old versions simply stop being asked for and age out.
 *
 * Also the per-isolate record of which keys are being built right now, so that a burst of
 * misses for one key costs one Postgres query: the others wait for the answer to appear
 * here (polling this map — a request must not await a promise another request created).
 */
import { LRUCache } from 'lru-cache';

export const MEMORY_CACHE_BYTES = 16 * 1024 * 1024;
/** Answers larger than this skip the memory tier (they still go to the Cache API and KV). */
const MAX_ENTRY_BYTES = 1024 * 1024;

/** This isolate's memory tier; sizes in bytes of UTF-16 (key and body). */
export const memoryCache = new LRUCache<string, string>({
  maxSize: MEMORY_CACHE_BYTES,
  maxEntrySize: MAX_ENTRY_BYTES,
  sizeCalculation: (value, key) => (key.length + value.length) * 2,
});

/** Keys being built in this isolate now, with when the build started. */
const building = new Map<string, number>();

/** Marks `key` as being built; returns false if another request already is (and not too long ago). */
export function claimBuild(key: string, now: number, maxWaitMs: number): boolean {
  const started = building.get(key);
  if (started !== undefined && now - started < maxWaitMs) return false;
  building.set(key, now);
  return true;
}

export function releaseBuild(key: string): void {
  building.delete(key);
}

/**
 * Waits for another request's build of `key`: polls the memory tier (every 5 ms, backing off
 * to 50 ms, so a thousand waiters do not busy the isolate) until the answer appears, the build
 * is given up (no longer marked), or `maxWaitMs` passes.
 */
export async function awaitBuild(key: string, maxWaitMs: number): Promise<string | undefined> {
  const deadline = Date.now() + maxWaitMs;
  for (let every = 5; ; every = Math.min(every * 2, 50)) {
    const value = memoryCache.get(key);
    if (value !== undefined) return value;
    if (!building.has(key) || Date.now() >= deadline) return undefined;
    await new Promise<void>((resolve) => setTimeout(resolve, every));
  }
}
