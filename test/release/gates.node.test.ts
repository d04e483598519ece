/** The rollout's decision logic, table-driven: samples, ceilings, the relative gate, hold/advance/abort, the plan's rules. */
import { describe, expect, it } from 'vitest';
import { decideStep, evaluateGates, figuresOf } from '../../scripts/release/gates.mjs';
import { parsePlan } from '../../scripts/release/plan.mjs';
import { gateRows, quantile } from '../../scripts/release/rehearse/metrics-source.mjs';
import { REQUESTS } from '../../src/telemetry/schema';
import { PLAN } from './helpers';

const gates = PLAN.gates;
const f = (requests: number, errors: number, p95Ms: number) => ({
  requests,
  errors,
  errorRatio: requests ? errors / requests : 0,
  p95Ms,
});

describe('evaluateGates', () => {
  it.each([
    // name, canary, stable, verdict, gate, relative
    [
      'too few canary samples holds, even with perfect figures',
      f(99, 0, 10),
      f(5000, 0, 100),
      'hold',
      'samples',
      'skipped',
    ],
    [
      'too few samples holds even when they all failed',
      f(50, 50, 900),
      f(5000, 0, 100),
      'hold',
      'samples',
      'skipped',
    ],
    [
      'error rate above 1 % fails',
      f(1000, 11, 100),
      f(5000, 0, 100),
      'fail',
      'error_rate',
      'skipped',
    ],
    [
      'error rate of exactly 1 % passes the ceiling',
      f(1000, 10, 100),
      f(5000, 50, 100),
      'pass',
      null,
      'applied',
    ],
    ['p95 above 500 ms fails', f(1000, 0, 501), f(5000, 0, 480), 'fail', 'p95', 'skipped'],
    [
      'p95 of exactly 500 ms passes the ceiling',
      f(1000, 0, 500),
      f(5000, 0, 480),
      'pass',
      null,
      'applied',
    ],
    [
      'error rate above stable + margin fails relatively',
      f(1000, 8, 100),
      f(5000, 10, 100),
      'fail',
      'relative_error_rate',
      'applied',
    ],
    [
      'error rate within stable + margin passes',
      f(1000, 6, 100),
      f(5000, 10, 100),
      'pass',
      null,
      'applied',
    ],
    [
      'p95 above stable × 1.5 + 50 fails relatively',
      f(1000, 0, 201),
      f(5000, 0, 100),
      'fail',
      'relative_p95',
      'applied',
    ],
    ['p95 at stable × 1.5 + 50 passes', f(1000, 0, 200), f(5000, 0, 100), 'pass', null, 'applied'],
    [
      'stable without samples: only the ceilings apply',
      f(1000, 0, 400),
      f(10, 0, 20),
      'pass',
      null,
      'skipped',
    ],
    [
      'ceilings come before the relative gate',
      f(1000, 20, 100),
      f(5000, 30, 100),
      'fail',
      'error_rate',
      'skipped',
    ],
  ])('%s', (_name, canary, stable, verdict, gate, relative) => {
    const r = evaluateGates({ canary, stable, gates, minSamples: 100 });
    expect(r).toMatchObject({ verdict, gate, relative });
    expect(r.reason).toEqual(expect.any(String));
  });

  it('names the figures in a failure', () => {
    expect(
      evaluateGates({ canary: f(1000, 25, 100), stable: f(5000, 0, 100), gates, minSamples: 100 })
        .reason,
    ).toBe('canary error rate 2.50 % (25/1000) is above 1.00 %');
  });
});

describe('decideStep', () => {
  const step = { bakeSeconds: 600, maxHoldSeconds: 300 };
  it.each([
    ['fail aborts at once, even mid-bake', 'fail', 'error_rate', 10, 'abort', 'error_rate'],
    ['pass while baking watches', 'pass', null, 599, 'watch', null],
    ['pass after the bake advances', 'pass', null, 600, 'advance', null],
    ['hold while baking keeps holding', 'hold', 'samples', 100, 'hold', 'samples'],
    ['hold past the bake keeps holding up to maxHold', 'hold', 'samples', 900, 'hold', 'samples'],
    ['hold beyond bake + maxHold aborts on samples', 'hold', 'samples', 901, 'abort', 'samples'],
  ])('%s', (_name, verdict, gate, elapsedSeconds, action, outGate) => {
    expect(decideStep({ verdict, gate }, { ...step, elapsedSeconds })).toEqual({
      action,
      gate: outGate,
    });
  });
});

