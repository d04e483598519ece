#!/usr/bin/env node
// npm run bench [-- --quick] [-- --only commands,coldload,projection,reads,stream,consistency]
//               [-- --db pglite|postgres-temp] [-- --storage disk|tmpfs]
// Benchmarks the Worker as built for deploy (wrangler deploy --dry-run) and served by
// Miniflare's own API — not `wrangler dev`, whose Node proxy caps throughput — against an
// in-memory read-model database. Prints tables, writes bench-results/<timestamp>.json and
// bench-results/latest.md. Everything listens on 127.0.0.1 only. See docs/performance.md.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { flags } from './lib/args.mjs';
import { ROOT } from './lib/dev-keys.mjs';
import { benchColdload } from './bench/coldload.mjs';
import { benchCommands } from './bench/commands.mjs';
import { benchConsistency } from './bench/consistency.mjs';
import { benchProjection } from './bench/projection.mjs';
import { benchReads } from './bench/reads.mjs';
import { benchStream } from './bench/stream.mjs';
import { cpuWatch, fsyncProbe } from './bench/noise.mjs';
import { renderMarkdown, renderText } from './bench/report.mjs';
import { BENCH_VARS, cleanupAll, prepare } from './bench/stack.mjs';

const SECTIONS = {
  commands: benchCommands,
  coldload: benchColdload,
  projection: benchProjection,
  reads: benchReads,
  stream: benchStream,
  consistency: benchConsistency,
};

const f = flags({
  quick: { type: 'boolean', default: false },
  only: { type: 'string', default: Object.keys(SECTIONS).join(',') },
  db: { type: 'string', default: 'pglite' },
  storage: { type: 'string', default: 'disk' },
  help: { type: 'boolean', short: 'h', default: false },
});
if (f.help) {
  console.log(
    'npm run bench [-- --quick] [-- --only commands,coldload,projection,reads,stream,consistency] [-- --db pglite|postgres-temp] [-- --storage disk|tmpfs]',
  );
  process.exit(0);
}
const only = f.only
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
const unknown = only.filter((s) => !(s in SECTIONS));
if (unknown.length || !only.length) {
  console.error(
    `--only takes a comma-separated list of: ${Object.keys(SECTIONS).join(', ')} (got "${f.only}")`,
  );
  process.exit(2);
}
if (!['disk', 'tmpfs'].includes(f.storage)) {
  console.error(`--storage must be disk or tmpfs (got "${f.storage}")`);
  process.exit(2);
}
if (!['pglite', 'postgres-temp'].includes(f.db)) {
  console.error(`--db must be pglite or postgres-temp (got "${f.db}")`);
  process.exit(2);
}

const command = [
  'npm run bench',
  ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : []),
].join(' ');
const log = (msg) => console.log(msg);
let interrupted = false;

async function shutdown(code) {
  await cleanupAll();
  process.exit(code);
}
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    if (interrupted) process.exit(130); // a second Ctrl-C: leave now
    interrupted = true;
    console.error(`\n${sig}: stopping Miniflare and the database…`);
    shutdown(130);
  });
}
process.on('unhandledRejection', (err) => {
  console.error(err);
  shutdown(1);
});

const started = new Date();
const results = {
  startedAt: started.toISOString(),
  command,
  quick: f.quick,
  machine: machineInfo(),
  sections: {},
};

