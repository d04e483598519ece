// The read-model database for the bench, in its own Node process: PGlite (WebAssembly) and the
// WebSocket bridge do real work while the projection drains, and in the bench process they
// would share one event loop with the load generator and skew its latencies.
// Protocol (IPC): parent sends 'pause' | 'resume' | 'stop'; child sends
// { type: 'ready', wsPort, databaseUrl, backend } or { type: 'error', message }.
import { spawn } from 'node:child_process';
import { startDbStack } from '../lib/db-stack.mjs';
import { runMigrations } from '../lib/migrate.mjs';

const backend = process.argv[2] ?? 'pglite';
let stack = null;
let stopping = false;

async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  await stack?.stop().catch(() => {});
  process.exit(code);
}

process.on('disconnect', () => stop(0)); // the parent went away: never outlive it
process.on('SIGINT', () => {}); // Ctrl-C reaches the whole group; the parent stops us in order
process.on('SIGTERM', () => stop(0));
process.on('message', (msg) => {
  if (msg === 'pause') stack?.bridge.setPaused(true);
  else if (msg === 'resume') stack?.bridge.setPaused(false);
  else if (msg === 'stop') stop(0);
  if (msg === 'pause' || msg === 'resume') process.send?.({ type: 'ack', msg });
  if (msg?.type === 'bulk')
    bulk(msg).then(
      (r) => process.send?.({ type: 'bulk-done', ...r }),
      (err) => process.send?.({ type: 'bulk-done', error: String(err?.message ?? err) }),
    );
});

/**
 * The `reads` section's large tenant: `invoices` invoices (issued / partially paid / paid /
 * draft / void), one journal entry (2 lines) per non-draft invoice, a payment for every 5th,
 * `customers` customers and 3 accounts, inserted straight into the projection tables
 * (src/read/schema.ts) as the superuser — seeding 100k invoices through the ledger would not
 * fit the bench budget. Invoice i goes to customer 1 + (i + ⌊i / customers⌋) mod customers,
 * so each customer gets every status and due dates 100 days apart over the 700 days: with
 * 5,000 customers each has 20 invoices, 8 of them open, spread over the aging buckets, and
 * every customer owes. Paid and partially paid invoices get the payment allocation of their
 * paid amount (up to 44 days after issue), void ones an `invoice_void` entry 20 days after
 * issue (its `voided_on`), so an AR aging as of a past date has payments and voids after it to add back.
 * The journal_lines insert fires the account_month_totals trigger and the invoices insert the
 * ar_open_days / ar_open_months triggers, like the projection's flush.
 * `explain`: statements ({ sql, params }) run after the insert as `finance_app` in a
 * transaction of the tenant under EXPLAIN (ANALYZE, BUFFERS); their plans come back.
 */
