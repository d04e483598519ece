/**
 * The projection batches its lookups per drained batch: the rows a batch changes are loaded
 * with one query per table (src/read/projection-store.ts `loadRows`), however many of the
 * batch's events touch them, and its writes are one statement. Counted with a
 * logging drizzle client on the real driver path.
 */
import { env } from 'cloudflare:workers';
import { afterAll, describe, expect, it } from 'vitest';
import { projectEvents } from '../../src/read/projection';
import { newLedger } from '../fixtures/domain/random-ops';
import { openClients, record } from '../fixtures/queries';
import { uniqueTenant } from '../fixtures/http';

const { client, db, logged, log } = openClients();
afterAll(() => client.close());

/** The tables the logged statements read with a plain select (`from "table"` of the outer query). */
function loadsByTable(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const { sql } of log) {
    const table = /^\s*select\b[\s\S]*?\bfrom "(\w+)"/i.exec(sql)?.[1];
    if (table !== undefined) counts.set(table, (counts.get(table) ?? 0) + 1);
  }
  return counts;
}

describe(`projection batching (${env.TEST_DB_BACKEND})`, () => {
  it('a batch of 40 payments on 40 invoices loads the invoices in one query and writes in one statement', async () => {
    const ledger = newLedger();
    const invoices: string[] = [];
    for (let i = 0; i < 40; i += 1) {
      const customerId = i % 2 === 0 ? 'cus_0001' : 'cus_0002';
      const lines = [
        { description: 'Item', quantityMilli: 1000, unitAmount: 1_000 + i, taxRatePpm: 0 },
      ];
      const id = ledger.ok(
        {
          type: 'invoice.create',
          data: {
            customerId,
            currency: 'USD',
            issueDate: '2024-06-01',
            dueDate: '2024-07-01',
            lines,
          },
        },
        'invoice',
      ).id;
      ledger.ok({ type: 'invoice.issue', data: { id } });
      invoices.push(id);
    }
    const tenant = uniqueTenant('batching');
    const before = record(ledger, tenant);
    await projectEvents(db, tenant, before);

    for (const id of invoices) {
      const inv = ledger.get(`invoice:${id}`, 'invoice');
      ledger.ok({
        type: 'payment.record',
        data: {
          customerId: inv.customerId,
          amount: inv.total,
          currency: 'USD',
          date: '2024-06-02',
          method: 'card',
          allocations: [{ invoiceId: id, amount: inv.total }],
        },
      });
    }
    const later = record(ledger, tenant).slice(before.length);
    expect(later.length).toBeGreaterThanOrEqual(80); // a payment and its journal entry, at least, per invoice

    log.length = 0;
    const result = await projectEvents(logged, tenant, later);
    expect(result.applied).toBe(later.length);
    const loads = loadsByTable();
    // The 40 paid invoices are read in one query, not one per payment; nothing else is looked up.
    expect([...loads], log.map((l) => l.sql.slice(0, 80)).join('\n')).toEqual([['invoices', 1]]);
    // The whole batch: begin, the tenant settings, the checkpoint lock, that load, one
    // statement writing every table (a chain of CTEs), commit. It does not grow with the batch.
    expect(log.length, log.map((l) => l.sql.slice(0, 80)).join('\n')).toBeLessThanOrEqual(6);
    const writes = log.filter((l) => /^\s*with\b/i.test(l.sql));
    expect(writes).toHaveLength(1);
    for (const table of [
      'payments',
      'payment_allocations',
      'journal_entries',
      'journal_lines',
      'invoices',
      'projection_checkpoints',
    ])
      expect(writes[0]?.sql, table).toContain(`"${table}"`);
  });
});
