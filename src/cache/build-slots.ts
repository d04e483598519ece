/**
 * At most `MAX_BUILDS` cache builds at once per isolate. Every build opens a Postgres
 * connection of its own (a Worker cannot share one across requests), so without a bound an
 * overload multiplies them: with 1000 clients each version move started 13 builds while
 * the previous version's were still running, and Postgres refused new connections
 * (`too_many_connections`), the projection's included, which then marked every answer STALE
 * (docs/performance.md). A request that gets no slot in time is answered like one whose build
 * failed: the last cached answer marked STALE, or 503.
 *
 * A slot that is never given back counts as free once it is `SLOT_MAX_AGE_MS` old, so a lost
 * release cannot wedge the isolate. Releases do get lost: after a 1000-connection run, reads
 * were still refused for want of a slot once the load had stopped (the builds' requests were
 * torn down before their `finally` ran). Waiting polls (`poll`): a request must not await a
 * promise another request created.
 */

import { poll, type Clock } from '../timeout';

export const MAX_BUILDS = 8;

/** No build slot came free in time: the read is answered STALE or 503 (cached-read.ts). */
export class NoBuildSlotError extends Error {
  override name = 'NoBuildSlotError';
  constructor() {
    super('no build slot free');
  }
}
/**
 * Longer than a build that is still alive can take: its connect and each of its few queries
 * time out after `DB_TIMEOUT_MS` (2 s by default). A slot older than this is taken to be lost.
 */
export const SLOT_MAX_AGE_MS = 15_000;

export class BuildSlots {
  private readonly held = new Map<number, number>();
  private next = 0;

  constructor(
    readonly max = MAX_BUILDS,
    private readonly maxAgeMs = SLOT_MAX_AGE_MS,
  ) {}

  /** Slots in use now (expired ones dropped). */
  inUse(now = Date.now()): number {
    for (const [id, since] of this.held) if (now - since >= this.maxAgeMs) this.held.delete(id);
    return this.held.size;
  }

  /** Takes a slot, waiting up to `maxWaitMs`; returns its release function, or null if none came free. */
  async acquire(maxWaitMs: number, clock: Clock = {}): Promise<(() => void) | null> {
    const now = clock.now ?? Date.now;
    const release = await poll(
      () => {
        const at = now();
        if (this.inUse(at) >= this.max) return undefined;
        const id = (this.next += 1);
        this.held.set(id, at);
        return () => void this.held.delete(id);
      },
      maxWaitMs,
      clock,
    );
    return release ?? null;
  }
}

/** This isolate's build slots. */
export const buildSlots = new BuildSlots();
