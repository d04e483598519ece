/**
 * Read-your-writes across isolates, for clients: a `fetch` that remembers the highest
 * `X-Ledger-Position` the API acknowledged to this client's writes and sends it as
 * `X-Min-Position` on its reads. The API already does this per isolate (a principal's reads
 * include the writes that isolate acknowledged to it, docs/api.md "Consistency"); the header
 * carries the guarantee to requests that land on another isolate, another data centre, or
 * another client process sharing the position. One instance per session (user, job): its
 * position is that session's. Plug it into the typed client:
 *
 * ```ts
 * import { hc } from 'hono/client';
 * const api = hc<AppType>(baseUrl, { fetch: readYourWrites(), headers: { Authorization } });
 * ```
 * Only writes move the position: a read's `X-Ledger-Position` (single resources) is where the
 * ledger was, not something this client wrote, and echoing it would make reads wait for
 * other principals' writes. No Cloudflare or Hono imports.
 */
export type FetchLike = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

export interface ReadYourWritesFetch extends FetchLike {
  /** The highest position acknowledged to a write through this fetch (0: none yet). */
  readonly position: number;
}

const READS = new Set(['GET', 'HEAD']);

export function readYourWrites(
  inner: FetchLike = (i, init) => fetch(i, init),
): ReadYourWritesFetch {
  let position = 0;
  const wrapped = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const read = READS.has(request.method.toUpperCase());
    if (read && position > 0 && !request.headers.has('X-Min-Position'))
      request.headers.set('X-Min-Position', String(position));
    const res = await inner(request);
    if (!read && res.ok) {
      const acked = Number(res.headers.get('X-Ledger-Position'));
      if (Number.isSafeInteger(acked) && acked > position) position = acked;
    }
    return res;
  };
  return Object.defineProperty(wrapped, 'position', { get: () => position }) as ReadYourWritesFetch;
}
