/**
 * Time helpers: every outbound call gets a deadline (`withTimeout`), and requests of one
 * isolate wait for each other by polling (`poll`).
 */

/** Resolves after `ms`. */
export const sleep = (ms: number): Promise<void> =>
  new Promise<void>((resolve) => setTimeout(resolve, ms));

/** An injectable clock, for tests that move time themselves. */
export interface Clock {
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Calls `probe` every 5 ms, backing off to 50 ms (so a thousand waiters do not busy the
 * isolate), until it returns something other than `undefined`, or `maxWaitMs` has passed
 * (then `undefined`). Requests of one isolate wait for each other this way: a request must
 * not await a promise another request created.
 */
export async function poll<T>(
  probe: () => T | undefined,
  maxWaitMs: number,
  clock: Clock = {},
): Promise<T | undefined> {
  const now = clock.now ?? Date.now;
  const wait = clock.sleep ?? sleep;
  const deadline = now() + maxWaitMs;
  for (let every = 5; ; every = Math.min(every * 2, 50)) {
    const value = probe();
    if (value !== undefined) return value;
    if (now() >= deadline) return undefined;
    await wait(every);
  }
}

/** Every outbound call gets a deadline: rejects with `TimeoutError` after `ms`. */
export class TimeoutError extends Error {
  override name = 'TimeoutError';
}

export async function withTimeout<T>(work: Promise<T>, ms: number, label: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`${label} timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
