/**
 * The query part of a cache key, worked out once per distinct query string per isolate.
 *
 * A HIT used to parse the request URL, build a `URLSearchParams`, sort its pairs and serialise
 * them again on every request (about a tenth of a cached list's own CPU time, measured with
 * scripts/bench/hitpath.mjs). Clients repeat the same few query strings, so the isolate keeps
 * the parsed query per raw query string (bounded by size) and the sorted form per parsed
 * object. The objects handed out are shared between requests: callers must not modify them.
 */
import { LRUCache } from 'lru-cache';

/** Query strings longer than this are parsed per request (they would crowd out the rest). */
const MAX_KEY_CHARS = 2048;

const parsed = new LRUCache<string, URLSearchParams>({
  maxSize: 1024 * 1024,
  // lru-cache refuses a size of 0: the empty query string (a bare list) counts as one unit.
  sizeCalculation: (_value, key) => key.length * 2 + 2,
});
const normalized = new WeakMap<URLSearchParams, string>();

/** The raw query string of a URL, without its `?` (`''` when it has none). */
export function rawQuery(url: string): string {
  const at = url.indexOf('?');
  if (at < 0) return '';
  const hash = url.indexOf('#', at);
  return hash < 0 ? url.slice(at + 1) : url.slice(at + 1, hash);
}

/**
 * The query parameters that shape an answer: the request's own (empty ones dropped), plus
 * `resolved`, the values the route filled in for absent ones. Shared and memoized: read only.
 */
export function shapingQuery(raw: string, resolved: Record<string, string>): URLSearchParams {
  let id = raw;
  for (const k in resolved) id += `\n${k}=${resolved[k]}`;
  const hit = parsed.get(id);
  if (hit) return hit;
  const out = new URLSearchParams();
  for (const [k, v] of new URLSearchParams(raw)) if (v !== '') out.append(k, v);
  for (const [k, v] of Object.entries(resolved)) if (!out.has(k)) out.set(k, v);
  if (id.length <= MAX_KEY_CHARS) parsed.set(id, out);
  return out;
}

/** Sorted, de-duplicated query: `?b=2&a=1` and `?a=1&b=2` share an entry. */
export function normalizeQuery(query: URLSearchParams): string {
  const known = normalized.get(query);
  if (known !== undefined) return known;
  const pairs = [...query.entries()].sort(([a, x], [b, y]) =>
    a === b ? x.localeCompare(y) : a.localeCompare(b),
  );
  const text = new URLSearchParams(pairs).toString();
  normalized.set(query, text);
  return text;
}
