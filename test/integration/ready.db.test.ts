import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { getConfig } from '../../src/env';
import { createDbClient } from '../../src/read/db';
import { projectionCheckpoints } from '../../src/read/schema';
import { call, cutBridge, restoreBridge, uniqueTenant } from '../fixtures/http';

afterEach(async () => {
  await restoreBridge();
});

describe(`read-model database through the Neon driver and the bridge (${env.TEST_DB_BACKEND})`, () => {
  it('runs drizzle queries over the Neon serverless Pool', async () => {
    const client = createDbClient(getConfig(env));
    try {
      const tenantId = uniqueTenant();
      await client.db.insert(projectionCheckpoints).values({ tenantId, position: 42 });
      const rows = await client.db
        .select()
        .from(projectionCheckpoints)
        .where(sql`${projectionCheckpoints.tenantId} = ${tenantId}`);
      expect(rows).toEqual([expect.objectContaining({ tenantId, position: 42 })]);
      const version = await client.pool.query('select current_setting($1) as v', [
        'server_version_num',
      ]);
      expect(Number(version.rows[0].v)).toBeGreaterThanOrEqual(150000);
    } finally {
      await client.close();
    }
  });

  it('/ready is 200 with postgres and kv ok', async () => {
    const res = await call('/ready');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      status: 'ok',
      dependencies: { postgres: { status: 'ok' }, kv: { status: 'ok' } },
    });
  });

  it('/ready is 503 naming postgres while the bridge is down, and 200 again once it is back', async () => {
    // Only /ready's connections (its application_name): suites beside this one keep theirs.
    await cutBridge('finance-edge:ready');
    const down = await call('/ready');
    expect(down.status).toBe(503);
    expect(down.headers.get('Retry-After')).toBe('5');
    const body = (await down.json()) as {
      dependencies: Record<string, { status: string; error?: string }>;
    };
    expect(body.dependencies.postgres).toMatchObject({ status: 'down' });
    expect(body.dependencies.kv).toMatchObject({ status: 'ok' });
    expect(JSON.stringify(body)).not.toMatch(/127\.0\.0\.1|postgres:\/\//);

    await restoreBridge();
    const up = await call('/ready');
    expect(up.status).toBe(200);
  });
});
