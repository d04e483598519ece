/**
 * Soak: the load test's 100 VUs (`-e VUS=…`) held for an hour (`-e HOLD=…`): leaks, growing
 * latency, caches and the projection under a long steady write rate.
 *   k6 cloud run test/load/k6/soak.ts -e BASE_URL=https://… -e TOKEN=…
 */
import type { Options } from 'k6/options';
import { setupData } from './lib/auth.ts';
import { baseOptions, env, ramping } from './lib/config.ts';
import type { SetupData } from './lib/mix.ts';
import { summaryHandler } from './lib/summary.ts';
import { iteration } from './lib/workload.ts';

const vus = Number(env('VUS', '100'));

export const options: Options = baseOptions('soak', {
  soak: ramping([
    { duration: '5m', target: vus },
    { duration: env('HOLD', '1h'), target: vus },
    { duration: '5m', target: 0 },
  ]),
});

export function setup(): SetupData {
  return setupData();
}

export default function (data: SetupData): void {
  iteration(data);
}

export const handleSummary = summaryHandler('soak');
