/**
 * Per-request and per-command telemetry (src/telemetry/): the app and the ledger write the
 * exact Analytics Engine points a request or command produces, through a recording fake.
 */
import { env } from 'cloudflare:workers';
import {
  createExecutionContext,
  runDurableObjectAlarm,
  runInDurableObject,
  waitOnExecutionContext,
} from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app';
import { LEDGER, REQUESTS } from '../../src/telemetry/schema';
import type { TenantLedger } from '../../durable-objects/tenant-ledger';
import { BASE, token, uniqueTenant } from '../fixtures/http';
import { RecordingDataset, decode } from '../fixtures/telemetry';

const version = { id: 'v-canary-1', tag: 'canary', timestamp: '2026-12-04T00:00:00Z' };

/** An app over env with recording datasets, the version metadata of a release, and version checks on every read. */
function recordingApp() {
  const requests = new RecordingDataset();
  const app = createApp();
  app.get('/telemetry-boom', () => {
    throw new Error('unexpected failure');
  });
  const custom = {
    ...env,
    REQUEST_METRICS: requests,
    CF_VERSION_METADATA: version,
    CACHE_VERSION_TTL_MS: '0',
  } as Env;
  const fetch = async (path: string, init: RequestInit = {}) => {
    const ctx = createExecutionContext();
    const res = await app.fetch(new Request(`${BASE}${path}`, init), custom, ctx);
    const body = await res.text();
    await waitOnExecutionContext(ctx);
    return {
      res,
      body,
      point: decode(REQUESTS, requests.points.at(-1)),
      count: requests.points.length,
    };
  };
  return { fetch, requests };
}

const json = (t: string, body: unknown, key: string): RequestInit => ({
  method: 'POST',
  headers: {
    Authorization: `Bearer ${t}`,
    'Content-Type': 'application/json',
    'Idempotency-Key': key,
  },
  body: JSON.stringify(body),
});

const timingsOf = (p: Record<string, string | number>) => ({
  duration_ms: p.duration_ms,
  ledger_ms: p.ledger_ms,
  postgres_ms: p.postgres_ms,
  kv_ms: p.kv_ms,
});

describe('request telemetry', () => {
  it('a 2xx write: one point with tenant, version, route template, status, and the time spent in the ledger', async () => {
    const tenant = uniqueTenant();
    const { fetch } = recordingApp();
    const t = await token({ tenant, roles: ['admin'] });
    const { res, body, point, count } = await fetch(
      '/v1/customers',
      json(t, { name: 'Telemetry AG' }, 'tm-1'),
    );
    expect(res.status).toBe(201);
    expect(count).toBe(1);
    expect(point).toMatchObject({
      tenant_id: tenant,
      version_id: 'v-canary-1',
      version_tag: 'canary',
      route: '/v1/customers',
      method: 'POST',
      status: '201',
      problem_code: '',
      cache: '',
      colo: '',
      status_code: 201,
      postgres_ms: 0,
      kv_ms: 0,
      // A handler's JSON body is not measured (that would copy every response): 0 = unknown.
      response_bytes: 0,
    });
    expect(body).toContain('Telemetry AG');
    const times = timingsOf(point);
    expect(times.ledger_ms).toBeGreaterThanOrEqual(0);
    expect(times.duration_ms).toBeGreaterThanOrEqual(times.ledger_ms as number);
  });

  it('a 4xx: the problem code and the route template, never the raw path', async () => {
    const tenant = uniqueTenant();
    const { fetch } = recordingApp();
    const t = await token({ tenant, roles: ['admin'] });
    const { res, point } = await fetch('/v1/customers', json(t, { name: 42 }, 'tm-2'));
    expect(res.status).toBe(400);
    expect(point).toMatchObject({
      tenant_id: tenant,
      route: '/v1/customers',
      status: '400',
      problem_code: 'validation_failed',
      status_code: 400,
      ledger_ms: 0,
    });

    const missing = await fetch('/v1/customers/cus_doesnotexist', {
      headers: { Authorization: `Bearer ${t}` },
    });
    expect(missing.res.status).toBe(404);
    expect(missing.point).toMatchObject({
      route: '/v1/customers/:id',
      status: '404',
      problem_code: 'customer_not_found',
    });
  });

  it('an unauthenticated 401 is indexed as anonymous', async () => {
    const { fetch } = recordingApp();
    const { res, point } = await fetch('/v1/customers');
    expect(res.status).toBe(401);
    expect(point).toMatchObject({
      tenant_id: 'anonymous',
      status: '401',
      problem_code: 'unauthorized',
      version_id: 'v-canary-1',
    });
  });

  it('a 5xx: internal_error with the route it failed on', async () => {
    const { fetch } = recordingApp();
    const { res, point } = await fetch('/telemetry-boom');
    expect(res.status).toBe(500);
    expect(point).toMatchObject({
      tenant_id: 'anonymous',
      route: '/telemetry-boom',
      method: 'GET',
      status: '500',
      problem_code: 'internal_error',
      status_code: 500,
    });
  });

  it('a cached read: MISS with time in Postgres, then STALE once the projection is failing', async () => {
    const tenant = uniqueTenant();
    const { fetch } = recordingApp();
    const t = await token({ tenant, roles: ['admin'] });
    await fetch('/v1/customers', json(t, { name: 'Stale Reads Ltd' }, 'tm-3'));
    const stub = env.TENANT_LEDGER.get(env.TENANT_LEDGER.idFromName(tenant));
    for (let i = 0; i < 5 && (await stub.projectionStatus()).outboxDepth > 0; i++)
      await runDurableObjectAlarm(stub);

    const get = { headers: { Authorization: `Bearer ${t}` } };
    const miss = await fetch('/v1/customers?limit=5', get);
    expect(miss.res.headers.get('X-Cache')).toBe('MISS');
    expect(miss.point).toMatchObject({
      tenant_id: tenant,
      route: '/v1/customers',
      status: '200',
      cache: 'MISS',
      problem_code: '',
    });
    expect(miss.point.postgres_ms).toBeGreaterThan(0);

    // The ledger now says its deliveries to Postgres are failing: the cached answer is served, marked STALE.
    await runInDurableObject(stub, (_o: TenantLedger, state: DurableObjectState) => {
      state.storage.sql.exec(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('projection.attempts', '1')",
      );
    });
    const stale = await fetch('/v1/customers?limit=5', get);
    expect(stale.res.headers.get('X-Cache')).toBe('STALE');
    expect(stale.point).toMatchObject({
      tenant_id: tenant,
      route: '/v1/customers',
      status: '200',
      cache: 'STALE',
      problem_code: '',
      postgres_ms: 0,
    });
    expect(stale.point.response_bytes).toBe(new TextEncoder().encode(stale.body).length);
  });
});