let failed = false;
let ctxRef = null;
const overallCpu = cpuWatch();
try {
  log(
    `finance-edge bench${f.quick ? ' (quick)' : ''}: ${only.join(', ')} — ${results.machine.cpus} CPUs, Node ${process.version}, load average ${results.machine.loadAvgBefore.join(' / ')}`,
  );
  if (results.machine.busyWarning) log(`warning: ${results.machine.busyWarning}`);
  const ctx = await prepare({ backend: f.db, storage: f.storage, log });
  // The whole run must stay under 10 min (2 min with --quick): sections that seed or wait
  // check the time left and skip what would not fit, saying so.
  const budgetMs = Number(process.env.BENCH_BUDGET_S ?? 0) * 1000 || (f.quick ? 110_000 : 560_000);
  const deadline = started.getTime() + budgetMs;
  ctx.timeLeftMs = () => deadline - Date.now();
  results.varOverrides = BENCH_VARS;
  try {
    results.machine.fsyncMsBefore = fsyncProbe(ctx.storageRoot);
    log(
      `fsync of a 4 KiB write where the Durable Objects store: p50 ${results.machine.fsyncMsBefore.p50} ms, p90 ${results.machine.fsyncMsBefore.p90} ms`,
    );
  } catch {}
  results.machine.storage =
    f.storage === 'tmpfs'
      ? 'Durable Object storage on tmpfs (/dev/shm)'
      : 'Durable Object storage on disk (OS temp dir)';
  results.machine.database = `${ctx.db.backend} (${ctx.db.backend === 'pglite' ? 'in memory' : 'throwaway cluster'}) behind the WebSocket bridge`;
  results.machine.workerd = ctx.config.compatibility_date
    ? `compatibility date ${ctx.config.compatibility_date}`
    : undefined;
  ctxRef = ctx;
  for (const name of only) {
    const t = Date.now();
    const cpu = cpuWatch();
    log(`\n[${name}]`);
    try {
      results.sections[name] = await SECTIONS[name](ctx, { quick: f.quick, log });
    } catch (err) {
      failed = true;
      console.error(`[${name}] failed: ${err?.stack ?? err}`);
      results.sections[name] = { error: String(err?.message ?? err) };
    }
    results.sections[name].elapsedSeconds = Math.round((Date.now() - t) / 100) / 10;
    results.sections[name].cpu = cpu.stop();
    const c = results.sections[name].cpu;
    if (c)
      log(
        `  CPU during [${name}]: bench ${c.benchPct}%, other processes ${c.othersPct}%, idle ${c.idlePct}%`,
      );
  }
} catch (err) {
  failed = true;
  console.error(`bench failed: ${err?.stack ?? err}`);
  results.error = String(err?.message ?? err);
} finally {
  try {
    if (ctxRef) results.machine.fsyncMsAfter = fsyncProbe(ctxRef.storageRoot);
  } catch {}
  await cleanupAll();
}

results.machine.loadAvgAfter = os.loadavg().map((x) => Math.round(x * 100) / 100);
results.cpu = overallCpu.stop();
if (results.cpu && results.cpu.othersPct > 10) {
  results.machine.busyWarning = `other processes used ${results.cpu.othersPct}% of the machine's CPU during the run (1-min load average ${results.machine.loadAvgBefore[0]} before it): absolute figures are pessimistic; compare the ratios to the /health ceiling`;
}
results.elapsedSeconds = Math.round((Date.now() - started.getTime()) / 100) / 10;
const dir = path.join(ROOT, 'bench-results');
mkdirSync(dir, { recursive: true });
const stamp = started.toISOString().replace(/[:.]/g, '-');
const jsonFile = path.join(dir, `${stamp}.json`);
writeFileSync(jsonFile, `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(path.join(dir, 'latest.md'), renderMarkdown(results));
console.log(`\n${renderText(results)}`);
console.log(
  `\nwrote ${path.relative(ROOT, jsonFile)} and bench-results/latest.md (${results.elapsedSeconds} s)`,
);
process.exit(failed ? 1 : 0);

function machineInfo() {
  const cpus = os.cpus();
  const load = os.loadavg().map((x) => Math.round(x * 100) / 100);
  const parallelism = os.availableParallelism?.() ?? cpus.length;
  let miniflare;
  try {
    miniflare = JSON.parse(
      readFileSync(path.join(ROOT, 'node_modules', 'miniflare', 'package.json'), 'utf8'),
    ).version;
  } catch {}
  return {
    loadAvgBefore: load,
    // Other work on the machine shifts every figure; the ratios to the ceiling shift less.
    busyWarning:
      load[0] > parallelism / 2
        ? `the machine was busy when the bench started (1-min load average ${load[0]} on ${parallelism} CPUs): absolute figures are pessimistic; compare the ratios to the /health ceiling`
        : undefined,
    miniflare,
    cpus: parallelism,
    cpuModel: cpus[0]?.model?.trim(),
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  };
}
