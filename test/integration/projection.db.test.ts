/**
 * The Postgres projection, against the real driver path (Neon Pool -> bridge -> PGlite or
 * PostgreSQL 15). Event sequences come from the in-memory ledger of the domain tests, so the
 * read model is checked against the ledger's own state: documents, amounts, versions and
 * balances; plus redelivery, overlap, gaps, rebuilds and tenant isolation.
 */
import { env } from 'cloudflare:workers';
import fc from 'fast-check';
import { asc, eq, getTableName } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { balanceDue, type AggregateState, type Command } from '../../src/domain/index';
import { getConfig } from '../../src/env';
import type { RecordedEvent } from '../../src/ledger/contract';
import { createDbClient, type Database, type DbClient } from '../../src/read/db';
import { ProjectionGapError, ProjectionIntegrityError, projectEvents, READ_MODEL_TABLES, rebuildTenant } from '../../src/read/projection';
import * as t from '../../src/read/schema';
import { Ledger } from '../domain/harness';
import { newLedger, ops } from '../domain/random-ops';
import { uniqueTenant } from '../helpers';

let client: DbClient;
let db: Database;
beforeAll(() => {
  client = createDbClient({ ...getConfig(env), DB_TIMEOUT_MS: 20_000 });
  db = client.db;
});
afterAll(async () => client.close());

const T0 = Date.parse('2024-06-15T12:00:00.000Z');

