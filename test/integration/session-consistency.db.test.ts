/**
 * Read-your-writes by default (src/ledger/session-positions.ts, src/cache/read-version.ts):
 * a principal's lists, search and reports include every write acknowledged to it, with no
 * `X-Min-Position`; the ledger answers a read waiting on its projection in one call
 * (`readModelVersion` with a wait, src/ledger/projector.ts); another principal's
 * reads never wait for that write; a write the projection cannot deliver leaves its writer's
 * reads served STALE (marked), not refused.
 */
import { env } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import type { TenantLedger } from '../../durable-objects/tenant-ledger';
import { holdDrains } from '../fixtures/projector';
import { afterEach, describe, expect, it } from 'vitest';
import { books, LATER_WRITES, laterWrites } from '../fixtures/read-side';
import {
  expectProblem,
  freezeBridge,
  get,
  thawBridge,
  token,
  uniqueTenant,
  write,
  type Json,
} from '../fixtures/http';
import type { ReadModelVersion } from '../../src/ledger/contract';

// A freeze here is this test's tenant only; the failing projection is staged in the ledger.
afterEach(async () => {
  await thawBridge();
});

/** The tenant's ledger, called as the Worker calls it (RPC). */
const ledgerOf = (tenant: string) =>
  env.TENANT_LEDGER.get(env.TENANT_LEDGER.idFromName(tenant)) as unknown as {
    readModelVersion(minPosition?: number, waitMs?: number): Promise<ReadModelVersion>;
  };

