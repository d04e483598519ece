/**
 * The read model loses rows the ledger still holds (a restore from an older backup, a reset, a
 * new Neon branch). Every list, search and report, with and without `X-Min-Position`, cached or
 * built, then answers the right rows or a 503/STALE, never fewer rows with 200; and the ledger
 * rebuilds the read model without waiting for a new write.
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { getTableName } from 'drizzle-orm';
import { getConfig } from '../../src/env';
import { createDbClient } from '../../src/read/db';
import { withTimeout } from '../../src/timeout';
import { READ_MODEL_TABLES } from '../../src/read/projection';
import { projectionCheckpoints, TOTALS_TABLES } from '../../src/read/schema';
import { books, LATER_WRITES, laterWrites } from '../fixtures/read-side';
import { get, problemOf, uniqueTenant } from '../fixtures/http';
import { evictLedger } from '../fixtures/projector';

const ledgerFor = (tenantId: string) =>
  env.TENANT_LEDGER.get(env.TENANT_LEDGER.idFromName(tenantId));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Direct database work of the test, retried: another file's outage test may cut the bridge for a moment. */
async function retrying<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await withTimeout(work(), 5_000, 'test database call');
    } catch (err) {
      if (attempt >= 5) throw err;
      await sleep(500);
    }
  }
}

/** Deletes the tenant's read model, checkpoint included, in one transaction (as a reset or an older backup would leave it). */
function resetReadModel(tenantId: string): Promise<void> {
  return retrying(async () => {
    const client = createDbClient(getConfig(env));
    const conn = await client.pool.connect();
    try {
      await conn.query('BEGIN');
      for (const t of [...READ_MODEL_TABLES, ...TOTALS_TABLES, projectionCheckpoints])
        await conn.query(`DELETE FROM ${getTableName(t)} WHERE tenant_id = $1`, [tenantId]);
      await conn.query('COMMIT');
    } finally {
      conn.release();
      await client.close();
    }
  });
}

/** The tenant's checkpoint as Postgres holds it (0 without a row). */
function checkpointOf(tenantId: string): Promise<number> {
  return retrying(async () => {
    const client = createDbClient(getConfig(env));
    try {
      const { rows } = await client.pool.query<{ position: string }>(
        'SELECT position FROM projection_checkpoints WHERE tenant_id = $1',
        [tenantId],
      );
      return Number(rows[0]?.position ?? 0);
    } finally {
      await client.close();
    }
  });
}

/** Books with a later customer, vendor, account and payment: every route has rows. */
async function fullBooks(tenant: string) {
  const b = await books(tenant);
  const { ids, position } = await laterWrites(b);
  // The right answer of every route at the last position (each checked against the writes).
  const right = new Map<string, string>();
  for (const [path, sees] of Object.entries(LATER_WRITES)) {
    const res = await get(b.t, path, { minPosition: position });
    expect(res.status, path).toBe(200);
    const text = await res.text();
    sees(text, ids, path);
    right.set(path, text);
  }
  return { t: b.t, position, right };
}

const VARIANTS = [
  { name: 'no header', min: false, headers: {} },
  { name: 'X-Min-Position', min: true, headers: {} },
  { name: 'no header, not cached', min: false, headers: { 'Cache-Control': 'no-cache' } },
  { name: 'X-Min-Position, not cached', min: true, headers: { 'Cache-Control': 'no-cache' } },
] as const;

/** One read: 200 with exactly the right rows, or 503 `read_model_behind` with Retry-After. Returns the outcome. */
async function readOnce(
  t: string,
  path: string,
  position: string,
  v: (typeof VARIANTS)[number],
  right: string,
): Promise<string> {
  const res = await get(t, path, {
    minPosition: v.min ? position : undefined,
    headers: { ...v.headers },
  });
  const where = `${path} (${v.name})`;
  if (res.status === 503) {
    expect(res.headers.get('Retry-After'), where).toBeTruthy();
    expect(await problemOf(res), where).toMatchObject({ status: 503, code: 'read_model_behind' });
    return '503';
  }
  expect(res.status, where).toBe(200);
  expect(await res.text(), where).toBe(right);
  const cache = String(res.headers.get('X-Cache'));
  // A fresh answer claims at least the position; a STALE one names the version of the entry served.
  if (cache !== 'STALE')
    expect(Number(res.headers.get('X-Read-Model-Position')), where).toBeGreaterThanOrEqual(
      Number(position),
    );
  return cache;
}

describe(`read model reset under a live ledger (${env.TEST_DB_BACKEND})`, () => {
  it('every list, search and report answers the right rows or 503/STALE, never fewer rows, and the rebuild needs no write', async () => {
    const tenant = uniqueTenant();
    const b = await fullBooks(tenant);
    const stub = ledgerFor(tenant);
    const ledgerPosition = (await stub.info()).position;
    expect(await checkpointOf(tenant)).toBe(ledgerPosition);

    await resetReadModel(tenant);
    expect(await checkpointOf(tenant)).toBe(0);
    // Right after the reset a fresh build of a list must not claim the position: STALE
    // (the cached answer, which is right) or 503, never the empty list.
    const first = await readOnce(
      b.t,
      '/v1/customers',
      b.position,
      VARIANTS[2],
      b.right.get('/v1/customers') ?? '',
    );
    expect(['STALE', '503']).toContain(first);

    const outcomes = new Map<string, string[]>();
    for (let round = 0; round < 60; round++) {
      let settled = true;
      for (const [path, right] of b.right) {
        for (const v of VARIANTS) {
          const outcome = await readOnce(b.t, path, b.position, v, right);
          outcomes.set(`${path} ${v.name}`, [
            ...(outcomes.get(`${path} ${v.name}`) ?? []),
            outcome,
          ]);
          if (outcome === '503' || outcome === 'STALE') settled = false;
        }
      }
      if (settled) break;
      await sleep(100);
    }
    // Every route and variant ends fresh again (HIT, MISS or BYPASS with the right rows)...
    for (const [key, seen] of outcomes) expect(seen.at(-1), key).toMatch(/^(HIT|MISS|BYPASS)$/);
    // ...with the read model rebuilt to the ledger's position, and no write made since.
    expect((await stub.info()).position).toBe(ledgerPosition);
    expect(await checkpointOf(tenant)).toBe(ledgerPosition);
    expect((await stub.projectionStatus()).readModelCheckpoint).not.toBeNull();
  });

  it('a restarted ledger checks the read model and rebuilds it with no read and no write', async () => {
    const tenant = uniqueTenant();
    const b = await books(tenant);
    const stub = ledgerFor(tenant);
    const ledgerPosition = (await stub.info()).position;
    expect((await get(b.t, '/v1/customers', { minPosition: b.position })).status).toBe(200);

    await resetReadModel(tenant);
    await evictLedger(stub);
    // Waking the object (a call that touches no read model) is enough: it checks on start.
    expect((await stub.info()).position).toBe(ledgerPosition);
    let checkpoint = 0;
    for (let i = 0; i < 50 && checkpoint < ledgerPosition; i++) {
      await sleep(100);
      checkpoint = await checkpointOf(tenant);
    }
    expect(checkpoint).toBe(ledgerPosition);
    expect(await stub.projectionStatus()).toMatchObject({
      position: ledgerPosition,
      projectedPosition: ledgerPosition,
      outboxDepth: 0,
      lastError: null,
    });
  });
});
