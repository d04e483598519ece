/**
 * Spike: a quiet baseline, a sudden jump to 5× the load test's VUs for a minute, back to the
 * baseline, and a recovery period that must still meet the gates.
 *   k6 cloud run test/load/k6/spike.ts -e BASE_URL=https://… -e TOKEN=…
 */
import type { Options } from 'k6/options';
import { setupData } from './lib/auth.ts';
import { baseOptions, env, ramping } from './lib/config.ts';
import type { SetupData } from './lib/mix.ts';
import { summaryHandler } from './lib/summary.ts';
import { iteration } from './lib/workload.ts';

const base = Number(env('VUS', '20'));
const peak = Number(env('PEAK_VUS', '500'));

export const options: Options = baseOptions('spike', {
  spike: ramping([
    { duration: '1m', target: base },
    { duration: '10s', target: peak },
    { duration: '1m', target: peak },
    { duration: '10s', target: base },
    { duration: '3m', target: base },
    { duration: '10s', target: 0 },
  ]),
});

export function setup(): SetupData {
  return setupData();
}

export default function (data: SetupData): void {
  iteration(data);
}

export const handleSummary = summaryHandler('spike');
