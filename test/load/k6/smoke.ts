/**
 * Smoke: a couple of VUs through the whole mix for a handful of iterations, against the load
 * test's latency, error and check gates (the cache hit rate is reported, not gated: ten
 * iterations do not warm a cache). Run it before any bigger test (and `npm run load -- smoke` runs it
 * here, without k6, against a local stack).
 *   k6 run test/load/k6/smoke.ts -e BASE_URL=https://… -e TOKEN=…
 */
import type { Options } from 'k6/options';
import { setupData } from './lib/auth.ts';
import { baseOptions, env } from './lib/config.ts';
import type { SetupData } from './lib/mix.ts';
import { summaryHandler } from './lib/summary.ts';
import { iteration } from './lib/workload.ts';

export const options: Options = baseOptions(
  'smoke',
  {
    smoke: {
      executor: 'shared-iterations',
      vus: Number(env('VUS', '2')),
      iterations: Number(env('ITERATIONS', '10')),
      maxDuration: '2m',
    },
  },
  { cacheGate: false },
);

export function setup(): SetupData {
  return setupData();
}

export default function (data: SetupData): void {
  iteration(data);
}

export const handleSummary = summaryHandler('smoke');
