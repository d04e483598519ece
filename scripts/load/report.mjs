// k6-like end-of-run tables for the local load generator: latency percentiles per kind and
// per route (`name` tag), failure and cache-hit rates, then each threshold's verdict.
import { aggregate } from './metrics.mjs';

const STATS = ['avg', 'min', 'med', 'p(90)', 'p(95)', 'p(99)', 'max'];
const ms = (x) => (Number.isFinite(x) ? `${x.toFixed(1)}ms` : '-');
const pct = (x) => (Number.isFinite(x) ? `${(x * 100).toFixed(2)}%` : '-');
/** A rate over `xs`, or NaN (printed `-`) when nothing was sampled. */
const rateOf = (xs) => (xs.length ? aggregate('rate', xs, 1).rate : NaN);

/** Prints the tables for `store` and the threshold `verdicts`. */
export function printReport({ store, verdicts, seconds, log }) {
  const samples = store.metrics.get('http_req_duration')?.samples ?? [];
  const failed = store.metrics.get('http_req_failed')?.samples ?? [];
  const groups = new Map();
  for (const s of samples) {
    for (const key of [
      s.tags.kind === undefined ? null : `kind:${s.tags.kind}`,
      `name:${s.tags.name}`,
    ]) {
      if (key === null) continue; // setup and warm-up requests carry no kind
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(s.value);
    }
  }
  log(
    `\nhttp_req_duration by tag (${samples.length} requests in ${seconds.toFixed(1)} s, ${(samples.length / seconds).toFixed(0)}/s)`,
  );
  log(`  ${'tag'.padEnd(34)} ${'count'.padStart(7)} ${STATS.map((s) => s.padStart(9)).join(' ')}`);
  for (const [key, xs] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    const v = aggregate('trend', xs, seconds, STATS);
    log(
      `  ${key.padEnd(34)} ${String(xs.length).padStart(7)} ${STATS.map((s) => ms(v[s]).padStart(9)).join(' ')}`,
    );
  }
  const statuses = {};
  for (const s of failed) statuses[s.tags.status] = (statuses[s.tags.status] ?? 0) + 1;
  const failures = pct(rateOf(failed.map((s) => s.value)));
  const hits = pct(rateOf(store.values('cache_hit')));
  const checks = pct(rateOf(store.values('checks')));
  log(
    `http_req_failed ${failures} (status ${JSON.stringify(statuses)}), cache_hit ${hits}, checks ${checks}`,
  );
  const failedChecks = {};
  for (const c of store.metrics.get('checks')?.samples ?? [])
    if (!c.value) failedChecks[c.tags.check] = (failedChecks[c.tags.check] ?? 0) + 1;
  for (const [name, n] of Object.entries(failedChecks)) log(`  failed check: ${name} (${n}x)`);
  if (verdicts.length) log('thresholds:');
  for (const v of verdicts)
    log(
      `  ${v.ok ? 'ok  ' : 'FAIL'} ${v.key} ${v.expr} (${Number.isFinite(v.value) ? Math.round(v.value * 1000) / 1000 : 'no samples'})`,
    );
}
