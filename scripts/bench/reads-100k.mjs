// `reads`, second part: one tenant of 100k invoices inserted straight into the projection
// tables (db-child.mjs `bulk`: seeding that many through the ledger does not fit the bench
// budget), then each list and report endpoint timed with caching off at 1 connection
// (target: p95 ≤ 50 ms). Its 5,000 customers all owe (db-child.mjs `bulk`), so the two AR
// agings are also the "AR aging with 5,000 owing customers" target (`aging`), with the
// EXPLAIN (ANALYZE, BUFFERS) of their statements kept in the results (`plans`).
import { performance } from 'node:perf_hooks';
import { agingStatements } from './aging-sql.mjs';
import { plain, runLoad } from './load.mjs';

/** Invoices in the big tenant (the 100k). */
export const BIG_INVOICES = 100_000;
/** Customers of the big tenant; every one owes (issue #21: AR aging with many owing customers). */
export const BIG_CUSTOMERS = 5_000;
/** The AR aging as of a past date, half a year before the seed's last issue date. */
const AGING_PAST = '2026-06-30';
/** Whole reports (every customer in one answer) and the first page of 100 customers, with every total. */
const AGING_PATHS = ['/v1/reports/ar-aging', `/v1/reports/ar-aging?asOf=${AGING_PAST}`];
export const AGING_PAGE_PATHS = [
  '/v1/reports/ar-aging?limit=100',
  `/v1/reports/ar-aging?asOf=${AGING_PAST}&limit=100`,
];

/** 100k invoices inserted into the projection tables; each endpoint timed with caching off. */
export async function bigTenant(ctx, { quick, log }) {
  const invoices = BIG_INVOICES;
  if (ctx.timeLeftMs && ctx.timeLeftMs() < (quick ? 25_000 : 60_000))
    return { skipped: 'not enough time left in the bench budget' };
  const tenant = `bench-reads-100k-${Date.now().toString(36)}`;
  const t = performance.now();
  const today = new Date().toISOString().slice(0, 10);
  const page = { cursorSecret: 'bench', limit: 100 };
  const explain = [
    ...(await agingStatements(tenant, [today, AGING_PAST])),
    ...(await agingStatements(tenant, [today, AGING_PAST], { page })),
  ];
  const inserted = await ctx.db.bulk({ tenant, invoices, customers: BIG_CUSTOMERS, explain });
  log(
    `  inserted ${inserted.invoices} invoices, ${inserted.journalLines} journal lines, ${inserted.payments} payments for ${tenant} (${BIG_CUSTOMERS} customers) straight into Postgres in ${((performance.now() - t) / 1000).toFixed(1)} s`,
  );
  const plans = explain.map((e, i) => ({
    asOf: e.asOf,
    statement: e.label,
    plan: inserted.plans?.[i] ?? null,
  }));
  for (const p of plans)
    log(
      `  EXPLAIN ANALYZE ar-aging as of ${p.asOf}, ${p.statement}: ${/Execution Time: .*/.exec(p.plan)?.[0]}`,
    );
  const token = await ctx.token(tenant);
  const headers = { authorization: `Bearer ${token}` };
  const paths = [
    '/v1/invoices?limit=100',
    '/v1/invoices?expand=customer&limit=100',
    '/v1/invoices?expand=customer&status=issued&limit=100',
    '/v1/invoices?expand=customer&customerId=cus_bulk_7&limit=100',
    '/v1/invoices?status=partially_paid&dueDateFrom=2026-01-01&dueDateTo=2026-03-31&limit=100',
    '/v1/customers?limit=100',
    '/v1/payments?expand=customer&limit=100',
    '/v1/journal-entries?limit=100',
    ...AGING_PATHS,
    ...AGING_PAGE_PATHS,
    '/v1/reports/trial-balance',
    '/v1/reports/trial-balance?asOf=2026-06-15',
    '/v1/reports/dashboard',
  ];
  const w = await ctx.worker({ vars: { CACHE_ENABLED: 'false' } });
  const rows = [];
  try {
    const seconds = quick ? 1 : 2.5;
    let failures = 0;
    for (const path of paths) {
      if (failures >= 2) {
        rows.push({
          path,
          rps: null,
          p50: null,
          p95: null,
          p99: null,
          unexpected: null,
          items: null,
          error: 'not measured: two endpoints already failed',
        });
        continue;
      }
      // The database may still be draining the connections of the 1000-connection runs: retry for 15 s.
      let probe;
      let text = '';
      for (const t0 = performance.now(); ;) {
        probe = await fetch(`${w.url}${path}`, {
          headers,
          signal: AbortSignal.timeout(10_000),
        }).catch((err) => ({ status: 0, text: async () => String(err) }));
        text = await probe.text();
        if (probe.status === 200 || performance.now() - t0 > 15_000) break;
        await new Promise((rs) => setTimeout(rs, 500));
      }
      if (probe.status !== 200) {
        rows.push({
          path,
          rps: null,
          p50: null,
          p95: null,
          p99: null,
          unexpected: 1,
          items: null,
          error: `${probe.status}: ${text.slice(0, 200)}`,
        });
        log(`  100k: GET ${path}: answered ${probe.status} for 15 s: ${text.slice(0, 200)}`);
        failures++;
        continue;
      }
      const r = await runLoad({ url: w.url, connections: 1, seconds, path, headers });
      rows.push({
        path,
        rps: r.rps,
        p50: r.latencyMs.p50,
        p95: r.latencyMs.p95,
        p99: r.latencyMs.p99,
        unexpected: r.requests - r.ok2xx,
        items: plainCount(text),
      });
      log(
        `  100k: GET ${path}: p50 ${r.latencyMs.p50} p95 ${r.latencyMs.p95} p99 ${r.latencyMs.p99} ms (${r.rps}/s, 1 conn)`,
      );
    }
  } finally {
    await w.dispose();
  }
  const measured = rows.filter((r) => r.p95 !== null);
  const worst = measured.length
    ? measured.reduce((a, b) => (b.p95 > a.p95 ? b : a))
    : { path: 'none measured', p95: null };
  const aging = rows.filter((r) => [...AGING_PATHS, ...AGING_PAGE_PATHS].includes(r.path));
  return {
    tenant,
    customers: BIG_CUSTOMERS,
    aging,
    plans,
    invoices: inserted.invoices,
    journalLines: inserted.journalLines,
    payments: inserted.payments,
    insertMs: inserted.ms,
    rows,
    worst: plain(worst),
  };
}

function plainCount(text) {
  try {
    const b = JSON.parse(text);
    return Array.isArray(b.data) ? b.data.length : null;
  } catch {
    return null;
  }
}
