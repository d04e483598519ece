/**
 * One structured log line per request: request id, method, route template (never the raw
 * path with ids), status, duration, worker version and cache outcome. Headers are never
 * logged, so the Authorization header cannot leak through here.
 */
import { createMiddleware } from 'hono/factory';
import { routePath } from 'hono/route';
import type { AppEnv } from '../env';
import { emit } from '../log';

export const requestLog = createMiddleware<AppEnv>(async (c, next) => {
  const started = performance.now();
  try {
    await next();
  } finally {
    // performance.now() only advances across I/O in workerd; still the best clock there is.
    const durationMs = Math.round((performance.now() - started) * 100) / 100;
    const principal = c.get('principal');
    emit(
      'info',
      'request',
      {
        requestId: c.get('requestId'),
        method: c.req.method,
        route: routePath(c),
        status: c.res.status,
        durationMs,
        version: c.env.CF_VERSION_METADATA?.id ?? 'local',
        tenantId: principal?.tenantId,
        cache: c.get('cacheStatus'),
        cacheWait: c.get('cacheWaitedForBuild') || undefined,
        staleReason: c.get('cacheStaleReason'),
        staleError: c.get('cacheStaleError'),
        staleAgeS: c.get('cacheStaleAgeS'),
        problem: c.get('problemCode'),
      },
      c.get('config')?.LOG_LEVEL,
    );
  }
});