describe('figuresOf', () => {
  it('reads a version row (numbers or numeric strings) and treats a missing version as zero requests', () => {
    const rows = [{ version_id: 'a', requests: '200', errors: 3, p95_ms: 120.5 }];
    expect(figuresOf(rows, 'a')).toEqual({
      requests: 200,
      errors: 3,
      errorRatio: 0.015,
      p95Ms: 120.5,
    });
    expect(figuresOf(rows, 'b')).toEqual({ requests: 0, errors: 0, errorRatio: 0, p95Ms: 0 });
  });
});

describe('the rehearsal metrics source', () => {
  const point = (version: string, status: number, duration: number, timestamp: number) => {
    const blobs = REQUESTS.blobs.map((b) => (b === 'version_id' ? version : ''));
    const doubles = REQUESTS.doubles.map((d) =>
      d === 'status_code' ? status : d === 'duration_ms' ? duration : 0,
    );
    return { dataset: 'requests', timestamp, indexes: ['t'], blobs, doubles };
  };
  it('computes rollout-gate.sql per version over the window from schema slots', () => {
    const now = 1_000_000;
    const points = [
      point('a', 200, 10, now - 1000),
      point('a', 503, 30, now - 1000),
      point('a', 200, 20, now - 1000),
      point('b', 200, 5, now - 1000),
      point('a', 500, 999, now - 61_000),
    ];
    expect(gateRows(points, now, 60_000)).toEqual([
      { version_id: 'a', requests: 3, errors: 1, error_ratio: 1 / 3, p95_ms: 30 },
      { version_id: 'b', requests: 1, errors: 0, error_ratio: 0, p95_ms: 5 },
    ]);
  });
  it('takes the exact weighted quantile', () => {
    expect(quantile([5, 1, 4, 2, 3, 6, 7, 8, 9, 10], 0.95)).toBe(10);
    expect(quantile([5, 1, 4, 2, 3, 6, 7, 8, 9, 10], 0.5)).toBe(5);
    expect(quantile([], 0.95)).toBe(0);
  });
});

describe('the plan', () => {
  const base = {
    steps: [
      { percent: 10, bakeSeconds: 1, minSamples: 1 },
      { percent: 100, bakeSeconds: 1, minSamples: 1 },
    ],
    window: '5m',
    pollSeconds: 1,
    maxHoldSeconds: 0,
    gates,
  };
  it('accepts ops/rollout-plan.json and a minimal plan', async () => {
    const { loadPlan } = await import('../../scripts/release/plan.mjs');
    expect(loadPlan().steps.map((s) => s.percent)).toEqual([10, 30, 60, 100]);
    expect(loadPlan().gates).toMatchObject({ maxErrorRatio: 0.01, maxP95Ms: 500 });
    expect(parsePlan(base).steps).toHaveLength(2);
  });
  it.each([
    [
      'steps that do not increase',
      {
        ...base,
        steps: [
          { percent: 50, bakeSeconds: 1, minSamples: 1 },
          { percent: 30, bakeSeconds: 1, minSamples: 1 },
          { percent: 100, bakeSeconds: 1, minSamples: 1 },
        ],
      },
      /steps must increase/,
    ],
    [
      'a last step short of 100',
      { ...base, steps: [{ percent: 10, bakeSeconds: 1, minSamples: 1 }] },
      /last step must be 100/,
    ],
    ['a window the query cannot express', { ...base, window: '5 minutes' }, /window/],
    [
      'zero minimum samples',
      { ...base, steps: [{ percent: 100, bakeSeconds: 1, minSamples: 0 }] },
      /minSamples/,
    ],
    ['an unknown key', { ...base, gate: {} }, /gate/],
  ])('refuses %s', (_name, raw, message) => {
    expect(() => parsePlan(raw)).toThrow(message);
  });
});
