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
import { poll } from '../timeout';

export const MEMORY_CACHE_BYTES = 16 * 1024 * 1024;
/** Answers larger than this skip the memory tier (they still go to the Cache API and KV). */
const MAX_ENTRY_BYTES = 1024 * 1024;

/**
 * A cached answer as the memory tier keeps it: the `Link` header value and the JSON body,
 * split once when the entry comes in, the body's gzip form once it has been made
 * (precompressed.ts), so a HIT neither parses nor compresses, and when it was built.
 */
export interface MemoryEntry {
  link: string;
  json: string;
  gzip?: Uint8Array;
  /**
   * When the build that made the answer started (epoch ms): the read model held at least this
   * answer then. A STALE answer's `Age` counts from it (src/cache/stale-age.ts).
   */
  builtAt: number;
}

/**
 * The stored form (Cache API, KV): the build time (epoch ms), a newline, the `Link` value, a
 * newline, the JSON body. Keys carry the release (response-cache.ts), so no release reads
 * another's form.
 */
export function toStoredForm(entry: MemoryEntry): string {
  return `${entry.builtAt}\n${entry.link}\n${entry.json}`;
}

/** The memory tier's entry for a stored form; null for text not in that form (never served). */
export function toMemoryEntry(stored: string): MemoryEntry | null {
  const first = stored.indexOf('\n');
  const second = stored.indexOf('\n', first + 1);
  const builtAt = Number(stored.slice(0, first));
  if (first <= 0 || second < 0 || !Number.isSafeInteger(builtAt) || builtAt < 0) return null;
  return { builtAt, link: stored.slice(first + 1, second), json: stored.slice(second + 1) };
}

/** This isolate's memory tier; sizes in bytes (strings as UTF-16: key, link and body; gzip bytes). */
export const memoryCache = new LRUCache<string, MemoryEntry>({
  maxSize: MEMORY_CACHE_BYTES,
  maxEntrySize: MAX_ENTRY_BYTES,
  sizeCalculation: (value, key) =>
    (key.length + value.link.length + value.json.length) * 2 + (value.gzip?.byteLength ?? 0),
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
 * Waits for another request's build of `key`: polls the memory tier until the answer appears,
 * the build is given up (no longer marked), or `maxWaitMs` passes.
 */
export async function awaitBuild(key: string, maxWaitMs: number): Promise<MemoryEntry | undefined> {
  const found = await poll(
    () => memoryCache.get(key) ?? (building.has(key) ? undefined : null),
    maxWaitMs,
  );
  return found ?? undefined;
}
