/**
 * `handleSummary` of every script: the whole end-of-test data as JSON (`SUMMARY_JSON`,
 * default `summary-<script>.json`, written by k6 where it runs; k6 cloud keeps its own) and a
 * short text of each threshold's verdict with the figures behind it on stdout.
 */
import { env } from './config.ts';

/** The part of k6's end-of-test data this summary reads. */
export interface SummaryData {
  metrics: Record<
    string,
    { type: string; values: Record<string, number>; thresholds?: Record<string, { ok: boolean }> }
  >;
}

const fmt = (n: number | undefined) =>
  n === undefined ? '-' : Number.isInteger(n) ? String(n) : n.toFixed(n < 1 ? 4 : 2);

/** Shown even without a threshold on them. */
const ALWAYS = new Set(['http_req_duration', 'http_reqs']);

/** A few lines: every metric that has thresholds (and ALWAYS), with its values and verdicts. */
export function textSummary(data: SummaryData): string {
  const lines: string[] = [];
  for (const name of Object.keys(data.metrics).sort()) {
    const m = data.metrics[name];
    if (!m || !(m.thresholds || ALWAYS.has(name))) continue;
    const values = Object.entries(m.values)
      .map(([k, v]) => `${k}=${fmt(v)}`)
      .join(' ');
    lines.push(`${name} (${m.type}): ${values}`);
    for (const [expr, t] of Object.entries(m.thresholds ?? {}))
      lines.push(`  ${t.ok ? 'ok  ' : 'FAIL'} ${expr}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Builds the script's `handleSummary`: JSON file plus text on stdout. */
export function summaryHandler(script: string): (data: SummaryData) => Record<string, string> {
  return (data) => ({
    [env('SUMMARY_JSON', `summary-${script}.json`)]: JSON.stringify(data, null, 2),
    stdout: textSummary(data),
  });
}
