/**
 * The operator credential for `/ops/...` (src/routes/ops.ts): a JWT from the same identity
 * provider and keys as tenant tokens, but for its own audience (`OPS_AUDIENCE`) and with the
 * `operator` role. A tenant token (any role, `admin` included) is never accepted here: its
 * audience is the API's, and a token naming a tenant (`tid`) or more than one audience is
 * refused outright. Operators are rate-limited per subject (`RATE_LIMIT_OPS`) and every
 * action is written to the log as `ops_audit`, whatever the log level.
 */
import { createMiddleware } from 'hono/factory';
import { jwtVerify } from 'jose';
import type { AppContext, AppEnv } from '../env';
import { AppError } from '../errors';
import { emit, log } from '../log';
import { consume } from '../rate-limit/client';
import { CLOCK_TOLERANCE_SECONDS, verifierFor } from '../auth/verify-token';
import { rateLimited } from './rate-limit';

/** The role an operator token must carry. */
export const OPERATOR_ROLE = 'operator';

const refused = (status: 401 | 403, detail: string) =>
  new AppError({
    status,
    code: status === 401 ? 'unauthorized' : 'forbidden',
    title: status === 401 ? 'Unauthorized' : 'Forbidden',
    detail,
    headers: {
      'WWW-Authenticate':
        status === 401
          ? 'Bearer error="invalid_token"'
          : `Bearer error="insufficient_scope", scope="${OPERATOR_ROLE}"`,
    },
  });

/** The verified operator of this request (set by `authenticateOperator`). */
export const operatorOf = (c: AppContext): string => c.get('operator') ?? '';

/** Requires an operator token; sets `operator` (its `sub`). */
export const authenticateOperator = createMiddleware<AppEnv>(async (c, next) => {
  const config = c.get('config');
  const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(c.req.header('Authorization') ?? '');
  const requestId = c.get('requestId');
  if (!match?.[1]) {
    log.warn('ops_auth_failed', { requestId, reason: 'ERR_MISSING' });
    throw refused(401, 'An operator bearer token is required.');
  }
  let payload;
  try {
    const { getKey, algorithms } = await verifierFor(config);
    ({ payload } = await jwtVerify(match[1], getKey, {
      algorithms,
      issuer: config.AUTH_ISSUER,
      audience: config.OPS_AUDIENCE,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ['iss', 'aud', 'exp', 'sub', 'roles'],
    }));
  } catch (err) {
    log.warn('ops_auth_failed', {
      requestId,
      reason: err instanceof Error && 'code' in err ? String(err.code) : 'ERR_KEY',
    });
    throw refused(401, 'A valid operator token is required.');
  }
  const sub = typeof payload.sub === 'string' ? payload.sub : '';
  const roles = Array.isArray(payload.roles) ? payload.roles : [];
  if (
    payload.tid !== undefined ||
    Array.isArray(payload.aud) ||
    !roles.includes(OPERATOR_ROLE) ||
    sub === ''
  ) {
    log.warn('ops_auth_failed', { requestId, reason: 'ERR_NOT_OPERATOR', subject: sub });
    throw refused(
      403,
      'This token is not an operator credential (its own audience, the operator role, no tenant).',
    );
  }
  c.set('operator', sub);
  await next();
});

/** Counts the request against its operator (`RATE_LIMIT_OPS`): 429 `rate_limited` past it. */
export const limitOperator = createMiddleware<AppEnv>(async (c, next) => {
  const config = c.get('config');
  const operator = operatorOf(c);
  const buckets = config.RATE_LIMIT_OPS
    ? [{ name: 'operator' as const, key: `ops:${operator}`, policy: config.RATE_LIMIT_OPS }]
    : [];
  const outcome = await consume(c.env, config, 'ops', operator, buckets, c.get('requestId'));
  if (!outcome.allowed) throw new AppError(rateLimited(outcome));
  await next();
});

/** Writes the audit record of an operator action (always, whatever LOG_LEVEL says). */
export function audit(
  c: AppContext,
  action: string,
  tenantId: string,
  outcome: string,
  fields: Record<string, unknown> = {},
): void {
  emit(
    'info',
    'ops_audit',
    {
      requestId: c.get('requestId'),
      operator: operatorOf(c),
      action,
      tenantId,
      outcome,
      ...fields,
    },
    'debug',
  );
}
