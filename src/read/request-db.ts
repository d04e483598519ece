/**
 * One Postgres client per request, created on first use (routes that never touch Postgres
 * pay nothing) and closed in `waitUntil` once the response is ready (`releaseDb`).
 */
import { createMiddleware } from 'hono/factory';
import type { AppContext, AppEnv } from '../env';
import { createDbClient, type DbClient } from './db';

export function dbOf(c: AppContext): DbClient {
  let client = c.get('db');
  if (!client) {
    client = createDbClient(c.get('config'));
    c.set('db', client);
  }
  return client;
}

/** Closes the request's Postgres client after the handler, without delaying the response. */
export const releaseDb = createMiddleware<AppEnv>(async (c, next) => {
  try {
    await next();
  } finally {
    const client = c.get('db');
    if (client) c.executionCtx.waitUntil(client.close());
  }
});
