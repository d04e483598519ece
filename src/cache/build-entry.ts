/**
 * A cache build (src/cache/cached-read.ts): the read's query in a read-only tenant
 * transaction, on a Postgres client of its own, holding one of the isolate's build slots.
 */
import type { AppContext } from '../env';
import { withTimeout } from '../timeout';
import { timed } from '../telemetry/timings';
import { createDbClient } from '../read/db';
import { readCheckpoint, ReadModelRegressedError } from '../read/checkpoint';
import { readAsTenant, type TenantTx } from '../read/tenant-tx';
import { buildSlots, NoBuildSlotError } from './build-slots';
import type { MemoryEntry } from './memory-cache';

export interface Built {
  body: unknown;
  /** RFC 8288 `Link` header value (next page), if any. */
  link?: string;
}

/** A route's query: its answer from the tenant's read model. */
export type BuildQuery = (tx: TenantTx) => Promise<Built>;

/** How long a request waits for another request's build of the same entry before building itself. */
export const BUILD_WAIT_MS = 2_000;

/**
 * Runs the query in a read-only tenant transaction; the answer in its stored form, as soon as
 * the query has it (the COMMIT finishes in the background). The transaction first reads the
 * read model's checkpoint in the same snapshot as the query: below `claimed`, the position
 * the answer will say it includes, it throws `ReadModelRegressedError` instead (one more
 * round trip per build). The build has a Postgres client of its own, closed once the
 * transaction has ended, and holds one of the isolate's build slots until then
 * (build-slots.ts); with none free in time it fails like a build whose database is down, and
 * the caller answers STALE or 503.
 */
export async function buildEntry(
  c: AppContext,
  build: BuildQuery,
  claimed: number,
): Promise<MemoryEntry> {
  const release = await buildSlots.acquire(BUILD_WAIT_MS);
  if (!release) throw new NoBuildSlotError();
  const builtAt = Date.now();
  const config = c.get('config');
  const client = createDbClient(config, 'build');
  const tenantId = c.get('principal').tenantId;
  const read = readAsTenant(client.db, tenantId, async (tx) => {
    const checkpoint = await readCheckpoint(tx, tenantId);
    if (checkpoint < claimed) throw new ReadModelRegressedError(checkpoint, claimed);
    return build(tx);
  });
  // The slot is free once the transaction has ended, or has failed, or DB_TIMEOUT_MS after
  // the answer: a driver that never settles its COMMIT (a socket cut mid-way) must not hold
  // the slot. Postgres ends such a session itself (withTenant's idle-in-transaction limit).
  const over = read.answer.then(
    () => withTimeout(read.ended, config.DB_TIMEOUT_MS, 'commit').catch(() => undefined),
    () => undefined,
  );
  c.executionCtx.waitUntil(over.finally(release).then(() => client.close()));
  const built = await timed(c.get('timings'), 'postgresMs', read.answer);
  return { link: built.link ?? '', json: JSON.stringify(built.body), builtAt };
}
