/**
 * Typed configuration, parsed once per isolate from the Worker's vars and secrets.
 * A missing or invalid setting fails fast with a message that names it (never its value).
 */
import { z } from 'zod';
import type { Context } from 'hono';
import type { RequestIdVariables } from 'hono/request-id';
import type { SecureHeadersVariables } from 'hono/secure-headers';
import type { Principal } from './auth/principal';
import { edgeConfigShape } from './edge-config';
import { productionProblems } from './config-rules';
import { ratePolicySetting } from './rate-limit/policy';
import type { Timings } from './telemetry/timings';
import { streamConfigShape } from './ledger/stream/config';

const intString = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const ConfigSchema = z
  .object({
    APP_ENV: z.enum(['development', 'test', 'production']),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    AUTH_ISSUER: z.string().min(1),
    AUTH_AUDIENCE: z.string().min(1),
    /** Production: the identity provider's key set (rotation needs no deploy). */
    AUTH_JWKS_URL: z.url({ protocol: /^https?$/ }).optional(),
    /** Development/test: the public half of the locally generated signing key (JWK JSON). */
    AUTH_PUBLIC_JWK: z.string().min(1).optional(),
    /** Optional: also accept HS256 tokens signed with this shared secret (at least 32 bytes). */
    AUTH_HS256_SECRET: z
      .string()
      .refine((s) => new TextEncoder().encode(s).length >= 32, 'must be at least 32 bytes')
      .optional(),
    /** Postgres connection string (a secret in production). */
    DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL'),
    /** Local only: host:port of the WebSocket->TCP bridge; unset means real Neon over wss. */
    DB_WS_PROXY: z
      .string()
      .regex(/^[\w.-]+:\d{1,5}$/, 'must be host:port')
      .optional(),
    DB_TIMEOUT_MS: intString(50, 60_000).default(2000),
    KV_TIMEOUT_MS: intString(50, 60_000).default(1000),
    /** Rate limits, CORS allowlist, request timeout: src/edge-config.ts. */
    ...edgeConfigShape,
    /** Live stream limits: src/ledger/stream/config.ts. */
    ...streamConfigShape,
    /**
     * Signs list cursors (opaque keyset positions). A secret in production; development and
     * test fall back to a fixed value because a forged cursor there could only page through
     * the caller's own tenant (cursors are bound to the tenant, and row-level security holds).
     */
    CURSOR_SECRET: z.string().min(32).optional(),
    /** Read cache on/off (the bench compares both); off answers `X-Cache: BYPASS`. */
    CACHE_ENABLED: z
      .enum(['true', 'false'])
      .default('true')
      .transform((v) => v === 'true'),
    /** How long an isolate trusts its memo of a tenant's read-model version (staleness bound). */
    CACHE_VERSION_TTL_MS: intString(0, 60_000).default(1000),
    /**
     * The oldest STALE answer served, in seconds (its `Age`, src/cache/stale-age.ts); an older
     * one is refused: 503 `read_model_stale` with `Retry-After`.
     */
    STALE_MAX_AGE_S: intString(1, 86_400).default(10),
    /** `?expand=` loads batched per page (DataLoader, on) or one query per row (off; the bench compares both). */
    READ_BATCHING: z.enum(['on', 'off']).default('on'),
    /** `aud` of operator tokens (`/ops/...`, src/routes/ops.ts): never the API's audience. */
    OPS_AUDIENCE: z.string().min(1).default('finance-edge-ops'),
    /** Operator requests per operator (`sub`). */
    RATE_LIMIT_OPS: ratePolicySetting('30/1m'),
  })
  .refine((c) => c.OPS_AUDIENCE !== c.AUTH_AUDIENCE, {
    path: ['OPS_AUDIENCE'],
    message: 'must differ from AUTH_AUDIENCE (a tenant token must never pass as an operator token)',
  });

export type Config = z.infer<typeof ConfigSchema>;

/** Thrown at startup when configuration is unusable; the message names the settings. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const cache = new WeakMap<object, Config>();

/** Parses the configuration once per `env` object (one per isolate in production). */
export function getConfig(env: Env): Config {
  const hit = cache.get(env);
  if (hit) return hit;
  // Empty strings count as unset (a blank line in .dev.vars must not pass as a value).
  const raw = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));
  const parsed = ConfigSchema.safeParse(raw);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((i) => `${i.path.join('.') || 'config'}: ${i.message}`);
  if (!raw.AUTH_JWKS_URL && !raw.AUTH_PUBLIC_JWK) {
    problems.push('AUTH_JWKS_URL: set AUTH_JWKS_URL (production) or AUTH_PUBLIC_JWK (local)');
  }
  for (const p of productionProblems(raw)) if (!problems.includes(p)) problems.push(p);
  if (!parsed.success || problems.length) {
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  cache.set(env, parsed.data);
  return parsed.data;
}

/**
 * Why a read was answered STALE (or 503): the ledger could not be asked for the read-model
 * version, the ledger says its projection is failing (Postgres down), or the build from
 * Postgres failed (including no build slot free in time).
 */
export type StaleReason =
  'ledger_unreachable' | 'projection_failing' | 'build_failed' | 'read_model_behind';

/** Per-request variables set by middleware. */
export type AppVariables = RequestIdVariables &
  SecureHeadersVariables & {
    config: Config;
    principal: Principal;
    /** The `sub` of a verified operator token (`/ops/...` only). */
    operator?: string;
    /** Cache outcome for the request log (read side). */
    cacheStatus?: 'HIT' | 'MISS' | 'BYPASS' | 'STALE';
    /** A HIT that waited for another request's build of the same entry (logged as `cacheWait`). */
    cacheWaitedForBuild?: boolean;
    /** Why a read could not be answered fresh (logged as `staleReason` with `staleError`): see cached-read.ts. */
    cacheStaleReason?: StaleReason;
    cacheStaleError?: string;
    /** The `Age` (seconds) of a STALE answer, served or refused as too old (logged as `staleAgeS`). */
    cacheStaleAgeS?: number;
    /** Time spent in the ledger RPC, Postgres and KV (telemetry; src/telemetry/timings.ts). */
    timings?: Timings;
    /** The problem+json `code` of an error answer (telemetry). */
    problemCode?: string;
    /** The response body's length when the handler knows it (the compression middleware then need not read the body to measure it). */
    bodyLength?: number;
  };

export type AppEnv = { Bindings: Env; Variables: AppVariables };
export type AppContext = Context<AppEnv>;
