/**
 * Read-your-writes by default. The isolate remembers, per tenant and subject, the ledger
 * positions it acknowledged to that principal (`runCommand`), per read family the write
 * moved (src/read/families.ts), and a cached read by the same principal reads with the
 * highest of them among its route's families as its minimum (src/cache/cached-read.ts),
 * exactly as if the client had sent `X-Min-Position`. So a principal that just created a
 * customer waits for that write in its customer lists and search, not in its invoice lists
 * or reports, which the write cannot change. Other principals' reads are untouched: they
 * keep the staleness bound. A bounded LRU (`lru-cache`): a principal forgotten after 10,000
 * others have written through this isolate only loses the guarantee for writes it makes no
 * more reads after; another isolate (or a restarted one) knows nothing, which is what the
 * header is for (docs/api.md "Reads").
 */
import { LRUCache } from 'lru-cache';
import { FAMILIES, ROUTE_READS, type CachedRoute, type Family } from '../read/families';

const MAX_PRINCIPALS = 10_000;

type Positions = Partial<Record<Family, number>>;
const positions = new LRUCache<string, Positions>({ max: MAX_PRINCIPALS });

const keyOf = (tenantId: string, subject: string) => `${tenantId}\u0000${subject}`;

/**
 * Notes that a write moving `families` was acknowledged to the principal at `position`
 * (positions only move forward). Without `families` (a ledger of an older release), every
 * family: the safe answer.
 */
export function acknowledged(
  tenantId: string,
  subject: string,
  position: number,
  families: readonly Family[] = FAMILIES,
): void {
  if (families.length === 0) return;
  const key = keyOf(tenantId, subject);
  const prior = positions.get(key) ?? {};
  const next: Positions = { ...prior };
  for (const f of families) next[f] = Math.max(prior[f] ?? 0, position);
  positions.set(key, next);
}

/** The highest position acknowledged to the principal by this isolate that `route` can show. */
export function sessionPosition(
  tenantId: string,
  subject: string,
  route: CachedRoute,
): number | undefined {
  const mine = positions.get(keyOf(tenantId, subject));
  if (mine === undefined) return undefined;
  let at = 0;
  for (const f of ROUTE_READS[route]) at = Math.max(at, mine[f] ?? 0);
  return at > 0 ? at : undefined;
}
