/**
 * Rate limiting (policies in src/edge-config.ts, algorithm in src/rate-limit/):
 * - `limitAnonymous`: every request outside `/v1` counts against its client IP;
 * - `countAuthFailures`: a `/v1` request that fails authentication counts against its client
 *   IP, and once that bucket is empty the answer is 429 instead of 401 (a token-guessing or
 *   credential-stuffing flood is throttled; valid tokens from the same IP are not);
 * - `limitPrincipal`: an authenticated request counts against its user and its tenant, in one
 *   limiter call (both buckets live on the tenant's shard).
 * Allowed responses carry `RateLimit-Policy` and `RateLimit`; refusals are 429 `rate_limited`
 * with `Retry-After` too. CORS preflights never reach here (answered earlier, without I/O).
 */
import { createMiddleware } from 'hono/factory';
import type { AppContext, AppEnv, Config } from '../env';
import { AppError, problem, type ProblemInit } from '../errors';
import { setResponseHeader } from '../http/response-headers';
import { bucketsKey, consume, type Bucket, type Outcome } from '../rate-limit/client';
import {
  clientKey,
  policyHeader,
  retryAfterSeconds,
  stateHeader,
  type PolicyName,
  type RatePolicy,
} from '../rate-limit/policy';

/** `/v1` and below authenticate; everything else is anonymous. */
export const isApiPath = (path: string): boolean => path === '/v1' || path.startsWith('/v1/');

function bucket(name: PolicyName, key: string, policy: RatePolicy | null): Bucket[] {
  return policy ? [{ name, key, policy }] : [];
}

function ipCheck(c: AppContext): Promise<Outcome> {
  const config = c.get('config');
  const ip = clientKey(c.req.header('CF-Connecting-IP'));
  return consume(
    c.env,
    config,
    'ip',
    ip,
    bucket('ip', ip, config.RATE_LIMIT_IP),
    c.get('requestId'),
  );
}

/** The 429 `rate_limited` problem for a refused outcome (also the operator limit's, src/middleware/operator-auth.ts). */
export function rateLimited(outcome: Outcome): ProblemInit {
  const retry = retryAfterSeconds(outcome.applied);
  return {
    status: 429,
    code: 'rate_limited',
    title: 'Too many requests',
    // Only the exhausted policies are named: the others still had room.
    detail: `Rate limit exceeded (${(outcome.refusing ?? outcome.applied.map((a) => a.name)).join(', ')}). Retry after ${retry} s.`,
    headers: {
      'Retry-After': String(retry),
      'RateLimit-Policy': policyHeader(outcome.applied),
      RateLimit: stateHeader(outcome.applied),
    },
  };
}

function describe(c: AppContext, outcome: Outcome): void {
  if (outcome.applied.length === 0) return;
  setResponseHeader(c, 'RateLimit-Policy', policyHeader(outcome.applied));
  setResponseHeader(c, 'RateLimit', stateHeader(outcome.applied));
}

export const limitAnonymous = createMiddleware<AppEnv>(async (c, next) => {
  if (isApiPath(c.req.path)) return next();
  const outcome = await ipCheck(c);
  if (!outcome.allowed) throw new AppError(rateLimited(outcome));
  await next();
  describe(c, outcome);
});

export const countAuthFailures = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  if (c.res.status !== 401 || c.get('principal')) return;
  const outcome = await ipCheck(c);
  if (outcome.allowed) {
    describe(c, outcome);
    return;
  }
  c.res = problem(c, rateLimited(outcome));
  // The setter keeps the 401's headers; a 429 makes no claim about the token.
  c.res.headers.delete('WWW-Authenticate');
});

/** A principal's buckets and their key, built once per isolate and configuration. */
interface PrincipalPlan {
  config: Config;
  buckets: Bucket[];
  key: string;
}
const principalPlans = new Map<string, PrincipalPlan>();
const PRINCIPAL_PLANS_MAX = 10_000;

function principalPlan(config: Config, tenantId: string, subject: string): PrincipalPlan {
  const id = `${tenantId}\n${subject}`;
  const known = principalPlans.get(id);
  if (known?.config === config) return known;
  const buckets = [
    ...bucket('user', `${tenantId}:${subject}`, config.RATE_LIMIT_USER),
    ...bucket('tenant', tenantId, config.RATE_LIMIT_TENANT),
  ];
  const plan = { config, buckets, key: bucketsKey(buckets) };
  if (principalPlans.size >= PRINCIPAL_PLANS_MAX) principalPlans.clear();
  principalPlans.set(id, plan);
  return plan;
}

export const limitPrincipal = createMiddleware<AppEnv>(async (c, next) => {
  const config = c.get('config');
  const { tenantId, subject } = c.get('principal');
  const plan = principalPlan(config, tenantId, subject);
  const outcome = await consume(
    c.env,
    config,
    'tenant',
    tenantId,
    plan.buckets,
    c.get('requestId'),
    plan.key,
  );
  if (!outcome.allowed) throw new AppError(rateLimited(outcome));
  await next();
  describe(c, outcome);
});
