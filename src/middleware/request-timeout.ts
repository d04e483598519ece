/**
 * A deadline for the whole request (`hono/timeout`, `REQUEST_TIMEOUT_MS`, every route): past
 * it the client gets 504 problem+json `timeout` (mapped in errors.ts) with the request id.
 * The work still running is not cancelled (Workers cannot), but nothing more is sent; a
 * command that was already handed to the ledger may still be applied, which is why writes
 * take an `Idempotency-Key`: the client retries with the same key and gets the one outcome.
 */
import { createMiddleware } from 'hono/factory';
import { HTTPException } from 'hono/http-exception';
import { timeout } from 'hono/timeout';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env';

const byDuration = new Map<number, MiddlewareHandler>();

export const requestTimeout = createMiddleware<AppEnv>((c, next) => {
  const ms = c.get('config').REQUEST_TIMEOUT_MS;
  let guard = byDuration.get(ms);
  if (!guard) {
    guard = timeout(
      ms,
      () => new HTTPException(504, { message: `Request timed out after ${ms} ms` }),
    );
    byDuration.set(ms, guard);
  }
  return guard(c, next);
});
