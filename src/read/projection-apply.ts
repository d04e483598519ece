/**
 * How each event changes the read model, folded into a `Batch` in position order. Events
 * carry complete, denormalized data (see src/domain/events.ts), so every handler writes
 * absolute values; the only prior state a handler needs is the row it updates.
 */
import type { DomainEventType, InvoiceContent, PartyRecord } from '../domain/events';
import type { RecordedEvent } from '../domain/recorded';
import { Batch, ProjectionIntegrityError, type InvoiceLineRow } from './projection-batch';

type Recorded<T extends DomainEventType> = Extract<RecordedEvent, { type: T }>;
type Handler<T extends DomainEventType> = (batch: Batch, event: Recorded<T>) => void;

/** Envelope-derived tracking columns of a new row. */
function born(e: RecordedEvent) {
  const at = new Date(e.at);
  return { version: e.version, createdAt: at, updatedAt: at, lastPosition: e.position };
}

/** Marks an existing row as changed by `e`. */
function touch(
  row: { version: number; updatedAt: Date; lastPosition: number },
  e: RecordedEvent,
): void {
  row.version = e.version;
  row.updatedAt = new Date(e.at);
  row.lastPosition = e.position;
}

function invoiceContent(b: Batch, id: string, d: InvoiceContent) {
  const lines: InvoiceLineRow[] = d.lines.map((l) => ({
    tenantId: b.tenantId,
    invoiceId: id,
    ...l,
  }));
  b.invoiceLines.set(id, lines);
  const { customerId, currency, issueDate, dueDate, memo, subtotal, taxTotal, total } = d;
  return { customerId, currency, issueDate, dueDate, memo, subtotal, taxTotal, total };
}

function party(
  b: Batch,
  key: 'customers' | 'vendors',
  e: RecordedEvent & { data: PartyRecord | { id: string } },
): void {
  const action = e.type.slice(e.type.indexOf('.') + 1);
  if (action === 'created') {
    const { id, name, email, taxId, defaultCurrency } = e.data as PartyRecord;
    b.create(
      key,
      { tenantId: b.tenantId, id, name, email, taxId, defaultCurrency, active: true, ...born(e) },
      e,
    );
    return;
  }
  const row = b.row(key, e.data.id, e);
  if (action === 'deactivated') row.active = false;
  else Object.assign(row, { ...(e.data as PartyRecord), id: row.id });
  touch(row, e);
}

function settings(b: Batch, e: Recorded<'tenant.initialized' | 'settings.updated'>): void {
  const a = e.data.accounts;
  b.settings = {
    tenantId: b.tenantId,
    lockDate: e.data.lockDate,
    receivableAccountId: a.receivable,
    revenueAccountId: a.revenue,
    taxPayableAccountId: a.taxPayable,
    cashAccountId: a.cash,
    unappliedPaymentsAccountId: a.unappliedPayments,
    version: e.version,
    updatedAt: new Date(e.at),
    lastPosition: e.position,
  };
}

function allocate(b: Batch, e: Recorded<'payment.recorded' | 'payment.allocated'>): void {
  const { id, date, journalId } = e.data;
  e.data.allocations.forEach((a, i) => {
    // Loaded for this (projection-targets.ts) or created earlier in the batch.
    const invoice = b.row('invoices', a.invoiceId, e);
    b.allocations.push({
      tenantId: b.tenantId,
      paymentId: id,
      position: e.position,
      seq: i + 1,
      invoiceId: a.invoiceId,
      amount: a.amount,
      date,
      journalId,
      customerId: invoice.customerId,
      currency: invoice.currency,
      dueDate: invoice.dueDate,
      invoiceIssueDate: invoice.issueDate,
    });
  });
}

