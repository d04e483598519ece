#!/usr/bin/env node
// Where a cached read's time goes (issue #21). Run with the project's Node 22:
//   PATH=node_modules/.bin:$PATH node scripts/bench/hitpath.mjs [--only baseline,v1-ping,...]
//     [--seconds 4] [--rounds 2]          sockets: autocannon, 100 connections
//     [--inproc 4000 [--profile]]         no sockets: the app called 4000 times in the isolate
// A diagnostic, not a bench section. It builds the bundle as the bench does, seeds one small
// tenant, then for each variant (hitpath-variants.mjs) serves a copy of the bundle with one
// piece of the hit path patched out and measures `/health` against the cached list of 50
// invoices (`Accept-Encoding: gzip`): by throughput at 100 connections, alternating, plus
// workerd's CPU per answer from /proc; or (`--inproc`) by workerd's CPU per call of the app
// inside the isolate, with `--profile` a CPU profile over the inspector, self time by source
// module. The machine is shared: compare ratios and CPU per request, never absolute rates
// across runs. Loopback only; every Miniflare is disposed.
import { readFileSync } from 'node:fs';
import { flags } from '../lib/args.mjs';
import { waitProjected } from './commands.mjs';
import { median, round, runLoad } from './load.mjs';
import { cleanupAll, onCleanup, prepare } from './stack.mjs';
import { PATHS, VARIANTS, patchedBundle } from './hitpath-variants.mjs';
import { miniflareOptions, startWorker, tracked } from './worker.mjs';
import { bundleModules, byModule, inspector, summarize, workerdTicks } from './hitpath-profile.mjs';

export const LIST_PATH = '/v1/invoices?expand=customer&limit=50';

const f = flags({
  seconds: { type: 'string', default: '4' },
  rounds: { type: 'string', default: '2' },
  only: { type: 'string', default: Object.keys(VARIANTS).join(',') },
  inproc: { type: 'string', default: '0' },
  profile: { type: 'boolean', default: false },
  verbose: { type: 'boolean', default: false },
});
const inproc = Number(f.inproc);

const seconds = Number(f.seconds);
const rounds = Number(f.rounds);
const log = (m) => console.log(m);

/** A load run plus the CPU it cost: workerd's and this process's (the load generator), µs per answer. */
async function measured(o) {
  const t0 = workerdTicks();
  const c0 = process.cpuUsage();
  const r = await runLoad(o);
  const c = process.cpuUsage(c0);
  const answers = Math.max(1, r.requests);
  return {
    ...r,
    workerdUs: ((workerdTicks() - t0) * 10_000) / answers,
    clientUs: (c.user + c.system) / answers,
  };
}

