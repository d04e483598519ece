/**
 * The TenantLedger Durable Object through its RPC surface: atomic commands, idempotency,
 * optimistic concurrency, refusals that leave no trace, and cold loads from snapshots.
 */
import { env } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { Command } from '../../src/domain';
import type { ExecuteRequest } from '../../src/ledger/contract';
import { SNAPSHOT_EVERY } from '../../src/ledger/store';
import { TenantLedger } from '../../durable-objects/tenant-ledger';
import { uniqueTenant } from '../fixtures/http';
import { evictLedger } from '../fixtures/projector';

function ledgerFor(tenantId: string) {
  return env.TENANT_LEDGER.get(env.TENANT_LEDGER.idFromName(tenantId));
}

function req(
  tenantId: string,
  command: Command,
  extra: Partial<ExecuteRequest> = {},
): ExecuteRequest {
  return { tenantId, command, actor: 'user-1', requestId: crypto.randomUUID(), ...extra };
}

function counts(stub: DurableObjectStub<TenantLedger>) {
  return runInDurableObject(stub, (_o: TenantLedger, state: DurableObjectState) => {
    const n = (table: string) =>
      state.storage.sql.exec<{ n: number }>(`SELECT count(*) AS n FROM ${table}`).one().n;
    return {
      events: n('events'),
      outbox: n('outbox'),
      idempotency: n('idempotency'),
      snapshots: n('snapshots'),
      keys: n('unique_keys'),
    };
  });
}

const customer = (name: string): Command => ({
  type: 'customer.create',
  data: { name, email: 'ap@example.com', defaultCurrency: 'EUR' },
});

describe('TenantLedger commands', () => {
  it('opens the books with the default chart on the first command and answers 201 with the resource', async () => {
    const tenant = uniqueTenant();
    const stub = ledgerFor(tenant);
    const res = await stub.execute(req(tenant, customer('Acme GmbH')));
    expect(res).toMatchObject({
      ok: true,
      status: 201,
      version: 1,
      replayed: false,
      resource: { name: 'Acme GmbH', active: true },
    });
    if (!res.ok) throw new Error('refused');
    const c = await counts(stub);
    // Every appended event is queued for projection, in the same transaction.
    expect(c.outbox).toBe(c.events);
    expect(res.position).toBe(c.events);
    expect((await stub.read(res.streamId))?.resource).toEqual(res.resource);
    const settings = await stub.read('settings');
    expect(settings?.resource).toMatchObject({ lockDate: null });
  });

  it('a refused command leaves no trace: no event, outbox row, idempotency record — not even the default chart', async () => {
    const tenant = uniqueTenant();
    const stub = ledgerFor(tenant);
    const res = await stub.execute(
      req(
        tenant,
        { type: 'journal.post', data: { date: '2026-01-05', currency: 'EUR', lines: [] } },
        { idempotencyKey: 'k1', requestHash: 'h1' },
      ),
    );
    expect(res.ok).toBe(false);
    expect(await counts(stub)).toEqual({
      events: 0,
      outbox: 0,
      idempotency: 0,
      snapshots: 0,
      keys: 0,
    });
    expect(await stub.read('settings')).toBeNull();
  });

  it('replays an idempotent command, refuses the key with another body, and gives concurrent retries one effect', async () => {
    const tenant = uniqueTenant();
    const stub = ledgerFor(tenant);
    const first = await stub.execute(
      req(tenant, customer('Once'), { idempotencyKey: 'key-1', requestHash: 'hash-a' }),
    );
    const again = await stub.execute(
      req(tenant, customer('Once'), { idempotencyKey: 'key-1', requestHash: 'hash-a' }),
    );
    expect(again).toEqual({ ...first, replayed: true });
    const other = await stub.execute(
      req(tenant, customer('Other'), { idempotencyKey: 'key-1', requestHash: 'hash-b' }),
    );
    expect(other).toMatchObject({ ok: false, error: { code: 'idempotency_key_reused' } });

    const before = (await counts(stub)).events;
    const racing = await Promise.all(
      Array.from({ length: 10 }, () =>
        stub.execute(
          req(tenant, customer('Racer'), { idempotencyKey: 'key-2', requestHash: 'hash-c' }),
        ),
      ),
    );
    expect(racing.filter((r) => r.ok && !r.replayed)).toHaveLength(1);
    expect(new Set(racing.map((r) => (r.ok ? r.streamId : 'x'))).size).toBe(1);
    expect((await counts(stub)).events).toBe(before + 1);
  });

  it('refuses a stale expected version (If-Match) and writes nothing', async () => {
    const tenant = uniqueTenant();
    const stub = ledgerFor(tenant);
    const created = await stub.execute(req(tenant, customer('Versioned')));
    if (!created.ok) throw new Error('refused');
    const id = String(created.resource.id);
    const ok = await stub.execute(
      req(
        tenant,
        { type: 'customer.update', data: { id, name: 'V2' } },
        { expectedVersion: 1, targetStreamId: created.streamId },
      ),
    );
    expect(ok).toMatchObject({ ok: true, status: 200, version: 2 });
    const before = await counts(stub);
    const stale = await stub.execute(
      req(
        tenant,
        { type: 'customer.update', data: { id, name: 'V3' } },
        { expectedVersion: 1, targetStreamId: created.streamId },
      ),
    );
    expect(stale).toMatchObject({
      ok: false,
      error: { kind: 'precondition_failed', code: 'version_mismatch', currentVersion: 2 },
    });
    expect(await counts(stub)).toEqual(before);
    expect((await stub.read(created.streamId))?.resource).toMatchObject({ name: 'V2' });
  });

  it('pages the event feed in position order', async () => {
    const tenant = uniqueTenant();
    const stub = ledgerFor(tenant);
    await stub.execute(req(tenant, customer('Feed')));
    const all = await stub.events(0, 500);
    expect(all.events.map((e) => e.position)).toEqual(all.events.map((_, i) => i + 1));
    expect(all.events.every((e) => e.tenantId === tenant && e.actor === 'user-1')).toBe(true);
    const page = await stub.events(2, 3);
    expect(page.events.map((e) => e.position)).toEqual([3, 4, 5]);
    expect(page.hasMore).toBe(true);
  });
});