async function bulk({ tenant, invoices, customers = 50, explain = [] }) {
  const t = Date.now();
  // PGlite: its own API in this process; a Postgres cluster: psql as the superuser.
  const db = stack.pglite ?? psql(stack.databaseUrl);
  const q = (s) => `'${String(s).replace(/'/g, "''")}'`;
  const T = q(tenant);
  await db.exec(`
    begin;
    select set_config('app.tenant_id', ${T}, true);
    insert into customers (tenant_id, id, name, email, active, version, created_at, updated_at, last_position)
      select ${T}, 'cus_bulk_' || i, 'Bulk Customer ' || lpad(i::text, ${String(customers).length}, '0'), 'c' || i || '@example.com', true, 1, now(), now(), i
      from generate_series(1, ${customers}) i;
    insert into accounts (tenant_id, id, code, name, type, active, version, created_at, updated_at, last_position) values
      (${T}, 'acc_bulk_ar', '1200', 'Accounts receivable', 'asset', true, 1, now(), now(), 1),
      (${T}, 'acc_bulk_rev', '4000', 'Revenue', 'revenue', true, 1, now(), now(), 1),
      (${T}, 'acc_bulk_cash', '1000', 'Cash', 'asset', true, 1, now(), now(), 1);
    insert into invoices (tenant_id, id, customer_id, status, currency, issue_date, due_date, subtotal, tax_total, total, paid_amount, balance_due, journal_id, receivable_account_id, issued_at, voided_on, version, created_at, updated_at, last_position)
      select ${T}, 'inv_bulk_' || lpad(i::text, 7, '0'), 'cus_bulk_' || (1 + (i + i / ${customers}) % ${customers}), s.status, 'USD',
        d, d + 30, 100000 + i % 900, 0, 100000 + i % 900,
        case s.status when 'paid' then 100000 + i % 900 when 'partially_paid' then 50000 else 0 end,
        case s.status when 'issued' then 100000 + i % 900 when 'partially_paid' then 50000 + i % 900 else 0 end,
        case when s.status = 'draft' then null else 'je_bulk_' || i end, 'acc_bulk_ar', case when s.status = 'draft' then null else now() end,
        case when s.status = 'void' then least(d + 20, date '2026-11-20') end,
        2, now(), now(), i
      from generate_series(1, ${invoices}) i,
        lateral (select (date '2026-11-20' - (i % 700))::date as d) dd,
        lateral (select (array['issued','issued','issued','paid','paid','paid','partially_paid','draft','void','paid'])[1 + i % 10] as status) s;
    insert into journal_entries (tenant_id, id, date, currency, source_type, source_id, posted_at, version, created_at, updated_at, last_position)
      select ${T}, journal_id, issue_date, 'USD', 'invoice', id, now(), 1, now(), now(), last_position from invoices where tenant_id = ${T} and journal_id is not null;
    insert into journal_entries (tenant_id, id, date, currency, source_type, source_id, posted_at, version, created_at, updated_at, last_position)
      select ${T}, 'je_bulk_v' || last_position, least(issue_date + 20, date '2026-11-20'), 'USD', 'invoice_void', id, now(), 1, now(), now(), last_position from invoices where tenant_id = ${T} and status = 'void';
    insert into payment_allocations (tenant_id, payment_id, position, seq, invoice_id, amount, date, journal_id, customer_id, currency, due_date, invoice_issue_date)
      select ${T}, 'pay_bulk_a' || last_position, last_position, 1, id, paid_amount, least(issue_date + (last_position % 45)::int, date '2026-11-20'), 'je_bulk_a' || last_position,
        customer_id, currency, due_date, issue_date
      from invoices where tenant_id = ${T} and paid_amount > 0;
    insert into journal_lines (tenant_id, journal_id, line_no, account_id, currency, debit, credit, date)
      select ${T}, journal_id, n, case n when 1 then 'acc_bulk_ar' else 'acc_bulk_rev' end, 'USD', case n when 1 then total else 0 end, case n when 1 then 0 else total end, issue_date
      from invoices, generate_series(1, 2) n where tenant_id = ${T} and journal_id is not null;
    insert into payments (tenant_id, id, customer_id, amount, currency, date, method, journal_id, cash_account_id, unapplied_account_id, allocated_amount, unallocated_amount, version, created_at, updated_at, last_position)
      select ${T}, 'pay_bulk_' || lpad(i::text, 7, '0'), 'cus_bulk_' || (1 + i % ${customers}), 50000, 'USD', (date '2026-11-20' - (i % 700))::date, 'bank_transfer', 'je_bulk_p' || i, 'acc_bulk_cash', 'acc_bulk_ar', 50000, 0, 1, now(), now(), ${invoices} + i
      from generate_series(1, ${Math.floor(invoices / 5)}) i;
    insert into account_balances (tenant_id, account_id, currency, debit_total, credit_total, last_position)
      select ${T}, account_id, currency, sum(debit), sum(credit), ${invoices} from journal_lines where tenant_id = ${T} group by account_id, currency;
    insert into projection_checkpoints (tenant_id, position) values (${T}, ${invoices + Math.floor(invoices / 5)});
    commit;
  `);
  await db.exec('analyze').catch(() => {});
  const ms = Date.now() - t;
  const plans = [];
  for (const e of explain) plans.push(await explainAnalyze(db, tenant, e));
  if (!stack.pglite) return { ms, plans, ...(await db.counts(T)) };
  const counts = (
    await db.query(
      `select (select count(*) from invoices where tenant_id = ${T})::int as invoices, (select count(*) from journal_lines where tenant_id = ${T})::int as "journalLines", (select count(*) from payments where tenant_id = ${T})::int as payments`,
    )
  ).rows[0];
  return { ms, plans, ...counts };
}

/**
 * EXPLAIN (ANALYZE, BUFFERS) of one statement as the application runs it: as `finance_app`
 * in a transaction scoped to `tenant` (row-level security shapes the plan), without parallel
 * workers (src/read/tenant-tx.ts). psql gets the parameters through PREPARE / EXECUTE.
 */
async function explainAnalyze(db, tenant, { sql, params = [] }) {
  const q = (s) => `'${String(s).replace(/'/g, "''")}'`;
  const scope = `begin; select set_config('app.tenant_id', ${q(tenant)}, true), set_config('role', 'finance_app', true), set_config('max_parallel_workers_per_gather', '0', true);`;
  if (stack.pglite) {
    await db.exec(scope);
    try {
      const r = await db.query(`explain (analyze, buffers) ${sql}`, params);
      return r.rows.map((row) => row['QUERY PLAN']).join('\n');
    } finally {
      await db.exec('rollback');
    }
  }
  const args = params.length ? `(${params.map(q).join(', ')})` : '';
  return db.exec(
    `${scope}\nprepare aging_q as ${sql};\nexplain (analyze, buffers) execute aging_q${args};\nrollback;`,
    ['-t', '-A'],
  );
}

try {
  // In memory (dataDir null): every bench run starts from an empty read model.
  stack = await startDbStack({ backend, dataDir: null, wsPort: 0 });
  await runMigrations(stack);
  process.send?.({
    type: 'ready',
    wsPort: stack.wsPort,
    databaseUrl: stack.databaseUrl,
    backend: stack.backend,
  });
} catch (err) {
  process.send?.({ type: 'error', message: String(err?.stack ?? err) });
  await stop(1);
}

/** `exec(sql)` through psql (ON_ERROR_STOP), for the postgres-temp backend. */
function psql(url) {
  const run = (sql, args = []) =>
    new Promise((resolve, reject) => {
      const child = spawn('psql', [url, '-X', '-q', '-v', 'ON_ERROR_STOP=1', ...args, '-f', '-'], {
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      child.once('error', reject);
      child.once('exit', (code) =>
        code === 0 ? resolve(out) : reject(new Error(`psql exited ${code}: ${err.slice(-500)}`)),
      );
      child.stdin.end(sql);
    });
  return {
    exec: (sql, args) => run(sql, args),
    async counts(T) {
      const line = await run(
        `select (select count(*) from invoices where tenant_id = ${T}) || ',' || (select count(*) from journal_lines where tenant_id = ${T}) || ',' || (select count(*) from payments where tenant_id = ${T});`,
        ['-t', '-A'],
      );
      const [invoices, journalLines, payments] = line.trim().split(',').map(Number);
      return { invoices, journalLines, payments };
    },
  };
}
