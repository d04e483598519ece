// Applies the drizzle-kit SQL migrations in migrations/. The local stack: through the same
// path the Worker uses (Neon driver -> WebSocket bridge -> PGlite/PostgreSQL). Any other
// database (Neon, staging, production): directly over TCP with TLS as its sslmode says
// (node-postgres; see pg-url.mjs). Idempotent either way: drizzle records what it applied
// in drizzle.__drizzle_migrations, the same table on both paths.
import path from 'node:path';
import { createRequire } from 'node:module';
import { Pool, neonConfig } from '@neondatabase/serverless';
import { drizzle } from 'drizzle-orm/neon-serverless';
import { migrate } from 'drizzle-orm/neon-serverless/migrator';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { ROOT } from './dev-keys.mjs';
import { pgClientConfig } from './pg-url.mjs';

// Loaded through require so Vite (vitest globalSetup) cannot swap in ws's browser stub.
const ws = createRequire(import.meta.url)('ws');

/** Points the Neon driver (in Node) at a local bridge. */
export function useLocalBridge(wsPort) {
  neonConfig.webSocketConstructor = ws;
  neonConfig.wsProxy = () => `127.0.0.1:${wsPort}/v2`;
  neonConfig.useSecureWebSocket = false;
  neonConfig.pipelineTLS = false;
  neonConfig.pipelineConnect = false;
}

/** @param {{ wsPort: number, databaseUrl: string }} stack */
export async function runMigrations(stack) {
  useLocalBridge(stack.wsPort);
  const pool = new Pool({ connectionString: stack.databaseUrl, max: 1 });
  try {
    await migrate(drizzle({ client: pool }), { migrationsFolder: path.join(ROOT, 'migrations') });
  } finally {
    await pool.end();
  }
}

/**
 * Applies migrations/ to `databaseUrl` over a direct connection (TLS per its sslmode). Use
 * Neon's direct (non-pooled) host: migrations take locks and run in one transaction, which a
 * transaction pooler in front of them does not promise to keep on one server session.
 * @returns {Promise<{ sslmode: string, tls: boolean }>}
 */
export async function runDirectMigrations(databaseUrl) {
  const { config, sslmode } = pgClientConfig(databaseUrl);
  const client = new pg.Client(config);
  await client.connect();
  try {
    await migratePg(drizzlePg({ client }), { migrationsFolder: path.join(ROOT, 'migrations') });
    // Ask the server, not the client: a TLS session shows in pg_stat_ssl.
    const { rows } = await client.query('select ssl from pg_stat_ssl where pid = pg_backend_pid()');
    return { sslmode, tls: rows[0]?.ssl === true };
  } finally {
    await client.end();
  }
}
