/**
 * Every Postgres round trip of `createDbClient` has the deadline (src/read/db.ts `bound`):
 * against a frozen peer (a WebSocket that is accepted and then never answers, as a database
 * or bridge stopped with SIGSTOP) the connect fails within about the deadline, and so does a
 * statement after a connect that succeeded. The peer here is a few lines of wire protocol:
 * it answers the startup (AuthenticationOk, ReadyForQuery) and then goes silent.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import type { Config } from '../../src/env';
import { createDbClient } from '../../src/read/db';

const DEADLINE_MS = 300;
/** AuthenticationOk ('R', length 8, code 0) then ReadyForQuery ('Z', length 5, idle). */
const HELLO = Buffer.from([0x52, 0, 0, 0, 8, 0, 0, 0, 0, 0x5a, 0, 0, 0, 5, 0x49]);

let server: WebSocketServer;
let port = 0;

beforeAll(async () => {
  server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => server.once('listening', resolve));
  port = (server.address() as AddressInfo).port;
  // The database name in the connection string says how the peer behaves.
  server.on('connection', (ws) => {
    let first = true;
    ws.on('message', (data: Buffer) => {
      if (first && data.includes('answers_startup')) ws.send(HELLO);
      first = false;
    });
  });
});

afterAll(async () => {
  for (const ws of server.clients) ws.terminate();
  await new Promise((resolve) => server.close(resolve));
});

const config = (database: string) =>
  ({
    DATABASE_URL: `postgres://u:p@127.0.0.1:5432/${database}`,
    DB_WS_PROXY: `127.0.0.1:${port}`,
    DB_TIMEOUT_MS: DEADLINE_MS,
  }) as unknown as Config;

async function failsWithin(database: string): Promise<{ ms: number; error: unknown }> {
  const client = createDbClient(config(database), 'test');
  const started = Date.now();
  try {
    const error = await (async () => {
      const c = await client.pool.connect();
      try {
        await c.query('select 1');
      } finally {
        c.release();
      }
    })().then(
      () => null,
      (err: unknown) => err,
    );
    return { ms: Date.now() - started, error };
  } finally {
    await client.close();
  }
}

describe('Postgres round trips have a deadline', () => {
  it.each([
    { peer: 'silent from the start', database: 'frozen', label: 'connect timed out' },
    { peer: 'silent after the startup', database: 'answers_startup', label: 'statement timed out' },
  ])('$peer: fails within about the deadline ($label)', async ({ database, label }) => {
    const { ms, error } = await failsWithin(database);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain(label);
    expect(ms).toBeGreaterThanOrEqual(DEADLINE_MS - 20);
    expect(ms).toBeLessThan(DEADLINE_MS + 1_000);
  });
});