describe('ledger telemetry', () => {
  it('one point per command (accepted, replayed, refused) and per drain, with lag and outbox depth', async () => {
    const tenant = uniqueTenant();
    const stub = env.TENANT_LEDGER.get(env.TENANT_LEDGER.idFromName(tenant));
    const ledger = new RecordingDataset();
    await runInDurableObject(stub, (o: TenantLedger) => {
      (o as unknown as { env: Env }).env = {
        ...env,
        LEDGER_METRICS: ledger,
        CF_VERSION_METADATA: version,
      } as Env;
    });
    const base = {
      tenantId: tenant,
      actor: 'user-1',
      requestId: 'r-1',
      idempotencyKey: 'k-1',
      requestHash: 'h-1',
    };
    const created = await stub.execute({
      ...base,
      command: { type: 'customer.create', data: { name: 'Ledger Points' } },
    });
    if (!created.ok) throw new Error('refused');
    await stub.execute({
      ...base,
      command: { type: 'customer.create', data: { name: 'Ledger Points' } },
    });
    await stub.execute({
      ...base,
      idempotencyKey: 'k-2',
      requestHash: 'h-2',
      command: { type: 'invoice.issue', data: { id: 'inv_missing' } },
    });
    await runDurableObjectAlarm(stub);

    const points = ledger.points.map((p) => decode(LEDGER, p));
    const n = created.position;
    expect(points.map(({ duration_ms: _d, ...rest }) => rest)).toEqual([
      {
        tenant_id: tenant,
        version_id: 'v-canary-1',
        version_tag: 'canary',
        command: 'customer.create',
        outcome: 'accepted',
        error_code: '',
        outbox_depth: n,
        projection_lag: n,
        position: n,
      },
      {
        tenant_id: tenant,
        version_id: 'v-canary-1',
        version_tag: 'canary',
        command: 'customer.create',
        outcome: 'replayed',
        error_code: '',
        outbox_depth: n,
        projection_lag: n,
        position: n,
      },
      {
        tenant_id: tenant,
        version_id: 'v-canary-1',
        version_tag: 'canary',
        command: 'invoice.issue',
        outcome: 'refused',
        error_code: 'invoice_not_found',
        outbox_depth: n,
        projection_lag: n,
        position: n,
      },
      {
        tenant_id: tenant,
        version_id: 'v-canary-1',
        version_tag: 'canary',
        command: 'projection.drain',
        outcome: 'drained',
        error_code: '',
        outbox_depth: 0,
        projection_lag: 0,
        position: n,
      },
    ]);
    for (const p of points) expect(p.duration_ms).toBeGreaterThanOrEqual(0);
  });
});
