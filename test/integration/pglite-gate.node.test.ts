/**
 * The local PGlite read model under concurrency: the bridge's serial gate
 * (scripts/lib/pg-serial.mjs) lets one connection at a time own PGlite's single session.
 * Without it pglite-socket interleaves clients and wedges (upstream electric-sql/pglite#1046,
 * #985). Run in Node (tooling project) with the Neon driver over `ws`, as the Worker uses it.
 */
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDbStack } from '../../scripts/lib/db-stack.mjs';
import { startBridge } from '../../scripts/lib/ws-bridge.mjs';
import { MessageReader } from '../../scripts/lib/pg-serial.mjs';

const require = createRequire(import.meta.url);
const { Pool, neonConfig } =
  require('@neondatabase/serverless') as typeof import('@neondatabase/serverless');
neonConfig.webSocketConstructor = require('ws');
neonConfig.useSecureWebSocket = false;
neonConfig.pipelineTLS = false;
neonConfig.pipelineConnect = false;

interface Stack {
  wsPort: number;
  pgPort: number;
  databaseUrl: string;
  stop(): Promise<void>;
}
let stack: Stack;
let bridge2: { port: number; close(): Promise<void> };
let bridge3: { port: number; close(): Promise<void> };

function pool(wsPort: number) {
  neonConfig.wsProxy = () => `127.0.0.1:${wsPort}/`;
  return new Pool({ connectionString: stack.databaseUrl, max: 1, connectionTimeoutMillis: 5000 });
}

beforeAll(async () => {
  stack = await startDbStack({ backend: 'pglite' });
  // A second gate on the same PGlite with a short idle-in-transaction limit.
  bridge2 = await startBridge({
    port: 0,
    upstream: { host: '127.0.0.1', port: stack.pgPort },
    serialize: { idleInTransactionMs: 300 },
  });
  // A third with the default 10 s limit, but a short one while others wait.
  bridge3 = await startBridge({
    port: 0,
    upstream: { host: '127.0.0.1', port: stack.pgPort },
    serialize: { contendedIdleMs: 300 },
  });
  const p = pool(stack.wsPort);
  await p.query('CREATE TABLE gate_rows (id int PRIMARY KEY, who text NOT NULL)');
  await p.end();
}, 60_000);

afterAll(async () => {
  await bridge2?.close();
  await bridge3?.close();
  await stack?.stop();
});

describe('PGlite behind the serial gate', () => {
  it('serves 20 concurrent transactional clients for 5 rounds; abandoned transactions leave nothing', async () => {
    let committed = 0;
    const failures: string[] = [];
    const one = async (id: number) => {
      const p = pool(stack.wsPort);
      try {
        const c = await p.connect();
        await c.query('BEGIN');
        await c.query('INSERT INTO gate_rows (id, who) VALUES ($1, $2)', [id, `client ${id}`]);
        // Parameterised reads are Parse/Bind/Execute/Sync batches: they must not interleave.
        const seen = await c.query<{ who: string }>('SELECT who FROM gate_rows WHERE id = $1', [
          id,
        ]);
        if (seen.rows[0]?.who !== `client ${id}`)
          failures.push(`client ${id} read ${JSON.stringify(seen.rows)}`);
        if (id % 7 === 3) {
          c.release(true); // drop the connection inside the transaction
          return;
        }
        await c.query('COMMIT');
        committed++;
        c.release();
      } catch (err) {
        failures.push(`client ${id}: ${(err as Error).message}`);
      } finally {
        await p.end().catch(() => {});
      }
    };
    for (let round = 0; round < 5; round++) {
      await Promise.all(Array.from({ length: 20 }, (_, k) => one(round * 20 + k)));
    }
    expect(failures).toEqual([]);
    const p = pool(stack.wsPort);
    const { rows } = await p.query<{ n: string; abandoned: string }>(
      'SELECT count(*) AS n, count(*) FILTER (WHERE id % 7 = 3) AS abandoned FROM gate_rows',
    );
    await p.end();
    expect(Number(rows[0]?.n)).toBe(committed);
    expect(committed).toBe(100 - 14);
    expect(Number(rows[0]?.abandoned)).toBe(0);
  }, 60_000);

  it('cuts off a connection that idles inside a transaction, and the others go on', async () => {
    const idle = pool(bridge2.port);
    const c = await idle.connect();
    c.on('error', () => {}); // the gate closes it
    await c.query('BEGIN');
    await c.query('INSERT INTO gate_rows (id, who) VALUES (100000, $1)', ['idler']);
    const started = Date.now();
    const other = pool(bridge2.port);
    const { rows } = await other.query<{ n: string }>(
      'SELECT count(*) AS n FROM gate_rows WHERE id = 100000',
    );
    const waited = Date.now() - started;
    await other.end();
    c.release(true);
    await idle.end().catch(() => {});
    expect(Number(rows[0]?.n)).toBe(0); // the idler's insert was rolled back
    expect(waited).toBeGreaterThanOrEqual(250);
    expect(waited).toBeLessThan(5000);
  }, 30_000);
});

