// The read-heavy mix of the `reads` bench: autocannon where every request is drawn at random
// (a write, POST /v1/customers with a fresh Idempotency-Key, or one of the read variants),
// closed loop or paced at a fixed overall rate; latencies per response and per kind, and
// every read response's X-Cache counted.
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import { COMMAND_BODY } from './commands.mjs';
import { round } from './load.mjs';

const WRITE_SHARE = 0.2;

/**
 * Load where each request is drawn at random (closed loop, or paced at `rate` requests/s):
 * a write (POST /v1/customers, fresh Idempotency-Key) with probability `writeShare`, else one
 * of `reads`. Latencies per response (all, and per kind); X-Cache counted per read response.
 */
export async function runMix({ url, connections, seconds, reads, token, writeShare = WRITE_SHARE, rate }) {
  const auth = { authorization: `Bearer ${token}` };
  const writeHeaders = { ...auth, 'content-type': 'application/json' };
  const all = [];
  const byKind = { list: [], report: [], write: [] };
  const okByKind = { list: 0, report: 0, write: 0 };
  // Answers computed from Postgres for this request (MISS, BYPASS) or written: the rate that
  // "caching off" really has, without the STALE answers it falls back to when out of builds.
  const freshByKind = { list: 0, report: 0, write: 0 };
  const xcache = {};
  const statusCodes = {};
  let last = null;
  const request = {
    method: 'GET',
    path: '/health',
    setupRequest(req, context) {
      if (Math.random() < writeShare) {
        context.kind = 'write';
        return { ...req, method: 'POST', path: '/v1/customers', headers: { ...writeHeaders, 'idempotency-key': randomUUID() }, body: COMMAND_BODY };
      }
      const r = reads[Math.floor(Math.random() * reads.length)];
      context.kind = r.kind;
      return { ...req, method: 'GET', path: r.path, headers: auth, body: undefined };
    },
    onResponse(status, _body, context, headers) {
      last = context.kind;
      statusCodes[status] = (statusCodes[status] ?? 0) + 1;
      if (status >= 200 && status < 300) okByKind[context.kind]++;
      if (context.kind !== 'write') {
        let v = 'none';
        for (const k in headers) if (k.toLowerCase() === 'x-cache') v = String(headers[k]).toUpperCase();
        xcache[v] = (xcache[v] ?? 0) + 1;
        if (status >= 200 && status < 300 && (v === 'MISS' || v === 'BYPASS')) freshByKind[context.kind]++;
      } else if (status >= 200 && status < 300) freshByKind.write++;
    },
  };
  // `rate`: paced (open-loop-like) at that many requests/s over all connections, not as fast as answered.
  const instance = autocannon({ url, connections, duration: seconds, timeout: 10, pipelining: 1, requests: [request], ...(rate ? { overallRate: rate } : {}) });
  // onResponse runs just before the client's 'response' event, synchronously: `last` is its kind.
  instance.on('response', (_client, _status, _bytes, ms) => {
    all.push(ms);
    if (last) byKind[last].push(ms);
  });
  const result = await instance;
  const secs = (result.finish - result.start) / 1000 || seconds;
  const reads_ = (xcache.HIT ?? 0) + (xcache.MISS ?? 0) + (xcache.BYPASS ?? 0) + (xcache.STALE ?? 0) + (xcache.none ?? 0);
  return {
    connections,
    seconds: round(secs, 2),
    requests: all.length,
    rps: round(all.length / secs, 0),
    okRps: round(result['2xx'] / secs, 0),
    ok2xx: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    errorRate: all.length + result.errors ? round((result.non2xx + result.errors) / (all.length + result.errors), 4) : null,
    statusCodes,
    latencyMs: pcts(all),
    kinds: Object.fromEntries(Object.entries(byKind).map(([k, xs]) => [k, { okRps: round(okByKind[k] / secs, 0), freshRps: round(freshByKind[k] / secs, 0), latencyMs: pcts(xs) }])),
    /** 2xx answers/s computed from Postgres (MISS, BYPASS) or written; ok/s minus HIT and STALE. */
    freshRps: round((freshByKind.list + freshByKind.report + freshByKind.write) / secs, 0),
    xcache,
    hitRate: reads_ ? round((xcache.HIT ?? 0) / reads_, 4) : null,
  };
}

function pcts(xs) {
  const s = Float64Array.from(xs).sort();
  const p = (q) => (s.length ? s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] : NaN);
  return { p50: round(p(0.5), 2), p95: round(p(0.95), 2), p99: round(p(0.99), 2), max: round(s[s.length - 1] ?? NaN, 2) };
}

export function logMix(log, label, m) {
  log(
    `  ${label}: ${m.okRps} ok/s (lists ${m.kinds.list.okRps}/s, reports ${m.kinds.report.okRps}/s, writes ${m.kinds.write.okRps}/s) ` +
      `p50 ${m.latencyMs.p50} p95 ${m.latencyMs.p95} p99 ${m.latencyMs.p99} ms, non-2xx ${m.non2xx}, errors ${m.errors} (timeouts ${m.timeouts}), status ${JSON.stringify(m.statusCodes)}, X-Cache ${JSON.stringify(m.xcache)}`,
  );
}
