/**
 * Operator endpoints (`/ops/...`): refused to anything but an operator credential (tenant
 * admins included), rate-limited per operator, audited in the log; the status, replay and
 * rebuild do what the runbook says against the real read model.
 */
import { env } from 'cloudflare:workers';
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { getConfig } from '../../src/env';
import { createDbClient } from '../../src/read/db';
import type { TenantLedger } from '../../durable-objects/tenant-ledger';
import { appWith } from '../fixtures/edge';
import { call, problemOf, token, uniqueTenant } from '../fixtures/http';
import { holdDrains } from '../fixtures/projector';

const OPS_AUD = env.OPS_AUDIENCE;
const operator = (claims: Record<string, unknown> = {}) =>
  token({
    sub: 'oncall-alice',
    claims: { aud: OPS_AUD, tid: undefined, roles: ['operator'], ...claims },
  });
const ledgerFor = (tenant: string) => env.TENANT_LEDGER.get(env.TENANT_LEDGER.idFromName(tenant));

/** A tenant with one customer, projected to Postgres. */
async function tenantWithCustomer(name: string) {
  const tenant = uniqueTenant('ops');
  const t = await token({ tenant, roles: ['admin'] });
  const res = await call('/v1/customers', {
    token: t,
    body: { name },
    headers: { 'Idempotency-Key': `ops-${tenant}` },
  });
  expect(res.status).toBe(201);
  const id = String(((await res.json()) as { id: string }).id);
  await drain(tenant);
  return { tenant, t, id };
}

/** Runs due alarms until the projection has caught up; an operator action's drain may already be running on its own (bounded: 5 s). */
async function drain(tenant: string) {
  const stub = ledgerFor(tenant);
  for (let i = 0; i < 100; i++) {
    const s = await stub.projectionStatus();
    if (s.outboxDepth === 0 && s.projectedPosition === s.position) return s;
    if (!(await runDurableObjectAlarm(stub))) await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`projection did not catch up: ${JSON.stringify(await stub.projectionStatus())}`);
}

async function customerName(tenant: string, id: string): Promise<string | undefined> {
  const client = createDbClient(getConfig(env));
  try {
    const { rows } = await client.pool.query<{ name: string }>(
      'SELECT name FROM customers WHERE tenant_id = $1 AND id = $2',
      [tenant, id],
    );
    return rows[0]?.name;
  } finally {
    await client.close();
  }
}

/** Runs `fn`, returning the `ops_audit` log records it wrote. */
async function audited<T>(
  fn: () => Promise<T>,
): Promise<{ result: T; records: Record<string, unknown>[] }> {
  const lines: string[] = [];
  const spy = vi
    .spyOn(console, 'log')
    .mockImplementation((l: unknown) => void lines.push(String(l)));
  try {
    const result = await fn();
    return {
      result,
      records: lines
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .filter((r) => r.msg === 'ops_audit'),
    };
  } finally {
    spy.mockRestore();
  }
}

afterEach(() => vi.restoreAllMocks());

describe('operator endpoints: refusals', () => {
  it.each([
    ['no token', async () => undefined, 401, 'unauthorized'],
    ['a tenant admin token', () => token({ roles: ['admin'] }), 401, 'unauthorized'],
    [
      'an operator token for the API audience',
      () => token({ claims: { roles: ['operator'], tid: undefined } }),
      401,
      'unauthorized',
    ],
    [
      'an ops-audience token without the operator role',
      () => operator({ roles: ['admin'] }),
      403,
      'forbidden',
    ],
    [
      'an ops-audience token that names a tenant',
      () => operator({ tid: 'tenant_a' }),
      403,
      'forbidden',
    ],
    [
      'a token for both audiences',
      () => operator({ aud: [OPS_AUD, env.AUTH_AUDIENCE] }),
      403,
      'forbidden',
    ],
    [
      'an expired operator token',
      () => operator({ exp: Math.floor(Date.now() / 1000) - 3600 }),
      401,
      'unauthorized',
    ],
  ])('%s is refused (%i)', async (_label, mint, status, code) => {
    const t = await mint();
    for (const [method, path] of [
      ['GET', '/ops/tenants/tenant_a/projection'],
      ['POST', '/ops/tenants/tenant_a/rebuild'],
      ['POST', '/ops/tenants/tenant_a/replay-outbox'],
    ] as const) {
      const res = await call(path, { method, ...(t ? { token: t } : {}) });
      expect(res.status, `${method} ${path}`).toBe(status);
      expect(await problemOf(res)).toMatchObject({ code });
    }
  });

  it('a malformed tenant id answers like an unknown route (404), an unknown tenant 404 tenant_not_found', async () => {
    const t = await operator();
    const bad = await call('/ops/tenants/no%20such!/projection', { token: t });
    expect(bad.status).toBe(404);
    expect(await problemOf(bad)).toMatchObject({ code: 'not_found' });
    const unknown = await call(`/ops/tenants/${uniqueTenant('none')}/rebuild`, {
      method: 'POST',
      token: t,
    });
    expect(unknown.status).toBe(404);
    expect(await problemOf(unknown)).toMatchObject({ code: 'tenant_not_found' });
  });

  it('is rate-limited per operator (RATE_LIMIT_OPS)', async () => {
    const { fetch } = appWith({ RATE_LIMIT_OPS: '2/1m' });
    const t = await token({
      sub: `limited-${crypto.randomUUID()}`,
      claims: { aud: OPS_AUD, tid: undefined, roles: ['operator'] },
    });
    const get = () =>
      fetch(`/ops/tenants/${uniqueTenant('rl')}/projection`, {
        headers: { Authorization: `Bearer ${t}` },
      });
    expect((await get()).status).toBe(404);
    expect((await get()).status).toBe(404);
    const third = await get();
    expect(third.status).toBe(429);
    expect(third.headers.get('Retry-After')).toMatch(/^\d+$/);
    expect(await problemOf(third)).toMatchObject({ code: 'rate_limited' });
  });
});

