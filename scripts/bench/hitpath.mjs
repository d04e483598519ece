#!/usr/bin/env node
// Where a cached read's time goes: `node scripts/bench/hitpath.mjs [--seconds 4] [--rounds 2]
// [--only baseline,no-request-log,...]`. A diagnostic, not a bench section: it builds the
// bundle as the bench does, seeds one small tenant, then for each variant serves a copy of
// the bundle with one piece of the hit path patched out (text replacement in the built
// index.js; a pattern that no longer matches stops the run) and measures `/health` and the
// cached list of 50 invoices (`Accept-Encoding: gzip`) at 100 connections, alternating,
// `--rounds` times each. What a piece costs is the change of the list/health ratio when it is
// gone, both measured in the same Miniflare minutes apart: the machine is shared, so compare
// ratios, never absolute rates across variants. Loopback only; every Miniflare is disposed.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { flags } from '../lib/args.mjs';
import { waitProjected } from './commands.mjs';
import { median, round, runLoad } from './load.mjs';
import { cleanupAll, onCleanup, prepare } from './stack.mjs';
import { miniflareOptions, startWorker, tracked } from './worker.mjs';
import { inspector, summarize } from './hitpath-profile.mjs';

export const LIST_PATH = '/v1/invoices?expand=customer&limit=50';

/** `[pattern, replacement]` pairs applied to the bundle's index.js; each must match once. */
const VARIANTS = {
  baseline: [],
  'no-request-log': [['.use(requestLog)', '']],
  'no-request-metrics': [['.use(requestMetrics)', '']],
  'no-edge-guards': [
    ['.use(securityHeaders).use(corsPolicy).use(csrfWhenCookie).use(requestTimeout)', ''],
  ],
  'no-principal-limit': [['    limitPrincipal,\n', '']],
  'no-auth-failure-count': [['    countAuthFailures,\n', '']],
  'no-compress-middleware': [['.use("/v1/*", compressJson)', '']],
  'no-body-guards': [['    limitBody,\n    requireJsonBody\n', '']],
  'no-stream-ticket': [['    authenticateStreamTicket,\n', '']],
  // The HIT answers "{}" with its usual headers: what the body's size costs.
  'tiny-body': [
    [
      'return gzipped ? gzippedResponse(c, gzipped, headers) : c.body(entry.json, 200, headers);',
      'return c.body("{}", 200, headers);',
    ],
  ],
  // A trivial handler behind the whole /v1 chain (auth, limits): what the route itself costs.
  'v1-ping': [
    ['.route("/v1/me", me)', '.get("/v1/ping", (c) => c.json({ ok: true })).route("/v1/me", me)'],
    ['  assertRoutesGuarded(root);\n', ''],
  ],
  // Not a timing: warns once per config parse and per signature check (counted as warn logs).
  'count-slow-paths': [
    [
      'const raw2 = Object.fromEntries(',
      'console.warn("hitpath: config parsed"); const raw2 = Object.fromEntries(',
    ],
    [
      'if (hit && hit.config === config2 && Date.now() < hit.until) return hit.principal;',
      'if (hit && hit.config === config2 && Date.now() < hit.until) return hit.principal; console.warn("hitpath: token verified");',
    ],
  ],
};
/** Variants that measure another path than the list. */
const PATHS = { 'v1-ping': '/v1/ping' };

const f = flags({
  seconds: { type: 'string', default: '4' },
  rounds: { type: 'string', default: '2' },
  only: { type: 'string', default: Object.keys(VARIANTS).join(',') },
  inproc: { type: 'string', default: '0' },
  profile: { type: 'boolean', default: false },
});
const inproc = Number(f.inproc);

/**
 * `--inproc N`: no sockets. The bundle's entry also answers `/__hitpath?p=<path>&n=N` by
 * calling the app N times in a row with the request's headers (in the isolate, no network,
 * no Miniflare entry hop); workerd's CPU for that one request ÷ N is the app's own cost.
 */
const INPROC_ENTRY = [
  'var index_default = {\n  fetch: app.fetch\n};',
  `var index_default = {
  async fetch(req, env, ctx) {
    const u = new URL(req.url);
    if (u.pathname !== "/__hitpath") return app.fetch(req, env, ctx);
    const n = Number(u.searchParams.get("n"));
    const target = new URL(u.searchParams.get("p"), req.url);
    let ok = 0;
    for (let i = 0; i < n; i++) {
      const r = await app.fetch(new Request(target, { headers: req.headers }), env, ctx);
      await r.arrayBuffer();
      if (r.status === 200) ok++;
    }
    return new Response(String(ok));
  }
};`,
];
const seconds = Number(f.seconds);
const rounds = Number(f.rounds);
const log = (m) => console.log(m);

/** CPU ticks (1/100 s) used so far by this process's workerd descendants, from /proc (Linux). */
function workerdTicks() {
  const procs = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const text = readFileSync(`/proc/${name}/stat`, 'utf8');
      const comm = text.slice(text.indexOf('(') + 1, text.lastIndexOf(')'));
      const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
      procs.set(Number(name), { comm, ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) });
    } catch {}
  }
  const mine = new Set([process.pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, p] of procs)
      if (!mine.has(pid) && mine.has(p.ppid)) (mine.add(pid), (grew = true));
  }
  let ticks = 0;
  for (const pid of mine) if (procs.get(pid)?.comm === 'workerd') ticks += procs.get(pid).ticks;
  return ticks;
}

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

function patchedBundle(bundle, name) {
  const dir = mkdtempSync(path.join(tmpdir(), `finance-edge-hitpath-${name}-`));
  onCleanup(
    async () => rmSync(dir, { recursive: true, force: true }),
    () => rmSync(dir, { recursive: true, force: true }),
  );
  cpSync(bundle.dir, dir, { recursive: true });
  const entry = path.join(dir, path.basename(bundle.entry));
  let src = readFileSync(entry, 'utf8');
  for (const [from, to] of [...VARIANTS[name], ...(inproc ? [INPROC_ENTRY] : [])]) {
    const at = src.indexOf(from);
    if (at < 0 || src.indexOf(from, at + 1) >= 0)
      throw new Error(`variant ${name}: pattern ${JSON.stringify(from)} does not match once`);
    src = src.slice(0, at) + to + src.slice(at + from.length);
  }
  writeFileSync(entry, src);
  return { dir, entry };
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
    const bundle = patchedBundle(ctx.bundle, name);
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
            log(`\n${p}: ${sum.samples} samples; self:`);
            console.table(sum.self);
            log('inclusive:');
            console.table(sum.inclusive);
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
