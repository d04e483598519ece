/**
 * Shared by the read-query suites: a realistic book from the in-memory ledger (projected
 * through `projectEvents`), a drizzle client that records every statement, EXPLAIN
 * helpers, and a bulk seeder that writes thousands of consistent rows with a few
 * `insert ... select generate_series` statements.
 */
import { env } from 'cloudflare:workers';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/neon-serverless';
import type { AggregateState, Command } from '../../src/domain/index';
import { getConfig } from '../../src/env';
import type { RecordedEvent } from '../../src/ledger/contract';
import { createDbClient, type Database, type DbClient } from '../../src/read/db';
import * as schema from '../../src/read/schema';
import { withTenant } from '../../src/read/tenant-tx';
import { Ledger } from '../domain/harness';

export const CURSOR_SECRET = 'test-cursor-secret-0123456789abcdef';

/** A client plus a drizzle instance on the same pool that logs every statement it runs. */
export function openClients(): { client: DbClient; db: Database; logged: Database; log: { sql: string; params: unknown[] }[] } {
  const client = createDbClient({ ...getConfig(env), DB_TIMEOUT_MS: 60_000 });
  const log: { sql: string; params: unknown[] }[] = [];
  const logged = drizzle({ client: client.pool, schema, logger: { logQuery: (q, params) => log.push({ sql: q, params }) } });
  return { client, db: client.db, logged, log };
}

/** Wraps the ledger's log as the TenantLedger DO would record it. */
export function record(ledger: Ledger, tenantId: string): RecordedEvent[] {
  const versions = new Map<string, number>();
  return ledger.log.map(({ position, streamId, event }) => {
    const version = (versions.get(streamId) ?? 0) + 1;
    versions.set(streamId, version);
    const at = new Date(Date.parse('2024-06-15T12:00:00.000Z') + position * 1000).toISOString();
    return { ...structuredClone(event), position, streamId, version, tenantId, at, actor: 'user-1', requestId: `req-${position}` } as RecordedEvent;
  });
}

/** The ledger's states of one kind. */
export function statesOf<K extends AggregateState['kind']>(ledger: Ledger, kind: K): Extract<AggregateState, { kind: K }>[] {
  return [...ledger.streams.values()].filter((s): s is Extract<AggregateState, { kind: K }> => s.kind === kind);
}

const day = (offset: number): string => new Date(Date.UTC(2024, 0, 1) + offset * 86_400_000).toISOString().slice(0, 10);

/**
 * A book with every document state: 30 customers (names in mixed case), 3 vendors, ~60
 * invoices over a year in USD and EUR (drafts, issued, partially paid, paid, void),
 * payments by several methods (one split over two invoices, one credit allocated later),
 * manual entries, a reversal, and a three-level account branch under 4100.
 */