/** Wraps the ledger's log as the TenantLedger DO would record it. */
function record(ledger: Ledger, tenantId: string): RecordedEvent[] {
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
function expectedModel(ledger: Ledger) {
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
async function actualModel(tenantId: string) {
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
async function dump(tenantId: string): Promise<Record<string, unknown[]>> {
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
async function expectBalanced(tenantId: string): Promise<void> {
  const sums = async (table: string, debit: string, credit: string) =>
    (await client.pool.query(`select currency, sum(${debit})::text d, sum(${credit})::text c from ${table} where tenant_id = $1 group by currency order by currency`, [tenantId])).rows;
  const balances = await sums('account_balances', 'debit_total', 'credit_total');
  for (const row of balances) expect(row.d, row.currency).toBe(row.c);
  expect(await sums('journal_lines', 'debit', 'credit')).toEqual(balances);
}

async function projectInChunks(tenantId: string, events: RecordedEvent[], sizes: readonly number[], overlap = 0): Promise<number> {
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
function scriptedLedger(): Ledger {
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

describe(`projection into Postgres (${env.TEST_DB_BACKEND})`, () => {
  it('projects a realistic book exactly as the ledger holds it, balanced per currency', async () => {
    const ledger = scriptedLedger();
    const tenant = uniqueTenant();
    const events = record(ledger, tenant);
    expect(await projectEvents(db, tenant, events)).toEqual({ applied: events.length, checkpoint: events.length });
    const model = await actualModel(tenant);
    expect(model).toEqual(expectedModel(ledger));
    expect(model.invoices.map((i) => i.status).sort()).toEqual(['draft', 'issued', 'paid', 'paid', 'partially_paid', 'void', 'void'].sort());
    expect(new Set(model.balances.map((b) => b.currency))).toEqual(new Set(['USD', 'EUR']));
    await expectBalanced(tenant);
  });

  it('treats redelivered and overlapping batches as no-ops for what was applied', async () => {
    const events = record(scriptedLedger(), 'x');
    const [once, again] = [uniqueTenant(), uniqueTenant()];
    await projectEvents(db, once, events.map((e) => ({ ...e, tenantId: once })));
    const mine = events.map((e) => ({ ...e, tenantId: again }));
    expect(await projectEvents(db, again, mine.slice(0, 40))).toEqual({ applied: 40, checkpoint: 40 });
    const before = await dump(again);
    expect(await projectEvents(db, again, mine.slice(0, 40))).toEqual({ applied: 0, checkpoint: 40 });
    expect(await projectEvents(db, again, mine.slice(10, 25).reverse())).toEqual({ applied: 0, checkpoint: 40 });
    expect(await dump(again)).toEqual(before);
    expect(await projectEvents(db, again, mine.slice(30, 70))).toEqual({ applied: 30, checkpoint: 70 });
    // Two deliveries of the rest at once: the checkpoint lock lets exactly one apply it.
    const both = await Promise.all([projectEvents(db, again, mine.slice(60)), projectEvents(db, again, mine.slice(50))]);
    expect(both.map((r) => r.applied).sort((x, y) => x - y)).toEqual([0, mine.length - 70]);
    expect(await dump(again)).toEqual(await dump(once));
  });

  it('updates rows of earlier batches: traded account codes, replaced invoice lines, one event at a time', async () => {
    const ledger = scriptedLedger();
    const tenant = uniqueTenant();
    const events = record(ledger, tenant);
    // Split right before the first re-code and the line replacement, so both hit loaded rows.
    const cuts = [events.findIndex((e) => e.type === 'invoice.updated'), events.findIndex((e) => e.type === 'account.updated')];
    expect(cuts.every((c) => c > 0)).toBe(true);
    await projectEvents(db, tenant, events.slice(0, cuts[0]));
    await projectEvents(db, tenant, events.slice(cuts[0], cuts[1]));
    await projectEvents(db, tenant, events.slice(cuts[1]));
    expect(await actualModel(tenant)).toEqual(expectedModel(ledger));
    const single = uniqueTenant();
    expect(await projectInChunks(single, record(ledger, single), [1])).toBe(events.length);
    expect(await dump(single)).toEqual(await dump(tenant));
  });

  it('refuses a gap or a hole and writes nothing', async () => {
    const tenant = uniqueTenant();
    const events = record(scriptedLedger(), tenant);
    const fresh = await projectEvents(db, tenant, events.slice(1, 10)).catch((e: unknown) => e);
    expect(fresh).toBeInstanceOf(ProjectionGapError);
    expect(fresh).toMatchObject({ tenantId: tenant, checkpoint: 0, expected: 1, received: 2 });
    expect(Object.values(await dump(tenant)).flat()).toEqual([]);

    await projectEvents(db, tenant, events.slice(0, 20));
    const before = await dump(tenant);
    await expect(projectEvents(db, tenant, events.slice(21, 30))).rejects.toMatchObject({ name: 'ProjectionGapError', checkpoint: 20, expected: 21, received: 22 });
    const holed = [...events.slice(15, 24), ...events.slice(25, 30)];
    await expect(projectEvents(db, tenant, holed)).rejects.toMatchObject({ checkpoint: 20, expected: 25, received: 26 });
    expect(await dump(tenant)).toEqual(before);
  });

  it('refuses unknown event types and events of another tenant', async () => {
    const tenant = uniqueTenant();
    const events = record(scriptedLedger(), tenant);
    const bogus = { ...events[0], type: 'account.renamed' } as unknown as RecordedEvent;
    await expect(projectEvents(db, tenant, [bogus])).rejects.toBeInstanceOf(ProjectionIntegrityError);
    const proto = { ...events[0], type: 'constructor' } as unknown as RecordedEvent;
    await expect(projectEvents(db, tenant, [proto])).rejects.toBeInstanceOf(ProjectionIntegrityError);
    await expect(projectEvents(db, tenant, [{ ...events[0], tenantId: 'other' } as RecordedEvent])).rejects.toBeInstanceOf(ProjectionIntegrityError);
    expect((await dump(tenant)).accounts).toEqual([]);
  });

  it('gives the same tables incrementally, in random batch sizes, as a rebuild from position 1', async () => {
    const tenant = uniqueTenant();
    const events = record(scriptedLedger(), tenant);
    const sizes = Array.from({ length: 12 }, () => 1 + Math.floor(Math.random() * 25));
    expect(await projectInChunks(tenant, events, sizes, 3)).toBe(events.length);
    const incremental = await dump(tenant);
    expect(await rebuildTenant(db, tenant, events)).toEqual({ applied: events.length, checkpoint: events.length });
    expect(await dump(tenant)).toEqual(incremental);
  });

  it("never mixes two tenants' rows, even with the same ids", async () => {
    const [one, two] = [uniqueTenant(), uniqueTenant()];
    const first = scriptedLedger();
    const second = newLedger();
    second.ok({ type: 'invoice.create', data: { customerId: 'cus_0001', currency: 'USD', issueDate: '2024-06-01', dueDate: '2024-06-30', lines: [{ description: 'X', quantityMilli: 1000, unitAmount: 77 }] } });
    await projectEvents(db, one, record(first, one));
    await projectEvents(db, two, record(second, two));
    expect(await actualModel(one)).toEqual(expectedModel(first));
    expect(await actualModel(two)).toEqual(expectedModel(second));
    const twoBefore = await dump(two);
    await rebuildTenant(db, one, record(first, one));
    expect(await dump(two)).toEqual(twoBefore);
    expect(await actualModel(one)).toEqual(expectedModel(first));
  });

  it('matches the ledger for random command sequences projected in random overlapping batches', async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(...ops), { minLength: 1, maxLength: 40 }),
        fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 6 }),
        fc.nat(5),
        async (program, sizes, overlap) => {
          const ledger = newLedger();
          for (const op of program) ledger.run(op(ledger));
          const tenant = uniqueTenant('p');
          const events = record(ledger, tenant);
          await projectInChunks(tenant, events, sizes, overlap);
          expect(await actualModel(tenant)).toEqual(expectedModel(ledger));
          await expectBalanced(tenant);
          if (runs++ % 4 === 0) {
            const incremental = await dump(tenant);
            await rebuildTenant(db, tenant, events);
            expect(await dump(tenant)).toEqual(incremental);
          }
        },
      ),
      { numRuns: 16 },
    );
  });
});

