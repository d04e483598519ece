/**
 * The Postgres projection, against the real driver path (Neon Pool -> bridge -> PGlite or
 * PostgreSQL 15). Event sequences come from the in-memory ledger of the domain tests, so the
 * read model is checked against the ledger's own state: documents, amounts, versions and
 * balances; plus redelivery, overlap, gaps, rebuilds and tenant isolation.
 */
import { env } from 'cloudflare:workers';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getConfig } from '../../src/env';
import type { RecordedEvent } from '../../src/ledger/contract';
import { createDbClient, type Database, type DbClient } from '../../src/read/db';
import {
  ProjectionGapError,
  ProjectionIntegrityError,
  projectEvents,
  rebuildTenant,
} from '../../src/read/projection';
import { newLedger, ops } from '../fixtures/domain/random-ops';
import {
  actualModel,
  dump,
  expectBalanced,
  expectedModel,
  projectInChunks,
  record,
  scriptedLedger,
} from '../fixtures/projection-model';
import { uniqueTenant } from '../fixtures/http';

let client: DbClient;
let db: Database;
beforeAll(() => {
  client = createDbClient({ ...getConfig(env), DB_TIMEOUT_MS: 20_000 });
  db = client.db;
});
afterAll(async () => client.close());

describe(`projection into Postgres (${env.TEST_DB_BACKEND})`, () => {
  it('projects a realistic book exactly as the ledger holds it, balanced per currency', async () => {
    const ledger = scriptedLedger();
    const tenant = uniqueTenant();
    const events = record(ledger, tenant);
    expect(await projectEvents(db, tenant, events)).toEqual({
      applied: events.length,
      checkpoint: events.length,
    });
    const model = await actualModel(db, tenant);
    expect(model).toEqual(expectedModel(ledger));
    expect(model.invoices.map((i) => i.status).sort()).toEqual(
      ['draft', 'issued', 'paid', 'paid', 'partially_paid', 'void', 'void'].sort(),
    );
    expect(new Set(model.balances.map((b) => b.currency))).toEqual(new Set(['USD', 'EUR']));
    await expectBalanced(client, tenant);
  });

  it('treats redelivered and overlapping batches as no-ops for what was applied', async () => {
    const events = record(scriptedLedger(), 'x');
    const [once, again] = [uniqueTenant(), uniqueTenant()];
    await projectEvents(
      db,
      once,
      events.map((e) => ({ ...e, tenantId: once })),
    );
    const mine = events.map((e) => ({ ...e, tenantId: again }));
    expect(await projectEvents(db, again, mine.slice(0, 40))).toEqual({
      applied: 40,
      checkpoint: 40,
    });
    const before = await dump(client, again);
    expect(await projectEvents(db, again, mine.slice(0, 40))).toEqual({
      applied: 0,
      checkpoint: 40,
    });
    expect(await projectEvents(db, again, mine.slice(10, 25).reverse())).toEqual({
      applied: 0,
      checkpoint: 40,
    });
    expect(await dump(client, again)).toEqual(before);
    expect(await projectEvents(db, again, mine.slice(30, 70))).toEqual({
      applied: 30,
      checkpoint: 70,
    });
    // Two deliveries of the rest at once: the checkpoint lock lets exactly one apply it.
    const both = await Promise.all([
      projectEvents(db, again, mine.slice(60)),
      projectEvents(db, again, mine.slice(50)),
    ]);
    expect(both.map((r) => r.applied).sort((x, y) => x - y)).toEqual([0, mine.length - 70]);
    expect(await dump(client, again)).toEqual(await dump(client, once));
  });

  it('updates rows of earlier batches: traded account codes, replaced invoice lines, one event at a time', async () => {
    const ledger = scriptedLedger();
    const tenant = uniqueTenant();
    const events = record(ledger, tenant);
    // Split right before the first re-code and the line replacement, so both hit loaded rows.
    const cuts = [
      events.findIndex((e) => e.type === 'invoice.updated'),
      events.findIndex((e) => e.type === 'account.updated'),
    ];
    expect(cuts.every((c) => c > 0)).toBe(true);
    await projectEvents(db, tenant, events.slice(0, cuts[0]));
    await projectEvents(db, tenant, events.slice(cuts[0], cuts[1]));
    await projectEvents(db, tenant, events.slice(cuts[1]));
    expect(await actualModel(db, tenant)).toEqual(expectedModel(ledger));
    const single = uniqueTenant();
    expect(await projectInChunks(db, single, record(ledger, single), [1])).toBe(events.length);
    expect(await dump(client, single)).toEqual(await dump(client, tenant));
  });

  it('refuses a gap or a hole and writes nothing', async () => {
    const tenant = uniqueTenant();
    const events = record(scriptedLedger(), tenant);
    const fresh = await projectEvents(db, tenant, events.slice(1, 10)).catch((e: unknown) => e);
    expect(fresh).toBeInstanceOf(ProjectionGapError);
    expect(fresh).toMatchObject({ tenantId: tenant, checkpoint: 0, expected: 1, received: 2 });
    expect(Object.values(await dump(client, tenant)).flat()).toEqual([]);

    await projectEvents(db, tenant, events.slice(0, 20));
    const before = await dump(client, tenant);
    await expect(projectEvents(db, tenant, events.slice(21, 30))).rejects.toMatchObject({
      name: 'ProjectionGapError',
      checkpoint: 20,
      expected: 21,
      received: 22,
    });
    const holed = [...events.slice(15, 24), ...events.slice(25, 30)];
    await expect(projectEvents(db, tenant, holed)).rejects.toMatchObject({
      checkpoint: 20,
      expected: 25,
      received: 26,
    });
    expect(await dump(client, tenant)).toEqual(before);
  });

  it('refuses unknown event types and events of another tenant', async () => {
    const tenant = uniqueTenant();
    const events = record(scriptedLedger(), tenant);
    const bogus = { ...events[0], type: 'account.renamed' } as unknown as RecordedEvent;
    await expect(projectEvents(db, tenant, [bogus])).rejects.toBeInstanceOf(
      ProjectionIntegrityError,
    );
    const proto = { ...events[0], type: 'constructor' } as unknown as RecordedEvent;
    await expect(projectEvents(db, tenant, [proto])).rejects.toBeInstanceOf(
      ProjectionIntegrityError,
    );
    await expect(
      projectEvents(db, tenant, [{ ...events[0], tenantId: 'other' } as RecordedEvent]),
    ).rejects.toBeInstanceOf(ProjectionIntegrityError);
    expect((await dump(client, tenant)).accounts).toEqual([]);
  });

  it('gives the same tables incrementally, in random batch sizes, as a rebuild from position 1', async () => {
    const tenant = uniqueTenant();
    const events = record(scriptedLedger(), tenant);
    const sizes = Array.from({ length: 12 }, () => 1 + Math.floor(Math.random() * 25));
    expect(await projectInChunks(db, tenant, events, sizes, 3)).toBe(events.length);
    const incremental = await dump(client, tenant);
    expect(await rebuildTenant(db, tenant, events)).toEqual({
      applied: events.length,
      checkpoint: events.length,
    });
    expect(await dump(client, tenant)).toEqual(incremental);
  });

  it("never mixes two tenants' rows, even with the same ids", async () => {
    const [one, two] = [uniqueTenant(), uniqueTenant()];
    const first = scriptedLedger();
    const second = newLedger();
    second.ok({
      type: 'invoice.create',
      data: {
        customerId: 'cus_0001',
        currency: 'USD',
        issueDate: '2024-06-01',
        dueDate: '2024-06-30',
        lines: [{ description: 'X', quantityMilli: 1000, unitAmount: 77 }],
      },
    });
    await projectEvents(db, one, record(first, one));
    await projectEvents(db, two, record(second, two));
    expect(await actualModel(db, one)).toEqual(expectedModel(first));
    expect(await actualModel(db, two)).toEqual(expectedModel(second));
    const twoBefore = await dump(client, two);
    await rebuildTenant(db, one, record(first, one));
    expect(await dump(client, two)).toEqual(twoBefore);
    expect(await actualModel(db, one)).toEqual(expectedModel(first));
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
          await projectInChunks(db, tenant, events, sizes, overlap);
          expect(await actualModel(db, tenant)).toEqual(expectedModel(ledger));
          await expectBalanced(client, tenant);
          if (runs++ % 4 === 0) {
            const incremental = await dump(client, tenant);
            await rebuildTenant(db, tenant, events);
            expect(await dump(client, tenant)).toEqual(incremental);
          }
        },
      ),
      { numRuns: 16 },
    );
  });
});

