/**
 * The read side's Postgres client (src/read/db.ts): closing it never waits forever. A pool
 * whose checked-out client was never given back (a socket cut mid-query) would otherwise
 * hold a projection drain, and with it the tenant's projection, for good.
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { getConfig } from '../../src/env';
import { createDbClient } from '../../src/read/db';

describe('createDbClient', () => {
  it('close() gives up on a pool that never ends, after the client timeout', async () => {
    const client = createDbClient(getConfig(env), 'test', 150);
    let ended = 0;
    client.pool.end = (() => {
      ended++;
      return new Promise<void>(() => {});
    }) as typeof client.pool.end;
    const t0 = Date.now();
    await client.close();
    const took = Date.now() - t0;
    expect(ended).toBe(1);
    expect(took).toBeGreaterThanOrEqual(140);
    expect(took).toBeLessThan(2_000);
    await client.close(); // once only
    expect(ended).toBe(1);
  });

  it('close() returns as soon as the pool has ended', async () => {
    const client = createDbClient(getConfig(env), 'test', 5_000);
    const t0 = Date.now();
    await client.close();
    expect(Date.now() - t0).toBeLessThan(1_000);
  });
});
