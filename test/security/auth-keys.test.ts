/**
 * Where verification keys come from. A remote JWKS (the control server plays the identity
 * provider and rotates its keys): a newly rotated-in key is picked up without a restart
 * (jose refetches on an unknown `kid`, at most once per cooldown), a retired key is refused
 * once the set is refetched, and at the latest after the cache's maximum age. HS256 works only
 * with `AUTH_HS256_SECRET`, and only against that secret.
 */
import { env } from 'cloudflare:workers';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { CryptoKey, JWK } from 'jose';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConfigError, getConfig, type Config } from '../../src/env';
import { AppError } from '../../src/errors';
import { log } from '../../src/log';
import { JWKS_COOLDOWN_MS, JWKS_MAX_AGE_MS, verifyToken } from '../../src/auth/verify-token';
import { token, uniqueTenant } from '../fixtures/http';

interface Key {
  kid: string;
  privateKey: CryptoKey;
  pub: JWK;
}

async function newKey(kid: string): Promise<Key> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  return {
    kid,
    privateKey,
    pub: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' },
  };
}

const claims = () => ({
  sub: 'u-1',
  tid: 'acme',
  roles: ['viewer'],
  iss: env.AUTH_ISSUER,
  aud: env.AUTH_AUDIENCE,
});

/** A token signed by `key`; `iat`/`exp` follow the (possibly mocked) clock. */
const signWith = (key: Key) =>
  new SignJWT(claims())
    .setProtectedHeader({ alg: 'ES256', kid: key.kid })
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(key.privateKey);

/** The identity provider publishes `keys` in key set `set`. */
async function publish(set: string, keys: JWK[]): Promise<void> {
  const res = await fetch(`${env.TEST_CONTROL_URL}/jwks/${set}`, {
    method: 'PUT',
    body: JSON.stringify({ keys }),
  });
  expect(res.status).toBe(204);
}

/** How often the Worker fetched key set `set`. */
async function fetches(set: string): Promise<number> {
  return (
    (await (await fetch(`${env.TEST_CONTROL_URL}/jwks/${set}/stats`)).json()) as { fetches: number }
  ).fetches;
}

/** The Worker's configuration with the key set of `set` instead of the local key (parsed like the real one). */
function remoteConfig(set: string): Config {
  return getConfig({
    ...env,
    AUTH_PUBLIC_JWK: undefined,
    AUTH_JWKS_URL: `${env.TEST_CONTROL_URL}/jwks/${set}.json`,
  } as unknown as Env);
}

async function accepts(jwt: string, config: Config): Promise<boolean> {
  try {
    await verifyToken(jwt, config);
    return true;
  } catch (err) {
    if (err instanceof AppError && err.problem.status === 401) return false;
    throw err;
  }
}

beforeAll(() => {
  log.setLevel(getConfig(env).LOG_LEVEL); // the failures below are logged as warnings; keep the run quiet
});

afterEach(() => {
  vi.useRealTimers();
});

describe('remote JWKS: key rotation without a deploy', () => {
  it('a rotated-in key is accepted after the cooldown; the retired key is refused', async () => {
    const set = uniqueTenant('jwks');
    const [k1, k2] = [await newKey('k1'), await newKey('k2')];
    await publish(set, [k1.pub]);
    const config = remoteConfig(set);
    expect(await accepts(await signWith(k1), config)).toBe(true);
    expect(await accepts(await signWith(k1), config)).toBe(true);
    expect(await fetches(set)).toBe(1);

    await publish(set, [k2.pub]); // the provider rotates: k2 in, k1 retired
    // Within the cooldown an unknown kid does not refetch (a flood of made-up kids cannot hammer the provider).
    expect(await accepts(await signWith(k2), config)).toBe(false);
    expect(await fetches(set)).toBe(1);
    vi.setSystemTime(Date.now() + JWKS_COOLDOWN_MS + 1000);
    expect(await accepts(await signWith(k2), config)).toBe(true);
    expect(await fetches(set)).toBe(2);
    expect(await accepts(await signWith(k1), config)).toBe(false);
  });

  it('with the usual overlap, the retired key stops working when the cached set expires', async () => {
    const set = uniqueTenant('jwks');
    const [k1, k2] = [await newKey('k1'), await newKey('k2')];
    await publish(set, [k1.pub, k2.pub]); // the next key is published before it signs anything
    const config = remoteConfig(set);
    expect(await accepts(await signWith(k1), config)).toBe(true);
    expect(await accepts(await signWith(k2), config)).toBe(true);
    await publish(set, [k2.pub]);
    expect(await accepts(await signWith(k1), config)).toBe(true); // still cached: bounded by the max age
    vi.setSystemTime(Date.now() + JWKS_MAX_AGE_MS + 1000);
    expect(await accepts(await signWith(k1), config)).toBe(false);
    expect(await accepts(await signWith(k2), config)).toBe(true);
    expect(await fetches(set)).toBe(2);
  });

  it('an empty or failing key set refuses every token (401, not 5xx)', async () => {
    const set = uniqueTenant('jwks');
    const k1 = await newKey('k1');
    expect(await accepts(await signWith(k1), remoteConfig(set))).toBe(false);
    const nowhere = getConfig({
      ...env,
      AUTH_PUBLIC_JWK: undefined,
      AUTH_JWKS_URL: `${env.TEST_CONTROL_URL}/no-such-key-set.json`,
    } as unknown as Env);
    expect(await accepts(await signWith(k1), nowhere)).toBe(false);
  });
});

describe('HS256 only with AUTH_HS256_SECRET', () => {
  const secret = `${crypto.randomUUID()}${crypto.randomUUID()}`;
  const hs256 = (key: Uint8Array) =>
    new SignJWT(claims())
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(key);
  const configured = () => getConfig({ ...env, AUTH_HS256_SECRET: secret } as unknown as Env);

  it('accepts HS256 signed with the secret, in addition to the asymmetric key', async () => {
    expect(await accepts(await hs256(new TextEncoder().encode(secret)), configured())).toBe(true);
    expect(await accepts(await token(), configured())).toBe(true);
  });

  it('refuses HS256 signed with anything else, the public key above all', async () => {
    for (const key of [
      `${secret}x`,
      env.AUTH_PUBLIC_JWK,
      JSON.stringify({ ...JSON.parse(env.AUTH_PUBLIC_JWK), kid: undefined }),
    ]) {
      expect(await accepts(await hs256(new TextEncoder().encode(key)), configured())).toBe(false);
    }
  });

  it('is refused outright when not configured', async () => {
    expect(await accepts(await hs256(new TextEncoder().encode(secret)), getConfig(env))).toBe(
      false,
    );
  });

  it('the secret must be at least 32 bytes (counted as UTF-8)', () => {
    expect(() =>
      getConfig({ ...env, AUTH_HS256_SECRET: 'x'.repeat(31) } as unknown as Env),
    ).toThrow(ConfigError);
    expect(() =>
      getConfig({ ...env, AUTH_HS256_SECRET: 'x'.repeat(31) } as unknown as Env),
    ).toThrow(/AUTH_HS256_SECRET: must be at least 32 bytes/);
    expect(
      getConfig({ ...env, AUTH_HS256_SECRET: 'é'.repeat(16) } as unknown as Env).AUTH_HS256_SECRET,
    ).toHaveLength(16);
  });
});
