/**
 * Where a request's time went: the ledger RPC, Postgres and KV, summed over the calls the
 * request awaited. The request metrics middleware creates one per request and writes it
 * with the request's point; call sites wrap the promise they await in `timed`.
 */
export interface Timings {
  ledgerMs: number;
  postgresMs: number;
  kvMs: number;
}

export const newTimings = (): Timings => ({ ledgerMs: 0, postgresMs: 0, kvMs: 0 });

/** Awaits `work`, adding its elapsed time to `timings[kind]` (nothing to add to without timings). */
export async function timed<T>(
  timings: Timings | undefined,
  kind: keyof Timings,
  work: Promise<T>,
): Promise<T> {
  if (!timings) return work;
  const started = performance.now();
  try {
    return await work;
  } finally {
    timings[kind] += performance.now() - started;
  }
}
