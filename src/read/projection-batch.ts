/**
 * The in-memory working set of one projection batch: the entity rows the batch creates or
 * changes (changed ones are loaded from Postgres first, in one query per table), the child
 * rows it appends, and balance deltas aggregated per (account, currency). Events fold into
 * this set in position order; the writer then flushes it with a few multi-row statements.
 */
import type { RecordedEvent } from '../domain/recorded';
import type {
  accounts,
  customers,
  invoiceLines,
  invoices,
  journalEntries,
  journalLines,
  paymentAllocations,
  payments,
  tenantSettings,
  vendors,
} from './schema';

export type AccountRow = typeof accounts.$inferSelect;
export type JournalEntryRow = typeof journalEntries.$inferSelect;
export type JournalLineRow = typeof journalLines.$inferSelect;
export type InvoiceRow = typeof invoices.$inferSelect;
export type InvoiceLineRow = typeof invoiceLines.$inferSelect;
export type PaymentRow = typeof payments.$inferSelect;
export type PaymentAllocationRow = typeof paymentAllocations.$inferSelect;
export type PartyRow = typeof customers.$inferSelect & typeof vendors.$inferSelect;
export type SettingsRow = typeof tenantSettings.$inferSelect;

/** Net movement of one account in one currency within the batch. */
export interface BalanceDelta {
  accountId: string;
  currency: string;
  debit: number;
  credit: number;
  lastPosition: number;
}

/** Row types of the entity tables, by batch key. */
export interface EntityRows {
  accounts: AccountRow;
  journalEntries: JournalEntryRow;
  invoices: InvoiceRow;
  payments: PaymentRow;
  customers: PartyRow;
  vendors: PartyRow;
}

/** Entity tables whose rows later events update (keyed by `(tenant_id, id)`). */
export type EntityKey = keyof EntityRows;

export const ENTITY_KEYS: readonly EntityKey[] = [
  'accounts',
  'journalEntries',
  'invoices',
  'payments',
  'customers',
  'vendors',
];

/** The read model is not what the event log implies (a missing or duplicate row). */
export class ProjectionIntegrityError extends Error {
  override name = 'ProjectionIntegrityError';
}

/**
 * One batch's working set. Entity maps hold every row the batch creates or changes (each is
 * written back whole); `loaded` remembers which of them existed before the batch.
 */
export class Batch {
  readonly entities: { [K in EntityKey]: Map<string, EntityRows[K]> } = {
    accounts: new Map(),
    journalEntries: new Map(),
    invoices: new Map(),
    payments: new Map(),
    customers: new Map(),
    vendors: new Map(),
  };
  /** Codes of loaded accounts as they were before the batch (to re-code without clashes). */
  readonly loadedAccountCodes = new Map<string, string>();
  /** Ids of entity rows that existed before the batch. */
  readonly loaded: { [K in EntityKey]: Set<string> } = {
    accounts: new Set(),
    journalEntries: new Set(),
    invoices: new Set(),
    payments: new Set(),
    customers: new Set(),
    vendors: new Set(),
  };
  readonly journalLines: JournalLineRow[] = [];
  /** The final lines of every invoice whose lines the batch set (replacing older ones). */
  readonly invoiceLines = new Map<string, InvoiceLineRow[]>();
  readonly allocations: PaymentAllocationRow[] = [];
  readonly balances = new Map<string, BalanceDelta>();
  settings: SettingsRow | null = null;

  constructor(readonly tenantId: string) {}

  /** Registers a row loaded from Postgres. */
  addLoaded<K extends EntityKey>(key: K, row: EntityRows[K]): void {
    this.entities[key].set(row.id, row);
    this.loaded[key].add(row.id);
    if (key === 'accounts') this.loadedAccountCodes.set(row.id, (row as AccountRow).code);
  }

  /** Adds the row a creation event describes. */
  create<K extends EntityKey>(key: K, row: EntityRows[K], event: RecordedEvent): void {
    if (this.entities[key].has(row.id)) {
      throw new ProjectionIntegrityError(
        `${event.type} at position ${event.position}: ${key} ${row.id} already exists`,
      );
    }
    this.entities[key].set(row.id, row);
  }

  /** The row an event changes: created earlier in the batch or loaded before it. */
  row<K extends EntityKey>(key: K, id: string, event: RecordedEvent): EntityRows[K] {
    const row = this.entities[key].get(id);
    if (row === undefined) {
      throw new ProjectionIntegrityError(
        `${event.type} at position ${event.position}: no ${key} row ${id}`,
      );
    }
    return row;
  }

  /** Adds a posted line's amounts to its (account, currency) delta. */
  addBalance(
    accountId: string,
    currency: string,
    debit: number,
    credit: number,
    position: number,
  ): void {
    const key = `${accountId}\u0000${currency}`;
    const delta = this.balances.get(key) ?? {
      accountId,
      currency,
      debit: 0,
      credit: 0,
      lastPosition: position,
    };
    delta.debit += debit;
    delta.credit += credit;
    delta.lastPosition = position;
    if (!Number.isSafeInteger(delta.debit) || !Number.isSafeInteger(delta.credit)) {
      throw new ProjectionIntegrityError(
        `balance of ${accountId} ${currency} exceeds the safe integer range`,
      );
    }
    this.balances.set(key, delta);
  }
}