export function richLedger(): Ledger {
  const l = new Ledger('2025-03-31T12:00:00.000Z');
  const run = (c: Command) => l.ok(c);
  const names = ['Alpha Industries', 'beta gmbh', 'Gamma LLC', 'alphabet soup', 'Zeta & Sons', 'Ölwerk AG'];
  for (let i = 0; i < 24; i += 1) names.push(`Customer ${String(i).padStart(2, '0')}`);
  const customers = names.map((name, i) =>
    l.ok({ type: 'customer.create', data: { name, email: `billing${i}@${name.split(' ')[0]?.toLowerCase().replace(/[^a-z]/g, '') || 'x'}.test`, ...(i === 0 ? { taxId: 'DE811907980' } : {}) } }, 'customer').id,
  );
  run({ type: 'customer.deactivate', data: { id: customers[2] as string } });
  for (const name of ['Paper Co', 'Office Supplies Ltd', 'Old Vendor']) l.ok({ type: 'vendor.create', data: { name, email: 'ap@vendor.test' } });
  const services = l.account('4100');
  const consulting = l.ok({ type: 'account.create', data: { code: '4110', name: 'Consulting', type: 'revenue', parentId: services } }, 'account').id;
  const workshops = l.ok({ type: 'account.create', data: { code: '4111', name: 'Workshops', type: 'revenue', parentId: consulting } }, 'account').id;
  const memos = ['Website redesign', 'Annual hosting', null, 'Security audit', 'Workshop series'];
  const invoices: string[] = [];
  for (let i = 0; i < 60; i += 1) {
    const customerId = customers[i % 7 === 0 ? 0 : (i * 5) % customers.length] as string;
    const issueDate = day(Math.floor(i / 2) * 11); // pairs share a date: the id tiebreaker matters
    const lines = [
      { description: i % 3 === 0 ? 'Consulting hours' : 'Cloud hosting plan', quantityMilli: 1000 + (i % 4) * 500, unitAmount: 10_000 + i * 137, taxRatePpm: i % 2 === 0 ? 190_000 : 0, revenueAccountId: i % 4 === 0 ? workshops : consulting },
      ...(i % 5 === 0 ? [{ description: `Travel expenses trip ${i}`, quantityMilli: 1000, unitAmount: 2_500 }] : []),
    ];
    const id = l.ok({ type: 'invoice.create', data: { customerId, currency: i % 6 === 5 ? 'EUR' : 'USD', issueDate, dueDate: day(Math.floor(i / 2) * 11 + 30), memo: memos[i % memos.length], lines } }, 'invoice').id;
    invoices.push(id);
    if (i % 10 !== 9) run({ type: 'invoice.issue', data: { id } });
  }
  const inv = (i: number) => l.get(`invoice:${invoices[i]}`, 'invoice');
  const pay = (i: number, share: number, date: string, method: 'card' | 'check' | 'bank_transfer' | 'cash') => {
    const target = inv(i);
    const amount = Math.round(target.total * share);
    run({ type: 'payment.record', data: { customerId: target.customerId, amount, currency: target.currency, date, method, allocations: [{ invoiceId: target.id, amount }] } });
  };
  for (let i = 0; i < 60; i += 1) {
    const s = inv(i);
    if (s.status !== 'issued') continue;
    const issued = Date.parse(s.issueDate) / 86_400_000 - Date.UTC(2024, 0, 1) / 86_400_000;
    if (i % 4 === 0) pay(i, 1, day(issued + 20), i % 8 === 0 ? 'card' : 'bank_transfer');
    else if (i % 4 === 1) pay(i, 0.5, day(issued + 45), 'check');
    else if (i % 13 === 3) run({ type: 'invoice.void', data: { id: s.id, date: day(issued + 3) } });
  }
  // One payment split over two invoices of the same customer and currency, one credit allocated later.
  const open = statesOf(l, 'invoice').filter((s) => s.customerId === customers[0] && s.currency === 'USD' && s.status === 'issued');
  const [o1, o2] = open as [typeof open[number], typeof open[number]];
  run({ type: 'payment.record', data: { customerId: customers[0] as string, amount: 20_000, currency: 'USD', date: '2024-12-20', method: 'cash', reference: 'SPLIT-1', allocations: [{ invoiceId: o1.id, amount: 5_000 }, { invoiceId: o2.id, amount: 7_000 }] } });
  const credit = l.ok({ type: 'payment.record', data: { customerId: customers[0] as string, amount: 9_000, currency: 'USD', date: '2025-01-10', method: 'bank_transfer' } }, 'payment').id;
  run({ type: 'payment.allocate', data: { id: credit, date: '2025-02-01', allocations: [{ invoiceId: o2.id, amount: 4_000 }] } });
  const [cash, equity, rent] = ['1000', '3000', '6100'].map((c) => l.account(c)) as [string, string, string];
  const capital = l.ok({ type: 'journal.post', data: { date: '2024-01-02', currency: 'USD', memo: 'Capital', lines: [{ accountId: cash, debit: 500_000 }, { accountId: equity, credit: 500_000 }] } }, 'journal').id;
  run({ type: 'journal.post', data: { date: '2024-03-01', currency: 'EUR', memo: 'EUR float', lines: [{ accountId: cash, debit: 70_000 }, { accountId: equity, credit: 70_000 }] } });
  for (let m = 1; m <= 12; m += 1) {
    run({ type: 'journal.post', data: { date: `2024-${String(m).padStart(2, '0')}-28`, currency: 'USD', memo: 'Rent', lines: [{ accountId: rent, debit: 12_000 }, { accountId: cash, credit: 12_000 }] } });
  }
  run({ type: 'journal.reverse', data: { id: capital, date: '2024-02-01' } });
  return l;
}

/** Projects a fresh tenant's copy of `ledger`; returns the tenant id. */
export async function projectBook(projectEvents: (db: Database, tenant: string, events: RecordedEvent[]) => Promise<unknown>, db: Database, ledger: Ledger, tenantId: string): Promise<string> {
  await projectEvents(db, tenantId, record(ledger, tenantId));
  return tenantId;
}

/** Plan nodes of an EXPLAIN (FORMAT JSON) result, flattened. */
export interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Loops'?: number;
  'Actual Rows'?: number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  Plans?: PlanNode[];
}

export function planNodes(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(planNodes)];
}

/** EXPLAIN (ANALYZE, FORMAT JSON) of `text` with `params`, as `role` for `tenantId`, rolled back. */
export async function explain(client: DbClient, tenantId: string, text: string, params: unknown[], role = 'finance_app'): Promise<PlanNode> {
  const c = await client.pool.connect();
  try {
    await c.query('begin');
    await c.query("select set_config('app.tenant_id', $1, true), set_config('role', $2, true)", [tenantId, role]);
    const res = await c.query(`explain (analyze, format json) ${text}`, params);
    const plan = (res.rows[0] as { 'QUERY PLAN': [{ Plan: PlanNode }] })['QUERY PLAN'][0].Plan;
    return plan;
  } finally {
    await c.query('rollback').catch(() => {});
    c.release();
  }
}

/** Runs `work` in a tenant transaction of `db`. */
export const inTenant = <T>(db: Database, tenantId: string, work: Parameters<typeof withTenant<T>>[2]) => withTenant(db, tenantId, work);

export { sql };
