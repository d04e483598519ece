// Applies the drizzle-kit SQL migrations in migrations/ through the same path the Worker
// uses (Neon driver -> WebSocket bridge -> PGlite/PostgreSQL). Idempotent: drizzle records
// what it applied in drizzle.__drizzle_migrations.
import path from 'node:path';
import { createRequire } from 'node:module';
import { Pool, neonConfig } from '@neondatabase/serverless';
import { drizzle } from 'drizzle-orm/neon-serverless';
import { migrate } from 'drizzle-orm/neon-serverless/migrator';
import { ROOT } from './dev-keys.mjs';

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
