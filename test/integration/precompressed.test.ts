/**
 * Cached answers compressed once (src/cache/precompressed.ts) and headers set after the
 * handler without rebuilding the response (src/http/response-headers.ts). In-process Hono
 * apps: `app.request()` hands back the Response object itself. Whether workerd sends those
 * bytes without encoding them again is only visible on the wire: wire.node.test.ts.
 */
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { memoryCache } from '../../src/cache/memory-cache';
import { gzip, gzipFor, gzippedResponse, precompress } from '../../src/cache/precompressed';
import { setResponseHeader } from '../../src/http/response-headers';

const JSON_TEXT = JSON.stringify({
  data: Array.from({ length: 200 }, (_, i) => ({
    id: `inv_${i}`,
    amount: i * 100,
    note: 'Consulting',
  })),
});
const gunzip = (bytes: Uint8Array) =>
  new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'))).text();

describe('precompressed cache entries', () => {
  it('precompress stores the gzip form of a large entry, decoding to the same text; a small entry is left alone', async () => {
    const key = `test:${crypto.randomUUID()}`;
    await precompress(key, { link: '', json: JSON_TEXT, builtAt: 1 });
    const stored = memoryCache.get(key);
    expect(stored?.gzip).toBeInstanceOf(Uint8Array);
    expect(stored!.gzip!.byteLength).toBeLessThan(JSON_TEXT.length / 3);
    expect(await gunzip(stored!.gzip!)).toBe(JSON_TEXT);

    const small = `test:${crypto.randomUUID()}`;
    await precompress(small, { link: '', json: '{"data":[]}', builtAt: 1 });
    expect(memoryCache.get(small)).toBeUndefined();
  });

  it('gzipFor gives the bytes only to a request that takes gzip', async () => {
    const entry = { link: '', json: JSON_TEXT, gzip: await gzip(JSON_TEXT), builtAt: 1 };
    const seen: Record<string, boolean> = {};
    const app = new Hono().get('/', (c) => {
      seen[c.req.header('Accept-Encoding') ?? 'none'] = gzipFor(c, entry) !== undefined;
      return c.text('ok');
    });
    for (const ae of ['gzip', 'br, gzip', 'identity', 'gzip;q=0', 'deflate'])
      await app.request('/', { headers: { 'Accept-Encoding': ae } });
    await app.request('/');
    expect(seen).toEqual({
      gzip: true,
      'br, gzip': true,
      identity: false,
      'gzip;q=0': false,
      deflate: false,
      none: false,
    });
  });

  it('gzippedResponse sends the stored bytes as they are, with the headers set before and after the handler', async () => {
    const bytes = await gzip(JSON_TEXT);
    const app = new Hono()
      .use(async (c, next) => {
        c.header('X-Before', 'set before the handler');
        await next();
        setResponseHeader(c, 'X-After', 'set after the handler');
      })
      .get('/', (c) =>
        gzippedResponse(c, bytes, { 'Content-Type': 'application/json', 'X-Cache': 'HIT' }),
      );
    const res = await app.request('/');
    const raw = new Uint8Array(await res.arrayBuffer());
    expect(raw).toEqual(bytes);
    expect(await gunzip(raw)).toBe(JSON_TEXT);
    expect(
      Object.fromEntries(
        ['Content-Encoding', 'Vary', 'X-Cache', 'X-Before', 'X-After', 'Content-Type'].map((h) => [
          h,
          res.headers.get(h),
        ]),
      ),
    ).toEqual({
      'Content-Encoding': 'gzip',
      Vary: 'Accept-Encoding',
      'X-Cache': 'HIT',
      'X-Before': 'set before the handler',
      'X-After': 'set after the handler',
      'Content-Type': 'application/json',
    });
  });
});

describe('setResponseHeader', () => {
  it('sets a header on the final response in place (the body is not rebuilt), appends or removes when asked', async () => {
    let same: boolean | undefined;
    const app = new Hono()
      .use(async (c, next) => {
        await next();
        const before = c.res;
        setResponseHeader(c, 'RateLimit', '"user";r=9;t=1');
        setResponseHeader(c, 'Vary', 'Origin', { append: true });
        setResponseHeader(c, 'X-Gone', null);
        same = c.res === before;
      })
      .get('/', (c) => c.json({ ok: true }, 200, { Vary: 'Accept-Encoding', 'X-Gone': 'soon' }));
    const res = await app.request('/');
    expect(same).toBe(true);
    expect(res.headers.has('X-Gone')).toBe(false);
    expect(res.headers.get('RateLimit')).toBe('"user";r=9;t=1');
    expect(res.headers.get('Vary')).toBe('Accept-Encoding, Origin');
    expect(await res.json()).toEqual({ ok: true });
  });

  it('falls back to rebuilding a response whose headers are immutable', async () => {
    const app = new Hono()
      .use(async (c, next) => {
        await next();
        setResponseHeader(c, 'X-After', 'yes');
      })
      .get('/', () => Response.redirect('https://example.test/elsewhere', 302));
    const res = await app.request('/');
    expect(res.status).toBe(302);
    expect(res.headers.get('Location')).toBe('https://example.test/elsewhere');
    expect(res.headers.get('X-After')).toBe('yes');
  });

  it('before the handler it is c.header()', async () => {
    const app = new Hono()
      .use(async (c, next) => {
        setResponseHeader(c, 'X-Early', 'yes');
        await next();
      })
      .get('/', (c) => c.text('ok'));
    expect((await app.request('/')).headers.get('X-Early')).toBe('yes');
  });
});
