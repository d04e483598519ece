/**
 * Browser-facing protections: CORS only for allowlisted origins (the test project allows
 * https://app.finance-edge.test), preflights, CSRF (bearer-only authentication, plus an origin
 * check when cookies are sent), security headers on every response, and the request deadline.
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { ConfigError, getConfig } from '../../src/env';
import { appWith } from '../fixtures/edge';
import { call, expectProblem, token, uniqueTenant } from '../fixtures/http';

const APP = 'https://app.finance-edge.test';
const EVIL = 'https://evil.example';

describe('CORS', () => {
  it('echoes an allowlisted origin (never *, never with credentials) and exposes the API headers', async () => {
    const res = await call('/health', { headers: { Origin: APP } });
    expect(res.status).toBe(200);
    expect(res.headers.get('Access-Control-Allow-Origin')).toBe(APP);
    expect(res.headers.get('Access-Control-Allow-Credentials')).toBeNull();
    expect(res.headers.get('Vary')).toMatch(/Origin/);
    const exposed = res.headers.get('Access-Control-Expose-Headers') ?? '';
    for (const h of ['X-Request-Id', 'ETag', 'Retry-After', 'RateLimit', 'RateLimit-Policy'])
      expect(exposed).toContain(h);
  });

  it('gives no CORS headers to any other origin', async () => {
    for (const origin of [EVIL, 'null', `${APP}.evil.example`, 'http://app.finance-edge.test']) {
      const res = await call('/health', { headers: { Origin: origin } });
      expect(res.headers.get('Access-Control-Allow-Origin'), origin).toBeNull();
      expect(res.headers.get('Vary'), origin).toMatch(/Origin/);
    }
  });

  it('answers a preflight from an allowed origin with 204, before authentication', async () => {
    const res = await call('/v1/customers', {
      method: 'OPTIONS',
      headers: {
        Origin: APP,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization, content-type, idempotency-key',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('Access-Control-Allow-Origin')).toBe(APP);
    expect(res.headers.get('Access-Control-Allow-Methods')).toContain('POST');
    expect(res.headers.get('Access-Control-Allow-Headers')).toMatch(
      /Authorization.*Idempotency-Key|Idempotency-Key.*Authorization/,
    );
    expect(res.headers.get('Access-Control-Max-Age')).toBe('600');
    expect(res.headers.get('Access-Control-Allow-Credentials')).toBeNull();
  });

  it('refuses a preflight from another origin: 403 and no CORS headers', async () => {
    const res = await call('/v1/customers', {
      method: 'OPTIONS',
      headers: { Origin: EVIL, 'Access-Control-Request-Method': 'POST' },
    });
    expect(await expectProblem(res, 403)).toMatchObject({ code: 'cors_origin_not_allowed' });
    expect(res.headers.get('Access-Control-Allow-Origin')).toBeNull();
    expect(res.headers.get('Access-Control-Allow-Methods')).toBeNull();
  });

  it('adds no CORS headers at all when the allowlist is empty', async () => {
    const { fetch } = appWith({ CORS_ALLOWED_ORIGINS: '' });
    const simple = await fetch('/health', { headers: { Origin: APP } });
    expect(simple.headers.get('Access-Control-Allow-Origin')).toBeNull();
    const preflight = await fetch('/v1/customers', {
      method: 'OPTIONS',
      headers: { Origin: APP, 'Access-Control-Request-Method': 'POST' },
    });
    expect(preflight.headers.get('Access-Control-Allow-Origin')).toBeNull();
    expect(preflight.status).not.toBe(204);
  });

  it('refuses a wildcard or anything that is not an origin in the configuration', () => {
    for (const bad of [
      '*',
      'https://*.example.com',
      'https://app.example.com/',
      'app.example.com',
      'https://a.example, *',
    ]) {
      expect(() => getConfig({ ...env, CORS_ALLOWED_ORIGINS: bad } as Env), bad).toThrow(
        ConfigError,
      );
    }
    expect(
      getConfig({ ...env, CORS_ALLOWED_ORIGINS: 'https://a.example, http://localhost:5173' } as Env)
        .CORS_ALLOWED_ORIGINS,
    ).toEqual(['https://a.example', 'http://localhost:5173']);
  });
});

describe('CSRF', () => {
  it('authenticates with a bearer token only: a request carrying just a cookie is 401', async () => {
    for (const [method, path] of [
      ['GET', '/v1/me'],
      ['POST', '/v1/customers'],
    ] as const) {
      const res = await call(path, {
        method,
        headers: {
          Cookie: 'session=stolen; token=abc',
          Origin: APP,
          'Content-Type': 'application/json',
        },
        ...(method === 'POST' ? { rawBody: '{"name":"x"}' } : {}),
      });
      expect(await expectProblem(res, 401), path).toMatchObject({ code: 'unauthorized' });
    }
  });

  it('refuses a cross-site form-style write that carries cookies (403), even with a valid token', async () => {
    const t = await token({ tenant: uniqueTenant() });
    const headers = {
      Cookie: 'session=1',
      Origin: EVIL,
      'Content-Type': 'text/plain',
      'Idempotency-Key': crypto.randomUUID(),
    };
    const res = await call('/v1/customers', {
      method: 'POST',
      token: t,
      rawBody: '{"name":"csrf"}',
      headers,
    });
    expect(await expectProblem(res, 403)).toMatchObject({ code: 'csrf_rejected' });
    const form = await call('/v1/customers', {
      method: 'POST',
      rawBody: 'name=csrf',
      headers: { ...headers, 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(403);
  });

  it('lets cookie-carrying requests from the same or an allowed origin through to authentication', async () => {
    const passing: Array<Record<string, string>> = [
      { Origin: APP },
      { Origin: 'http://finance-edge.test' },
      { 'Sec-Fetch-Site': 'same-origin' },
    ];
    for (const extra of passing) {
      const res = await call('/v1/customers', {
        method: 'POST',
        rawBody: 'x',
        headers: { Cookie: 'session=1', 'Content-Type': 'text/plain', ...extra },
      });
      expect(res.status, JSON.stringify(extra)).toBe(401);
    }
  });

  it('does not apply to requests without cookies (API clients)', async () => {
    const res = await call('/v1/customers', {
      method: 'POST',
      rawBody: 'x',
      headers: { Origin: EVIL, 'Content-Type': 'text/plain' },
    });
    expect(res.status).toBe(401);
  });
});

describe('security headers', () => {
  const API_HEADERS: Record<string, RegExp> = {
    'Content-Security-Policy':
      /^default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'$/,
    'X-Content-Type-Options': /^nosniff$/,
    'Strict-Transport-Security': /^max-age=31536000; includeSubDomains$/,
    'Referrer-Policy': /^no-referrer$/,
    'X-Frame-Options': /^DENY$/,
    'Cross-Origin-Resource-Policy': /^same-origin$/,
    'Permissions-Policy': /camera=\(\)/,
  };

  it('are on successes, problems and refusals alike', async () => {
    const t = await token({ tenant: uniqueTenant() });
    const responses = [
      await call('/health'),
      await call('/v1/me', { token: t }),
      await call('/no/such/route'),
      await call('/v1/me'),
      await call('/openapi.json'),
    ];
    for (const res of responses) {
      for (const [name, value] of Object.entries(API_HEADERS))
        expect(res.headers.get(name), `${res.url} ${res.status} ${name}`).toMatch(value);
      expect(res.headers.get('X-Powered-By')).toBeNull();
    }
  });

  it("give /docs a CSP that names no other origin and runs scripts from 'self' only", async () => {
    const res = await call('/docs');
    expect(res.status).toBe(200);
    const csp = res.headers.get('Content-Security-Policy') ?? '';
    const directives = new Map(
      csp
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .map(([name = '', ...sources]) => [name, sources]),
    );
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    // The reference injects its stylesheet, theme and some style attributes without a nonce.
    expect(directives.get('style-src')).toEqual(["'self'", "'unsafe-inline'"]);
    expect(directives.get('font-src')).toEqual(["'self'", 'data:']);
    expect(directives.get('img-src')).toEqual(["'self'", 'data:']);
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
    expect(directives.get('form-action')).toEqual(["'none'"]);
    // No origin but this one anywhere in the policy; no eval, no nonce or hash to widen scripts.
    expect(csp).not.toMatch(/https?:|\*|'unsafe-eval'|'strict-dynamic'|'nonce-|'sha(256|384|512)-/);
    // No inline script on the page: one <script> loads the reference from this origin, the other
    // is empty (it carries the settings in data attributes).
    const html = await res.text();
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.map((m) => /\bsrc="([^"]+)"/.exec(m[1] ?? '')?.[1]).filter(Boolean)).toEqual([
      expect.stringMatching(/^\/docs\/assets\/scalar-[0-9a-f]{16}\.js$/),
    ]);
    for (const m of scripts) expect(m[2]?.trim(), m[0]).toBe('');
  });
});

describe('request deadline', () => {
  it('answers 504 problem+json `timeout` with the request id when a request runs too long', async () => {
    const { app, fetch } = appWith({ REQUEST_TIMEOUT_MS: '150' });
    app.get('/__test/slow', async (c) => {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      return c.json({ done: true });
    });
    app.get('/__test/quick', (c) => c.json({ done: true }));
    const slow = await fetch('/__test/slow', {
      headers: { 'X-Request-Id': 'slow-1', Origin: APP },
    });
    const body = await problemBody(slow);
    expect(slow.status).toBe(504);
    expect(body).toMatchObject({ code: 'timeout', status: 504, requestId: 'slow-1' });
    expect(slow.headers.get('X-Content-Type-Options')).toBe('nosniff');
    expect(slow.headers.get('Access-Control-Allow-Origin')).toBe(APP);
    expect((await fetch('/__test/quick')).status).toBe(200);
  });

  it('refuses an unusable timeout setting', () => {
    expect(() => getConfig({ ...env, REQUEST_TIMEOUT_MS: '5' } as Env)).toThrow(
      /REQUEST_TIMEOUT_MS/,
    );
  });
});

async function problemBody(res: Response): Promise<Record<string, unknown>> {
  expect(res.headers.get('Content-Type')).toMatch(/^application\/problem\+json/);
  return (await res.json()) as Record<string, unknown>;
}
