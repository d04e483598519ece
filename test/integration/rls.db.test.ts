/**
 * Row-level security in the read model: inside a tenant transaction the application sees
 * and writes only that tenant's rows, even when a query forgets its tenant filter. The
 * cache builds' read (readAsTenant) has the same scope, refuses writes, and answers before
 * its COMMIT round trip.
 */
import { env } from 'cloudflare:workers';
import { afterAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { getConfig } from '../../src/env';
import { createDbClient } from '../../src/read/db';
import { customers } from '../../src/read/schema';
import {
  APP_ROLE,
  IDLE_IN_TRANSACTION_LIMIT,
  readAsTenant,
  withTenant,
} from '../../src/read/tenant-tx';
import { uniqueTenant } from '../fixtures/http';

const client = createDbClient(getConfig(env));
afterAll(() => client.close());

const row = (tenantId: string, id: string, name: string) => ({
  tenantId,
  id,
  name,
  email: null,
  taxId: null,
  defaultCurrency: null,
  active: true,
  version: 1,
  lastPosition: 1,
  createdAt: new Date(),
  updatedAt: new Date(),
});

describe(`row-level security (${env.TEST_DB_BACKEND})`, () => {
  it('a query without a tenant filter returns only the transaction tenant rows', async () => {
    const [a, b] = [uniqueTenant('a'), uniqueTenant('b')];
    await withTenant(client.db, a, (tx) => tx.insert(customers).values(row(a, 'cus_1', 'A only')));
    await withTenant(client.db, b, (tx) => tx.insert(customers).values(row(b, 'cus_1', 'B only')));

    const seenByA = await withTenant(client.db, a, (tx) => tx.select().from(customers));
    expect(seenByA.map((r) => [r.tenantId, r.name])).toEqual([[a, 'A only']]);
    const seenByB = await withTenant(client.db, b, (tx) =>
      tx.select({ name: customers.name }).from(customers),
    );
    expect(seenByB).toEqual([{ name: 'B only' }]);
  });

  it('every table with a tenant_id has row-level security forced and a tenant policy for the app role', async () => {
    const { rows } = await client.pool.query(
      `select c.relname as name, c.relrowsecurity as enabled, c.relforcerowsecurity as forced,
        exists (select 1 from pg_policy p where p.polrelid = c.oid and p.polroles @> array[(select oid from pg_roles where rolname = $1)]
          and pg_get_expr(p.polqual, p.polrelid) like '%current_setting(''app.tenant_id''%') as policy
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind = 'r' and exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped)
      order by 1`,
      [APP_ROLE],
    );
    const tables = rows as { name: string; enabled: boolean; forced: boolean; policy: boolean }[];
    expect(tables.map((t) => t.name)).toEqual(
      expect.arrayContaining([
        'invoices',
        'account_month_totals',
        'ar_open_days',
        'ar_open_months',
        'ar_open_customers',
        'ar_open_tenant_days',
      ]),
    );
    expect(tables.filter((t) => !(t.enabled && t.forced && t.policy))).toEqual([]);
  });

  it('awkward tenant ids reach the setting unchanged (a bound parameter, never spliced into the SQL)', async () => {
    for (const v of ["o'brien", 'back\\slash', "x\\'; select 1; --", 'ünïcødé-✓', "''"]) {
      const seen = await withTenant(client.db, v, (tx) =>
        tx.execute(sql`select current_setting('app.tenant_id') as t`),
      );
      expect(seen.rows[0]?.t, v).toBe(v);
    }
  });

  it('refuses writing another tenant row and cannot touch it with an unfiltered update or delete', async () => {
    const [a, b] = [uniqueTenant('a'), uniqueTenant('b')];
    await withTenant(client.db, b, (tx) => tx.insert(customers).values(row(b, 'cus_x', 'Victim')));
    await expect(
      withTenant(client.db, a, (tx) => tx.insert(customers).values(row(b, 'cus_y', 'Planted'))),
    ).rejects.toThrow();
    await withTenant(client.db, a, async (tx) => {
      await tx.update(customers).set({ name: 'Hijacked' });
      await tx.delete(customers);
    });
    const still = await withTenant(client.db, b, (tx) =>
      tx.select({ name: customers.name }).from(customers),
    );
    expect(still).toEqual([{ name: 'Victim' }]);
  });

  it('the app role sees nothing when no tenant is set, and the scope ends with the transaction', async () => {
    const a = uniqueTenant('a');
    await withTenant(client.db, a, (tx) => tx.insert(customers).values(row(a, 'cus_1', 'Scoped')));
    const none = await client.db.transaction(async (tx) => {
      await tx.execute(sql`select set_config('role', ${APP_ROLE}, true)`);
      return tx.select().from(customers);
    });
    expect(none).toEqual([]);
    const after = await client.pool.query(
      "select current_user as u, current_setting('app.tenant_id', true) as t",
    );
    expect(after.rows[0]?.u).not.toBe(APP_ROLE);
    expect(after.rows[0]?.t ?? '').toBe('');
  });

  it('readAsTenant: the same tenant scope, read only, and the answer does not wait for the COMMIT', async () => {
    const [a, b] = [uniqueTenant('a'), uniqueTenant('b')];
    await withTenant(client.db, a, (tx) => tx.insert(customers).values(row(a, 'cus_1', 'A read')));
    await withTenant(client.db, b, (tx) => tx.insert(customers).values(row(b, 'cus_1', 'B read')));
    // A session its client abandoned mid-transaction is ended by Postgres, not kept forever.
    const limit = await withTenant(client.db, a, (tx) =>
      tx.execute(sql`select current_setting('idle_in_transaction_session_timeout') as v`),
    );
    expect(limit.rows[0]).toEqual({ v: IDLE_IN_TRANSACTION_LIMIT });
    const read = readAsTenant(client.db, a, (tx) =>
      tx.select({ name: customers.name }).from(customers),
    );
    expect(await read.answer).toEqual([{ name: 'A read' }]);
    await read.ended;

    const write = readAsTenant(client.db, a, (tx) =>
      tx.insert(customers).values(row(a, 'cus_2', 'Written in a read')),
    );
    await expect(write.answer).rejects.toThrow();
    await write.ended;
    const rows = await withTenant(client.db, a, (tx) =>
      tx.select({ name: customers.name }).from(customers),
    );
    expect(rows).toEqual([{ name: 'A read' }]);

    // A client whose COMMIT takes 300 ms: the answer is there well before the transaction ends.
    const slow = createDbClient(getConfig(env));
    const connect = slow.pool.connect.bind(slow.pool);
    slow.pool.connect = (async () => {
      const pc = await connect();
      const query = pc.query.bind(pc) as (...args: unknown[]) => Promise<unknown>;
      (pc as unknown as { query: (...args: unknown[]) => Promise<unknown> }).query = async (
        ...args: unknown[]
      ) => {
        const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string }).text;
        if (text?.trim().toLowerCase() === 'commit') await new Promise((r) => setTimeout(r, 300));
        return query(...args);
      };
      return pc;
    }) as typeof slow.pool.connect;
    try {
      const t0 = Date.now();
      const timed = readAsTenant(slow.db, a, (tx) =>
        tx.select({ name: customers.name }).from(customers),
      );
      const answeredAfter = await timed.answer.then(
        (v) => (expect(v).toEqual([{ name: 'A read' }]), Date.now() - t0),
      );
      await timed.ended;
      const endedAfter = Date.now() - t0;
      expect(endedAfter - answeredAfter).toBeGreaterThanOrEqual(250);
    } finally {
      await slow.close();
    }
  });
});
