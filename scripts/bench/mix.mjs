// The read-heavy mix of the `reads` bench: every request is drawn at random (a write, by
// default POST /v1/customers, with a fresh Idempotency-Key, or one of the read variants). Closed loop with
// autocannon (`runMix`), or at a constant arrival rate (`runPacedMix`, paced.mjs); latencies
// per response and per kind, and every read response's X-Cache counted, the same way for both.
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import { COMMAND_BODY } from './commands.mjs';
import { round } from './load.mjs';
import { runPaced } from './paced.mjs';

const WRITE_SHARE = 0.2;

/** The mix's default write: a new customer. */
export const CUSTOMER_WRITE = { path: '/v1/customers', body: COMMAND_BODY };

/** Draws the next request of the mix: `{ kind, method, path, headers, body }`. */
function mixDraw({ reads, token, writeShare, write = CUSTOMER_WRITE }) {
  const auth = { authorization: `Bearer ${token}` };
  const writeHeaders = { ...auth, 'content-type': 'application/json' };
  return () => {
    if (Math.random() < writeShare) {
      return {
        kind: 'write',
        method: 'POST',
        path: write.path,
        headers: { ...writeHeaders, 'idempotency-key': randomUUID() },
        body: write.body,
      };
    }
    const r = reads[Math.floor(Math.random() * reads.length)];
    // A read variant may add headers of its own (e.g. `Accept-Encoding`).
    const headers = r.headers ? { ...auth, ...r.headers } : auth;
    return { kind: r.kind, method: 'GET', path: r.path, headers, body: undefined };
  };
}

/** Counts answers per kind, status and X-Cache, and keeps every latency. */
function tally() {
  const all = [];
  const byKind = { list: [], report: [], write: [] };
  const okByKind = { list: 0, report: 0, write: 0 };
  // Answers computed from Postgres for this request (MISS, BYPASS) or written: the rate that
  // "caching off" really has, without the STALE answers it falls back to when out of builds.
  const freshByKind = { list: 0, report: 0, write: 0 };
  const xcache = {};
  const statusCodes = {};
  const stale = staleAges();
  return {
    /** One answer: its kind, status, headers (any case) and latency. */
    answer(kind, status, headers, ms) {
      statusCodes[status] = (statusCodes[status] ?? 0) + 1;
      const ok = status >= 200 && status < 300;
      if (ok) okByKind[kind]++;
      if (kind !== 'write') {
        let v = 'none';
        for (const k in headers)
          if (k.toLowerCase() === 'x-cache') v = String(headers[k]).toUpperCase();
        xcache[v] = (xcache[v] ?? 0) + 1;
        if (v === 'STALE') stale.add(headers);
        if (ok && (v === 'MISS' || v === 'BYPASS')) freshByKind[kind]++;
      } else if (ok) freshByKind.write++;
      if (ms !== undefined) this.latency(kind, ms);
    },
    latency(kind, ms) {
      all.push(ms);
      if (kind) byKind[kind].push(ms);
    },
    summary({ connections, secs, ok2xx, non2xx, errors, timeouts }) {
      const reads_ = Object.values(xcache).reduce((a, b) => a + b, 0);
      return {
        connections,
        seconds: round(secs, 2),
        requests: all.length,
        rps: round(all.length / secs, 0),
        okRps: round(ok2xx / secs, 0),
        ok2xx,
        non2xx,
        errors,
        timeouts,
        errorRate: all.length + errors ? round((non2xx + errors) / (all.length + errors), 4) : null,
        statusCodes,
        latencyMs: pcts(all),
        kinds: Object.fromEntries(
          Object.entries(byKind).map(([k, xs]) => [
            k,
            {
              okRps: round(okByKind[k] / secs, 0),
              freshRps: round(freshByKind[k] / secs, 0),
              latencyMs: pcts(xs),
            },
          ]),
        ),
        /** 2xx answers/s computed from Postgres (MISS, BYPASS) or written; ok/s minus HIT and STALE. */
        freshRps: round((freshByKind.list + freshByKind.report + freshByKind.write) / secs, 0),
        xcache,
        hitRate: reads_ ? round((xcache.HIT ?? 0) / reads_, 4) : null,
        /** Reads answered from the cache tier (HIT or STALE) / read responses. */
        cacheShare: reads_ ? round(((xcache.HIT ?? 0) + (xcache.STALE ?? 0)) / reads_, 4) : null,
        status5xx: Object.entries(statusCodes).reduce(
          (n, [k, v]) => (Number(k) >= 500 ? n + v : n),
          0,
        ),
        staleAge: stale.summary(),
      };
    },
  };
}