describe(`session consistency (${env.TEST_DB_BACKEND})`, () => {
  it('every list, report and search shows the principal its own later writes, with no header', async () => {
    const b = await books(uniqueTenant());
    for (const path of Object.keys(LATER_WRITES)) {
      // Cached at the books' position first, so an answer from that entry would fail below.
      expect((await get(b.t, path)).status, path).toBe(200);
    }
    const { ids } = await laterWrites(b);
    for (const [path, sees] of Object.entries(LATER_WRITES)) {
      const res = await get(b.t, path);
      const text = await res.text();
      expect(res.status, `${path} ${text}`).toBe(200);
      expect(res.headers.get('X-Cache'), path).not.toBe('STALE');
      // Each route waits for the writes that can change it (the customer for the customer
      // list, the payment for the invoices…), not for every write of the principal.
      expect(Number(res.headers.get('X-Read-Model-Position')), path).toBeGreaterThan(
        Number(b.position),
      );
      sees(text, ids, path);
    }
  });

  it('write-then-list: the new invoice is in the very next list, every time', async () => {
    const b = await books(uniqueTenant());
    let misses = 0;
    for (let i = 0; i < 15; i++) {
      const created = await write(b.t, '/v1/invoices', {
        customerId: b.customerId,
        currency: 'EUR',
        issueDate: '2026-02-02',
        dueDate: '2026-03-02',
        lines: [{ description: `Probe ${i}`, quantity: 1, unitAmount: 1_000 + i }],
      });
      const list = await get(b.t, '/v1/invoices?limit=100');
      expect(list.status).toBe(200);
      const data = ((await list.json()) as { data: Json[] }).data;
      if (!data.some((inv) => inv.id === created.body.id)) misses++;
    }
    expect(misses).toBe(0);
  });

  it('the ledger answers a read waiting for its projection in one call, once it has the position', async () => {
    const tenant = uniqueTenant();
    const b = await books(tenant);
    const created = await write(b.t, '/v1/customers', { name: 'Waited For Ltd' });
    const wanted = Number(created.position);
    const answer = await ledgerOf(tenant).readModelVersion(wanted, 3_000);
    expect(answer.waited).toBe(true);
    expect(answer.version).toBeGreaterThanOrEqual(wanted);
    expect(answer.failing).toBe(false);
    // Without a wait the ledger answers at once, as an older release did (no `waited`).
    expect((await ledgerOf(tenant).readModelVersion(wanted)).waited).toBeUndefined();
  });

  it("another principal's reads do not wait for a write the projection cannot deliver; the writer's are STALE", async () => {
    const tenant = uniqueTenant();
    const b = await books(tenant);
    const other = await token({ tenant, sub: 'someone-else' });
    const warm = await get(other, '/v1/customers');
    expect(warm.status).toBe(200);
    const before = await warm.text();

    await freezeBridge(tenant);
    const created = await write(b.t, '/v1/customers', { name: 'Frozen Projection Ltd' });
    // The writer's read waits for the projection, which hangs.
    let writerDoneAt = 0;
    const writer = get(b.t, '/v1/customers').then((res) => {
      writerDoneAt = Date.now();
      return res;
    });
    // The other principal is answered from the cache meanwhile, without the new customer.
    const started = Date.now();
    const res = await get(other, '/v1/customers');
    const otherDoneAt = Date.now();
    expect(res.status).toBe(200);
    expect(res.headers.get('X-Cache')).toBe('HIT');
    expect(await res.text()).toBe(before);
    expect(otherDoneAt - started).toBeLessThan(1_000);

    const mine = await writer;
    expect(otherDoneAt).toBeLessThan(writerDoneAt);
    // Nothing in the read model has the write: served, marked STALE, short of the position.
    expect(mine.status).toBe(200);
    expect(mine.headers.get('X-Cache')).toBe('STALE');
    expect(Number(mine.headers.get('X-Read-Model-Position'))).toBeLessThan(
      Number(created.position),
    );
    expect(await mine.text()).not.toContain(created.body.id);

    await thawBridge();
    let seen = false;
    for (let i = 0; i < 50 && !seen; i++) {
      const again = await get(b.t, '/v1/customers');
      seen = again.status === 200 && (await again.text()).includes(String(created.body.id));
      if (!seen) await new Promise((r) => setTimeout(r, 100));
    }
    expect(seen).toBe(true);
  });

  it("while the projection is failing, the writer's reads are STALE at once, not held for the wait", async () => {
    const tenant = uniqueTenant();
    const b = await books(tenant);
    const warm = await get(b.t, '/v1/customers');
    expect(warm.status).toBe(200);
    await warm.text();
    // The projection failed and backs off for an hour (staged: the bridge is shared by every
    // file, so it is not cut here); the write below is acknowledged, not projected.
    await runInDurableObject(
      env.TENANT_LEDGER.get(env.TENANT_LEDGER.idFromName(tenant)),
      async (o: TenantLedger, state: DurableObjectState) => {
        await holdDrains(o, state, 3_600_000);
        state.storage.sql.exec(
          "INSERT OR REPLACE INTO meta (key, value) VALUES ('projection.attempts', '1')",
        );
      },
    );
    const created = await write(b.t, '/v1/customers', { name: 'Outage Writer Ltd' });
    const ledger = ledgerOf(tenant);
    // The session's position is not waited for through an outage (an X-Min-Position is)…
    const started = Date.now();
    const answer = await ledger.readModelVersion(Number(created.position), 3_000);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(answer).toMatchObject({ failing: true, waited: true });
    expect(answer.version).toBeLessThan(Number(created.position));
    // …so the writer's list is the cached one, marked STALE, without the write.
    const mine = await get(b.t, '/v1/customers');
    expect(mine.status).toBe(200);
    expect(mine.headers.get('X-Cache')).toBe('STALE');
    expect(await mine.text()).not.toContain('Outage Writer Ltd');
  });

  it("a principal's write holds only the reads it can change", async () => {
    const tenant = uniqueTenant();
    const b = await books(tenant);
    const invoices = await get(b.t, '/v1/invoices');
    expect(invoices.status).toBe(200);
    const before = await invoices.text();
    await freezeBridge(tenant);
    // A new customer cannot change the invoice list: the writer's next invoice list does not
    // wait for that write's projection (which hangs), it is the cached answer.
    await write(b.t, '/v1/customers', { name: 'Unrelated Customer Ltd' });
    const started = Date.now();
    const again = await get(b.t, '/v1/invoices');
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(again.status).toBe(200);
    expect(again.headers.get('X-Cache')).toBe('HIT');
    expect(await again.text()).toBe(before);
  });

  it('X-Consistency: eventual answers the writer from the cache without waiting; a bad value is a 400', async () => {
    const tenant = uniqueTenant();
    const b = await books(tenant);
    const warm = await get(b.t, '/v1/customers');
    expect(warm.status).toBe(200);
    const before = await warm.text();
    await freezeBridge(tenant);
    await write(b.t, '/v1/customers', { name: 'Not Waited For Ltd' });
    const started = Date.now();
    const eventual = await get(b.t, '/v1/customers', {
      headers: { 'X-Consistency': 'eventual' },
    });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(eventual.status).toBe(200);
    expect(eventual.headers.get('X-Cache')).toBe('HIT');
    expect(await eventual.text()).toBe(before);
    for (const bad of ['strong', 'EVENTUAL', '']) {
      const res = await get(b.t, '/v1/customers', { headers: { 'X-Consistency': bad } });
      await expectProblem(res, 400, 'invalid_consistency', `X-Consistency: ${bad}`);
    }
  });
});
