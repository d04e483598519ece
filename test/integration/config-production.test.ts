/** Startup refusals of a production configuration (src/config-rules.ts), one rule per row. */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { ConfigError, getConfig } from '../../src/env';

// Fake values (this test proves the messages never echo them).
// secretlint-disable-next-line
const DB = 'postgresql://app:s3cr3t-pw@ep-x-pooler.neon.tech/books?sslmode=require';
const good = {
  ...env,
  APP_ENV: 'production',
  AUTH_ISSUER: 'https://login.books-idp.com/',
  AUTH_JWKS_URL: 'https://login.books-idp.com/.well-known/jwks.json',
  AUTH_PUBLIC_JWK: undefined,
  DB_WS_PROXY: undefined,
  DATABASE_URL: DB,
  CURSOR_SECRET: 'k'.repeat(40),
};

function refusal(over: Record<string, string | undefined>): string {
  try {
    getConfig({ ...good, ...over } as unknown as Env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('configuration was accepted');
}

describe('production configuration', () => {
  it('accepts a complete production configuration', () => {
    expect(getConfig({ ...good } as unknown as Env)).toMatchObject({
      APP_ENV: 'production',
      DB_WS_PROXY: undefined,
    });
  });

  it.each([
    ['AUTH_JWKS_URL', { AUTH_JWKS_URL: undefined }, /AUTH_JWKS_URL: required in production/],
    [
      'AUTH_JWKS_URL',
      { AUTH_JWKS_URL: 'http://login.books-idp.com/jwks' },
      /AUTH_JWKS_URL: must be an https URL/,
    ],
    [
      'AUTH_JWKS_URL',
      { AUTH_JWKS_URL: 'https://127.0.0.1:9000/jwks' },
      /AUTH_JWKS_URL: must be an https URL on a public host/,
    ],
    [
      'AUTH_ISSUER',
      { AUTH_ISSUER: 'https://auth.finance-edge.local' },
      /AUTH_ISSUER: must be the https issuer/,
    ],
    [
      'AUTH_ISSUER',
      { AUTH_ISSUER: 'https://localhost:8787' },
      /AUTH_ISSUER: must be the https issuer/,
    ],
    ['CURSOR_SECRET', { CURSOR_SECRET: undefined }, /CURSOR_SECRET: required in production/],
    ['DATABASE_URL', { DATABASE_URL: undefined }, /DATABASE_URL: required in production/],
    [
      'DB_WS_PROXY',
      { DB_WS_PROXY: '127.0.0.1:8788' },
      /DB_WS_PROXY: the local database bridge must not be set/,
    ],
    [
      'AUTH_PUBLIC_JWK',
      { AUTH_PUBLIC_JWK: env.AUTH_PUBLIC_JWK },
      /AUTH_PUBLIC_JWK: the development signing key must not be set/,
    ],
    [
      'OPS_AUDIENCE',
      { OPS_AUDIENCE: 'finance-edge-api' },
      /OPS_AUDIENCE: must differ from AUTH_AUDIENCE/,
    ],
  ])('refuses %s: %j', (_name, over, message) => {
    const text = refusal(over);
    expect(text).toMatch(message);
    expect(text).not.toContain('s3cr3t-pw');
  });

  it('names every problem at once', () => {
    const text = refusal({
      AUTH_JWKS_URL: undefined,
      CURSOR_SECRET: undefined,
      DB_WS_PROXY: '127.0.0.1:8788',
    });
    expect(text).toMatch(/AUTH_JWKS_URL.*CURSOR_SECRET.*DB_WS_PROXY/);
  });

  it('leaves development and test alone (the local bridge and dev key are how they run)', () => {
    expect(getConfig(env).APP_ENV).toBe('test');
    expect(getConfig(env).DB_WS_PROXY).toMatch(/^127\.0\.0\.1:\d+$/);
  });
});