describe(`operator endpoints: actions (${env.TEST_DB_BACKEND})`, () => {
  it('projection status, audited with the operator and the tenant', async () => {
    const { tenant } = await tenantWithCustomer('Status GmbH');
    const t = await operator();
    const { result: res, records } = await audited(() =>
      call(`/ops/tenants/${tenant}/projection`, { token: t }),
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      tenantId: tenant,
      lag: 0,
      outboxDepth: 0,
      failing: false,
      lastError: null,
    });
    expect(body.projectedPosition).toBe(body.position);
    expect(records).toEqual([
      expect.objectContaining({
        operator: 'oncall-alice',
        action: 'projection-status',
        tenantId: tenant,
        outcome: 'ok',
      }),
    ]);
  });

  it('replay-outbox re-queues what the read model lacks and drains it', async () => {
    const { tenant, t: tenantToken } = await tenantWithCustomer('Replay AG');
    // The projection is backing off after a failure (an hour to go), so a write does not start
    // a drain; then a second write whose outbox row is lost (what replay is for).
    await runInDurableObject(ledgerFor(tenant), async (o: TenantLedger, state) => {
      await holdDrains(o, state, 3_600_000);
      (o as unknown as { store: { setMeta(k: string, v: string): void } }).store.setMeta(
        'projection.attempts',
        '1',
      );
    });
    const res = await call('/v1/customers', {
      token: tenantToken,
      body: { name: 'Lost In Outbox' },
      headers: { 'Idempotency-Key': `ops2-${tenant}` },
    });
    const lostId = String(((await res.json()) as { id: string }).id);
    await runInDurableObject(ledgerFor(tenant), (_o: TenantLedger, state: DurableObjectState) => {
      state.storage.sql.exec('DELETE FROM outbox');
    });
    expect(await customerName(tenant, lostId)).toBeUndefined();

    const t = await operator();
    const { result: replay, records } = await audited(() =>
      call(`/ops/tenants/${tenant}/replay-outbox`, { method: 'POST', token: t }),
    );
    expect(replay.status).toBe(202);
    expect(await replay.json()).toMatchObject({
      action: 'replay-outbox',
      requeued: 1,
      status: { tenantId: tenant, outboxDepth: 1, lag: 1 },
    });
    expect(records).toEqual([
      expect.objectContaining({
        operator: 'oncall-alice',
        action: 'replay-outbox',
        tenantId: tenant,
        outcome: 'started',
        requeued: 1,
      }),
    ]);
    await drain(tenant);
    expect(await customerName(tenant, lostId)).toBe('Lost In Outbox');
  });

  it("rebuild clears the tenant's read model and re-projects it from the ledger", async () => {
    const { tenant, t: tenantToken, id } = await tenantWithCustomer('Rebuild Ltd');
    // A read model gone wrong (written around the projection).
    const client = createDbClient(getConfig(env));
    try {
      await client.pool.query(
        "UPDATE customers SET name = 'Corrupted' WHERE tenant_id = $1 AND id = $2",
        [tenant, id],
      );
    } finally {
      await client.close();
    }
    expect(await customerName(tenant, id)).toBe('Corrupted');

    const t = await operator();
    const { result: res, records } = await audited(() =>
      call(`/ops/tenants/${tenant}/rebuild`, { method: 'POST', token: t }),
    );
    expect(res.status).toBe(202);
    const body = (await res.json()) as {
      requeued: number;
      status: { position: number; projectedPosition: number; outboxDepth: number };
    };
    // The position reads claim never goes back during a rebuild (like a lost read model).
    expect(body.status.projectedPosition).toBe(body.status.position);
    expect(body.requeued).toBe(body.status.position);
    expect(body.status.outboxDepth).toBe(body.status.position);
    expect(records).toEqual([
      expect.objectContaining({ action: 'rebuild', tenantId: tenant, outcome: 'started' }),
    ]);
    // The corrupted row is gone: cleared, or already re-projected by the drain the rebuild
    // started (it may well have finished by now).
    expect([undefined, 'Rebuild Ltd']).toContain(await customerName(tenant, id));
    // Meanwhile a read never answers 200 without the customer (fresh once the alarm has
    // re-projected, or the cached answer marked STALE), else 503 read_model_behind.
    const during = await call('/v1/customers', {
      token: tenantToken,
      headers: { 'Cache-Control': 'no-cache' },
    });
    if (during.status === 200) {
      expect(await during.text()).toContain('Rebuild Ltd');
    } else {
      expect(during.status).toBe(503);
      expect(await problemOf(during)).toMatchObject({ code: 'read_model_behind' });
    }

    const after = await drain(tenant);
    expect(after.projectedPosition).toBe(body.status.position);
    expect(await customerName(tenant, id)).toBe('Rebuild Ltd');
  });
});