describe('PGlite behind the serial gate, contended', () => {
  it('cuts off an owner idle in a transaction after contendedIdleMs once another connection waits, not after 10 s', async () => {
    const idle = pool(bridge3.port);
    const c = await idle.connect();
    c.on('error', () => {});
    await c.query('BEGIN');
    await c.query('INSERT INTO gate_rows (id, who) VALUES (100001, $1)', ['ghost']);
    // Idle but alone for a while: nobody is cut off yet.
    await new Promise((r) => setTimeout(r, 500));
    const started = Date.now();
    const other = pool(bridge3.port);
    const { rows } = await other.query<{ n: string }>(
      'SELECT count(*) AS n FROM gate_rows WHERE id = 100001',
    );
    const waited = Date.now() - started;
    await other.end();
    c.release(true);
    await idle.end().catch(() => {});
    expect(Number(rows[0]?.n)).toBe(0);
    // Idle since >= 500 ms when the other arrived: cut at once (the limit had passed), far below 10 s.
    expect(waited).toBeLessThan(3_000);
  }, 30_000);
});

describe('the bridge cuts and freezes by match (outage tests of one tenant)', () => {
  let bridge: Awaited<ReturnType<typeof startBridge>>;
  beforeAll(async () => {
    bridge = await startBridge({
      port: 0,
      upstream: { host: '127.0.0.1', port: stack.pgPort },
      serialize: true,
    });
  });
  afterAll(() => bridge?.close());

  const ask = (tag: string) => {
    const p = pool(bridge.port);
    p.on('error', () => {});
    return p
      .query<{ t: string }>(`SELECT '${tag}' AS t`)
      .then((r) => r.rows[0]?.t)
      .finally(() => void p.end().catch(() => {}));
  };
  const settledWithin = (q: Promise<unknown>, ms: number) =>
    Promise.race([
      q.then(
        () => true,
        () => true,
      ),
      new Promise<boolean>((r) => setTimeout(() => r(false), ms)),
    ]);

  it('drops only the connections that send a cut match, until it is restored', async () => {
    bridge.cut('tenant_a');
    await expect(ask('tenant_a')).rejects.toThrow();
    expect(await ask('tenant_b')).toBe('tenant_b');
    bridge.restore('tenant_a');
    expect(await ask('tenant_a')).toBe('tenant_a');
  });

  it('holds only the connections that send a frozen match; a thaw lets go of its match alone', async () => {
    bridge.freeze('tenant_a');
    bridge.freeze('tenant_c');
    const a = ask('tenant_a');
    const c = ask('tenant_c');
    expect(await ask('tenant_b')).toBe('tenant_b');
    expect(await settledWithin(a, 300)).toBe(false);
    bridge.thaw('tenant_a');
    expect(await a).toBe('tenant_a');
    expect(await settledWithin(c, 300)).toBe(false);
    bridge.thaw('tenant_c');
    expect(await c).toBe('tenant_c');
  });
});

describe('MessageReader', () => {
  it('reassembles messages split anywhere, startup first', () => {
    const startup = Buffer.alloc(8);
    startup.writeInt32BE(8, 0);
    startup.writeInt32BE(196608, 4);
    const query = Buffer.concat([
      Buffer.from('Q'),
      Buffer.from([0, 0, 0, 9]),
      Buffer.from('abcd\0'),
    ]);
    const sync = Buffer.from([0x53, 0, 0, 0, 4]);
    const all = Buffer.concat([startup, query, sync]);
    for (let cut = 1; cut < all.length; cut++) {
      const r = new MessageReader({ startup: true });
      const got = [...r.push(all.subarray(0, cut)), ...r.push(all.subarray(cut))];
      expect(got.map((m: { type: number | null }) => m.type)).toEqual([null, 0x51, 0x53]);
    }
  });
});
