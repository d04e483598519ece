import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { ConfigError, getConfig } from '../../src/env';

describe('configuration', () => {
  it('parses the test bindings', () => {
    const config = getConfig(env);
    expect(config.APP_ENV).toBe('test');
    expect(config.DB_TIMEOUT_MS).toBe(2000);
  });

  it('STALE_MAX_AGE_S: 10 s unless set, whole seconds from 1 to 86400', () => {
    // An empty value counts as unset.
    expect(getConfig({ ...env, STALE_MAX_AGE_S: '' }).STALE_MAX_AGE_S).toBe(10);
    expect(getConfig({ ...env, STALE_MAX_AGE_S: '3' }).STALE_MAX_AGE_S).toBe(3);
    for (const bad of ['0', '-1', '1.5', '86401', 'ten'])
      expect(() => getConfig({ ...env, STALE_MAX_AGE_S: bad }), bad).toThrow(/STALE_MAX_AGE_S/);
  });

  it('names each missing or invalid setting and never echoes values', () => {
    // A fake credential: the test proves the error message never echoes it.
    const broken = {
      ...env,
      // secretlint-disable-next-line
      DATABASE_URL: 'mysql://user:hunter2@db',
      AUTH_ISSUER: '',
      AUTH_PUBLIC_JWK: undefined,
      AUTH_JWKS_URL: undefined,
      DB_TIMEOUT_MS: 'soon',
    } as unknown as Env;
    let message = '';
    try {
      getConfig(broken);
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      message = (err as Error).message;
    }
    expect(message).toMatch(/DATABASE_URL/);
    expect(message).toMatch(/AUTH_ISSUER/);
    expect(message).toMatch(/DB_TIMEOUT_MS/);
    expect(message).toMatch(/AUTH_JWKS_URL/);
    expect(message).not.toContain('hunter2');
  });
});