try {
  const ctx = await prepare({ backend: 'pglite', log });
  const tenant = `hitpath-${Date.now().toString(36)}`;
  const token = await ctx.token(tenant);
  const persist = ctx.tempDir('finance-edge-hitpath-');
  onCleanup(persist.remove, persist.remove);
  const seeder = await ctx.worker({ persistDir: persist.dir, seeder: true });
  await seeder.seed('books', { tenantId: tenant, customers: 20, invoices: 120, payEvery: 4 });
  const caught = await waitProjected(await seeder.ledger(tenant), 30_000);
  await seeder.dispose();
  if (!caught.ok) throw new Error('projection did not catch up');
  const headers = { authorization: `Bearer ${token}`, 'accept-encoding': 'gzip' };
  const rows = [];
  for (const name of f.only.split(',')) {
    const bundle = patchedBundle(ctx.bundle, name, inproc > 0);
    const INSPECTOR_PORT = 9231;
    const w = f.profile
      ? await (async () => {
          const { Miniflare } = await import('miniflare');
          const o = miniflareOptions({
            config: ctx.config,
            bundle,
            vars: ctx.vars,
            persistDir: persist.dir,
          });
          return tracked(new Miniflare({ ...o, inspectorPort: INSPECTOR_PORT }), {
            logs: { counts: {} },
          });
        })()
      : await startWorker({
          config: ctx.config,
          bundle,
          vars: ctx.vars,
          persistDir: persist.dir,
        });
    try {
      const listPath = PATHS[name] ?? LIST_PATH;
      const probe = await fetch(`${w.url}${listPath}`, { headers });
      await probe.arrayBuffer();
      if (probe.status !== 200) throw new Error(`${name}: list answered ${probe.status}`);
      if (inproc) {
        const cost = async (p) => {
          const xs = [];
          for (let i = 0; i < rounds + 1; i++) {
            const t0 = workerdTicks();
            const res = await fetch(`${w.url}/__hitpath?n=${inproc}&p=${encodeURIComponent(p)}`, {
              headers,
            });
            const ok = Number(await res.text());
            if (ok !== inproc)
              throw new Error(`${name}: ${p} answered 200 ${ok} of ${inproc} times`);
            if (i > 0) xs.push(((workerdTicks() - t0) * 10_000) / inproc);
          }
          return round(median(xs), 1);
        };
        if (f.profile) {
          const insp = await inspector(INSPECTOR_PORT, ctx.config.name);
          log(`inspector targets: ${insp.targets.join(', ')}`);
          await insp.send('Profiler.enable');
          await insp.send('Profiler.setSamplingInterval', { interval: 50 });
          for (const p of ['/health', listPath]) {
            await insp.send('Profiler.start');
            const res = await fetch(`${w.url}/__hitpath?n=${inproc}&p=${encodeURIComponent(p)}`, {
              headers,
            });
            await res.text();
            const { profile } = await insp.send('Profiler.stop');
            const sum = summarize(profile);
            log(`\n${p}: ${sum.samples} samples; self time by module:`);
            console.table(byModule(profile, bundleModules(readFileSync(bundle.entry, 'utf8'))));
            if (f.verbose) {
              log('self time by function:');
              console.table(sum.self);
              log('inclusive (async continuations count under the function they resume):');
              console.table(sum.inclusive);
            }
          }
          insp.close();
        }
        const row = {
          variant: name,
          'µs/health': await cost('/health'),
          'µs/list': await cost(listPath),
        };
        row.ratio = round(row['µs/health'] / row['µs/list'], 3);
        rows.push(row);
        log(`${name}: ${JSON.stringify(row)}`);
        continue;
      }
      await runLoad({ url: w.url, connections: 100, seconds: 1, path: '/health' });
      await runLoad({ url: w.url, connections: 100, seconds: 1, path: listPath, headers });
      const ratios = [];
      const rates = { health: [], list: [] };
      const cpu = { health: [], list: [], healthClient: [], listClient: [] };
      for (let i = 0; i < rounds; i++) {
        const h = await measured({ url: w.url, connections: 100, seconds, path: '/health' });
        const l = await measured({
          url: w.url,
          connections: 100,
          seconds,
          path: listPath,
          headers,
        });
        cpu.health.push(h.workerdUs);
        cpu.list.push(l.workerdUs);
        cpu.healthClient.push(h.clientUs);
        cpu.listClient.push(l.clientUs);
        if (l.non2xx || l.errors) log(`  ${name}: list non-2xx ${l.non2xx}, errors ${l.errors}`);
        rates.health.push(h.rps);
        rates.list.push(l.ok2xx / l.seconds);
        ratios.push(l.ok2xx / l.seconds / h.rps);
      }
      const row = {
        variant: name,
        health: round(median(rates.health), 0),
        list: round(median(rates.list), 0),
        ratio: round(median(ratios), 3),
        'workerd µs/health': round(median(cpu.health), 0),
        'workerd µs/list': round(median(cpu.list), 0),
        'client µs/health': round(median(cpu.healthClient), 0),
        'client µs/list': round(median(cpu.listClient), 0),
        warnLogs: w.logs.counts.warn ?? 0,
      };
      rows.push(row);
      log(`${name}: ${JSON.stringify(row)}`);
    } finally {
      await w.dispose();
    }
  }
  console.table(rows);
} finally {
  await cleanupAll();
}
