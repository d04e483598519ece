/**
 * Which read-model row each event type creates or changes, and so which rows a batch must
 * load before folding its events (plus the invoices a payment's allocations read). The table
 * is exhaustive over `DomainEventType`, so a new event type does not compile until it is
 * placed here (and in projection-apply.ts).
 */
import type { DomainEventType } from '../domain/events';
import type { RecordedEvent } from '../domain/recorded';
import { ProjectionIntegrityError, type EntityKey } from './projection-batch';

/** The row an event targets and whether the event creates it (null: not an entity row). */
type Target = { key: EntityKey; creates: boolean } | null;

const creates = (key: EntityKey): Target => ({ key, creates: true });
const changes = (key: EntityKey): Target => ({ key, creates: false });

/** Per event type: which entity row (`data.id`) it creates or changes. */
const TARGETS: Readonly<Record<DomainEventType, Target>> = {
  'tenant.initialized': null,
  'settings.updated': null,
  'account.created': creates('accounts'),
  'account.updated': changes('accounts'),
  'account.deactivated': changes('accounts'),
  'account.child_attached': changes('accounts'),
  'account.child_detached': changes('accounts'),
  'journal.posted': creates('journalEntries'),
  'journal.reversed': changes('journalEntries'),
  'invoice.created': creates('invoices'),
  'invoice.updated': changes('invoices'),
  'invoice.issued': changes('invoices'),
  'invoice.payment_applied': changes('invoices'),
  'invoice.voided': changes('invoices'),
  'payment.recorded': creates('payments'),
  'payment.allocated': changes('payments'),
  'customer.created': creates('customers'),
  'customer.updated': changes('customers'),
  'customer.deactivated': changes('customers'),
  'vendor.created': creates('vendors'),
  'vendor.updated': changes('vendors'),
  'vendor.deactivated': changes('vendors'),
};

function targetOf(event: RecordedEvent): Target {
  // hasOwn: a type such as "constructor" must not find Object.prototype members.
  const target = Object.hasOwn(TARGETS, event.type) ? TARGETS[event.type] : undefined;
  if (target === undefined)
    throw new ProjectionIntegrityError(
      `unknown event type ${event.type} at position ${event.position}`,
    );
  return target;
}

/**
 * The rows the events change but do not create themselves: these must be loaded before
 * folding. Throws on an unknown event type, before anything is read or written.
 */
export function rowsToLoad(events: readonly RecordedEvent[]): Map<EntityKey, Set<string>> {
  const created = new Set<string>();
  const needed = new Map<EntityKey, Set<string>>();
  const need = (entity: EntityKey, id: string): void => {
    if (!created.has(`${entity}:${id}`))
      needed.set(entity, (needed.get(entity) ?? new Set()).add(id));
  };
  for (const event of events) {
    const target = targetOf(event);
    if (target === null) continue;
    const id = (event.data as { id: string }).id;
    if (target.creates) created.add(`${target.key}:${id}`);
    else need(target.key, id);
    // An allocation row carries its invoice's customer, currency and dates
    // (projection-apply.ts `allocate`). The invoice is usually loaded anyway (its
    // payment_applied event follows in the same command); loaded only for this, it is written
    // back unchanged, like every row a batch holds.
    if (event.type === 'payment.recorded' || event.type === 'payment.allocated')
      for (const a of (event.data as { allocations: { invoiceId: string }[] }).allocations)
        need('invoices', a.invoiceId);
  }
  return needed;
}