/**
 * The age of STALE answers: the standard `Age` header (seconds), else `X-Cache-Age`; answers
 * with neither are counted as such, never guessed. `bySecond`: how many answers per age.
 */
export function staleAges() {
  const bySecond = {};
  let noAge = 0;
  return {
    add(headers) {
      let age;
      for (const k in headers) {
        const name = k.toLowerCase();
        if (name === 'age' || (name === 'x-cache-age' && age === undefined))
          age = String(headers[k]);
      }
      const secs = age === undefined ? NaN : Number.parseInt(age, 10);
      if (Number.isFinite(secs)) bySecond[secs] = (bySecond[secs] ?? 0) + 1;
      else noAge++;
    },
    summary() {
      const ages = Object.keys(bySecond).map(Number);
      return { noAge, maxSeconds: ages.length ? Math.max(...ages) : null, bySecond };
    },
  };
}

/** The mix in a closed loop: each of `connections` sends its next request when the last is answered. */
export async function runMix({
  url,
  connections,
  seconds,
  reads,
  token,
  writeShare = WRITE_SHARE,
  write,
}) {
  const draw = mixDraw({ reads, token, writeShare, write });
  const t = tally();
  let last = null;
  const request = {
    method: 'GET',
    path: '/health',
    setupRequest(req, context) {
      const d = draw();
      context.kind = d.kind;
      return { ...req, method: d.method, path: d.path, headers: d.headers, body: d.body };
    },
    onResponse(status, _body, context, headers) {
      last = context.kind;
      t.answer(context.kind, status, headers);
    },
  };
  const instance = autocannon({
    url,
    connections,
    duration: seconds,
    timeout: 10,
    pipelining: 1,
    requests: [request],
  });
  // onResponse runs just before the client's 'response' event, synchronously: `last` is its kind.
  instance.on('response', (_client, _status, _bytes, ms) => t.latency(last, ms));
  const result = await instance;
  const secs = (result.finish - result.start) / 1000 || seconds;
  return t.summary({
    connections,
    secs,
    ok2xx: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  });
}

/**
 * The mix at a constant arrival rate over `connections` keep-alive connections (paced.mjs):
 * latency below saturation, each measured from when its request was due.
 */
export async function runPacedMix({
  url,
  connections,
  seconds,
  reads,
  token,
  rate,
  writeShare = WRITE_SHARE,
  write,
}) {
  const t = tally();
  const r = await runPaced({
    url,
    connections,
    seconds,
    rate,
    draw: mixDraw({ reads, token, writeShare, write }),
    onAnswer: (kind, status, headers, ms) => t.answer(kind, status, headers, ms),
  });
  return {
    ...t.summary({
      connections,
      secs: r.seconds,
      ok2xx: r.ok2xx,
      non2xx: r.non2xx,
      errors: r.errors,
      timeouts: r.timeouts,
    }),
    offeredRps: rate,
    lateMs: pcts(r.late),
  };
}

function pcts(xs) {
  const s = Float64Array.from(xs).sort();
  const p = (q) => (s.length ? s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] : NaN);
  return {
    p50: round(p(0.5), 2),
    p95: round(p(0.95), 2),
    p99: round(p(0.99), 2),
    max: round(s[s.length - 1] ?? NaN, 2),
  };
}

export function logMix(log, label, m) {
  log(
    `  ${label}: ${m.okRps} ok/s (lists ${m.kinds.list.okRps}/s, reports ${m.kinds.report.okRps}/s, writes ${m.kinds.write.okRps}/s) ` +
      `p50 ${m.latencyMs.p50} p95 ${m.latencyMs.p95} p99 ${m.latencyMs.p99} ms, non-2xx ${m.non2xx}, errors ${m.errors} (timeouts ${m.timeouts}), status ${JSON.stringify(m.statusCodes)}, X-Cache ${JSON.stringify(m.xcache)}`,
  );
}
