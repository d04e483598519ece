/**
 * Postgres access for the read side: drizzle over the Neon serverless driver's Pool
 * (WebSockets). One client per cache build or projection drain, closed when it ends. Locally the driver reaches
 * PGlite or PostgreSQL through the WebSocket->TCP bridge named by DB_WS_PROXY.
 */
import { Pool, neonConfig, type PoolClient } from '@neondatabase/serverless';
import { drizzle } from 'drizzle-orm/neon-serverless';
import type { NeonDatabase } from 'drizzle-orm/neon-serverless';
import type { Config } from '../env';
import { TimeoutError, withTimeout } from '../timeout';
import * as schema from './schema';

export type Database = NeonDatabase<typeof schema>;

export interface DbClient {
  db: Database;
  pool: Pool;
  close(): Promise<void>;
}

let configuredProxy: string | undefined | null = null;

/** Driver settings are module-global in @neondatabase/serverless; set them once per isolate. */
function configureDriver(config: Config): void {
  if (configuredProxy === config.DB_WS_PROXY) return;
  configuredProxy = config.DB_WS_PROXY;
  if (config.DB_WS_PROXY) {
    const proxy = config.DB_WS_PROXY;
    neonConfig.wsProxy = () => `${proxy}/v2`;
    neonConfig.useSecureWebSocket = false;
    neonConfig.pipelineTLS = false;
    neonConfig.pipelineConnect = false;
  }
}

/** Closes a client's socket at once: a later statement on it (the ROLLBACK) fails instead of waiting. */
function cut(client: PoolClient): void {
  (
    client as unknown as { connection?: { stream?: { destroy?: () => void } } }
  ).connection?.stream?.destroy?.();
}

/**
 * Gives every round trip of `pool` (the connect, each statement, the COMMIT) the deadline
 * `ms` in our own timers. The driver's `connectionTimeoutMillis` and `query_timeout` are not
 * enough: a connect to a frozen peer (SIGSTOP) closes its WebSocket on timeout and waits for
 * the close that never comes, so its promise did not settle and the read ran into the
 * request deadline (504). A statement past its deadline also cuts its connection, so the
 * transaction's ROLLBACK fails at once instead of waiting out a second deadline.
 */
function bound(pool: Pool, ms: number): void {
  const connect = pool.connect.bind(pool) as () => Promise<PoolClient>;
  pool.connect = ((callback?: unknown) => {
    if (typeof callback === 'function') return (connect as (cb: unknown) => void)(callback);
    const pending = connect();
    return withTimeout(pending, ms, 'connect').catch((err: unknown) => {
      // The late client, if it ever comes, is destroyed rather than pooled.
      if (err instanceof TimeoutError)
        void pending.then(
          (client) => client.release(true),
          () => {},
        );
      throw err;
    });
  }) as Pool['connect'];
  pool.on('connect', (client: PoolClient) => {
    // A cut (or lost) connection emits 'error' while checked out; its statements reject anyway.
    client.on('error', () => {});
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    client.query = ((...args: unknown[]) => {
      const pending = query(...args);
      if (!(pending instanceof Promise)) return pending;
      return withTimeout(pending, ms, 'statement').catch((err: unknown) => {
        if (err instanceof TimeoutError) cut(client);
        throw err;
      });
    }) as PoolClient['query'];
  });
}

/**
 * Creates a client for one piece of work (a cache build, a projection drain, a readiness
 * check). Nothing connects until the first query. `purpose` becomes the connection's
 * `application_name` (`finance-edge:<purpose>`), so `pg_stat_activity` shows who holds a
 * connection (docs/runbook.md). `timeoutMs` bounds the connect and each statement (default
 * `DB_TIMEOUT_MS`; see `bound`).
 */
export function createDbClient(
  config: Config,
  purpose = 'app',
  timeoutMs = config.DB_TIMEOUT_MS,
): DbClient {
  configureDriver(config);
  const pool = new Pool({
    connectionString: config.DATABASE_URL,
    application_name: `finance-edge:${purpose}`,
    // No driver timers (`connectionTimeoutMillis`, `query_timeout`): `bound` gives every round
    // trip its deadline, and the driver's own connect timeout could hang on a frozen peer.
    max: 4,
  });
  // An idle client that loses its socket emits 'error'; without a listener it would throw.
  pool.on('error', () => {});
  bound(pool, timeoutMs);
  let closed = false;
  return {
    db: drizzle({ client: pool, schema }),
    pool,
    /**
     * Ends the pool, waiting at most `timeoutMs`: `pool.end()` waits for checked-out clients,
     * and a client whose socket was cut mid-query may never be given back (the driver does not
     * always settle its promise then). A drain that awaited that forever would never finish,
     * and its tenant's projection would stop. Postgres ends such a session itself (the
     * idle-in-transaction limit, tenant-tx.ts).
     */
    async close() {
      if (closed) return;
      closed = true;
      await withTimeout(pool.end(), timeoutMs, 'closing the pool').catch(() => {});
    },
  };
}
