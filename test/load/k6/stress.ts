/**
 * Stress: ramp in steps toward 1,000 VUs (`-e PEAK_VUS=…`) until a gate breaks; latency and
 * error gates abort the test (abortOnFail, judged after 30 s), so the VU count at the abort is
 * the capacity found.
 *   k6 cloud run test/load/k6/stress.ts -e BASE_URL=https://… -e TOKEN=…
 */
import type { Options } from 'k6/options';
import { setupData } from './lib/auth.ts';
import { baseOptions, env, ramping } from './lib/config.ts';
import type { SetupData } from './lib/mix.ts';
import { summaryHandler } from './lib/summary.ts';
import { iteration } from './lib/workload.ts';

const peak = Number(env('PEAK_VUS', '1000'));
const step = (share: number) => Math.round(peak * share);

export const options: Options = baseOptions(
  'stress',
  {
    stress: ramping([
      { duration: '2m', target: step(0.1) },
      { duration: '3m', target: step(0.25) },
      { duration: '3m', target: step(0.5) },
      { duration: '3m', target: step(0.75) },
      { duration: '3m', target: peak },
      { duration: '5m', target: peak },
      { duration: '1m', target: 0 },
    ]),
  },
  { abortOnFail: true },
);

export function setup(): SetupData {
  return setupData();
}

export default function (data: SetupData): void {
  iteration(data);
}

export const handleSummary = summaryHandler('stress');
