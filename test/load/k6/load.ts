/**
 * Load: ramp to 100 VUs (`-e VUS=…`), hold 10 minutes, ramp down; the operators' gates.
 *   k6 cloud run test/load/k6/load.ts -e BASE_URL=https://… -e TOKEN=…
 *   npm run load -- load        (here: the same stages, scaled down, with autocannon)
 */
import type { Options } from 'k6/options';
import { setupData } from './lib/auth.ts';
import { baseOptions, env, ramping } from './lib/config.ts';
import type { SetupData } from './lib/mix.ts';
import { summaryHandler } from './lib/summary.ts';
import { iteration } from './lib/workload.ts';

const vus = Number(env('VUS', '100'));

export const options: Options = baseOptions('load', {
  load: ramping([
    { duration: '2m', target: vus },
    { duration: '10m', target: vus },
    { duration: '1m', target: 0 },
  ]),
});

export function setup(): SetupData {
  return setupData();
}

export default function (data: SetupData): void {
  iteration(data);
}

export const handleSummary = summaryHandler('load');
