// `consistency` (issue #21): does a client see its own writes without asking, and how fast?
// On the database of the run (`--db`) and, in a full run with time left, on the other one
// too (started here), so both verdicts come from one run. Per database:
// - the write-then-read probe (consistency-probes.mjs): a write, then at once the list,
//   search or report that must show it, with no X-Min-Position; misses counted of 200 tries.
//   The same on the list with X-Min-Position, and with another principal (another subject,
//   same tenant) reading right after the write: its latency and (informational) its misses;
// - read-after-write: the time from the write's answer to the first list answer that shows
//   it, same client, at 1 connection and with 10 concurrent writer-readers (one subject and
//   customer each), and the write latency for context.
// Every write and read is plain HTTP to 127.0.0.1; counts and waits are bounded.
import {
  call,
  newCustomer,
  newRecord,
  PROBES,
  runProbe,
  summarize,
} from './consistency-probes.mjs';
import { startDb } from './stack.mjs';

export const TARGET = { tries: 200, rawP50Ms: 30, rawP99Ms: 100, writers: 10, raw10P99Ms: 150 };
/** The probes judged on misses without a header: every list, search and report a write touches. */
const MISS_PROBES = ['list', 'search', 'arAging', 'dashboard'];
/** How long a client keeps re-reading for its write (today's bound is about 1 s). */
const UNTIL_SEEN_MS = 3000;

const plans = {
  full: { tries: TARGET.tries, headerTries: 50, otherTries: 100, seenTries: 50, perWriter: 10 },
  quick: { tries: 50, headerTries: 20, otherTries: 30, seenTries: 20, perWriter: 4 },
};

export async function benchConsistency(ctx, { quick, log }) {
  // At the end of a full run with little of the budget left, the quick counts (and saying so).
  const short = !quick && ctx.timeLeftMs() < 120_000;
  const plan = quick || short ? plans.quick : plans.full;
  const out = { plan, runs: {} };
  if (short)
    log(`  ${Math.round(ctx.timeLeftMs() / 1000)} s left of the run's budget: --quick counts`);
  const main = ctx.db.backend;
  out.runs[main] = await onDatabase(ctx, ctx.db, plan, log);
  const other = main === 'pglite' ? 'postgres-temp' : 'pglite';
  // The other database costs about as much again: only in a full run, only with time left.
  if (quick || short) out.skipped = `${other}: not in a --quick run (run with --db ${other})`;
  else if (ctx.timeLeftMs() < 180_000)
    out.skipped = `${other}: skipped, ${Math.round(ctx.timeLeftMs() / 1000)} s left of the run's budget`;
  else {
    log(`  starting ${other} for the same probes…`);
    const db = await startDb(other);
    try {
      out.runs[other] = await onDatabase(ctx, db, plan, log);
    } finally {
      await db.stop();
    }
  }
  if (out.skipped) log(`  ${out.skipped}`);
  out.targets = Object.entries(out.runs).flatMap(([db, r]) => targetsOf(db, r, plan));
  return out;
}

/** Every probe against one database, through a Worker of its own. */
async function onDatabase(ctx, db, plan, log) {
  const w = await ctx.worker({
    vars: { DATABASE_URL: db.databaseUrl, DB_WS_PROXY: `127.0.0.1:${db.wsPort}` },
  });
  const run = Date.now().toString(36);
  const tag = `[${db.backend}]`;
  /** A fresh tenant with one customer; the state a probe carries between its tries. */
  const tenant = async (name, sub = 'bench-a') => {
    const id = `bench-cons-${run}-${name}`;
    const token = await ctx.token(id, ['admin'], sub);
    return { tenant: id, run, token, customerId: await newCustomer(w.url, token) };
  };
  // The page a client has open before it writes: one read first, so every try reads a
  // tenant whose version this isolate already knows (as in a running application).
  const opened = (probe, s, token = s.token) => call(w.url, { path: probe.read(s), token });
  const r = { probes: {} };
  try {
    for (const name of MISS_PROBES) {
      const probe = PROBES[name];
      const s = await tenant(name);
      await opened(probe, s);
      r.probes[name] = summarize(await runProbe(w.url, probe, s, { tries: plan.tries }));
      logProbe(log, `${tag} ${probe.label}, no header`, r.probes[name]);
    }
    {
      const s = await tenant('header');
      await opened(PROBES.list, s);
      r.withHeader = summarize(
        await runProbe(w.url, PROBES.list, s, { tries: plan.headerTries, minPosition: true }),
      );
      logProbe(log, `${tag} invoices list with X-Min-Position`, r.withHeader);
    }
    {
      // Principal B (another subject, same tenant and roles) reads right after A's write.
      const s = await tenant('other');
      const reader = await ctx.token(s.tenant, ['admin'], 'bench-b');
      await opened(PROBES.list, s, reader);
      r.otherPrincipal = summarize(
        await runProbe(w.url, PROBES.list, s, { tries: plan.otherTries, reader }),
      );
      logProbe(log, `${tag} principal B reads the list right after A's write`, r.otherPrincipal);
    }
    {
      const s = await tenant('raw');
      await opened(PROBES.list, s);
      r.raw1 = summarize(
        await runProbe(w.url, PROBES.list, s, { tries: plan.seenTries, untilSeen: UNTIL_SEEN_MS }),
      );
      logProbe(log, `${tag} read-after-write, 1 connection`, r.raw1);
    }
    {
      // 10 writer-readers at once in one tenant: each its own subject and customer.
      const first = await tenant('conc', 'bench-w0');
      const writers = [first];
      for (let k = 1; k < TARGET.writers; k++) {
        const token = await ctx.token(first.tenant, ['admin'], `bench-w${k}`);
        writers.push({ ...first, token, customerId: await newCustomer(w.url, token) });
      }
      const rec = newRecord();
      await Promise.all(writers.map((s) => opened(PROBES.customerList, s)));
      await Promise.all(
        writers.map((s) =>
          runProbe(
            w.url,
            PROBES.customerList,
            s,
            { tries: plan.perWriter, untilSeen: UNTIL_SEEN_MS },
            rec,
          ),
        ),
      );
      r.raw10 = summarize(rec);
      logProbe(log, `${tag} read-after-write, ${TARGET.writers} writer-readers`, r.raw10);
    }
    r.workerLogs = { counts: w.logs.counts, recent: w.logs.recent.slice(-3) };
  } finally {
    await w.dispose();
  }
  return r;
}

