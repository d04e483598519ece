/**
 * One Analytics Engine point per request (columns: src/telemetry/schema.ts): the Worker
 * version, route template, status, problem code, cache outcome, colo, and where the time
 * went. `writeDataPoint` returns nothing to await: the runtime sends the point after the
 * response, so telemetry adds no latency; building the point is a few array writes.
 */
import { createMiddleware } from 'hono/factory';
import { routePath } from 'hono/route';
import type { AppEnv } from '../env';
import { REQUESTS, dataPoint, writePoint } from './schema';
import { newTimings } from './timings';

/** Two decimals are plenty for milliseconds and keep the points small. */
const ms = (n: number) => Math.round(n * 100) / 100;

export const requestMetrics = createMiddleware<AppEnv>(async (c, next) => {
  const timings = newTimings();
  c.set('timings', timings);
  const started = performance.now();
  try {
    await next();
  } finally {
    const res = c.res;
    const version = c.env.CF_VERSION_METADATA;
    const length = Number(res.headers.get('Content-Length') ?? c.get('bodyLength') ?? 0);
    writePoint(
      c.env.REQUEST_METRICS,
      dataPoint(REQUESTS, c.get('principal')?.tenantId ?? 'anonymous', {
        version_id: version?.id ?? 'local',
        version_tag: version?.tag ?? '',
        route: routePath(c),
        method: c.req.method,
        status: String(res.status),
        problem_code: c.get('problemCode') ?? '',
        cache: c.get('cacheStatus') ?? '',
        colo: typeof c.req.raw.cf?.colo === 'string' ? c.req.raw.cf.colo : '',
        duration_ms: ms(performance.now() - started),
        ledger_ms: ms(timings.ledgerMs),
        postgres_ms: ms(timings.postgresMs),
        kv_ms: ms(timings.kvMs),
        response_bytes: Number.isFinite(length) ? length : 0,
        status_code: res.status,
      }),
    );
  }
});