describe.runIf(env.TEST_TIMINGS === '1')(
  `projection throughput (${env.TEST_DB_BACKEND}; logged, not asserted; TEST_TIMINGS=1)`,
  () => {
    it('projects a few thousand events in drain-sized batches', async () => {
      const ledger = newLedger();
      const [alpha, beta] = ['cus_0001', 'cus_0002'];
      const open: string[] = [];
      for (let i = 0; i < 700; i += 1) {
        const customerId = i % 2 === 0 ? alpha : beta;
        const lines = [
          {
            description: 'Item',
            quantityMilli: 1000 + i,
            unitAmount: 1_000 + i,
            taxRatePpm: 50_000,
          },
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
        open.push(id);
        // Pay an invoice issued a while ago, so batches also update rows from earlier batches.
        const target = i >= 150 ? open[i - 150] : undefined;
        if (target !== undefined) {
          const inv = ledger.get(`invoice:${target}`, 'invoice');
          ledger.ok({
            type: 'payment.record',
            data: {
              customerId: inv.customerId,
              amount: inv.total,
              currency: 'USD',
              date: '2024-06-02',
              method: 'card',
              allocations: [{ invoiceId: target, amount: inv.total }],
            },
          });
        }
      }
      for (const batch of [100, 500]) {
        const tenant = uniqueTenant('bench');
        const events = record(ledger, tenant);
        const started = performance.now();
        await projectInChunks(db, tenant, events, [batch]);
        const seconds = (performance.now() - started) / 1000;
        console.log(
          `projection throughput [${env.TEST_DB_BACKEND}] batch=${batch}: ${events.length} events in ${seconds.toFixed(2)} s = ${Math.round(events.length / seconds)} events/s`,
        );
        expect(await actualModel(db, tenant)).toEqual(expectedModel(ledger));
      }
    });
  },
);
