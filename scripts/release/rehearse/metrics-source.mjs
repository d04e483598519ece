// The rehearsal's Analytics Engine SQL API: a server on 127.0.0.1 answering the controller's
// gate query (ops/queries/rollout-gate.sql, exactly as loadQuery fills it) from the points the
// version Workers wrote to the sink. It answers that query only, and computes it as the SQL
// says: per version over the window, requests, 5xx errors, error ratio, weighted p95 (every
// local point has a sample interval of 1). Columns are found through src/telemetry/schema.ts.
import { createServer } from 'node:http';
import { loadQuery } from '../../lib/analytics.mjs';
import { REQUESTS } from '../../../src/telemetry/schema.ts';

const slot = (name) => {
  const blob = REQUESTS.blobs.indexOf(name);
  if (blob >= 0) return (p) => p.blobs[blob];
  const dbl = REQUESTS.doubles.indexOf(name);
  if (dbl >= 0) return (p) => p.doubles[dbl];
  throw new Error(`no column ${name} in the requests schema`);
};
const versionOf = slot('version_id');
const statusOf = slot('status_code');
const durationOf = slot('duration_ms');
const UNIT_MS = { MINUTE: 60_000, HOUR: 3_600_000, DAY: 86_400_000 };
const UNIT_FLAG = { MINUTE: 'm', HOUR: 'h', DAY: 'd' };

/** quantileExactWeighted with weights 1: the smallest value with at least q of the points at or below it. */
export function quantile(values, q) {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** rollout-gate.sql over `points` (request points) at time `now` for a window of `windowMs`. */
export function gateRows(points, now, windowMs) {
  const byVersion = new Map();
  for (const p of points) {
    if (p.timestamp <= now - windowMs) continue;
    const v = versionOf(p);
    const acc = byVersion.get(v) ?? { requests: 0, errors: 0, durations: [] };
    acc.requests += 1;
    if (statusOf(p) >= 500) acc.errors += 1;
    acc.durations.push(durationOf(p));
    byVersion.set(v, acc);
  }
  return [...byVersion.entries()]
    .map(([version_id, a]) => ({
      version_id,
      requests: a.requests,
      errors: a.errors,
      error_ratio: a.errors / a.requests,
      p95_ms: quantile(a.durations, 0.95),
    }))
    .sort((a, b) => b.requests - a.requests);
}

/**
 * Starts the server. `drain()` returns the sink's new points (all datasets); the server keeps
 * them. Resolves to `{ apiBase, points, close() }`.
 */
export async function startMetricsSource({ env, drain }) {
  const points = [];
  const server = createServer(async (req, res) => {
    const reply = (status, body) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    try {
      if (
        req.method !== 'POST' ||
        !/^\/accounts\/[^/]+\/analytics_engine\/sql$/.test(req.url ?? '')
      )
        return reply(404, { errors: [{ message: 'not found' }] });
      let sql = '';
      for await (const chunk of req) sql += chunk;
      sql = sql.replace(/\s*FORMAT JSON\s*$/, '').trim();
      const m = /INTERVAL '(\d+)' (MINUTE|HOUR|DAY)/.exec(sql);
      if (!m || sql !== loadQuery('rollout-gate', { env, since: `${m[1]}${UNIT_FLAG[m[2]]}` }))
        return reply(422, {
          errors: [{ message: 'the rehearsal answers ops/queries/rollout-gate.sql only' }],
        });
      for (const p of await drain()) points.push(p);
      const data = gateRows(
        points.filter((p) => p.dataset === 'requests'),
        Date.now(),
        Number(m[1]) * UNIT_MS[m[2]],
      );
      const meta = [
        ['version_id', 'String'],
        ['requests', 'Float64'],
        ['errors', 'Float64'],
        ['error_ratio', 'Float64'],
        ['p95_ms', 'Float64'],
      ].map(([name, type]) => ({ name, type }));
      return reply(200, { meta, data, rows: data.length });
    } catch (err) {
      return reply(500, { errors: [{ message: String(err.message ?? err) }] });
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    apiBase: `http://127.0.0.1:${port}`,
    points,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
