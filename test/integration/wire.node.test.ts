/**
 * What a client receives on the wire from the Worker as built for deploy (the bench's stack:
 * `wrangler deploy --dry-run` bundle on Miniflare, PGlite behind the bridge), read with
 * node:http, which does not decode: a cached answer taken as gzip is gzip exactly once, and
 * once its gzip form exists (src/cache/precompressed.ts) a HIT sends those bytes with a
 * fixed Content-Length instead of encoding per response. Inside workerd the tests only see
 * bodies already decoded, so this is checked here.
 */
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupAll, prepare } from '../../scripts/bench/stack.mjs';
import { rawRequest, type Wire } from './wire-client';

let url = '';
let token = '';

const raw = (
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<Wire> => rawRequest(url + path, method, headers, body);

const get = (path: string, headers: Record<string, string> = {}): Promise<Wire> =>
  raw('GET', path, { authorization: `Bearer ${token}`, ...headers });

/** Any request; `accept` is the Accept-Encoding header (none when undefined). */
function send(
  method: string,
  path: string,
  body: string | undefined,
  accept: string | undefined,
): Promise<Wire> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${token}`,
    'content-type': 'application/json',
    'idempotency-key': crypto.randomUUID(),
  };
  if (accept !== undefined) headers['accept-encoding'] = accept;
  return raw(method, path, headers, body);
}

async function post(path: string, body: unknown): Promise<string> {
  const res = await fetch(url + path, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      'idempotency-key': crypto.randomUUID(),
    },
    body: JSON.stringify(body),
  });
  if (res.status !== 201) throw new Error(`POST ${path} -> ${res.status} ${await res.text()}`);
  return res.headers.get('x-ledger-position') ?? '0';
}

beforeAll(async () => {
  const ctx = await prepare({ backend: 'pglite', log: () => {} });
  token = await ctx.token(`wire-${Date.now().toString(36)}`);
  const worker = await ctx.worker({});
  url = String(worker.url);
}, 120_000);

afterAll(async () => {
  await cleanupAll();
});

describe('gzip on the wire', () => {
  it('MISS and HIT decode once to the same JSON; a HIT sends the precompressed bytes with their length', async () => {
    const position = await post('/v1/customers', { name: 'Wire GmbH' });
    const path = '/v1/accounts?limit=100';
    const miss = await get(path, { 'accept-encoding': 'gzip', 'x-min-position': position });
    expect(miss.status).toBe(200);
    expect(miss.headers['x-cache']).toBe('MISS');
    expect(miss.headers['content-encoding']).toBe('gzip');
    const json = gunzipSync(miss.bytes).toString();
    expect((JSON.parse(json) as { data: unknown[] }).data.length).toBeGreaterThan(10);

    let hit: Wire | undefined;
    for (let i = 0; i < 50 && hit?.headers['content-length'] === undefined; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 20));
      hit = await get(path, { 'accept-encoding': 'gzip' });
      expect(hit.headers['x-cache']).toBe('HIT');
      expect(hit.headers['content-encoding']).toBe('gzip');
      expect(gunzipSync(hit.bytes).toString()).toBe(json);
    }
    expect(Number(hit?.headers['content-length'])).toBe(hit?.bytes.length);
    expect(hit?.headers.vary).toContain('Accept-Encoding');
    expect(hit?.headers['x-request-id']).toBeTruthy();

    const identity = await get(path, { 'accept-encoding': 'identity' });
    expect(identity.headers['x-cache']).toBe('HIT');
    expect(identity.headers['content-encoding']).toBeUndefined();
    expect(identity.bytes.toString()).toBe(json);

    // No Accept-Encoding at all (a plain curl): the same entry's text, never gzip.
    const none = await get(path);
    expect(none.headers['x-cache']).toBe('HIT');
    expect(none.headers['content-encoding']).toBeUndefined();
    expect(none.bytes.toString()).toBe(json);
  }, 60_000);

  it('problem bodies and MISSes follow the client too: none and identity get text, gzip gets gzip', async () => {
    const body = JSON.stringify({
      name: 'x',
      ...Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`unknownField${i}`, i])),
    });
    for (const [accept, encoded] of [
      [undefined, false],
      ['identity', false],
      ['br', false],
      ['gzip', true],
    ] as const) {
      const res = await send('POST', '/v1/customers', body, accept);
      expect(res.status, String(accept)).toBe(400);
      expect(res.headers['content-encoding'], String(accept)).toBe(encoded ? 'gzip' : undefined);
      const text = encoded ? gunzipSync(res.bytes).toString() : res.bytes.toString();
      expect((JSON.parse(text) as { code: string }).code).toBe('validation_failed');
      expect(text.length).toBeGreaterThan(1024);
    }
    const miss = await send(
      'GET',
      `/v1/customers?limit=100&namePrefix=${Date.now()}`,
      undefined,
      undefined,
    );
    expect(miss.headers['content-encoding']).toBeUndefined();
  }, 60_000);

  it('a client that accepts only deflate gets plain JSON (a MISS and a HIT)', async () => {
    const position = await post('/v1/customers', { name: 'Deflate SARL' });
    for (const path of [
      '/v1/accounts?limit=100',
      '/v1/accounts?limit=100',
      '/v1/customers?limit=100',
    ]) {
      const res = await get(path, { 'accept-encoding': 'deflate', 'x-min-position': position });
      expect(res.status, path).toBe(200);
      expect(res.headers['content-encoding'], path).toBeUndefined();
      expect(
        (JSON.parse(res.bytes.toString()) as { data: unknown[] }).data.length,
        path,
      ).toBeGreaterThan(0);
    }
  }, 60_000);
});
