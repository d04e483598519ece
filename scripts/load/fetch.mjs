// The main-thread side of a VU's request (runner.mjs): fetch, the metrics k6 records for it
// (http_reqs, http_req_duration, http_req_failed with k6's tags), and the response fields a
// k6 script reads, header names canonicalised as k6 shows them. Loopback only.
import { performance } from 'node:perf_hooks';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Go's canonical header key, as k6 shows response headers (`etag` → `Etag`). */
const canonical = (name) =>
  name.toLowerCase().replace(/(^|-)([a-z])/g, (_m, dash, c) => dash + c.toUpperCase());

const expectedBy = (expected) => (status) =>
  expected.some((e) => (typeof e === 'number' ? e === status : status >= e.min && status <= e.max));

/** Runs fetch for a VU and records the request's metrics; returns k6's response fields. */
export async function doHttp(req, store) {
  const tags = { method: req.method, name: req.tags.name ?? req.url, ...req.tags };
  let host;
  try {
    host = new URL(req.url).host.replace(/:\d+$/, '');
  } catch {
    return {
      status: 0,
      headers: {},
      body: '',
      error: `invalid URL ${req.url}`,
      error_code: 1000,
      url: req.url,
      timings: { duration: 0 },
    };
  }
  if (!LOOPBACK.has(host))
    return { fatal: `the local runner only sends requests to loopback addresses (got ${req.url})` };
  const t = performance.now();
  let status = 0;
  let headers = {};
  let body = '';
  let error = '';
  try {
    const res = await fetch(req.url, {
      method: req.method,
      headers: req.headers,
      body: req.body ?? undefined,
      signal: AbortSignal.timeout(req.timeoutMs),
      redirect: 'follow',
    });
    body = await res.text();
    status = res.status;
    res.headers.forEach((v, k) => (headers[canonical(k)] = v));
  } catch (err) {
    error = String(err?.cause?.message ?? err?.message ?? err);
  }
  const duration = performance.now() - t;
  const ok = status > 0 && expectedBy(req.expected)(status);
  const sampleTags = { ...tags, status: String(status), expected_response: String(ok) };
  store.add('http_reqs', 'counter', 1, sampleTags);
  store.add('http_req_duration', 'trend', duration, sampleTags, 'time');
  store.add('http_req_failed', 'rate', ok ? 0 : 1, sampleTags);
  return {
    status,
    headers,
    body,
    url: req.url,
    error,
    error_code: error ? 1000 : 0,
    timings: { duration },
  };
}
