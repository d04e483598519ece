/**
 * The projection suites' model of the read side: what Postgres must hold for a ledger
 * (from its in-memory state), the same read back through drizzle, whole-table dumps, the
 * balance check, chunked projection, and a scripted book with every document state.
 */
import { eq, getTableName } from 'drizzle-orm';
import { expect } from 'vitest';
import { balanceDue, type AggregateState, type Command } from '../../src/domain/index';
import type { RecordedEvent } from '../../src/ledger/contract';
import type { Database, DbClient } from '../../src/read/db';
import { projectEvents, READ_MODEL_TABLES } from '../../src/read/projection';
import * as t from '../../src/read/schema';
import { Ledger } from '../domain/harness';

const T0 = Date.parse('2024-06-15T12:00:00.000Z');

/** Wraps the ledger's log as the TenantLedger DO would record it. */
export function record(ledger: Ledger, tenantId: string): RecordedEvent[] {
  const versions = new Map<string, number>();
  return ledger.log.map(({ position, streamId, event }) => {
    const version = (versions.get(streamId) ?? 0) + 1;
    versions.set(streamId, version);
    const envelope = { position, streamId, version, tenantId, at: new Date(T0 + position * 1000).toISOString(), actor: 'user-1', requestId: `req-${position}` };
    return { ...structuredClone(event), ...envelope } as RecordedEvent;
  });
}

const byId = <R extends { id: string }>(rows: R[]): R[] => rows.sort((a, b) => a.id.localeCompare(b.id));
const pick = <R extends object, K extends keyof R>(row: R, keys: readonly K[]): Pick<R, K> =>
  Object.fromEntries(keys.map((k) => [k, row[k]])) as Pick<R, K>;

const ACCOUNT = ['id', 'code', 'name', 'type', 'parentId', 'description', 'active', 'version'] as const;
const PARTY = ['id', 'name', 'email', 'taxId', 'defaultCurrency', 'active', 'version'] as const;
const INVOICE = ['id', 'customerId', 'status', 'currency', 'issueDate', 'dueDate', 'memo', 'subtotal', 'taxTotal', 'total', 'paidAmount', 'balanceDue', 'journalId', 'receivableAccountId', 'voidedOn', 'voidJournalId', 'version'] as const;
const PAYMENT = ['id', 'customerId', 'amount', 'currency', 'date', 'method', 'reference', 'journalId', 'cashAccountId', 'unappliedAccountId', 'allocatedAmount', 'unallocatedAmount', 'version'] as const;
const JOURNAL = ['id', 'date', 'memo', 'currency', 'sourceType', 'sourceId', 'reversalOf', 'reversedBy', 'version'] as const;

/** What the read model must hold for this ledger, derived from its in-memory state. */
export function expectedModel(ledger: Ledger) {
  const versions = new Map<string, number>();
  for (const { streamId } of ledger.log) versions.set(streamId, (versions.get(streamId) ?? 0) + 1);
  const states = [...ledger.streams.entries()].map(([streamId, s]) => ({ ...s, version: versions.get(streamId) ?? 0 }));
  const of = <K extends AggregateState['kind']>(kind: K) => states.filter((s) => s.kind === kind) as (Extract<AggregateState, { kind: K }> & { version: number })[];
  const balances = new Map<string, { accountId: string; currency: string; debitTotal: number; creditTotal: number; balance: number }>();
  for (const line of ledger.eventsOf('journal.posted').flatMap((e) => e.data.lines)) {
    const key = `${line.accountId}/${line.currency}`;
    const b = balances.get(key) ?? { accountId: line.accountId, currency: line.currency, debitTotal: 0, creditTotal: 0, balance: 0 };
    balances.set(key, { ...b, debitTotal: b.debitTotal + line.debit, creditTotal: b.creditTotal + line.credit, balance: b.balance + line.debit - line.credit });
  }
  const settings = of('settings')[0];
  return {
    accounts: byId(of('account').map((s) => pick(s, ACCOUNT))),
    customers: byId(of('customer').map((s) => pick(s, PARTY))),
    vendors: byId(of('vendor').map((s) => pick(s, PARTY))),
    invoices: byId(of('invoice').map((s) => ({ ...pick({ ...s, balanceDue: balanceDue(s) }, INVOICE), lines: s.lines }))),
    payments: byId(of('payment').map((s) => ({ ...pick(s, PAYMENT), allocations: s.allocations }))),
    journals: byId(of('journal').map((s) => ({ ...pick({ ...s, sourceType: s.source.type, sourceId: s.source.id }, JOURNAL), lines: s.lines }))),
    balances: [...balances.values()].sort((a, b) => `${a.accountId}/${a.currency}`.localeCompare(`${b.accountId}/${b.currency}`)),
    settings: settings && { lockDate: settings.lockDate, cashAccountId: settings.accounts.cash, receivableAccountId: settings.accounts.receivable, version: settings.version },
    checkpoint: ledger.log.length,
  };
}

