// Reads the local database settings shared by npm start, npm run migrate and the bench.
//   DB_BACKEND   pglite (default) | postgres (a running server) | postgres-temp (throwaway cluster)
//   PG_HOST, PG_PORT, PG_DATABASE_URL   for DB_BACKEND=postgres
//   DB_BRIDGE_PORT   WebSocket bridge port (default 8788)
import path from 'node:path';

export function stackOptionsFromEnv(dataRoot, env = process.env) {
  const backend = env.DB_BACKEND ?? 'pglite';
  return {
    backend,
    dataDir:
      backend === 'pglite'
        ? path.join(dataRoot, 'pglite')
        : backend === 'postgres-temp'
          ? path.join(dataRoot, 'postgres')
          : null,
    wsPort: Number(env.DB_BRIDGE_PORT ?? 8788),
    pgHost: env.PG_HOST ?? '127.0.0.1',
    pgPort: env.PG_PORT ? Number(env.PG_PORT) : 0,
    databaseUrl:
      env.PG_DATABASE_URL ??
      `postgres://postgres:postgres@${env.PG_HOST ?? '127.0.0.1'}:${env.PG_PORT ?? 5432}/postgres`,
  };
}
