/**
 * The outbox, end to end: commands append events; the ledger's alarm projects them into
 * Postgres; a Postgres outage never blocks a write, and afterwards the read model catches
 * up with nothing lost or applied twice.
 */
import { env } from 'cloudflare:workers';
import { runDurableObjectAlarm } from 'cloudflare:test';
import { afterEach, describe, expect, it } from 'vitest';
import { and, eq, getTableName, sql } from 'drizzle-orm';
import type { Command } from '../../src/domain';
import { getConfig } from '../../src/env';
import type { ExecuteAccepted, ExecuteRequest } from '../../src/ledger/contract';
import { createDbClient } from '../../src/read/db';
import { READ_MODEL_TABLES, rebuildTenant } from '../../src/read/projection';
import { accountBalances, customers, invoices, TOTALS_TABLES } from '../../src/read/schema';
import { cutBridge, restoreBridge, uniqueTenant } from '../fixtures/http';

afterEach(async () => {
  await restoreBridge();
});

function ledgerFor(tenantId: string) {
  return env.TENANT_LEDGER.get(env.TENANT_LEDGER.idFromName(tenantId));
}

async function run(tenantId: string, command: Command): Promise<ExecuteAccepted> {
  const req: ExecuteRequest = {
    tenantId,
    command,
    actor: 'user-1',
    requestId: crypto.randomUUID(),
  };
  const res = await ledgerFor(tenantId).execute(req);
  if (!res.ok) throw new Error(`refused: ${JSON.stringify(res.error)}`);
  return res;
}

/** Runs alarms until the projection has caught up (bounded). */
async function drain(tenantId: string) {
  const stub = ledgerFor(tenantId);
  for (let i = 0; i < 20; i++) {
    const status = await stub.projectionStatus();
    if (status.outboxDepth === 0 && status.projectedPosition === status.position) return status;
    await runDurableObjectAlarm(stub);
  }
  throw new Error(`projection did not catch up: ${JSON.stringify(await stub.projectionStatus())}`);
}

/** Some books: a customer, an issued invoice and a partial payment. */
async function someBooks(tenantId: string, name: string) {
  const cust = await run(tenantId, { type: 'customer.create', data: { name } });
  const customerId = String(cust.resource.id);
  const draft = await run(tenantId, {
    type: 'invoice.create',
    data: {
      customerId,
      currency: 'EUR',
      issueDate: '2026-03-01',
      dueDate: '2026-03-31',
      lines: [
        { description: 'Work', quantityMilli: 2500, unitAmount: 10_000, taxRatePpm: 190_000 },
      ],
    },
  });
  const invoiceId = String(draft.resource.id);
  const issued = await run(tenantId, { type: 'invoice.issue', data: { id: invoiceId } });
  await run(tenantId, {
    type: 'payment.record',
    data: {
      customerId,
      amount: 10_000,
      currency: 'EUR',
      date: '2026-03-05',
      method: 'card',
      allocations: [{ invoiceId, amount: 10_000 }],
    },
  });
  return { customerId, invoiceId, total: Number(issued.resource.total) };
}

async function dump(tenantId: string) {
  const client = createDbClient(getConfig(env));
  try {
    const out: Record<string, unknown[]> = {};
    for (const t of [...READ_MODEL_TABLES, ...TOTALS_TABLES]) {
      const table = getTableName(t);
      const rows = await client.pool.query(
        `SELECT x.* FROM ${table} x WHERE tenant_id = $1 ORDER BY to_jsonb(x)::text`,
        [tenantId],
      );
      out[table] = rows.rows;
    }
    return out;
  } finally {
    await client.close();
  }
}

describe(`outbox → Postgres (${env.TEST_DB_BACKEND})`, () => {
  it('projects accepted commands and keeps debits = credits in the read model', async () => {
    const tenant = uniqueTenant();
    const books = await someBooks(tenant, 'Projected Ltd');
    const status = await drain(tenant);
    expect(status.lastError).toBeNull();

    const client = createDbClient(getConfig(env));
    try {
      const [inv] = await client.db
        .select()
        .from(invoices)
        .where(and(eq(invoices.tenantId, tenant), eq(invoices.id, books.invoiceId)));
      expect(inv).toMatchObject({
        status: 'partially_paid',
        paidAmount: 10_000,
        total: books.total,
        balanceDue: books.total - 10_000,
      });
      const totals = await client.db
        .select({
          currency: accountBalances.currency,
          debit: sql<string>`sum(${accountBalances.debitTotal})`,
          credit: sql<string>`sum(${accountBalances.creditTotal})`,
        })
        .from(accountBalances)
        .where(eq(accountBalances.tenantId, tenant))
        .groupBy(accountBalances.currency);
      expect(totals.length).toBe(1);
      expect(Number(totals[0]?.debit)).toBe(Number(totals[0]?.credit));
      expect(Number(totals[0]?.debit)).toBe(books.total + 10_000);
    } finally {
      await client.close();
    }
  });

  it('keeps accepting writes while Postgres is down, then catches up with nothing lost or doubled', async () => {
    const tenant = uniqueTenant();
    await someBooks(tenant, 'Before Outage');
    await drain(tenant);

    await cutBridge(tenant);
    const during = await someBooks(tenant, 'During Outage');
    const stub = ledgerFor(tenant);
    await runDurableObjectAlarm(stub);
    const stuck = await stub.projectionStatus();
    expect(stuck.outboxDepth).toBeGreaterThan(0);
    expect(stuck.projectedPosition).toBeLessThan(stuck.position);
    expect(stuck.lastError).not.toBeNull();
    // The kind of failure, never the driver's text (it can hold statements and tenant data).
    expect(stuck.lastError).toMatch(/\((connection|timeout)\)$|sqlstate=/);
    expect(stuck.nextAttemptAt).not.toBeNull();
    // The read side learns this from the ledger and marks cached answers STALE.
    expect(await stub.readModelVersion()).toMatchObject({
      version: stuck.projectedPosition,
      failing: true,
    });

    await restoreBridge();
    const caughtUp = await drain(tenant);
    expect(caughtUp.lastError).toBeNull();
    expect(await stub.readModelVersion()).toMatchObject({
      version: caughtUp.position,
      failing: false,
    });

    const incremental = await dump(tenant);
    const client = createDbClient(getConfig(env));
    try {
      const names = await client.db
        .select({ name: customers.name })
        .from(customers)
        .where(eq(customers.tenantId, tenant));
      expect(names.map((n) => n.name).sort()).toEqual(['Before Outage', 'During Outage']);
      const [inv] = await client.db
        .select()
        .from(invoices)
        .where(and(eq(invoices.tenantId, tenant), eq(invoices.id, during.invoiceId)));
      expect(inv?.paidAmount).toBe(10_000);
      // Rebuilding from the log gives exactly what the incremental projection produced.
      const all = await stub.events(0, 500);
      await rebuildTenant(client.db, tenant, all.events);
    } finally {
      await client.close();
    }
    expect(await dump(tenant)).toEqual(incremental);
  });
});
