// Tables of the `reads` section (reads.mjs) for report.mjs: the mix against the /health
// ceiling, the open-loop runs, the cached reads, the 1,000-connection runs as #21 restates them
// (report-consistency.mjs) and the 100k-invoice tenant.
import { restatedTables } from './report-consistency.mjs';

/** `[{ caption, head, rows }]` of a reads result. */
export function readsTables(s) {
  const mixRow = (cfg, r) => [
    cfg,
    r.connections,
    r.okRps,
    r.freshRps ?? '–',
    r.kinds.list.okRps,
    r.kinds.report.okRps,
    r.kinds.write.okRps,
    r.latencyMs.p50,
    r.latencyMs.p95,
    r.latencyMs.p99,
    r.non2xx,
    r.errors,
    r.hitRate === null ? '–' : `${Math.round(r.hitRate * 1000) / 10}%`,
    r.xcache?.STALE ?? 0,
  ];
  const rows = [];
  for (const c of [100, 1000]) {
    const h = s.ceiling[c];
    if (h)
      rows.push([
        '/health (ceiling)',
        c,
        h.rps,
        '–',
        '–',
        '–',
        '–',
        h.latencyMs.p50,
        h.latencyMs.p95,
        h.latencyMs.p99,
        h.non2xx,
        h.errors,
        '–',
        '–',
      ]);
  }
  // Issue #21 (hit path): the cached list of 50 invoices with gzip, between two /health runs.
  const cl = s.cachedList;
  if (cl) {
    rows.push(mixRow(`cache on: ${cl.path} (gzip)`, cl.list));
    const a = cl.healthAfter;
    const l = a.latencyMs;
    const dash = ['–', '–', '–', '–'];
    rows.push([
      '/health (after it)',
      100,
      a.rps,
      ...dash,
      l.p50,
      l.p95,
      l.p99,
      a.non2xx,
      a.errors,
      '–',
      '–',
    ]);
  }
  const f = s.floor1000;
  if (f)
    rows.push([
      'no-code Worker (runtime floor)',
      f.connections,
      f.rps,
      '–',
      '–',
      '–',
      '–',
      f.latencyMs.p50,
      f.latencyMs.p95,
      f.latencyMs.p99,
      f.non2xx,
      f.errors,
      '–',
      '–',
    ]);
  for (const [cfg, r] of Object.entries(s.configs)) {
    for (const c of [100, 1000]) if (r.mix[c]) rows.push(mixRow(`${cfg}: mix`, r.mix[c]));
    if (r.listsOnly) rows.push(mixRow(`${cfg}: lists only`, r.listsOnly));
    if (r.readsOnly) rows.push(mixRow(`${cfg}: all reads, no writes`, r.readsOnly));
    if (r.pacedMix)
      rows.push(mixRow(`${cfg}: mix paced at ${r.pacedMix.offeredRps} req/s`, r.pacedMix));
    if (r.invoiceWritesMix) rows.push(mixRow(`${cfg}: mix, invoice writes`, r.invoiceWritesMix));
    if (r.invoiceWritesPaced)
      rows.push(
        mixRow(
          `${cfg}: mix, invoice writes, paced at ${r.invoiceWritesPaced.offeredRps} req/s`,
          r.invoiceWritesPaced,
        ),
      );
  }
  const tables = [
    {
      caption: `${s.seconds} s per run, autocannon closed loop (the paced row: open loop, requests arriving at a constant rate over the same connections, each latency from its due time: paced.mjs), errors include timeouts, requests drawn at random per request; ok/s counts 2xx; computed/s counts the 2xx built from Postgres (MISS, BYPASS) or written, without HIT and STALE; hit rate = X-Cache HIT / read responses (every response's header, via onResponse); STALE = answers marked STALE; seeded ${s.seeding?.customers} customers, ${s.seeding?.invoices} issued invoices, ${s.seeding?.payments} payments through the ledger`,
      head: [
        'run',
        'conn',
        'ok/s',
        'computed/s',
        'lists/s',
        'reports/s',
        'writes/s',
        'p50 ms',
        'p95 ms',
        'p99 ms',
        'non-2xx',
        'errors',
        'hit rate',
        'STALE',
      ],
      rows,
    },
    {
      caption: 'ratios',
      head: ['ratio', 'value'],
      rows: Object.entries(s.ratios ?? {}).map(([k, v]) => [k, v]),
    },
    ...restatedTables(s),
  ];
  if (s.big?.rows) {
    tables.push({
      caption: `${s.big.invoices} invoices (${s.big.journalLines} journal lines, ${s.big.payments} payments) in one tenant, inserted straight into Postgres in ${Math.round(s.big.insertMs / 100) / 10} s; caching off; 1 connection per endpoint`,
      head: ['GET', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'items', 'non-2xx'],
      rows: s.big.rows.map((r) => [
        r.path,
        r.rps,
        r.p50,
        r.p95,
        r.p99,
        r.items,
        r.error ? `not answered (${r.error.slice(0, 60)})` : r.unexpected,
      ]),
    });
  } else if (s.big?.skipped)
    tables.push({ caption: '100k invoices', head: ['SKIPPED'], rows: [[s.big.skipped]] });
  return tables;
}
