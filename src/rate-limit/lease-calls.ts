/**
 * The limiter's lease call in flight per key in this isolate, shared by the concurrent
 * requests of that key (src/rate-limit/client.ts) as plain data they poll — never as a promise
 * they await. A request that awaited a promise another request created resumed in that
 * request's I/O context, and its next I/O (reading its own body, a cache lookup) failed with
 * "Cannot perform I/O on behalf of a different request": 500s, then a wedged isolate, at
 * 1,000 connections (issue #21). The same rule as build-slots.ts and read-version.ts.
 */
import { poll } from '../timeout';

/** One lease call: `outcome` is set once it has `settled`. */
export interface LeaseCall<T> {
  startedAt: number;
  settled: boolean;
  outcome?: T;
}

const inflight = new Map<string, LeaseCall<unknown>>();

/**
 * The call in flight for `key`, if one is and it is younger than `maxAgeMs` (an older one is
 * taken to be lost: its request was torn down before it settled).
 */
export function runningCall<T>(
  key: string,
  now: number,
  maxAgeMs: number,
): LeaseCall<T> | undefined {
  const call = inflight.get(key) as LeaseCall<T> | undefined;
  return call && now - call.startedAt < maxAgeMs ? call : undefined;
}

/** Makes a call as the key's call in flight until it settles; returns its record. */
export async function ownCall<T>(
  key: string,
  now: number,
  ask: () => Promise<T>,
): Promise<LeaseCall<T>> {
  const call: LeaseCall<T> = { startedAt: now, settled: false };
  inflight.set(key, call);
  try {
    call.outcome = await ask();
  } finally {
    call.settled = true;
    if (inflight.get(key) === call) inflight.delete(key);
  }
  return call;
}

/**
 * Waits for another request's call by polling: until it has settled, `ready()` holds (its grant
 * is there to spend), or `maxWaitMs` passes.
 */
export async function awaitCall(
  call: LeaseCall<unknown>,
  maxWaitMs: number,
  ready: () => boolean,
): Promise<void> {
  await poll(() => (call.settled || ready() ? true : undefined), maxWaitMs);
}