describe(`projection throughput (${env.TEST_DB_BACKEND}; logged, not asserted)`, () => {
  it('projects a few thousand events in drain-sized batches', async () => {
    const ledger = newLedger();
    const [alpha, beta] = ['cus_0001', 'cus_0002'];
    const open: string[] = [];
    for (let i = 0; i < 700; i += 1) {
      const customerId = i % 2 === 0 ? alpha : beta;
      const lines = [{ description: 'Item', quantityMilli: 1000 + i, unitAmount: 1_000 + i, taxRatePpm: 50_000 }];
      const id = ledger.ok({ type: 'invoice.create', data: { customerId, currency: 'USD', issueDate: '2024-06-01', dueDate: '2024-07-01', lines } }, 'invoice').id;
      ledger.ok({ type: 'invoice.issue', data: { id } });
      open.push(id);
      // Pay an invoice issued a while ago, so batches also update rows from earlier batches.
      const target = i >= 150 ? open[i - 150] : undefined;
      if (target !== undefined) {
        const inv = ledger.get(`invoice:${target}`, 'invoice');
        ledger.ok({ type: 'payment.record', data: { customerId: inv.customerId, amount: inv.total, currency: 'USD', date: '2024-06-02', method: 'card', allocations: [{ invoiceId: target, amount: inv.total }] } });
      }
    }
    for (const batch of [100, 500]) {
      const tenant = uniqueTenant('bench');
      const events = record(ledger, tenant);
      const started = performance.now();
      await projectInChunks(tenant, events, [batch]);
      const seconds = (performance.now() - started) / 1000;
      console.log(`projection throughput [${env.TEST_DB_BACKEND}] batch=${batch}: ${events.length} events in ${seconds.toFixed(2)} s = ${Math.round(events.length / seconds)} events/s`);
      expect(await actualModel(tenant)).toEqual(expectedModel(ledger));
    }
  });
});
