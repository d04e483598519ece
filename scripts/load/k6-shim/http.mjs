// `k6/http` for the local runner: synchronous requests (runtime.mjs `call`), answered by the
// main thread with fetch, which also records http_reqs, http_req_duration and
// http_req_failed. Bodies are text; an object body is sent form-encoded, as k6 does.
import { seconds } from '../stages.mjs';
import { call, vu } from './runtime.mjs';

const DEFAULT_EXPECTED = [{ min: 200, max: 399 }];
let defaultExpected = DEFAULT_EXPECTED;

/** `http.expectedStatuses(200, { min: 400, max: 404 })`: what counts as not failed. */
export function expectedStatuses(...statuses) {
  return { expected: statuses };
}

export function setResponseCallback(cb) {
  defaultExpected = cb?.expected ?? DEFAULT_EXPECTED;
}

export function request(method, url, body, params = {}) {
  const headers = { ...(params?.headers ?? {}) };
  let payload = body ?? null;
  if (payload !== null && typeof payload === 'object') {
    payload = new URLSearchParams(
      Object.entries(payload).map(([k, v]) => [k, String(v)]),
    ).toString();
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
  }
  const req = {
    method: String(method).toUpperCase(),
    url: String(url),
    headers,
    body: payload,
    timeoutMs:
      params?.timeout === undefined
        ? 60_000
        : typeof params.timeout === 'number'
          ? params.timeout
          : seconds(params.timeout) * 1000,
    tags: { ...vu.tags, ...(params?.tags ?? {}) },
    expected: params?.responseCallback?.expected ?? defaultExpected,
  };
  const res = call({ type: 'http', req });
  return {
    ...res,
    request: { method: req.method, url: req.url, headers: req.headers, body: req.body ?? '' },
    json(selector) {
      if (selector !== undefined)
        throw new Error('res.json(selector) is not supported by the local runner');
      return JSON.parse(res.body);
    },
  };
}

export const get = (url, params) => request('GET', url, null, params);
export const head = (url, params) => request('HEAD', url, null, params);
export const post = (url, body, params) => request('POST', url, body, params);
export const put = (url, body, params) => request('PUT', url, body, params);
export const patch = (url, body, params) => request('PATCH', url, body, params);
export const del = (url, body, params) => request('DELETE', url, body, params);

export default { request, get, head, post, put, patch, del, expectedStatuses, setResponseCallback };
