/**
 * Domain events: facts appended to a stream. Each `data` is complete and denormalized so a
 * projection can write read-model rows from the event alone, and is plain JSON: optional
 * values are `null`, never missing or `undefined`. Position, version, time, actor and request
 * id are envelope fields added by the ledger, so they never appear here.
 */

/** The five account classes. */
export type AccountType = 'asset' | 'liability' | 'equity' | 'revenue' | 'expense';

/** All account types, in chart order. */
export const ACCOUNT_TYPES: readonly AccountType[] = [
  'asset',
  'liability',
  'equity',
  'revenue',
  'expense',
];

/** The accounts the system posts to on its own (invoices, payments). */
export interface DefaultAccounts {
  receivable: string;
  revenue: string;
  taxPayable: string;
  cash: string;
  unappliedPayments: string;
}

/** Keys of `DefaultAccounts`. */
export type DefaultAccountKey = keyof DefaultAccounts;

/** The editable fields of an account. */
export interface AccountRecord {
  id: string;
  code: string;
  name: string;
  type: AccountType;
  parentId: string | null;
  description: string | null;
}

/** What produced a journal entry; `id` is the invoice/payment/original entry (null if manual). */
export interface JournalSource {
  type: 'manual' | 'invoice' | 'invoice_void' | 'payment' | 'reversal';
  id: string | null;
}

/** One posted line; exactly one of debit/credit is positive, the other is 0. */
export interface JournalLine {
  lineNo: number;
  accountId: string;
  currency: string;
  debit: number;
  credit: number;
  description: string | null;
}

/** A posted journal entry. */
export interface JournalEntryData {
  id: string;
  date: string;
  memo: string | null;
  currency: string;
  source: JournalSource;
  reversalOf: string | null;
  lines: JournalLine[];
}

/** An invoice line with its computed amounts (see `invoiceTotals`). */
export interface InvoiceLine {
  lineNo: number;
  description: string;
  quantityMilli: number;
  unitAmount: number;
  revenueAccountId: string;
  taxRatePpm: number;
  amount: number;
  taxAmount: number;
}

/** The editable content of an invoice plus its totals. */
export interface InvoiceContent {
  customerId: string;
  currency: string;
  issueDate: string;
  dueDate: string;
  memo: string | null;
  lines: InvoiceLine[];
  subtotal: number;
  taxTotal: number;
  total: number;
}

/** Invoice lifecycle states. */
export type InvoiceStatus = 'draft' | 'issued' | 'partially_paid' | 'paid' | 'void';

/** How a payment was received. */
export type PaymentMethod = 'cash' | 'bank_transfer' | 'card' | 'check' | 'other';

/** All payment methods. */
export const PAYMENT_METHODS: readonly PaymentMethod[] = [
  'cash',
  'bank_transfer',
  'card',
  'check',
  'other',
];

/** Part of a payment applied to one invoice. */
export interface Allocation {
  invoiceId: string;
  amount: number;
}

/** A customer or vendor. */
export interface PartyRecord {
  id: string;
  name: string;
  email: string | null;
  taxId: string | null;
  defaultCurrency: string | null;
}

type Event<T extends string, D> = { type: T; data: D };

/** Every event the ledger stores. */
export type DomainEvent =
  | Event<'tenant.initialized', { lockDate: null; accounts: DefaultAccounts }>
  | Event<'settings.updated', { lockDate: string | null; accounts: DefaultAccounts }>
  | Event<'account.created', AccountRecord>
  | Event<'account.updated', AccountRecord & { previousCode: string }>
  | Event<'account.deactivated', { id: string }>
  | Event<'account.child_attached', { id: string; childId: string }>
  | Event<'account.child_detached', { id: string; childId: string }>
  | Event<'journal.posted', JournalEntryData>
  | Event<'journal.reversed', { id: string; reversedBy: string; date: string }>
  | Event<'invoice.created', InvoiceContent & { id: string }>
  | Event<'invoice.updated', InvoiceContent & { id: string }>
  | Event<
      'invoice.issued',
      {
        id: string;
        journalId: string;
        receivableAccountId: string;
        issueDate: string;
        total: number;
      }
    >
  | Event<
      'invoice.payment_applied',
      {
        id: string;
        paymentId: string;
        date: string;
        amount: number;
        paidAmount: number;
        balanceDue: number;
        status: 'partially_paid' | 'paid';
      }
    >
  | Event<
      'invoice.voided',
      { id: string; date: string; journalId: string | null; previousStatus: 'draft' | 'issued' }
    >
  | Event<
      'payment.recorded',
      {
        id: string;
        customerId: string;
        amount: number;
        currency: string;
        date: string;
        method: PaymentMethod;
        reference: string | null;
        journalId: string;
        cashAccountId: string;
        unappliedAccountId: string;
        allocations: Allocation[];
        allocatedAmount: number;
        unallocatedAmount: number;
      }
    >
  | Event<
      'payment.allocated',
      {
        id: string;
        date: string;
        journalId: string;
        allocations: Allocation[];
        allocatedAmount: number;
        unallocatedAmount: number;
      }
    >
  | Event<'customer.created', PartyRecord>
  | Event<'customer.updated', PartyRecord>
  | Event<'customer.deactivated', { id: string }>
  | Event<'vendor.created', PartyRecord>
  | Event<'vendor.updated', PartyRecord>
  | Event<'vendor.deactivated', { id: string }>;

/** Event type names. */
export type DomainEventType = DomainEvent['type'];

/** The event with type `T`. */
export type EventOf<T extends DomainEventType> = Extract<DomainEvent, { type: T }>;

/** Events of one stream kind, selected by type prefix (`'invoice'` → `invoice.*`). */
export type EventsFor<P extends string> = Extract<DomainEvent, { type: `${P}.${string}` }>;

/** An event together with the stream it is appended to: the output of `decide`. */
export interface PendingEvent {
  streamId: string;
  event: DomainEvent;
}
