// Closed-loop HTTP load with autocannon's programmatic API: N connections, each sending its
// next request as soon as the previous answer arrives. Latencies are recorded per response
// (autocannon's own summary has no p95), so every percentile comes from the same samples.
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';

/**
 * @param {{ url: string, connections: number, seconds: number, method?: string, path: string,
 *   headers?: Record<string, string>, body?: string, uniqueIdempotencyKey?: boolean }} o
 */
export async function runLoad(o) {
  const latencies = [];
  /** @type {Record<string, any>} */
  const request = {
    method: o.method ?? 'GET',
    path: o.path,
    headers: { ...(o.headers ?? {}) },
  };
  if (o.body !== undefined) request.body = o.body;
  if (o.uniqueIdempotencyKey) {
    // Every request is a new command: a fresh key, or the ledger would replay the first answer.
    request.setupRequest = (req) => ({
      ...req,
      headers: { ...req.headers, 'idempotency-key': randomUUID() },
    });
  }
  const instance = autocannon({
    url: o.url,
    connections: o.connections,
    duration: o.seconds,
    timeout: 10,
    pipelining: 1,
    requests: [request],
  });
  // Connections that got at least one answer: under starvation some never do (runtime-floor.mjs).
  const answered = new Set();
  instance.on('response', (client, _status, _bytes, ms) => {
    latencies.push(ms);
    answered.add(client);
  });
  const result = await instance;
  const seconds = (result.finish - result.start) / 1000 || o.seconds;
  const sorted = Float64Array.from(latencies).sort();
  const pct = (p) =>
    sorted.length
      ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]
      : NaN;
  return {
    connections: o.connections,
    seconds: round(seconds, 2),
    requests: latencies.length,
    rps: round(latencies.length / seconds, 0),
    ok2xx: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    answeredConnections: answered.size,
    statusCodes: Object.fromEntries(
      Object.entries(result.statusCodeStats ?? {}).map(([k, v]) => [k, v.count]),
    ),
    latencyMs: {
      p50: round(pct(50), 2),
      p95: round(pct(95), 2),
      p99: round(pct(99), 2),
      max: round(sorted[sorted.length - 1] ?? NaN, 2),
    },
  };
}

export function round(x, digits = 1) {
  if (!Number.isFinite(x)) return null;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Median of numbers (null for an empty list). */
export function median(xs) {
  const s = [...xs].filter(Number.isFinite).sort((a, b) => a - b);
  if (!s.length) return null;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** A plain copy of a value from Miniflare (RPC results are proxies that die with the instance). */
export function plain(x) {
  return x === undefined ? undefined : JSON.parse(JSON.stringify(x));
}
