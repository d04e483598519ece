/**
 * Read families: which cached reads an event can change. Every write used to move the whole
 * tenant's read-model version, so one new customer rebuilt every cached list and report of the
 * tenant. Instead the projection records, per family, the position of the last projected event
 * that moves it (`projection.families` in the ledger, src/ledger/outbox.ts), and a cached
 * read's key carries the highest of its families' positions (`keyVersion`), so a write leaves
 * the entries it cannot change alone.
 *
 * Soundness rests on two tables below, and a mistake there serves an answer older than a
 * client's acknowledged write: an event must name every family it can change (`MOVES`), and a
 * route every family its answer reads (`ROUTE_READS`). Both are exhaustive by type, so a new
 * event type or cached route does not compile until it is placed. The test
 * test/integration/read-families.db.test.ts makes every kind of write and asserts that every
 * route whose answer changed also changed its key.
 *
 * The split of customers and vendors is the one refinement beyond "the tables a route reads":
 * a new party cannot appear in an answer that only looks parties up by id (an invoice's
 * `?expand=customer`, the aging's customer names), because nothing refers to it yet; whatever
 * comes to refer to it (an invoice) moves its own family. So `customer.created` moves
 * `customers` (the lists of customers, search) but not `customer-details`.
 */
import type { DomainEventType } from '../domain/events';

export const FAMILIES = [
  'accounts',
  'journal',
  'invoices',
  'payments',
  'customers',
  'customer-details',
  'vendors',
  'vendor-details',
] as const;
export type Family = (typeof FAMILIES)[number];
/** Per family, the position of the last projected event that moves it. */
export type FamilyVersions = Record<Family, number>;

const CUSTOMER_CHANGE: readonly Family[] = ['customers', 'customer-details'];
const VENDOR_CHANGE: readonly Family[] = ['vendors', 'vendor-details'];

/** Per event type: the families whose answers it can change. */
export const MOVES: Readonly<Record<DomainEventType, readonly Family[]>> = {
  // Tenant settings are in no cached answer (the chart of accounts comes as account.created).
  'tenant.initialized': [],
  'settings.updated': [],
  'account.created': ['accounts'],
  'account.updated': ['accounts'],
  'account.deactivated': ['accounts'],
  // Only the parent's version and last position move, and accounts lists show both.
  'account.child_attached': ['accounts'],
  'account.child_detached': ['accounts'],
  'journal.posted': ['journal'],
  'journal.reversed': ['journal'],
  'invoice.created': ['invoices'],
  'invoice.updated': ['invoices'],
  'invoice.issued': ['invoices'],
  'invoice.payment_applied': ['invoices'],
  'invoice.voided': ['invoices'],
  'payment.recorded': ['payments'],
  'payment.allocated': ['payments'],
  'customer.created': ['customers'],
  'customer.updated': CUSTOMER_CHANGE,
  'customer.deactivated': CUSTOMER_CHANGE,
  'vendor.created': ['vendors'],
  'vendor.updated': VENDOR_CHANGE,
  'vendor.deactivated': VENDOR_CHANGE,
};

/** Per cached route: the families its answer reads (the read-model tables of its queries). */
export const ROUTE_READS = {
  '/v1/accounts': ['accounts'],
  '/v1/journal-entries': ['journal'],
  // Invoices carry their payment allocations; `?expand=customer` embeds customers.
  '/v1/invoices': ['invoices', 'payments', 'customer-details'],
  '/v1/payments': ['payments', 'customer-details'],
  '/v1/customers': ['customers'],
  '/v1/vendors': ['vendors'],
  '/v1/reports/trial-balance': ['accounts', 'journal'],
  '/v1/reports/ar-aging': ['accounts', 'journal', 'invoices', 'payments', 'customer-details'],
  '/v1/reports/dashboard': ['invoices', 'payments'],
  '/v1/reports/account-balances': ['accounts', 'journal'],
  '/v1/search': ['customers', 'vendors', 'invoices'],
} as const satisfies Record<string, readonly Family[]>;
export type CachedRoute = keyof typeof ROUTE_READS;

/** The families `type` moves; throws on a type this build does not know (never guess "none"). */
export function familiesMovedBy(type: string): readonly Family[] {
  // hasOwn: a type such as "constructor" must not find Object.prototype members.
  if (!Object.hasOwn(MOVES, type)) throw new Error(`unknown event type ${type}`);
  return MOVES[type as DomainEventType];
}

/**
 * The family versions after delivering `events` (all at or below the new checkpoint) on top of
 * `known`. A family `known` lacks (none recorded yet, or added by a later release) starts at
 * `since`, the checkpoint before these events: nothing said it moved after that, and everything
 * up to it was in the read model.
 */
export function advanceFamilies(
  known: Partial<FamilyVersions>,
  since: number,
  events: readonly { type: string; position: number }[],
): FamilyVersions {
  const next = Object.fromEntries(FAMILIES.map((f) => [f, known[f] ?? since])) as FamilyVersions;
  for (const e of events)
    for (const f of familiesMovedBy(e.type)) next[f] = Math.max(next[f], e.position);
  return next;
}

/**
 * The recorded family versions, read back from their stored form. A family not recorded is at
 * `checkpoint`: the safe answer when nothing is known (it moves with every delivery until the
 * projection records it).
 */
export function parseFamilies(
  stored: string | null | undefined,
  checkpoint: number,
): FamilyVersions {
  let known: Record<string, unknown> = {};
  try {
    const parsed: unknown = stored ? JSON.parse(stored) : {};
    if (parsed && typeof parsed === 'object') known = parsed as Record<string, unknown>;
  } catch {
    known = {};
  }
  const at = (f: Family) =>
    Number.isSafeInteger(known[f]) ? Math.min(known[f] as number, checkpoint) : checkpoint;
  return Object.fromEntries(FAMILIES.map((f) => [f, at(f)])) as FamilyVersions;
}

/** The families a command's events move, each once (what a write can change in cached reads). */
export function familiesMoved(events: Iterable<{ type: DomainEventType }>): Family[] {
  const out = new Set<Family>();
  for (const e of events) for (const f of MOVES[e.type]) out.add(f);
  return [...out];
}

/** The version a cached read of `route` is keyed by: the newest position among its families. */
export function keyVersion(families: FamilyVersions, route: CachedRoute): number {
  return Math.max(0, ...ROUTE_READS[route].map((f) => families[f]));
}
