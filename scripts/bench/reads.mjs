// `reads`: the read side under a read-heavy mix (80% GET lists/reports, 20% POST
// /v1/customers) at 100 and 1000 connections, with the versioned cache on, off
// (CACHE_ENABLED=false) and with `?expand=` batching off too (READ_BATCHING=off), against
// `/health` in the same run as the ceiling. One tenant's books are seeded through the
// ledger's `execute` RPC (seeder-worker.mjs `books`) and projected before the load. Then a
// second tenant of 100k invoices is inserted straight into Postgres (db-child.mjs `bulk`) and
// each list/report endpoint is timed on it with caching off.
// The mix itself (random draw per request, paced or closed loop): mix.mjs.
// Cache outcome: every response's `X-Cache` header, read in autocannon's per-request
// `onResponse(status, body, context, headers)` hook (no sampling).
import { performance } from 'node:perf_hooks';
import { runLoad } from './load.mjs';
import { logMix, runMix, runPacedMix } from './mix.mjs';
import { LIST, readVariants, seedBooks } from './reads-seed.mjs';
import { onCleanup } from './stack.mjs';
import { bigTenant } from './reads-100k.mjs';
import { readsRatios, readsTargets } from './reads-targets.mjs';
import { runtimeFloor } from './runtime-floor.mjs';

