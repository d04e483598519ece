/**
 * Query plans and timings on bulk data. Seeds one tenant with SCALE invoices (default
 * 3,000; `VITE_QUERIES_SCALE=100000 npx vitest run ... queries-plans` for the bench figure)
 * plus other tenants, ANALYZEs, then runs every list, report and search path: each
 * statement is EXPLAIN ANALYZEd as the application role, and no executed node may be a
 * sequential scan of a big table, and one page of a list may read only a part of one (see
 * `pageBound`). The tenant also has PARTIES more customers and as many
 * vendors, so master data counts as big; a chart of accounts and its balances are small by
 * nature (tens to hundreds of rows) and may be read whole. Timings (whole tenant
 * transaction, as a route would see it) are logged, not asserted.
 */
import { env } from 'cloudflare:workers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLoaders } from '../../src/read/loaders';
import { accountRollup } from '../../src/read/queries/account-rollup';
import { listAccounts } from '../../src/read/queries/accounts';
import { arAging } from '../../src/read/queries/ar-aging';
import { encodeCursor } from '../../src/read/queries/cursor';
import { dashboard } from '../../src/read/queries/dashboard';
import { listInvoices, type InvoiceFilters } from '../../src/read/queries/invoices';
import { listJournalEntries } from '../../src/read/queries/journal-entries';
import type { PageRequest } from '../../src/read/queries/page';
import { listCustomers, listVendors } from '../../src/read/queries/parties';
import { listPayments } from '../../src/read/queries/payments';
import { search } from '../../src/read/queries/search';
import { trialBalance } from '../../src/read/queries/trial-balance';
import type { TenantTx } from '../../src/read/tenant-tx';
import { withTenant } from '../../src/read/tenant-tx';
import { CURSOR_SECRET, explain, openClients, planNodes, type PlanNode } from '../fixtures/queries';
import { seedParties, seedVolume } from '../fixtures/queries-seed';
import { uniqueTenant } from '../fixtures/http';

declare global {
  interface ImportMeta {
    /** Vite replaces `import.meta.env.VITE_*` with the value from the shell at transform time. */
    readonly env: Record<string, string | undefined>;
  }
}

const SCALE = Number(import.meta.env.VITE_QUERIES_SCALE ?? '') || 3_000;
/** Other tenants share the tables, so a tenant is a small part of each (as in production). */
const NOISE = SCALE > 20_000 ? [20_000, 20_000] : [SCALE, SCALE, SCALE, SCALE, SCALE, SCALE];
const RUNS = SCALE > 20_000 ? 25 : 8;
/** Customers and vendors of the tenant beyond its invoices' own customers. */
const PARTIES = Math.max(5_000, Math.floor(SCALE / 10));
/**
 * Parties of each other tenant: together six times the tenant's own (its invoices' customers
 * and PARTIES more), so the tenant is a seventh of each party table.
 */
const NOISE_PARTIES = Math.ceil(
  (6 * (PARTIES + Math.max(10, Math.floor(SCALE / 20)))) / NOISE.length,
);
const BIG = new Set([
  'invoices',
  'invoice_lines',
  'journal_entries',
  'journal_lines',
  'payments',
  'payment_allocations',
  'customers',
  'vendors',
]);

const { client, db, logged, log } = openClients();
afterAll(() => client.close());
const tenant = uniqueTenant('plans');

