// The rollout's decisions, as pure functions (no I/O, no clock): the gates compare the canary
// with the stable version over one window of ops/queries/rollout-gate.sql, and a step's
// decision follows from the gates' verdict, the step's bake time and how long it has held.

/** A version's figures from the gate query's rows; zero requests when the version has none. */
export function figuresOf(rows, versionId) {
  const row = rows.find((r) => r.version_id === versionId);
  if (!row) return { requests: 0, errors: 0, errorRatio: 0, p95Ms: 0 };
  const n = (v) => (typeof v === 'number' ? v : Number(v ?? 0));
  const requests = n(row.requests);
  const errors = n(row.errors);
  return {
    requests,
    errors,
    errorRatio: requests > 0 ? errors / requests : 0,
    p95Ms: n(row.p95_ms),
  };
}

const pct = (r) => `${(r * 100).toFixed(2)} %`;

/**
 * The gates' verdict for the canary: `hold` while it has fewer than `minSamples` requests in
 * the window (too few is never a pass), `fail` with the first gate it breaks, else `pass`.
 * Order: samples, absolute error ratio, absolute p95, then relative to stable (only when the
 * stable version has `minSamples` in the same window; otherwise `relative` says it was skipped).
 * @returns {{ verdict: 'pass'|'hold'|'fail', gate: string|null, reason: string, relative: 'applied'|'skipped' }}
 */
export function evaluateGates({ canary, stable, gates, minSamples }) {
  const out = (verdict, gate, reason, relative = 'skipped') => ({
    verdict,
    gate,
    reason,
    relative,
  });
  if (canary.requests < minSamples)
    return out(
      'hold',
      'samples',
      `canary has ${canary.requests} requests in the window, needs ${minSamples}`,
    );
  if (canary.errorRatio > gates.maxErrorRatio)
    return out(
      'fail',
      'error_rate',
      `canary error rate ${pct(canary.errorRatio)} (${canary.errors}/${canary.requests}) is above ${pct(gates.maxErrorRatio)}`,
    );
  if (canary.p95Ms > gates.maxP95Ms)
    return out(
      'fail',
      'p95',
      `canary p95 ${canary.p95Ms.toFixed(1)} ms is above ${gates.maxP95Ms} ms`,
    );
  if (stable.requests < minSamples)
    return out(
      'pass',
      null,
      `canary within ceilings (error rate ${pct(canary.errorRatio)}, p95 ${canary.p95Ms.toFixed(1)} ms); stable has ${stable.requests} requests, too few to compare`,
    );
  const r = gates.relative;
  if (canary.errorRatio > stable.errorRatio + r.errorRatioMargin) {
    return out(
      'fail',
      'relative_error_rate',
      `canary error rate ${pct(canary.errorRatio)} is above stable's ${pct(stable.errorRatio)} + ${pct(r.errorRatioMargin)}`,
      'applied',
    );
  }
  const p95Limit = stable.p95Ms * r.p95Ratio + r.p95SlackMs;
  if (canary.p95Ms > p95Limit) {
    return out(
      'fail',
      'relative_p95',
      `canary p95 ${canary.p95Ms.toFixed(1)} ms is above stable's ${stable.p95Ms.toFixed(1)} ms × ${r.p95Ratio} + ${r.p95SlackMs} ms`,
      'applied',
    );
  }
  return out(
    'pass',
    null,
    `canary error rate ${pct(canary.errorRatio)}, p95 ${canary.p95Ms.toFixed(1)} ms; stable ${pct(stable.errorRatio)}, ${stable.p95Ms.toFixed(1)} ms`,
    'applied',
  );
}

/**
 * What to do at one step after one evaluation: `abort` on a failed gate, or when the step has
 * held for samples longer than its bake time plus `maxHoldSeconds`; `advance` on a pass once
 * the bake time is over; otherwise `hold` (too few samples) or `watch` (passing, still baking).
 * @param {{ verdict: string, gate: string|null }} evaluation
 * @param {{ elapsedSeconds: number, bakeSeconds: number, maxHoldSeconds: number }} step
 */
export function decideStep(evaluation, { elapsedSeconds, bakeSeconds, maxHoldSeconds }) {
  if (evaluation.verdict === 'fail') return { action: 'abort', gate: evaluation.gate };
  if (evaluation.verdict === 'hold') {
    if (elapsedSeconds > bakeSeconds + maxHoldSeconds) return { action: 'abort', gate: 'samples' };
    return { action: 'hold', gate: 'samples' };
  }
  if (elapsedSeconds >= bakeSeconds) return { action: 'advance', gate: null };
  return { action: 'watch', gate: null };
}
