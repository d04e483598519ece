/**
 * Liveness and readiness. `/health` says the isolate is up and touches nothing else.
 * `/ready` checks each dependency with its own timeout and names each one's state; it
 * answers 503 while any is down and recovers by itself (no state is cached here).
 */
import { Hono } from 'hono';
import type { AppEnv, Config } from '../env';
import { createDbClient } from '../read/db';
import { withTimeout } from '../timeout';

type DependencyState = { status: 'ok' | 'down'; latencyMs: number; error?: string };

async function probe(
  run: () => Promise<unknown>,
  ms: number,
  label: string,
): Promise<DependencyState> {
  const started = Date.now();
  try {
    await withTimeout(run(), ms, label);
    return { status: 'ok', latencyMs: Date.now() - started };
  } catch (err) {
    // Only the class of failure reaches the client: never hosts, SQL or driver messages.
    const error = err instanceof Error && err.name === 'TimeoutError' ? 'timeout' : 'unreachable';
    return { status: 'down', latencyMs: Date.now() - started, error };
  }
}

async function checkPostgres(
  config: Config,
  waitUntil: (p: Promise<unknown>) => void,
): Promise<DependencyState> {
  const client = createDbClient(config, 'ready');
  try {
    return await probe(() => client.pool.query('select 1'), config.DB_TIMEOUT_MS, 'postgres');
  } finally {
    waitUntil(client.close());
  }
}

export const health = new Hono<AppEnv>()
  .get('/health', (c) =>
    c.json({ status: 'ok', version: c.env.CF_VERSION_METADATA?.id ?? 'local' }, 200, {
      'Cache-Control': 'no-store',
    }),
  )
  .get('/ready', async (c) => {
    const config = c.get('config');
    const [postgres, kv] = await Promise.all([
      checkPostgres(config, (p) => c.executionCtx.waitUntil(p)),
      probe(() => c.env.CACHE_KV.get('__ready_probe'), config.KV_TIMEOUT_MS, 'kv'),
    ]);
    const ok = postgres.status === 'ok' && kv.status === 'ok';
    return c.json(
      { status: ok ? 'ok' : 'degraded', dependencies: { postgres, kv } },
      ok ? 200 : 503,
      ok ? { 'Cache-Control': 'no-store' } : { 'Cache-Control': 'no-store', 'Retry-After': '5' },
    );
  });
