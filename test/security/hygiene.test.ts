/**
 * Logging hygiene: whatever a request carries (Authorization, cookies, tokens in the query,
 * secrets in an error message), no log line repeats it. Each case runs the real app at
 * LOG_LEVEL=debug and captures every console line. (Lint and secret-scan gates:
 * lint.node.test.ts.)
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it, vi } from 'vitest';
import { createApp } from '../../src/app';
import { redact } from '../../src/log';
import { appWith } from '../fixtures/edge';
import { token, uniqueTenant } from '../fixtures/http';

/** Runs `work` and returns every line it wrote to the console. */
async function captured(work: () => Promise<unknown>): Promise<string> {
  const lines: string[] = [];
  const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((m) =>
    vi
      .spyOn(console, m)
      .mockImplementation((...a: unknown[]) => void lines.push(a.map(String).join(' '))),
  );
  try {
    await work();
  } finally {
    for (const s of spies) s.mockRestore();
  }
  return lines.join('\n');
}

describe('request and error logs never carry credentials', () => {
  it('a good token, cookies and a token in the query string stay out of the logs', async () => {
    const t = await token({ tenant: uniqueTenant() });
    const { fetch } = appWith({ LOG_LEVEL: 'debug' });
    const out = await captured(() =>
      fetch(`/v1/me?access_token=${t}&token=${t}`, {
        headers: {
          Authorization: `Bearer ${t}`,
          Cookie: 'session=s3cr3t-cookie; refresh=r3fr3sh',
          'X-Api-Key': 'k3y-value',
        },
      }),
    );
    expect(out).toContain('"msg":"request"');
    for (const secret of [t, 's3cr3t-cookie', 'r3fr3sh', 'k3y-value', t.split('.')[1] ?? ''])
      expect(out).not.toContain(secret);
  });

  it('a rejected token is logged by reason, never by value', async () => {
    const forged = `${(await token()).slice(0, -6)}AAAAAA`;
    const { fetch } = appWith({ LOG_LEVEL: 'debug' });
    const out = await captured(async () => {
      expect(
        (await fetch('/v1/me', { headers: { Authorization: `Bearer ${forged}` } })).status,
      ).toBe(401);
      expect(
        (await fetch('/v1/me', { headers: { Authorization: `Basic dXNlcjpodW50ZXIy` } })).status,
      ).toBe(401);
    });
    expect(out).toMatch(/auth_failed/);
    expect(out).not.toContain(forged);
    expect(out).not.toContain(forged.split('.')[1] ?? '');
    expect(out).not.toContain('dXNlcjpodW50ZXIy');
  });

  it('an unexpected error whose message holds a token or a connection string is logged redacted', async () => {
    const t = await token();
    const app = createApp();
    app.get('/__test/leak', () => {
      throw new Error(`upstream said: Authorization: Bearer ${t}`);
    });
    const ctx = {
      waitUntil() {},
      passThroughOnException() {},
      props: {},
    } as unknown as ExecutionContext;
    const out = await captured(async () => {
      const res = await app.fetch(
        new Request('http://x/__test/leak'),
        { ...env, LOG_LEVEL: 'debug' },
        ctx,
      );
      expect(res.status).toBe(500);
      expect(await res.text()).not.toContain(t);
    });
    expect(out).toMatch(/unhandled_error/);
    expect(out).not.toContain(t);
    expect(out).toContain('Bearer [redacted]');
  });
});

describe('redact()', () => {
  it('drops credential-named keys at any depth and token-looking strings anywhere', () => {
    const jwt = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
    const record = {
      headers: { Authorization: 'Bearer abc', 'Set-Cookie': 'sid=1', 'x-api-key': 'k1' },
      config: {
        AUTH_HS256_SECRET: 'hs-secret',
        DATABASE_URL: 'postgres://u:p@h/db',
        TEST_PRIVATE_JWK: '{"d":"x"}',
        refresh_token: 'r1',
        password: 'pw',
      },
      list: [{ note: `token ${jwt}` }, 'Bearer zzz.yyy'],
      deep: { a: { b: { c: { d: { e: { f: { g: { cookie: 'deep-cookie' } } } } } } } },
      tenantId: 'tenant_a',
    };
    const out = JSON.stringify(redact(record));
    for (const leak of [
      'abc',
      'sid=1',
      'k1',
      'hs-secret',
      'u:p@h',
      '"d":"x"',
      'r1',
      '"pw"',
      jwt,
      'zzz.yyy',
      'deep-cookie',
    ])
      expect(out, leak).not.toContain(leak);
    expect(out).toContain('tenant_a');
    expect(out).toContain('[redacted-jwt]');
  });
});