/** The same shape read back from Postgres through drizzle. */
export async function actualModel(db: Database, tenantId: string) {
  const rows = async <T extends (typeof READ_MODEL_TABLES)[number]>(table: T) =>
    (await db.select().from(table as typeof t.accounts).where(eq(table.tenantId, tenantId))) as unknown as T['$inferSelect'][];
  const invoiceLines = await rows(t.invoiceLines);
  const journalLines = await rows(t.journalLines);
  const allocations = (await rows(t.paymentAllocations)).sort((a, b) => a.position - b.position || a.seq - b.seq);
  const [settings] = await rows(t.tenantSettings);
  const [checkpoint] = await db.select().from(t.projectionCheckpoints).where(eq(t.projectionCheckpoints.tenantId, tenantId));
  return {
    accounts: byId((await rows(t.accounts)).map((r) => pick(r, ACCOUNT))),
    customers: byId((await rows(t.customers)).map((r) => pick(r, PARTY))),
    vendors: byId((await rows(t.vendors)).map((r) => pick(r, PARTY))),
    invoices: byId((await rows(t.invoices)).map((r) => ({
      ...pick(r, INVOICE),
      lines: invoiceLines.filter((l) => l.invoiceId === r.id).sort((a, b) => a.lineNo - b.lineNo).map(({ tenantId: _, invoiceId: __, ...l }) => l),
    }))),
    payments: byId((await rows(t.payments)).map((r) => ({
      ...pick(r, PAYMENT),
      allocations: allocations.filter((a) => a.paymentId === r.id).map(({ invoiceId, amount, date, journalId }) => ({ invoiceId, amount, date, journalId })),
    }))),
    journals: byId((await rows(t.journalEntries)).map((r) => ({
      ...pick(r, JOURNAL),
      lines: journalLines.filter((l) => l.journalId === r.id).sort((a, b) => a.lineNo - b.lineNo).map(({ tenantId: _, journalId: __, date: ___, ...l }) => l),
    }))),
    balances: (await rows(t.accountBalances))
      .map(({ accountId, currency, debitTotal, creditTotal, balance }) => ({ accountId, currency, debitTotal, creditTotal, balance }))
      .sort((a, b) => `${a.accountId}/${a.currency}`.localeCompare(`${b.accountId}/${b.currency}`)),
    settings: settings && pick(settings, ['lockDate', 'cashAccountId', 'receivableAccountId', 'version']),
    checkpoint: checkpoint?.position ?? 0,
  };
}

/** Every read-table row of the tenant (tenant id stripped), for model-to-model comparisons. */
export async function dump(client: DbClient, tenantId: string): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const table of [...READ_MODEL_TABLES, ...t.TOTALS_TABLES, t.projectionCheckpoints]) {
    const name = getTableName(table);
    const strip = name === 'projection_checkpoints' ? " - 'updated_at'" : '';
    const res = await client.pool.query(
      `select r from (select to_jsonb(x) - 'tenant_id'${strip} as r from ${name} x where tenant_id = $1) s order by r::text`,
      [tenantId],
    );
    out[name] = res.rows.map((row: { r: unknown }) => row.r);
  }
  return out;
}

/** Σ debit = Σ credit per currency, in balances and in journal lines, and they agree. */
export async function expectBalanced(client: DbClient, tenantId: string): Promise<void> {
  const sums = async (table: string, debit: string, credit: string) =>
    (await client.pool.query(`select currency, sum(${debit})::text d, sum(${credit})::text c from ${table} where tenant_id = $1 group by currency order by currency`, [tenantId])).rows;
  const balances = await sums('account_balances', 'debit_total', 'credit_total');
  for (const row of balances) expect(row.d, row.currency).toBe(row.c);
  expect(await sums('journal_lines', 'debit', 'credit')).toEqual(balances);
}

export async function projectInChunks(db: Database, tenantId: string, events: RecordedEvent[], sizes: readonly number[], overlap = 0): Promise<number> {
  let applied = 0;
  for (let i = 0, k = 0; i < events.length; k += 1) {
    const size = sizes[k % sizes.length] ?? 1;
    const from = Math.max(0, i - overlap);
    applied += (await projectEvents(db, tenantId, events.slice(from, i + size))).applied;
    i += size;
  }
  return applied;
}

