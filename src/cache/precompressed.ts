/**
 * Cached answers compressed once per entry instead of once per response.
 *
 * Clients that accept gzip (by their own `Accept-Encoding`: src/middleware/compression.ts)
 * get every JSON answer above the threshold gzip-encoded by workerd on its way out. For a
 * 75 KB list that encoding costs more than the rest of a HIT. Versioned entries never change,
 * so the memory tier keeps the gzip bytes next to the text and a HIT sends them as they are
 * (`encodeBody: 'manual'`: workerd must not encode them again); a client that does not take
 * gzip gets the entry's text (identity bytes) from the same entry.
 */
import type { Context } from 'hono';
import {
  clientAcceptEncoding,
  COMPRESS_THRESHOLD_BYTES,
  pickEncoding,
} from '../middleware/compression';
import { memoryCache, type MemoryEntry } from './memory-cache';

export async function gzip(text: string): Promise<Uint8Array> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Keys whose gzip form this isolate is making now. */
const compressing = new Set<string>();

/**
 * Adds the gzip form to the memory tier's entry for `key`, once (a second call while the first
 * runs does nothing). Small answers are left alone, as the compression middleware does.
 */
export async function precompress(key: string, entry: MemoryEntry): Promise<void> {
  if (entry.gzip || entry.json.length < COMPRESS_THRESHOLD_BYTES || compressing.has(key)) return;
  compressing.add(key);
  try {
    // A new object: the memory tier sizes an entry when it is set.
    memoryCache.set(key, { ...entry, gzip: await gzip(entry.json) });
  } catch {
    // Not compressed this time; the answer is still served (encoded per response).
  } finally {
    compressing.delete(key);
  }
}

/** The entry's gzip bytes, if it has them and the request takes gzip. */
export function gzipFor(c: Context, entry: MemoryEntry): Uint8Array | undefined {
  return entry.gzip && pickEncoding(clientAcceptEncoding(c.req.raw)) === 'gzip'
    ? entry.gzip
    : undefined;
}

/** A 200 with already-gzipped bytes, carrying the headers middleware set before the handler. */
export function gzippedResponse(
  c: Context,
  bytes: Uint8Array,
  headers: Record<string, string>,
): Response {
  const base = c.body(null, 200, {
    ...headers,
    'Content-Encoding': 'gzip',
    Vary: 'Accept-Encoding',
  });
  return new Response(bytes, { status: 200, headers: base.headers, encodeBody: 'manual' });
}