const HANDLERS: { readonly [T in DomainEventType]: Handler<T> } = {
  'tenant.initialized': settings,
  'settings.updated': settings,
  'account.created': (b, e) =>
    b.create('accounts', { tenantId: b.tenantId, ...e.data, active: true, ...born(e) }, e),
  'account.updated': (b, e) => {
    const row = b.row('accounts', e.data.id, e);
    const { code, name, type, parentId, description } = e.data;
    Object.assign(row, { code, name, type, parentId, description });
    touch(row, e);
  },
  'account.deactivated': (b, e) => {
    const row = b.row('accounts', e.data.id, e);
    row.active = false;
    touch(row, e);
  },
  // Child lists are derivable from parent_id, so these carry nothing for the read model;
  // only the parent's stream version (its ETag) and last position move.
  'account.child_attached': (b, e) =>
    Object.assign(b.row('accounts', e.data.id, e), {
      version: e.version,
      lastPosition: e.position,
    }),
  'account.child_detached': (b, e) =>
    Object.assign(b.row('accounts', e.data.id, e), {
      version: e.version,
      lastPosition: e.position,
    }),
  'journal.posted': (b, e) => {
    const { id, date, memo, currency, source, reversalOf, lines } = e.data;
    const at = born(e);
    b.create(
      'journalEntries',
      {
        tenantId: b.tenantId,
        id,
        date,
        memo,
        currency,
        sourceType: source.type,
        sourceId: source.id,
        reversalOf,
        reversedBy: null,
        postedAt: at.createdAt,
        ...at,
      },
      e,
    );
    for (const line of lines) {
      b.journalLines.push({ tenantId: b.tenantId, journalId: id, date, ...line });
      b.addBalance(line.accountId, line.currency, line.debit, line.credit, e.position);
    }
  },
  'journal.reversed': (b, e) => {
    const row = b.row('journalEntries', e.data.id, e);
    row.reversedBy = e.data.reversedBy;
    touch(row, e);
  },
  'invoice.created': (b, e) => {
    const id = e.data.id;
    const none = {
      journalId: null,
      receivableAccountId: null,
      issuedAt: null,
      voidedOn: null,
      voidedAt: null,
      voidJournalId: null,
    };
    b.create(
      'invoices',
      {
        tenantId: b.tenantId,
        id,
        ...invoiceContent(b, id, e.data),
        status: 'draft',
        paidAmount: 0,
        balanceDue: 0,
        ...none,
        ...born(e),
      },
      e,
    );
  },
  'invoice.updated': (b, e) => {
    const row = b.row('invoices', e.data.id, e);
    Object.assign(row, invoiceContent(b, row.id, e.data));
    touch(row, e);
  },
  'invoice.issued': (b, e) => {
    const row = b.row('invoices', e.data.id, e);
    const { journalId, receivableAccountId, issueDate, total } = e.data;
    Object.assign(row, {
      status: 'issued',
      journalId,
      receivableAccountId,
      issueDate,
      total,
      balanceDue: total - row.paidAmount,
      issuedAt: new Date(e.at),
    });
    touch(row, e);
  },
  'invoice.payment_applied': (b, e) => {
    const row = b.row('invoices', e.data.id, e);
    const { paidAmount, balanceDue, status } = e.data;
    Object.assign(row, { paidAmount, balanceDue, status });
    touch(row, e);
  },
  'invoice.voided': (b, e) => {
    const row = b.row('invoices', e.data.id, e);
    Object.assign(row, {
      status: 'void',
      balanceDue: 0,
      voidedOn: e.data.date,
      voidedAt: new Date(e.at),
      voidJournalId: e.data.journalId,
    });
    touch(row, e);
  },
  'payment.recorded': (b, e) => {
    const { allocations: _, ...d } = e.data;
    b.create('payments', { tenantId: b.tenantId, ...d, ...born(e) }, e);
    allocate(b, e);
  },
  'payment.allocated': (b, e) => {
    const row = b.row('payments', e.data.id, e);
    row.allocatedAmount = e.data.allocatedAmount;
    row.unallocatedAmount = e.data.unallocatedAmount;
    touch(row, e);
    allocate(b, e);
  },
  'customer.created': (b, e) => party(b, 'customers', e),
  'customer.updated': (b, e) => party(b, 'customers', e),
  'customer.deactivated': (b, e) => party(b, 'customers', e),
  'vendor.created': (b, e) => party(b, 'vendors', e),
  'vendor.updated': (b, e) => party(b, 'vendors', e),
  'vendor.deactivated': (b, e) => party(b, 'vendors', e),
};

/** Folds one event into the batch. Throws on an unknown type or a row that should exist. */
export function applyEvent(batch: Batch, event: RecordedEvent): void {
  if (!Object.hasOwn(HANDLERS, event.type))
    throw new ProjectionIntegrityError(
      `unknown event type ${event.type} at position ${event.position}`,
    );
  (HANDLERS[event.type] as Handler<DomainEventType>)(batch, event as Recorded<DomainEventType>);
}
