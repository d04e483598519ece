/**
 * Compression of JSON responses above a size threshold, honouring `Accept-Encoding`.
 * Not `hono/compress`: on Workers the runtime itself encodes a body whose response carries
 * `Content-Encoding` (encodeBody "automatic"), so compressing in JavaScript as well sent
 * gzip-inside-gzip. This middleware only decides (JSON, large enough, accepted) and sets
 * the header; workerd does the encoding natively, and `Vary` keeps caches honest. Cached
 * reads send bytes compressed once per entry instead (src/cache/precompressed.ts).
 */
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';
import { setResponseHeader } from '../http/response-headers';

/** Responses smaller than this are sent as they are (compression would not pay off). */
export const COMPRESS_THRESHOLD_BYTES = 1024;

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\b/i;

/**
 * The encoding to use, from `Accept-Encoding` (RFC 9110 §12.5.3): gzip when accepted by name
 * or by `*` with a q-value above 0, else none. No header, `identity`, `br` alone or
 * `gzip;q=0` mean plain JSON (a `curl` without `--compressed` must read text). Only gzip: it is what the cached answers are precompressed in, and every client
 * that compresses at all takes it; a deflate-only client gets plain JSON (wire.node.test.ts).
 */
export function pickEncoding(accept: string | undefined): 'gzip' | null {
  const header = accept ?? '';
  const known = picked.get(header);
  if (known !== undefined) return known;
  const encoding = parseEncoding(header);
  // Clients send a handful of distinct headers: remembered per isolate, bounded.
  if (header.length <= PICKED_HEADER_MAX) {
    if (picked.size >= PICKED_MAX) picked.clear();
    picked.set(header, encoding);
  }
  return encoding;
}

const picked = new Map<string, 'gzip' | null>();
const PICKED_MAX = 256;
const PICKED_HEADER_MAX = 256;

function parseEncoding(accept: string): 'gzip' | null {
  const offered = new Map<string, number>();
  for (const part of accept.toLowerCase().split(',')) {
    const [name, ...params] = part.trim().split(';');
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    if (name) offered.set(name, q === undefined ? 1 : Number(q));
  }
  const ok = (name: string) => (offered.get(name) ?? offered.get('*') ?? 0) > 0;
  return ok('gzip') ? 'gzip' : null;
}

/**
 * The `Accept-Encoding` the client itself sent. At the edge and under `wrangler dev`
 * (Miniflare's entry worker) the Worker sees `br, gzip` whatever the client sent, and the
 * client's own header is in `request.cf.clientAcceptEncoding` (`''` when it sent none); a
 * body encoded for a client that did not ask for it reaches that client encoded. Without
 * that property (the vitest pool, a service binding) the header is the client's.
 */
export function clientAcceptEncoding(req: Request): string | undefined {
  const cf = (req as { cf?: { clientAcceptEncoding?: unknown } }).cf;
  if (typeof cf?.clientAcceptEncoding === 'string') return cf.clientAcceptEncoding;
  return req.headers.get('Accept-Encoding') ?? undefined;
}

export const compressJson = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  const res = c.res;
  if (res.headers.has('Content-Encoding') || !JSON_TYPE.test(res.headers.get('Content-Type') ?? ''))
    return;
  // A handler that knows its body's length says so (`bodyLength`): then the body is neither
  // looked at (in workerd `res.body` makes a stream) nor cloned and read to measure it.
  const known = c.get('bodyLength');
  if (known === undefined && !res.body) return;
  setResponseHeader(c, 'Vary', 'Accept-Encoding', { append: true });
  const encoding = pickEncoding(clientAcceptEncoding(c.req.raw));
  if (!encoding) return;
  const declared = Number(res.headers.get('Content-Length'));
  const size =
    Number.isFinite(declared) && declared > 0
      ? declared
      : (known ?? (await res.clone().arrayBuffer()).byteLength);
  if (size < COMPRESS_THRESHOLD_BYTES) return;
  // workerd encodes the body as it sends it, by this header; set in place, the response is
  // not rebuilt (which would turn a body of known length into a stream).
  setResponseHeader(c, 'Content-Encoding', encoding);
  setResponseHeader(c, 'Content-Length', null);
});
