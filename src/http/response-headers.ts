/**
 * Setting a header on the response after the handler ran (middleware after `await next()`).
 *
 * Not `c.header()`: once a response is final, Hono's `c.header()` rebuilds it as
 * `new Response(res.body, res)`, which turns a string body of known length into a stream.
 * workerd then sends it chunked and pumps it chunk by chunk; with two such calls per request
 * (the RateLimit headers) a cached list lost about half its throughput
 * (docs/performance-history.md, "Reads: precompressed HITs, version from the ledger").
 * Responses this Worker builds have mutable headers, so they are set in place; a response with
 * immutable headers (one passed through from a `fetch`) still goes through `c.header()`.
 * `null` removes the header.
 */
import type { Context } from 'hono';

export function setResponseHeader(
  c: Context,
  name: string,
  value: string | null,
  options?: { append?: boolean },
): void {
  const viaHono = () => c.header(name, value ?? undefined, options);
  if (!c.finalized) return viaHono();
  try {
    if (value === null) c.res.headers.delete(name);
    else if (options?.append) c.res.headers.append(name, value);
    else c.res.headers.set(name, value);
  } catch (err) {
    if (!(err instanceof TypeError)) throw err;
    viaHono();
  }
}