/** A realistic book: documents in every state, two currencies, re-coded and re-parented accounts. */
export function scriptedLedger(): Ledger {
  const l = new Ledger();
  const run = (command: Command) => l.ok(command);
  const alpha = l.ok({ type: 'customer.create', data: { name: 'Alpha', email: 'ap@alpha.test' } }, 'customer').id;
  const beta = l.ok({ type: 'customer.create', data: { name: 'Beta', defaultCurrency: 'EUR' } }, 'customer').id;
  const idle = l.ok({ type: 'customer.create', data: { name: 'Idle' } }, 'customer').id;
  run({ type: 'customer.update', data: { id: beta, email: 'pay@beta.test', taxId: 'DE123' } });
  run({ type: 'customer.deactivate', data: { id: idle } });
  const vendor = l.ok({ type: 'vendor.create', data: { name: 'Paper Co' } }, 'vendor').id;
  run({ type: 'vendor.update', data: { id: vendor, email: 'billing@paper.test' } });
  run({ type: 'vendor.deactivate', data: { id: vendor } });
  const line = (unitAmount: number, taxRatePpm = 0, quantityMilli = 1000) => ({ description: 'Work', quantityMilli, unitAmount, taxRatePpm });
  const invoice = (customerId: string, lines: ReturnType<typeof line>[], currency = 'USD') =>
    l.ok({ type: 'invoice.create', data: { customerId, currency, issueDate: '2024-06-01', dueDate: '2024-07-01', lines } }, 'invoice').id;
  const paid = invoice(alpha, [line(10_000, 100_000), line(2_500, 0, 3_000)]);
  const partial = invoice(alpha, [line(1_000), line(2_000), line(3_000)]);
  run({ type: 'invoice.update', data: { id: partial, memo: 'Revised', lines: [line(40_000, 88_750)] } });
  const draftVoid = invoice(alpha, [line(500)]);
  const issuedVoid = invoice(beta, [line(700)]);
  const euro = invoice(beta, [line(9_900, 190_000)], 'EUR');
  invoice(beta, [line(1)]); // stays a draft
  const unpaid = invoice(beta, [line(3_000)]);
  for (const id of [paid, partial, issuedVoid, euro, unpaid]) run({ type: 'invoice.issue', data: { id } });
  run({ type: 'invoice.void', data: { id: draftVoid, date: '2024-06-02' } });
  run({ type: 'invoice.void', data: { id: issuedVoid, date: '2024-06-03' } });
  run({ type: 'payment.record', data: { customerId: alpha, amount: 5_000, currency: 'USD', date: '2024-06-05', method: 'card', allocations: [{ invoiceId: paid, amount: 5_000 }] } });
  const credit = l.ok({ type: 'payment.record', data: { customerId: alpha, amount: 50_000, currency: 'USD', date: '2024-06-06', method: 'bank_transfer', reference: 'TX-9' } }, 'payment').id;
  run({ type: 'payment.allocate', data: { id: credit, date: '2024-06-07', allocations: [{ invoiceId: paid, amount: 13_500 }, { invoiceId: partial, amount: 20_000 }] } });
  run({ type: 'payment.record', data: { customerId: beta, amount: 11_781, currency: 'EUR', date: '2024-06-08', method: 'check', allocations: [{ invoiceId: euro, amount: 11_781 }] } });
  const [cash, equity, rent] = ['1000', '3000', '6100'].map((code) => l.account(code)) as [string, string, string];
  const manual = l.ok({ type: 'journal.post', data: { date: '2024-06-09', currency: 'USD', memo: 'Capital', lines: [{ accountId: cash, debit: 100_000 }, { accountId: equity, credit: 100_000 }] } }, 'journal').id;
  run({ type: 'journal.post', data: { date: '2024-06-09', currency: 'USD', lines: [{ accountId: rent, debit: 1_200 }, { accountId: cash, credit: 1_200, description: 'June rent' }] } });
  run({ type: 'journal.reverse', data: { id: manual, date: '2024-06-10' } });
  // Three accounts trade codes (exercises the unique code index within one batch), get re-parented and deactivated.
  const a = l.ok({ type: 'account.create', data: { code: '7000', name: 'Travel', type: 'expense' } }, 'account').id;
  const b = l.ok({ type: 'account.create', data: { code: '7100', name: 'Meals', type: 'expense', parentId: a } }, 'account').id;
  run({ type: 'account.update', data: { id: a, code: 'TMP' } });
  run({ type: 'account.update', data: { id: b, code: '7000', parentId: null, description: 'Team meals' } });
  run({ type: 'account.update', data: { id: a, code: '7100', name: 'Travel & lodging', parentId: l.account('6000') } });
  run({ type: 'account.deactivate', data: { id: b } });
  run({ type: 'settings.update', data: { lockDate: '2024-05-31' } });
  return l;
}

