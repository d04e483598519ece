/**
 * The resource shapes lists return: exactly what `toView` (src/domain/views.ts) gives for
 * the same resource, built from read-model rows. Every amount passes `safeInt`.
 */
import type { AccountType, InvoiceStatus, JournalSource, PaymentMethod } from '../../domain/events';
import { safeInt } from './errors';

export interface AccountView {
  id: string;
  code: string;
  name: string;
  type: AccountType;
  parentId: string | null;
  description: string | null;
  active: boolean;
}

/** Customers and vendors. */
export interface PartyView {
  id: string;
  name: string;
  email: string | null;
  taxId: string | null;
  defaultCurrency: string | null;
  active: boolean;
}

export interface JournalLineView {
  lineNo: number;
  accountId: string;
  currency: string;
  debit: number;
  credit: number;
  description: string | null;
}

export interface JournalEntryView {
  id: string;
  date: string;
  memo: string | null;
  currency: string;
  source: JournalSource;
  reversalOf: string | null;
  reversedBy: string | null;
  lines: JournalLineView[];
}

export interface InvoiceLineView {
  lineNo: number;
  description: string;
  quantity: number;
  quantityMilli: number;
  unitAmount: number;
  revenueAccountId: string;
  taxRate: number;
  taxRatePpm: number;
  amount: number;
  taxAmount: number;
}

/** A payment applied to an invoice (from payment_allocations, in application order). */
export interface AppliedPaymentView {
  paymentId: string;
  date: string;
  amount: number;
}

export interface InvoiceView {
  id: string;
  customerId: string;
  status: InvoiceStatus;
  currency: string;
  issueDate: string;
  dueDate: string;
  memo: string | null;
  lines: InvoiceLineView[];
  subtotal: number;
  taxTotal: number;
  total: number;
  paidAmount: number;
  balanceDue: number;
  journalId: string | null;
  voidedOn: string | null;
  voidJournalId: string | null;
  payments: AppliedPaymentView[];
}

export interface PaymentAllocationView {
  invoiceId: string;
  amount: number;
  date: string;
  journalId: string;
}

export interface PaymentView {
  id: string;
  customerId: string;
  amount: number;
  currency: string;
  date: string;
  method: PaymentMethod;
  reference: string | null;
  journalId: string;
  allocations: PaymentAllocationView[];
  allocatedAmount: number;
  unallocatedAmount: number;
}

/** Invoice line as the invoice list selects it (an element of its `lines` JSON). */
export interface InvoiceLineRow {
  lineNo: number;
  description: string;
  quantityMilli: number;
  unitAmount: number;
  revenueAccountId: string;
  taxRatePpm: number;
  amount: number;
  taxAmount: number;
}

/** Quantity and tax rate as numbers next to their exact integers, as `toView` shows them. */
export function invoiceLineView(l: InvoiceLineRow): InvoiceLineView {
  return {
    lineNo: l.lineNo,
    description: l.description,
    quantity: l.quantityMilli / 1000,
    quantityMilli: safeInt(l.quantityMilli, 'quantity'),
    unitAmount: safeInt(l.unitAmount),
    revenueAccountId: l.revenueAccountId,
    taxRate: l.taxRatePpm / 10_000,
    taxRatePpm: l.taxRatePpm,
    amount: safeInt(l.amount),
    taxAmount: safeInt(l.taxAmount),
  };
}

/** Journal line as the journal list selects it (an element of its `lines` JSON); money checked. */
export function journalLineView(l: JournalLineView): JournalLineView {
  const { lineNo, accountId, currency, description } = l;
  return {
    lineNo,
    accountId,
    currency,
    debit: safeInt(l.debit),
    credit: safeInt(l.credit),
    description,
  };
}
