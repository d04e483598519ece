/** Invoice aggregate state and its evolution. */
import type { EventsFor, InvoiceContent, InvoiceStatus } from '../events';

/** A payment applied to the invoice. */
export interface AppliedPayment {
  paymentId: string;
  date: string;
  amount: number;
}

/**
 * An invoice. `journalId`/`receivableAccountId` are fixed when it is issued so that later
 * voids and payments post against the same receivable even if settings change meanwhile.
 */
export interface InvoiceState extends InvoiceContent {
  kind: 'invoice';
  id: string;
  status: InvoiceStatus;
  paidAmount: number;
  journalId: string | null;
  receivableAccountId: string | null;
  voidedOn: string | null;
  voidJournalId: string | null;
  payments: AppliedPayment[];
}

/** What is still owed (0 for drafts and void invoices). */
export function balanceDue(invoice: InvoiceState): number {
  return invoice.status === 'draft' || invoice.status === 'void'
    ? 0
    : invoice.total - invoice.paidAmount;
}

function content(data: InvoiceContent): InvoiceContent {
  const { customerId, currency, issueDate, dueDate, memo, subtotal, taxTotal, total } = data;
  const lines = data.lines.map((line) => ({ ...line }));
  return { customerId, currency, issueDate, dueDate, memo, lines, subtotal, taxTotal, total };
}

/** Applies one `invoice.*` event. Throws when the event does not fit. */
export function evolveInvoice(
  state: InvoiceState | undefined,
  event: EventsFor<'invoice'>,
): InvoiceState {
  if (event.type === 'invoice.created') {
    if (state !== undefined) throw new Error('invoice.created on an existing stream');
    return {
      kind: 'invoice',
      id: event.data.id,
      ...content(event.data),
      status: 'draft',
      paidAmount: 0,
      journalId: null,
      receivableAccountId: null,
      voidedOn: null,
      voidJournalId: null,
      payments: [],
    };
  }
  if (state === undefined) throw new Error(`${event.type} before invoice.created`);
  switch (event.type) {
    case 'invoice.updated':
      return { ...state, ...content(event.data) };
    case 'invoice.issued':
      return {
        ...state,
        status: 'issued',
        journalId: event.data.journalId,
        receivableAccountId: event.data.receivableAccountId,
      };
    case 'invoice.payment_applied': {
      const { paymentId, date, amount, paidAmount, status } = event.data;
      return {
        ...state,
        paidAmount,
        status,
        payments: [...state.payments, { paymentId, date, amount }],
      };
    }
    case 'invoice.voided':
      return {
        ...state,
        status: 'void',
        voidedOn: event.data.date,
        voidJournalId: event.data.journalId,
      };
  }
}
