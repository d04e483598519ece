/**
 * How the local tools read a script's scenarios: k6 durations, the stages as a staircase of
 * autocannon steps (scaled, capped), and the runner's few VUs and bounded iterations.
 */
import { describe, expect, it } from 'vitest';
import { seconds, staircase } from '../../scripts/load/stages.mjs';
import { plan } from '../../scripts/load/runner.mjs';

describe('the stage replay', () => {
  it('reads k6 durations and refuses what it cannot', () => {
    expect(seconds('1h')).toBe(3600);
    expect(seconds('1m30s')).toBe(90);
    expect(seconds('500ms')).toBe(0.5);
    expect(() => seconds('10 minutes')).toThrow(/unsupported duration/);
  });

  it('turns a ramp into steps at the VUs reached halfway through each, scaled and capped', () => {
    const steps = staircase(
      [
        { duration: '40s', target: 100 },
        { duration: '20s', target: 100 },
      ],
      { scale: 0.1, maxVus: 60 },
    );
    // 4 s of ramp → 2 steps of 2 s (25 and 75 VUs), 2 s of hold → 1 step at 100, capped at 60.
    expect(steps).toEqual([
      { vus: 25, declaredVus: 25, seconds: 2 },
      { vus: 60, declaredVus: 75, seconds: 2 },
      { vus: 60, declaredVus: 100, seconds: 2 },
    ]);
  });
});

describe('the runner plan', () => {
  it('gives a scenario few VUs and a bounded number of iterations', () => {
    expect(plan({ executor: 'shared-iterations', vus: 2, iterations: 10 }, { maxVus: 2 })).toEqual({
      vus: 2,
      iterations: [5, 5],
      paceMs: 0,
    });
    expect(
      plan({ executor: 'ramping-vus', stages: [{ duration: '1m', target: 1000 }] }, { maxVus: 3 }),
    ).toEqual({ vus: 3, iterations: [2, 2, 2], paceMs: 0 });
    expect(
      plan({ executor: 'per-vu-iterations', vus: 5, iterations: 3 }, { maxVus: 2, iterations: 5 }),
    ).toEqual({ vus: 2, iterations: [3, 2], paceMs: 0 });
    // 10 per second over 2 VUs: each VU one iteration every 200 ms.
    expect(
      plan(
        { executor: 'constant-arrival-rate', rate: 10, timeUnit: '1s', preAllocatedVUs: 20 },
        { maxVus: 2 },
      ).paceMs,
    ).toBe(200);
  });
});
