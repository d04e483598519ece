import { env } from 'cloudflare:workers';
import { describe, expect, it, vi } from 'vitest';
import { createApp } from '../../src/app';
import { redact } from '../../src/log';
import { call, problemOf, token } from '../fixtures/http';

describe('health and request ids', () => {
  it('GET /health answers 200 and a generated X-Request-Id', async () => {
    const res = await call('/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok' });
    expect(res.headers.get('X-Request-Id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('keeps a well-formed client request id and replaces a malformed one', async () => {
    const kept = await call('/health', { headers: { 'X-Request-Id': 'client-abc_123' } });
    expect(kept.headers.get('X-Request-Id')).toBe('client-abc_123');
    const replaced = await call('/health', { headers: { 'X-Request-Id': 'bad id with spaces;' } });
    // A generated UUID replaces it (hex can spell "bad", so compare the whole value).
    expect(replaced.headers.get('X-Request-Id')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
    const tooLong = await call('/health', { headers: { 'X-Request-Id': 'a'.repeat(200) } });
    expect(tooLong.headers.get('X-Request-Id')).toHaveLength(36);
  });
});

describe('error boundary', () => {
  it('unknown route: 404 problem+json with a stable code', async () => {
    const res = await call('/no/such/route');
    expect(res.status).toBe(404);
    const body = await problemOf(res);
    expect(body).toMatchObject({ status: 404, code: 'not_found', title: 'Not found' });
    expect(body.requestId).toBe(res.headers.get('X-Request-Id'));
  });

  it('malformed JSON: 400 problem+json malformed_json', async () => {
    const t = await token();
    const res = await call('/v1/customers', {
      method: 'POST',
      token: t,
      rawBody: '{"name": ',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect(await problemOf(res)).toMatchObject({ code: 'malformed_json', status: 400 });
  });

  it('a body that is not JSON: 415 problem+json', async () => {
    const t = await token();
    const res = await call('/v1/customers', {
      method: 'POST',
      token: t,
      rawBody: 'name=x',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(415);
    expect(await problemOf(res)).toMatchObject({ code: 'unsupported_media_type' });
  });

  it('an oversize body: 413 problem+json', async () => {
    const t = await token();
    const res = await call('/v1/customers', {
      method: 'POST',
      token: t,
      rawBody: JSON.stringify({ name: 'x'.repeat(300 * 1024) }),
      headers: { 'Content-Type': 'application/json' },
    });
    expect(res.status).toBe(413);
    expect(await problemOf(res)).toMatchObject({ code: 'payload_too_large' });
  });

  it('an unexpected throw: 500 with the request id and no stack or internal message', async () => {
    const app = createApp();
    app.get('/__test/boom', () => {
      throw new Error('internal detail: SELECT secret FROM ledger');
    });
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const ctx = {
      waitUntil() {},
      passThroughOnException() {},
      props: {},
    } as unknown as ExecutionContext;
    const res = await app.fetch(
      new Request('http://x/__test/boom', { headers: { 'X-Request-Id': 'boom-1' } }),
      env,
      ctx,
    );
    expect(res.status).toBe(500);
    const text = await res.clone().text();
    expect(text).not.toMatch(/SELECT|secret|internal detail|at .*\.ts|Error:/);
    expect(await problemOf(res)).toMatchObject({
      code: 'internal_error',
      status: 500,
      requestId: 'boom-1',
    });
    // The real message is logged for operators, tied to the request id.
    expect(errors.mock.calls.map((c) => String(c[0])).join('\n')).toMatch(
      /boom-1.*internal detail|internal detail.*boom-1/,
    );
    errors.mockRestore();
  });
});

describe('request log', () => {
  it('writes one JSON line per request with the route template and never the token', async () => {
    const lines: string[] = [];
    const spy = vi
      .spyOn(console, 'log')
      .mockImplementation((l: unknown) => void lines.push(String(l)));
    const t = await token({ tenant: 'log_tenant' });
    // The test project runs at LOG_LEVEL=error; this request runs with an info-level env.
    const ctx = {
      waitUntil() {},
      passThroughOnException() {},
      props: {},
    } as unknown as ExecutionContext;
    const res = await createApp().fetch(
      new Request('http://x/v1/me', {
        headers: { Authorization: `Bearer ${t}`, Cookie: 'session=abc', 'X-Request-Id': 'log-1' },
      }),
      { ...env, LOG_LEVEL: 'info' },
      ctx,
    );
    spy.mockRestore();
    expect(res.status).toBe(200);
    const requestLines = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.msg === 'request');
    expect(requestLines).toHaveLength(1);
    expect(requestLines[0]).toMatchObject({
      requestId: 'log-1',
      method: 'GET',
      route: '/v1/me',
      status: 200,
      tenantId: 'log_tenant',
      version: expect.any(String),
    });
    expect(typeof requestLines[0]?.durationMs).toBe('number');
    const all = lines.join('\n');
    expect(all).not.toContain(t);
    expect(all).not.toMatch(/authorization|session=abc/i);
  });

  it('redacts secrets handed to the logger by mistake', () => {
    const jwt = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln';
    const out = JSON.stringify(
      redact({
        authorization: 'Bearer abc.def',
        nested: { cookie: 'sid=1', note: `token ${jwt}`, header: 'Bearer xyz' },
        database_url: 'postgres://u:p@h/db',
      }),
    );
    expect(out).not.toMatch(/abc\.def|sid=1|eyJhbGci|xyz|u:p@h/);
    expect(out).toContain('[redacted]');
  });
});
