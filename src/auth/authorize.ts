/**
 * Authorization: every `/v1` route declares what it needs with `permit(...)` in its route
 * definition. That one call both enforces it (a route middleware that runs before the
 * validators and the handler) and documents it in OpenAPI (`x-permission` and the bearer
 * scheme's scopes), so the two cannot drift. `assertRoutesGuarded` (src/auth/route-check.ts)
 * refuses to build an app with a `/v1` route that has no such guard.
 */
import { createMiddleware } from 'hono/factory';
import type { MiddlewareHandler } from 'hono';
import { AUTHENTICATED, allows, type Requirement } from './permissions';
import type { AppContext, AppEnv } from '../env';
import { AppError } from '../errors';
import { log } from '../log';

/** The guard middleware per requirement, and the requirement of each guard (for the startup check). */
const guards = new Map<Requirement, MiddlewareHandler<AppEnv>>();
const requirements = new WeakMap<object, Requirement>();

/** 403 `forbidden`: authenticated, but the token's roles do not grant `required`. */
export function forbidden(required: Requirement): AppError {
  return new AppError({
    status: 403,
    code: 'forbidden',
    title: 'Forbidden',
    detail: `This action needs the ${required} permission, which your roles do not grant.`,
    headers: { 'WWW-Authenticate': `Bearer error="insufficient_scope", scope="${required}"` },
  });
}

/** Throws 403 unless the request's principal holds `required` (also usable inside a handler). */
export function assertPermission(c: AppContext, required: Requirement): void {
  const principal = c.get('principal');
  if (allows(principal.permissions, required)) return;
  log.warn('authz_denied', {
    requestId: c.get('requestId'),
    tenantId: principal.tenantId,
    subject: principal.subject,
    required,
  });
  throw forbidden(required);
}

/** The middleware that lets a request through only with `required`. One instance per requirement. */
export function requirePermission(required: Requirement): MiddlewareHandler<AppEnv> {
  let guard = guards.get(required);
  if (!guard) {
    guard = createMiddleware<AppEnv>(async (c, next) => {
      assertPermission(c, required);
      await next();
    });
    guards.set(required, guard);
    requirements.set(guard, required);
  }
  return guard;
}

/** The requirement a handler enforces, if it is a permission guard. */
export function requirementOf(handler: unknown): Requirement | undefined {
  return typeof handler === 'function' ? requirements.get(handler) : undefined;
}

/** The OpenAPI half of `permit`: `x-permission` and the bearer scheme's scopes (OpenAPI 3.1 allows role names there). */
export function documentPermission<R extends Requirement>(required: R) {
  return {
    'x-permission': required,
    security: [{ bearerAuth: required === AUTHENTICATED ? [] : [required] }],
  };
}

/**
 * Spread into `createRoute({...})`: enforces and documents the route's permission.
 * `AUTHENTICATED` means any verified token will do (e.g. `GET /v1/me`).
 */
export function permit<R extends Requirement>(required: R) {
  return { middleware: [requirePermission(required)], ...documentPermission(required) };
}