beforeAll(async () => {
  const started = performance.now();
  await seedVolume(db, tenant, SCALE);
  await seedParties(db, tenant, PARTIES);
  for (const n of NOISE) {
    const other = uniqueTenant('noise');
    await seedVolume(db, other, n);
    await seedParties(db, other, NOISE_PARTIES);
  }
  await client.pool.query('vacuum analyze'); // steady state: statistics and visibility map (index-only scans)
  for (const table of BIG) {
    const { rows } = await client.pool.query(
      `select count(*)::int as n from ${table} where tenant_id = $1`,
      [tenant],
    );
    tenantRows.set(table, (rows[0] as { n: number }).n);
  }
  console.log(
    `[${env.TEST_DB_BACKEND}] seeded ${SCALE} + ${NOISE.join(' + ')} invoices, ${PARTIES} more customers and as many vendors (the others ${NOISE_PARTIES} each), in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
}, 1_800_000);

const page = <F>(
  extra: Partial<PageRequest> & { filters?: F } = {},
): PageRequest & { filters?: F } => ({ tenantId: tenant, cursorSecret: CURSOR_SECRET, ...extra });
/** A cursor into the middle of the invoice list for these filters (what page N would carry). */
const midInvoices = (filters: InvoiceFilters = {}) =>
  encodeCursor(
    { resource: 'invoices', tenantId: tenant, filters: { ...filters }, secret: CURSOR_SECRET },
    ['2024-12-31', 'inv_5000000'],
  );

/** A cursor into the middle of another list (filters as that list normalizes them). */
const midCursor = (resource: string, filters: object, key: [string, string]) =>
  encodeCursor({ resource, tenantId: tenant, filters, secret: CURSOR_SECRET }, key);

type Case = [name: string, run: (tx: TenantTx) => Promise<unknown>];

const CASES: Case[] = [
  ['invoices: first page', (tx) => listInvoices(tx, page())],
  ['invoices: deep page', async (tx) => listInvoices(tx, page({ cursor: await midInvoices() }))],
  ['invoices: status=issued', (tx) => listInvoices(tx, page({ filters: { status: 'issued' } }))],
  [
    'invoices: status=draft,void deep',
    async (tx) =>
      listInvoices(
        tx,
        page({
          filters: { status: ['draft', 'void'] },
          cursor: await encodeCursor(
            {
              resource: 'invoices',
              tenantId: tenant,
              filters: { status: ['draft', 'void'] },
              secret: CURSOR_SECRET,
            },
            ['2024-12-31', 'inv_5000000'],
          ),
        }),
      ),
  ],
  ['invoices: customer', (tx) => listInvoices(tx, page({ filters: { customerId: 'cus_000007' } }))],
  [
    'invoices: customer+status',
    (tx) =>
      listInvoices(tx, page({ filters: { customerId: 'cus_000007', status: ['paid', 'issued'] } })),
  ],
  [
    'invoices: issueDate month',
    (tx) =>
      listInvoices(tx, page({ filters: { issueDate: { from: '2024-09-01', to: '2024-09-30' } } })),
  ],
  [
    'invoices: dueDate month',
    (tx) =>
      listInvoices(tx, page({ filters: { dueDate: { from: '2024-03-01', to: '2024-03-31' } } })),
  ],
  ['invoices: currency=EUR', (tx) => listInvoices(tx, page({ filters: { currency: 'EUR' } }))],
  [
    'invoices: 100 + customers',
    async (tx) => {
      const invoices = await listInvoices(tx, page({ limit: 100 }));
      return createLoaders(tx).customers.loadMany(invoices.data.map((i) => i.customerId));
    },
  ],
  ['payments: first page', (tx) => listPayments(tx, page())],
  ['payments: customer', (tx) => listPayments(tx, page({ filters: { customerId: 'cus_000011' } }))],
  [
    'payments: date month + method',
    (tx) =>
      listPayments(
        tx,
        page({ filters: { date: { from: '2025-02-01', to: '2025-02-28' }, method: 'card' } }),
      ),
  ],
  [
    'payments: date month',
    (tx) => listPayments(tx, page({ filters: { date: { from: '2025-02-01', to: '2025-02-28' } } })),
  ],
  [
    'payments: deep page',
    async (tx) =>
      listPayments(
        tx,
        page({ cursor: await midCursor('payments', {}, ['2024-12-31', 'pay_5000000']) }),
      ),
  ],
  [
    'payments: customer deep page',
    async (tx) =>
      listPayments(
        tx,
        page({
          filters: { customerId: 'cus_000011' },
          cursor: await midCursor('payments', { customerId: 'cus_000011' }, [
            '2024-12-31',
            'pay_5000000',
          ]),
        }),
      ),
  ],
  ['journal: first page', (tx) => listJournalEntries(tx, page())],
  [
    'journal: account=cash',
    (tx) => listJournalEntries(tx, page({ filters: { accountId: 'acc_1100' } })),
  ],
  [
    'journal: account=revenue, month',
    (tx) =>
      listJournalEntries(
        tx,
        page({
          filters: { accountId: 'acc_4200', date: { from: '2025-04-01', to: '2025-04-30' } },
        }),
      ),
  ],
  [
    'journal: source=invoice_void',
    (tx) => listJournalEntries(tx, page({ filters: { sourceType: 'invoice_void' } })),
  ],
  [
    'journal: date month',
    (tx) =>
      listJournalEntries(tx, page({ filters: { date: { from: '2025-04-01', to: '2025-04-30' } } })),
  ],
  [
    'journal: deep page',
    async (tx) =>
      listJournalEntries(
        tx,
        page({ cursor: await midCursor('journal-entries', {}, ['2024-12-31', 'je_inv_5000000']) }),
      ),
  ],
  [
    'invoices: customer deep page',
    async (tx) =>
      listInvoices(
        tx,
        page({
          filters: { customerId: 'cus_000007' },
          cursor: await midInvoices({ customerId: 'cus_000007' }),
        }),
      ),
  ],
  ['accounts: first page', (tx) => listAccounts(tx, page())],
  ['customers: first page', (tx) => listCustomers(tx, page())],
  ['customers: prefix', (tx) => listCustomers(tx, page({ filters: { namePrefix: 'glob' } }))],
  [
    'customers: deep page',
    async (tx) =>
      listCustomers(
        tx,
        page({ cursor: await midCursor('customers', {}, ['hooli 2', 'cus_p0000002']) }),
      ),
  ],
  [
    'customers: prefix deep page',
    async (tx) =>
      listCustomers(
        tx,
        page({
          filters: { namePrefix: 'stark' },
          cursor: await midCursor('customers', { namePrefix: 'stark' }, [
            'stark 3',
            'cus_p0000003',
          ]),
        }),
      ),
  ],
  ['customers: active=false', (tx) => listCustomers(tx, page({ filters: { active: false } }))],
  ['vendors: first page', (tx) => listVendors(tx, page())],
  ['vendors: prefix', (tx) => listVendors(tx, page({ filters: { namePrefix: 'umbrella 4' } }))],
  [
    'vendors: deep page',
    async (tx) =>
      listVendors(
        tx,
        page({ cursor: await midCursor('vendors', {}, ['initech 5', 'ven_0000005']) }),
      ),
  ],
  ['trial balance: recent', (tx) => trialBalance(tx, { tenantId: tenant, asOf: '2025-12-31' })],
  [
    'trial balance: a year back',
    (tx) => trialBalance(tx, { tenantId: tenant, asOf: '2024-12-31' }),
  ],
  ['trial balance: early', (tx) => trialBalance(tx, { tenantId: tenant, asOf: '2024-02-29' })],
  ['ar aging: recent', (tx) => arAging(tx, { tenantId: tenant, asOf: '2025-12-31' })],
  ['ar aging: half a year back', (tx) => arAging(tx, { tenantId: tenant, asOf: '2025-06-30' })],
  [
    'dashboard',
    (tx) =>
      dashboard(tx, { tenantId: tenant, asOf: '2025-12-31', from: '2025-12-01', to: '2025-12-31' }),
  ],
  ['rollup: current', (tx) => accountRollup(tx, { tenantId: tenant })],
  ['rollup: a year back', (tx) => accountRollup(tx, { tenantId: tenant, asOf: '2024-12-31' })],
  ['search: customer name', (tx) => search(tx, { q: 'globex 1' })],
  ['search: vendor name', (tx) => search(tx, { q: 'initech 77', types: ['vendor'] })],
  ['search: invoice words', (tx) => search(tx, { q: 'work package 0042', types: ['invoice'] })],
  ['search: memo + line words', (tx) => search(tx, { q: 'consulting eur', types: ['invoice'] })],
];

/**
 * Sequential scans of big tables that read more than a handful of rows (one that a LIMIT
 * stops after a few rows costs nothing, and the planner may rightly prefer it).
 */
const bigSeqScans = (plan: PlanNode) =>
  planNodes(plan).filter(
    (n) =>
      n['Node Type'] === 'Seq Scan' && BIG.has(n['Relation Name'] ?? '') && rowsRead(n) > 1_000,
  );

/** The rows a node read, kept or thrown away by a filter, over all its loops. */
function rowsRead(n: PlanNode): number {
  return (
    (n['Actual Loops'] ?? 0) *
    ((n['Actual Rows'] ?? 0) +
      (n['Rows Removed by Filter'] ?? 0) +
      (n['Rows Removed by Index Recheck'] ?? 0))
  );
}

/** Nodes that read table rows (an index scan's rows are read from its table, or its index alone). */
const ROW_READERS = new Set(['Seq Scan', 'Index Scan', 'Index Only Scan', 'Bitmap Heap Scan']);

/** Per big table, the rows a statement read (`rowsRead` of its scans). */
function bigRowsRead(plan: PlanNode): Map<string, number> {
  const read = new Map<string, number>();
  for (const n of planNodes(plan)) {
    const table = n['Relation Name'] ?? '';
    if (!ROW_READERS.has(n['Node Type']) || !BIG.has(table)) continue;
    read.set(table, (read.get(table) ?? 0) + rowsRead(n));
  }
  return read;
}

/** The cases that are one page of a list, not a report or a search. */
const PAGES = /^(invoices|payments|journal|accounts|customers|vendors):/;
/** The tenant's rows per big table (counted after seeding). */
const tenantRows = new Map<string, number>();
/**
 * A page may read at most a fifth of the tenant's rows of a table (or 1,000 rows): enough for
 * a filter whose matches must all be read and sorted (a due-date month in issue-date order),
 * far from reading the tenant whole through an index that does not fit the order.
 */
const pageBound = (table: string) => Math.max(1_000, Math.floor((tenantRows.get(table) ?? 0) / 5));

const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)] ?? 0;

describe(`query plans and timings at ${SCALE} invoices (${env.TEST_DB_BACKEND})`, () => {
  it('every statement of every list, report and search uses indexes on the big tables; a page reads only a part of them', async () => {
    for (const [name, run] of CASES) {
      log.length = 0;
      await withTenant(logged, tenant, run);
      const statements = log.filter(
        (s) => /^\s*(with|select)/i.test(s.sql) && !/set_config/.test(s.sql),
      );
      expect(statements.length, name).toBeGreaterThan(0);
      for (const s of statements) {
        const plan = await explain(client, tenant, s.sql, s.params);
        expect(bigSeqScans(plan), `${name}: ${s.sql}\n${JSON.stringify(plan, null, 1)}`).toEqual(
          [],
        );
        if (PAGES.test(name)) {
          for (const [table, read] of bigRowsRead(plan))
            expect(read, `${name} reads ${read} rows of ${table}: ${s.sql}`).toBeLessThanOrEqual(
              pageBound(table),
            );
        }
      }
    }
  }, 600_000);

  it('search plans use the GIN indexes (search_documents_query(), as finance_search)', async () => {
    const [{ body = '' } = {}] = (
      await client.pool.query('select search_documents_query() as body')
    ).rows as { body?: string }[];
    for (const q of ['globex 1', 'work package 0042', 'consulting eur']) {
      const [parsed] = (
        await client.pool.query(
          'select search_query($1)::text as query, search_any_term($1)::text as any, querytree(search_query($1)) <> search_query($1)::text as negated',
          [q],
        )
      ).rows as { query: string; any: string | null; negated: boolean }[];
      const plan = await explain(
        client,
        tenant,
        body,
        [
          tenant,
          parsed?.query,
          parsed?.any,
          parsed?.negated,
          ['customer', 'vendor', 'invoice'],
          20,
        ],
        'finance_search',
      );
      expect(bigSeqScans(plan), q).toEqual([]);
      expect(
        planNodes(plan).some((n) => /_search_idx$/.test(n['Index Name'] ?? '')),
        q,
      ).toBe(true);
    }
  });

  it.runIf(env.TEST_TIMINGS === '1')(
    'logs p50/p95 per query path (not asserted; TEST_TIMINGS=1)',
    async () => {
      const lines: string[] = [];
      for (const [name, run] of CASES) {
        await withTenant(db, tenant, run); // warm
        const times: number[] = [];
        for (let i = 0; i < RUNS; i += 1) {
          const started = performance.now();
          await withTenant(db, tenant, run);
          times.push(performance.now() - started);
        }
        lines.push(
          `${name.padEnd(34)} p50 ${percentile(times, 50).toFixed(1).padStart(7)} ms  p95 ${percentile(times, 95).toFixed(1).padStart(7)} ms`,
        );
      }
      console.log(
        `[${env.TEST_DB_BACKEND}] ${SCALE} invoices in the tenant, ${RUNS} runs each (whole tenant transaction):\n${lines.join('\n')}`,
      );
    },
    1_800_000,
  );
});
