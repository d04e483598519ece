// Starts the local read-model database behind the WebSocket bridge, the way the Worker
// reaches Neon: embedded PGlite (default, zero install) or a real PostgreSQL server.
import { mkdirSync } from 'node:fs';
import { createMemoryPGlite } from './pglite-image.mjs';
import { startBridge } from './ws-bridge.mjs';
import { startTempCluster } from './pg-cluster.mjs';

/**
 * @typedef {{ backend: string, wsPort: number, pgPort: number, databaseUrl: string,
 *   bridge: Awaited<ReturnType<typeof startBridge>>, stop: () => Promise<void> }} DbStack
 */

/**
 * @param {{ backend?: 'pglite' | 'postgres' | 'postgres-temp', dataDir?: string | null,
 *   wsPort?: number, pgPort?: number, pgHost?: string, databaseUrl?: string }} [opts]
 * @returns {Promise<DbStack>}
 */
export async function startDbStack(opts = {}) {
  const backend = opts.backend ?? 'pglite';
  let pgHost = opts.pgHost ?? '127.0.0.1';
  let pgPort = opts.pgPort ?? 0;
  let databaseUrl = opts.databaseUrl ?? 'postgres://postgres:postgres@127.0.0.1:5432/postgres';
  let stopUpstream = async () => {};
  let pglite = null;

  if (backend === 'pglite') {
    const { PGlite } = await import('@electric-sql/pglite');
    const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
    if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true });
    const db = opts.dataDir ? await PGlite.create(opts.dataDir) : await createMemoryPGlite(PGlite);
    pglite = db;
    // Each tenant's ledger keeps its projection connection open for a while after a drain
    // (src/ledger/kept-connection.ts), so a suite or a bench that touches many tenants in a
    // few seconds holds many idle connections: past the limit pglite-socket answers "Too many
    // connections" and hangs up. They cost a socket each (the bridge serializes the work).
    const server = new PGLiteSocketServer({
      db,
      host: pgHost,
      port: pgPort,
      maxConnections: 1024,
    });
    await server.start();
    pgPort = portOf(server);
    stopUpstream = async () => {
      await server.stop();
      await db.close();
    };
  } else if (backend === 'postgres-temp') {
    const cluster = await startTempCluster({ dataDir: opts.dataDir ?? null });
    pgPort = cluster.port;
    databaseUrl = cluster.databaseUrl;
    stopUpstream = cluster.stop;
  } else if (backend === 'postgres') {
    if (!pgPort)
      throw new Error('DB_BACKEND=postgres needs PG_PORT (and PG_HOST) of a running server');
  } else {
    throw new Error(`DB_BACKEND must be pglite, postgres or postgres-temp (got "${backend}")`);
  }

  const bridge = await startBridge({
    port: opts.wsPort ?? 0,
    upstream: { host: pgHost, port: pgPort },
    serialize: backend === 'pglite',
  });
  return {
    backend,
    wsPort: bridge.port,
    pgPort,
    databaseUrl,
    bridge,
    /** The in-process PGlite (backend pglite only; null otherwise): direct SQL, bypassing the bridge. */
    pglite,
    async stop() {
      await bridge.close();
      await stopUpstream();
    },
  };
}

function portOf(server) {
  // getServerConn() answers "host:port"; with port 0 the OS picked a free one.
  const port = Number(String(server.getServerConn()).split(':').pop());
  if (!Number.isInteger(port) || port <= 0)
    throw new Error('could not read the PGlite socket port');
  return port;
}
