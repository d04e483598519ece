/**
 * What every script shares: the target from the environment, the operators' thresholds and
 * the k6 cloud block. Nothing secret lives here: the token comes from `-e TOKEN=…` (or a
 * token endpoint, see auth.ts) at run time.
 */
import type { Options, Scenario, Stage, Threshold } from 'k6/options';

/** `-e NAME=value` (k6) or the runner's environment; `fallback` when unset or empty. */
export function env(name: string, fallback = ''): string {
  const v = __ENV[name];
  return v === undefined || v === '' ? fallback : v;
}

/** The API's origin, without a trailing slash (`-e BASE_URL=https://api.example.com`). */
export const BASE_URL = env('BASE_URL', 'http://127.0.0.1:8787').replace(/\/+$/, '');

/**
 * The operators' gates (docs: README "Load tests"): P95 < 300 ms and P99 < 500 ms for reads
 * and for commands at 100 VUs, fewer than 0.5 % failed requests, a cache hit rate above 70 %
 * on cacheable reads, and more than 99 % of checks passing.
 */
export function thresholds(opts: GateOptions = {}): Record<string, Threshold[]> {
  const gate = (threshold: string): Threshold =>
    opts.abortOnFail ? { threshold, abortOnFail: true, delayAbortEval: '30s' } : threshold;
  return {
    ...latencyGates({
      'http_req_duration{kind:read}': [gate('p(95)<300'), gate('p(99)<500')],
      'http_req_duration{kind:command}': [gate('p(95)<300'), gate('p(99)<500')],
    }),
    http_req_failed: [gate('rate<0.005')],
    ...(opts.cacheGate === false ? {} : { cache_hit: ['rate>0.7'] }),
    checks: ['rate>0.99'],
  };
}

/**
 * Latency thresholds, unless `-e LATENCY_GATES=off`: then latency is measured and reported
 * but not gated, for a run on a machine busy with other work (the smoke inside `npm test`),
 * which cannot judge it.
 */
export function latencyGates(gates: Record<string, Threshold[]>): Record<string, Threshold[]> {
  return env('LATENCY_GATES', 'on') === 'off' ? {} : gates;
}

/**
 * `abortOnFail`: latency and error gates stop the test (stress). `cacheGate: false` leaves
 * the hit rate measured but ungated: a smoke run is too short for the cache to warm up.
 */
export interface GateOptions {
  abortOnFail?: boolean;
  cacheGate?: boolean;
}

/**
 * `options.cloud` for `k6 cloud run`: project and test name from the environment
 * (`K6_CLOUD_PROJECT_ID`, `K6_CLOUD_NAME`), load split over two public load zones unless
 * `K6_CLOUD_ZONES` names others (`amazon:de:frankfurt,amazon:us:ashburn`).
 */
export function cloud(name: string): Record<string, unknown> {
  const zones = env('K6_CLOUD_ZONES', 'amazon:de:frankfurt,amazon:us:ashburn')
    .split(',')
    .map((z) => z.trim())
    .filter(Boolean);
  const projectID = Number(env('K6_CLOUD_PROJECT_ID', '0'));
  const distribution: Record<string, { loadZone: string; percent: number }> = {};
  zones.forEach((loadZone, i) => {
    // Whole percentages that add up to 100: the first zone takes the remainder.
    const percent = Math.floor(100 / zones.length) + (i === 0 ? 100 % zones.length : 0);
    distribution[`zone${i + 1}`] = { loadZone, percent };
  });
  return {
    ...(projectID > 0 ? { projectID } : {}),
    name: env('K6_CLOUD_NAME', `finance-edge ${name}`),
    distribution,
  };
}

/** The options every script starts from: its scenarios, the gates, the cloud block. */
export function baseOptions(
  name: string,
  scenarios: Record<string, Scenario>,
  opts: GateOptions = {},
): Options {
  return {
    scenarios,
    thresholds: thresholds(opts),
    cloud: cloud(name),
    summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'],
    // Every request is tagged by kind and route (workload.ts); no URL with an id becomes a tag.
    systemTags: [
      'status',
      'method',
      'name',
      'group',
      'check',
      'error',
      'error_code',
      'scenario',
      'expected_response',
    ],
  };
}

/** A `ramping-vus` scenario from 0 VUs over `stages`, 30 s for iterations to finish at the end. */
export function ramping(stages: Stage[]): Scenario {
  return { executor: 'ramping-vus', startVUs: 0, stages, gracefulRampDown: '30s' };
}