export async function benchReads(ctx, { quick, log }) {
  const seconds = quick ? 3 : 10;
  const warmup = quick ? 1 : 2;
  const runId = Date.now().toString(36);
  const tenant = `bench-reads-${runId}`;
  const token = await ctx.token(tenant);
  // One Durable Object storage for every Worker instance of this section (one at a time): each
  // configuration serves the same seeded ledger; the read model is the shared database.
  const persist = ctx.tempDir('finance-edge-bench-reads-');
  const removePersist = onCleanup(persist.remove, persist.remove);
  const out = { seconds, tenant, configs: {}, ceiling: {} };
  try {
    // 1. Seed the books through the ledger, wait for the projection.
    const { customerIds, seeding } = await seedBooks(ctx, {
      persistDir: persist.dir,
      tenant,
      quick,
      log,
    });
    out.seeding = seeding;
    const reads = readVariants(customerIds[7]);
    const lists = reads.filter((r) => r.kind === LIST);

    // 2. Each configuration: the mix at 100 and 1000; read-only runs at 100 for the ratios.
    const configs = [
      { name: 'cache on', vars: {}, readOnly: true },
      { name: 'cache off', vars: { CACHE_ENABLED: 'false' } },
      { name: 'cache off, batching off', vars: { CACHE_ENABLED: 'false', READ_BATCHING: 'off' } },
    ];
    for (const cfg of configs) {
      const w = await ctx.worker({ persistDir: persist.dir, vars: cfg.vars });
      try {
        const probe = await fetch(`${w.url}${reads[0].path}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        const probeText = await probe.text();
        if (probe.status !== 200)
          throw new Error(
            `GET ${reads[0].path} (${cfg.name}) answered ${probe.status}: ${probeText.slice(0, 300)}`,
          );
        const r = { mix: {} };
        if (cfg === configs[0]) {
          // The ceiling, in the same run, at the same concurrencies.
          for (const connections of [100, 1000]) {
            await runLoad({ url: w.url, connections, seconds: warmup, path: '/health' });
            out.ceiling[connections] = await runLoad({
              url: w.url,
              connections,
              seconds,
              path: '/health',
            });
            const c = out.ceiling[connections];
            log(
              `  /health @${connections}: ${c.rps} req/s p50 ${c.latencyMs.p50} p95 ${c.latencyMs.p95} p99 ${c.latencyMs.p99} ms, non-2xx ${c.non2xx}, errors ${c.errors} (${c.timeouts} timeouts), ${c.answeredConnections} of ${connections} connections answered`,
            );
            if (connections === 100) {
              // The cached list of 50 invoices as a browser or the typed client asks for it
              // (Accept-Encoding: gzip), bracketed by /health runs: its ratio to their mean.
              out.cachedList = await cachedListVsCeiling(w.url, { reads, token, seconds, warmup });
              out.cachedList.healthBefore = out.ceiling[100].rps;
              const cl = out.cachedList;
              log(
                `  cached list of 50 (gzip) @100: ${cl.list.okRps} ok/s p50 ${cl.list.latencyMs.p50} p99 ${cl.list.latencyMs.p99} ms, X-Cache ${JSON.stringify(cl.list.xcache)}; /health after it ${cl.healthAfter.rps} req/s`,
              );
            }
          }
          // The runtime's own floor: a no-code Worker under the same Miniflare, the same load.
          const f = (out.floor1000 = await runtimeFloor({
            compatibilityDate: ctx.config.compatibility_date,
            connections: 1000,
            seconds,
            warmup,
          }));
          log(
            `  no-code Worker @1000: ${f.rps} req/s p99 ${f.latencyMs.p99} ms, errors ${f.errors} (${f.timeouts} timeouts), ${f.answeredConnections} of 1000 connections answered`,
          );
        }
        // Read-only runs first (lists only; all reads), then the mix at 100 and at 1000: a run
        // that leaves requests stuck in the Worker then cannot spoil the ratios' inputs.
        const settle = async () => {
          const t0 = performance.now();
          for (;;) {
            const res = await fetch(`${w.url}${reads[0].path}`, {
              headers: { authorization: `Bearer ${token}` },
              signal: AbortSignal.timeout(5000),
            }).catch(() => null);
            await res?.arrayBuffer().catch(() => {});
            if (res?.status === 200 || performance.now() - t0 > 20_000)
              return Math.round(performance.now() - t0);
            await new Promise((rs) => setTimeout(rs, 200));
          }
        };
        await runMix({
          url: w.url,
          connections: 100,
          seconds: warmup,
          reads: lists,
          token,
          writeShare: 0,
        });
        r.listsOnly = await runMix({
          url: w.url,
          connections: 100,
          seconds,
          reads: lists,
          token,
          writeShare: 0,
        });
        log(
          `  ${cfg.name} lists only @100: ${r.listsOnly.okRps} ok/s p50 ${r.listsOnly.latencyMs.p50} p95 ${r.listsOnly.latencyMs.p95} p99 ${r.listsOnly.latencyMs.p99} ms, status ${JSON.stringify(r.listsOnly.statusCodes)}, X-Cache ${JSON.stringify(r.listsOnly.xcache)}`,
        );
        if (cfg.readOnly) {
          await settle();
          r.readsOnly = await runMix({
            url: w.url,
            connections: 100,
            seconds,
            reads,
            token,
            writeShare: 0,
          });
          log(
            `  ${cfg.name} all reads, no writes @100: ${r.readsOnly.okRps} ok/s p50 ${r.readsOnly.latencyMs.p50} p95 ${r.readsOnly.latencyMs.p95} p99 ${r.readsOnly.latencyMs.p99} ms, status ${JSON.stringify(r.readsOnly.statusCodes)}, X-Cache ${JSON.stringify(r.readsOnly.xcache)}`,
          );
        }
        for (const connections of [100, 1000]) {
          r.settleMs ??= {};
          r.settleMs[connections] = await settle();
          await runMix({ url: w.url, connections, seconds: warmup, reads, token });
          const m = await runMix({ url: w.url, connections, seconds, reads, token });
          r.mix[connections] = m;
          logMix(log, `${cfg.name} mix @${connections}`, m);
          if (cfg.readOnly && connections === 100) {
            // The same mix arriving at a constant rate, half the rate the closed loop reached:
            // latency below saturation, where a closed loop's latency is only connections ÷
            // throughput (Little's law). Open loop (paced.mjs), each latency from its due time.
            const rate = Math.max(1, Math.round(m.rps / 2));
            r.pacedMix = await runPacedMix({
              url: w.url,
              connections,
              seconds,
              reads,
              token,
              rate,
            });
            logMix(
              log,
              `${cfg.name} mix @${connections} paced at ${r.pacedMix.offeredRps} req/s (generator lag p99 ${r.pacedMix.lateMs.p99} ms)`,
              r.pacedMix,
            );
            // The same paced mix with every read sending `X-Consistency: eventual`: the mix reads
            // and writes as one subject, so by default its reads of what it writes wait for its
            // own writes (session consistency, #21); this is what a reader that opts out gets.
            r.pacedEventual = await runPacedMix({
              url: w.url,
              connections,
              seconds,
              reads: reads.map((v) => ({
                ...v,
                headers: { ...v.headers, 'X-Consistency': 'eventual' },
              })),
              token,
              rate,
            });
            logMix(
              log,
              `${cfg.name} mix @${connections} paced at ${rate} req/s, reads with X-Consistency: eventual`,
              r.pacedEventual,
            );
            // The same mix with draft invoices as its writes: each moves the `invoices` read
            // family, which 7 of the 13 read variants read (src/read/families.ts), where a new
            // customer moves 2. How much of the cache's gain depends on what is written.
            const write = {
              path: '/v1/invoices',
              body: JSON.stringify({
                customerId: customerIds[3],
                currency: 'USD',
                issueDate: '2026-11-01',
                dueDate: '2026-12-01',
                lines: [{ description: 'Bench draft', quantity: 1, unitAmount: 10_000 }],
              }),
            };
            await runMix({ url: w.url, connections, seconds: warmup, reads, token, write });
            r.invoiceWritesMix = await runMix({
              url: w.url,
              connections,
              seconds,
              reads,
              token,
              write,
            });
            logMix(log, `${cfg.name} mix with invoice writes @${connections}`, r.invoiceWritesMix);
            r.invoiceWritesPaced = await runPacedMix({
              url: w.url,
              connections,
              seconds,
              reads,
              token,
              write,
              rate,
            });
            logMix(
              log,
              `${cfg.name} mix with invoice writes @${connections} paced at ${rate} req/s`,
              r.invoiceWritesPaced,
            );
          }
        }
        r.workerLogs = { counts: w.logs.counts, recent: w.logs.recent.slice(-3) };
        out.configs[cfg.name] = r;
      } finally {
        await w.dispose();
      }
    }

    // 3. 100k invoices in one tenant, inserted straight into Postgres; caching off.
    out.big = await bigTenant(ctx, { quick, log }).catch((err) => ({
      skipped: `failed: ${String(err?.message ?? err).slice(0, 300)}`,
    }));
  } finally {
    await removePersist();
  }

  out.ratios = readsRatios(out);
  log(`  ratios: ${JSON.stringify(out.ratios)}`);
  out.targets = readsTargets(out);
  return out;
}

/**
 * `GET /v1/invoices?expand=customer&limit=50` with `Accept-Encoding: gzip` at 100 connections
 * (read-only, so every answer after the first is a HIT), then `/health` again: the caller has
 * just measured `/health`, and the ratio is taken to the mean of the two ceiling runs.
 */
async function cachedListVsCeiling(url, { reads, token, seconds, warmup }) {
  const list = [{ ...reads[0], headers: { 'accept-encoding': 'gzip' } }];
  const o = { url, connections: 100, reads: list, token, writeShare: 0 };
  await runMix({ ...o, seconds: warmup });
  const measured = await runMix({ ...o, seconds });
  const healthAfter = await runLoad({ url, connections: 100, seconds, path: '/health' });
  return { path: list[0].path, list: measured, healthAfter };
}
