/**
 * Read-your-writes by default. The isolate remembers, per tenant and subject, the highest
 * ledger position it acknowledged to that principal (`runCommand`), and cached reads by the
 * same principal read with it as their minimum (src/cache/cached-read.ts), exactly as if the
 * client had sent `X-Min-Position`. Other principals' reads are untouched: they keep the
 * staleness bound. A bounded LRU (`lru-cache`): a principal forgotten after 10,000 others
 * have written through this isolate only loses the guarantee for writes it makes no more
 * reads after; another isolate (or a restarted one) knows nothing, which is what the
 * header is for (docs/api.md "Consistency").
 */
import { LRUCache } from 'lru-cache';

const MAX_PRINCIPALS = 10_000;

const positions = new LRUCache<string, number>({ max: MAX_PRINCIPALS });

const keyOf = (tenantId: string, subject: string) => `${tenantId}\u0000${subject}`;

/** Notes that `position` was acknowledged to the principal (positions only move forward). */
export function acknowledged(tenantId: string, subject: string, position: number): void {
  const key = keyOf(tenantId, subject);
  const prior = positions.get(key) ?? 0;
  if (position > prior) positions.set(key, position);
}

/** The highest position acknowledged to the principal by this isolate, if any. */
export function sessionPosition(tenantId: string, subject: string): number | undefined {
  return positions.get(keyOf(tenantId, subject));
}
