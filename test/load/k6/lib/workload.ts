/**
 * One VU's iteration of the shared mix (mix.ts) through `k6/http`: a short session of
 * requests with think time between them. Every request is tagged `kind` (read | command) and
 * `name` (the route without ids); cacheable reads feed the `cache_hit` Rate from `X-Cache`;
 * a failed status or a failed read-your-writes check counts in `checks`.
 */
import { check, sleep } from 'k6';
import http from 'k6/http';
import type { RefinedResponse, ResponseType } from 'k6/http';
import { Rate } from 'k6/metrics';
import { BASE_URL, env } from './config.ts';
import { Mix } from './mix.ts';
import type { SetupData, Step } from './mix.ts';

/** Share of cacheable reads answered from the cache (`X-Cache: HIT`). */
export const cacheHit = new Rate('cache_hit');

// Module state is per VU in k6: each VU keeps its own session.
let mix: Mix | null = null;

/** Response headers with lower-case names (k6 canonicalises them, `Etag`, `X-Cache`). */
function lower(res: RefinedResponse<ResponseType | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) out[k.toLowerCase()] = v;
  return out;
}

function parse(res: RefinedResponse<ResponseType | undefined>): unknown {
  try {
    return typeof res.body === 'string' && res.body !== '' ? JSON.parse(res.body) : null;
  } catch {
    return null;
  }
}

/** Sends one step and checks its answer; returns whether it passed. */
export function send(step: Step): boolean {
  const res = http.request(step.method, `${BASE_URL}${step.path}`, step.body, {
    headers: step.headers,
    tags: { kind: step.kind, name: step.route },
    responseCallback: http.expectedStatuses(...step.expect),
  });
  const headers = lower(res);
  const body = parse(res);
  const okStatus = step.expect.includes(res.status);
  if (okStatus) step.observe(body, headers);
  const xcache = headers['x-cache'];
  if (xcache) cacheHit.add(xcache.toUpperCase() === 'HIT', { name: step.route });
  const checks: Record<string, (r: typeof res) => boolean> = {
    [`${step.route}: status ${step.expect.join('|')}`]: () => okStatus,
  };
  if (step.verify) {
    const v = step.verify;
    checks[v.name] = () => okStatus && v.ok(body, headers);
  }
  return check(res, checks, { kind: step.kind, name: step.route });
}

/** One iteration: `STEPS` requests (default 5), `THINK_TIME` seconds (default 1) apart. */
export function iteration(data: SetupData): void {
  mix ??= new Mix(data, `vu${__VU}`);
  const steps = Number(env('STEPS', '5'));
  const think = Number(env('THINK_TIME', '1'));
  for (let i = 0; i < steps; i++) {
    send(mix.next());
    if (think > 0) sleep(think * (0.5 + Math.random()));
  }
}