describe('TenantLedger cold load', () => {
  it('after eviction, every stream reloaded from snapshot + tail equals a full replay', async () => {
    const tenant = uniqueTenant();
    const stub = ledgerFor(tenant);
    const created = await stub.execute(req(tenant, customer('Busy')));
    if (!created.ok) throw new Error('refused');
    const id = String(created.resource.id);
    const updates = SNAPSHOT_EVERY * 2 + 7;
    for (let i = 0; i < updates; i++) {
      const r = await stub.execute(
        req(tenant, { type: 'customer.update', data: { id, name: `Busy ${i}` } }),
      );
      expect(r.ok).toBe(true);
    }
    const warm = await stub.read(created.streamId);
    expect(warm?.version).toBe(updates + 1);

    await evictLedger(stub);
    const cold = await stub.read(created.streamId);
    expect(cold).toEqual(warm);

    const comparison = await runInDurableObject(
      stub,
      (o: TenantLedger, state: DurableObjectState) => {
        const store = (o as unknown as { store: import('../../src/ledger/store').EventStore })
          .store;
        const streams = state.storage.sql
          .exec<{ stream_id: string }>('SELECT stream_id FROM streams')
          .toArray();
        const snap = state.storage.sql
          .exec<{ version: number }>(
            'SELECT version FROM snapshots WHERE stream_id = ?',
            created.streamId,
          )
          .one();
        const mismatched = streams.filter(
          ({ stream_id }) =>
            JSON.stringify(store.loadFromStorage(stream_id, true)) !==
            JSON.stringify(store.loadFromStorage(stream_id, false)),
        );
        return {
          streams: streams.length,
          mismatched: mismatched.map((s) => s.stream_id),
          snapshotVersion: snap.version,
        };
      },
    );
    expect(comparison.snapshotVersion).toBe(SNAPSHOT_EVERY * 2);
    expect(comparison.streams).toBeGreaterThan(10);
    expect(comparison.mismatched).toEqual([]);
  });
});
