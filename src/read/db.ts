/**
 * Postgres access for the read side: drizzle over the Neon serverless driver's Pool
 * (WebSockets). One client per cache build or projection drain, closed when it ends. Locally the driver reaches
 * PGlite or PostgreSQL through the WebSocket->TCP bridge named by DB_WS_PROXY.
 */
import { Pool, neonConfig } from '@neondatabase/serverless';
import { drizzle } from 'drizzle-orm/neon-serverless';
import type { NeonDatabase } from 'drizzle-orm/neon-serverless';
import type { Config } from '../env';
import { withTimeout } from '../timeout';
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

/**
 * Creates a client for one piece of work (a cache build, a projection drain, a readiness
 * check). Nothing connects until the first query. `purpose` becomes the connection's
 * `application_name` (`finance-edge:<purpose>`), so `pg_stat_activity` shows who holds a
 * connection (docs/runbook.md). `timeoutMs` bounds the connect and each query (default
 * `DB_TIMEOUT_MS`).
 */
export function createDbClient(config: Config, purpose = 'app', timeoutMs = config.DB_TIMEOUT_MS): DbClient {
  configureDriver(config);
  const pool = new Pool({
    connectionString: config.DATABASE_URL,
    application_name: `finance-edge:${purpose}`,
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
    max: 4,
  });
  // An idle client that loses its socket emits 'error'; without a listener it would throw.
  pool.on('error', () => {});
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
