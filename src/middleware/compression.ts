/**
 * Compression of JSON responses above a size threshold, honouring `Accept-Encoding`.
 * Not `hono/compress`: on Workers the runtime itself encodes a body whose response carries
 * `Content-Encoding` (encodeBody "automatic"), so compressing in JavaScript as well sent
 * gzip-inside-gzip. This middleware only decides (JSON, large enough, accepted) and sets
 * the header; workerd does the encoding natively, and `Vary` keeps caches honest.
 */
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';

/** Responses smaller than this are sent as they are (compression would not pay off). */
export const COMPRESS_THRESHOLD_BYTES = 1024;

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\b/i;

/** The encoding to use, from `Accept-Encoding` (gzip preferred; `q=0` means refused). */
export function pickEncoding(accept: string | undefined): 'gzip' | 'deflate' | null {
  const offered = new Map<string, number>();
  for (const part of (accept ?? '').toLowerCase().split(',')) {
    const [name, ...params] = part.trim().split(';');
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    if (name) offered.set(name, q === undefined ? 1 : Number(q));
  }
  const ok = (name: string) => (offered.get(name) ?? offered.get('*') ?? 0) > 0;
  return ok('gzip') ? 'gzip' : ok('deflate') ? 'deflate' : null;
}

export const compressJson = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  const res = c.res;
  if (!res.body || res.headers.has('Content-Encoding') || !JSON_TYPE.test(res.headers.get('Content-Type') ?? '')) return;
  res.headers.append('Vary', 'Accept-Encoding');
  const encoding = pickEncoding(c.req.header('Accept-Encoding'));
  if (!encoding) return;
  const declared = Number(res.headers.get('Content-Length'));
  const size = Number.isFinite(declared) && declared > 0 ? declared : (await res.clone().arrayBuffer()).byteLength;
  if (size < COMPRESS_THRESHOLD_BYTES) return;
  const headers = new Headers(res.headers);
  headers.set('Content-Encoding', encoding);
  headers.delete('Content-Length');
  c.res = new Response(res.body, { status: res.status, statusText: res.statusText, headers });
});