function logProbe(log, label, p) {
  const seen = p.seenMs
    ? `; shown after p50 ${p.seenMs.p50} p99 ${p.seenMs.p99} ms (${p.unseen} never within ${UNTIL_SEEN_MS / 1000} s)`
    : '';
  log(
    `  ${label}: ${p.misses} misses, ${p.non200} non-200 of ${p.tries}; read p50 ${p.readMs.p50} p99 ${p.readMs.p99} ms; write p50 ${p.writeMs.p50} p99 ${p.writeMs.p99} ms; X-Cache ${JSON.stringify(p.xcache)}${seen}${p.probeChecked === false ? '; PROBE BROKEN: its last write not seen even with X-Min-Position' : ''}`,
  );
}

/** The verdicts of one database's run (tagged for the issue #21 summary). */
function targetsOf(db, r, plan) {
  const t = (name, value, pass, extra = {}) => ({
    issue: 21,
    name: `[${db}] ${name}`,
    value,
    pass,
    ...extra,
  });
  const of = (p) =>
    `${p.misses} of ${p.tries}${p.non200 ? ` (+${p.non200} non-200)` : ''}${p.probeChecked === false ? '; PROBE BROKEN: its write not seen even with X-Min-Position' : ''}`;
  const valid = (p) => p.probeChecked !== false;
  const shortRun = plan.tries < TARGET.tries ? ` (quick: ${plan.tries} tries)` : '';
  const seenPass = (p, bound, q) => p.unseen === 0 && p.seenMs[q] !== null && p.seenMs[q] < bound;
  return [
    ...MISS_PROBES.map((name) =>
      t(
        `0 misses of ${TARGET.tries} without X-Min-Position: ${PROBES[name].label}${shortRun}`,
        of(r.probes[name]),
        r.probes[name].misses === 0 && r.probes[name].non200 === 0 && valid(r.probes[name]),
      ),
    ),
    t(
      'with X-Min-Position: 0 misses (invoices list)',
      `${of(r.withHeader)}; read p50 ${r.withHeader.readMs.p50} / p99 ${r.withHeader.readMs.p99} ms`,
      r.withHeader.misses === 0 && r.withHeader.non200 === 0,
    ),
    t(
      `another principal's read right after the write is not held back: p50 < ${TARGET.rawP50Ms} ms, p99 < ${TARGET.rawP99Ms} ms`,
      `${r.otherPrincipal.readMs.p50} / ${r.otherPrincipal.readMs.p99} ms`,
      r.otherPrincipal.readMs.p50 < TARGET.rawP50Ms &&
        r.otherPrincipal.readMs.p99 < TARGET.rawP99Ms,
    ),
    t(
      "(informational) another principal's misses right after the write (bound ≤ 1 s)",
      of(r.otherPrincipal),
      null,
      { info: true },
    ),
    t(
      `read-after-write p50 < ${TARGET.rawP50Ms} ms, 1 connection (write answered → list shows it)`,
      `${r.raw1.seenMs.p50} ms (${r.raw1.tries} tries, ${r.raw1.misses} first reads missed, ${r.raw1.unseen} never shown)`,
      seenPass(r.raw1, TARGET.rawP50Ms, 'p50'),
    ),
    t(
      `read-after-write p99 < ${TARGET.rawP99Ms} ms, 1 connection`,
      `${r.raw1.seenMs.p99} ms`,
      seenPass(r.raw1, TARGET.rawP99Ms, 'p99'),
    ),
    t(
      `read-after-write p99 < ${TARGET.raw10P99Ms} ms, ${TARGET.writers} concurrent writer-readers`,
      `${r.raw10.seenMs.p99} ms (${r.raw10.tries} tries, ${r.raw10.misses} first reads missed, ${r.raw10.unseen} never shown)`,
      seenPass(r.raw10, TARGET.raw10P99Ms, 'p99'),
    ),
    t(
      `(context) write p50 / p99, 1 connection; ${TARGET.writers} writer-readers`,
      `${r.raw1.writeMs.p50} / ${r.raw1.writeMs.p99} ms; ${r.raw10.writeMs.p50} / ${r.raw10.writeMs.p99} ms`,
      null,
      { info: true },
    ),
  ];
}
