// The Analytics Engine queries as code (ops/queries/*.sql) and the SQL API that runs them.
// `npm run metrics` prints one as a table; the rollout controller calls `runNamedQuery` for
// its gates. A query names its dataset by placeholder ({{requests}}, {{ledger}}: the names
// differ per environment) and its window as {{since}}; columns are documented in
// src/telemetry/schema.ts.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './dev-keys.mjs';

export const QUERIES_DIR = path.join(ROOT, 'ops', 'queries');
export const DEFAULT_API_BASE = 'https://api.cloudflare.com/client/v4';
/** How long one SQL API call may take. */
export const QUERY_TIMEOUT_MS = 30_000;

const UNITS = { m: 'MINUTE', h: 'HOUR', d: 'DAY' };

/** The query names (file names without `.sql`). */
export function queryNames() {
  return readdirSync(QUERIES_DIR)
    .filter((f) => f.endsWith('.sql'))
    .map((f) => f.slice(0, -4))
    .sort();
}

/** `1h` → `'1' HOUR` (Analytics Engine's interval syntax); minutes, hours or days, up to 90 days. */
export function sinceInterval(text) {
  const m = /^(\d{1,4})([mhd])$/.exec(String(text).trim());
  const limits = { m: 90 * 24 * 60, h: 90 * 24, d: 90 };
  if (!m || Number(m[1]) < 1 || Number(m[1]) > limits[m[2]])
    throw new Error(`--since must look like 15m, 1h or 7d (up to 90 days), got "${text}"`);
  return `'${Number(m[1])}' ${UNITS[m[2]]}`;
}

/** Dataset names of an environment, as wrangler.toml binds them. */
export function datasetsOf(env) {
  if (!/^[a-z][a-z0-9_]{0,30}$/.test(env))
    throw new Error(`--env must be an environment name such as production, got "${env}"`);
  return { requests: `finance_edge_requests_${env}`, ledger: `finance_edge_ledger_${env}` };
}

/**
 * The SQL of a named query with its placeholders filled.
 * @param {string} name  a file in ops/queries without `.sql`
 * @param {{ env?: string, since?: string }} [opts]
 */
export function loadQuery(name, opts = {}) {
  if (!queryNames().includes(name))
    throw new Error(`unknown query "${name}"; one of: ${queryNames().join(', ')}`);
  // Comment lines document the query in the repository; the API gets the statement only.
  const sql = readFileSync(path.join(QUERIES_DIR, `${name}.sql`), 'utf8')
    .split('\n')
    .filter((l) => !l.trimStart().startsWith('--'))
    .join('\n')
    .trim();
  const datasets = datasetsOf(opts.env ?? 'production');
  const values = {
    requests: datasets.requests,
    ledger: datasets.ledger,
    since: sinceInterval(opts.since ?? '1h'),
  };
  return sql.replaceAll(/\{\{(\w+)\}\}/g, (_, key) => {
    if (!(key in values)) throw new Error(`query "${name}" has an unknown placeholder {{${key}}}`);
    return values[key];
  });
}

/**
 * Runs SQL against the Analytics Engine SQL API; resolves to `{ meta, data, rows }`.
 * @param {string} sql
 * @param {{ accountId: string, apiToken: string, apiBase?: string, timeoutMs?: number }} auth
 */
export async function runSql(sql, auth) {
  if (!auth.accountId || !auth.apiToken)
    throw new Error(
      'CLOUDFLARE_ACCOUNT_ID and CLOUDFLARE_API_TOKEN are required (an API token with Account Analytics: Read)',
    );
  const base = (auth.apiBase ?? DEFAULT_API_BASE).replace(/\/+$/, '');
  const url = `${base}/accounts/${encodeURIComponent(auth.accountId)}/analytics_engine/sql`;
  const res = await fetch(url, {
    method: 'POST',
    headers: { Authorization: `Bearer ${auth.apiToken}`, 'Content-Type': 'text/plain' },
    body: `${sql.trim()}\nFORMAT JSON`,
    signal: AbortSignal.timeout(auth.timeoutMs ?? QUERY_TIMEOUT_MS),
  });
  const text = await res.text();
  if (!res.ok)
    throw new Error(`Analytics Engine SQL API answered ${res.status}: ${text.slice(0, 500)}`);
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(
      `Analytics Engine SQL API answered something other than JSON: ${text.slice(0, 200)}`,
    );
  }
  if (!Array.isArray(body.data) || !Array.isArray(body.meta))
    throw new Error('Analytics Engine SQL API answer lacks meta/data');
  return { meta: body.meta, data: body.data, rows: body.rows ?? body.data.length };
}

/** Settings of the SQL API from the environment (CLOUDFLARE_API_BASE_URL overrides the host, as for wrangler). */
export function authFromEnv(env = process.env) {
  return {
    accountId: env.CLOUDFLARE_ACCOUNT_ID ?? '',
    apiToken: env.CLOUDFLARE_API_TOKEN ?? '',
    apiBase: env.CLOUDFLARE_API_BASE_URL || DEFAULT_API_BASE,
  };
}

/** Loads and runs a named query: the rollout controller's entry point. */
export function runNamedQuery(name, opts = {}, auth = authFromEnv()) {
  return runSql(loadQuery(name, opts), auth);
}

/** A plain-text table of a result (numbers rounded to 4 significant decimals). */
export function formatTable({ meta, data }) {
  const columns = meta.map((m) => m.name);
  const cell = (v) =>
    typeof v === 'number' && !Number.isInteger(v) ? String(Number(v.toFixed(4))) : String(v ?? '');
  const rows = data.map((row) => columns.map((c) => cell(row[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i].length)));
  const line = (cells) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [
    line(columns),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    `(${data.length} row${data.length === 1 ? '' : 's'})`,
  ].join('\n');
}
