/**
 * The JSON an API client sees for a resource (camelCase, ids, integer minor units). Internal
 * bookkeeping (`kind`, child lists, the accounts a payment posted to) stays out.
 */
import type { AccountState } from './accounts/account';
import { balanceDue, type InvoiceState } from './invoices/invoice';
import type { JournalState } from './journal/journal';
import type { PartyState } from './parties/party';
import type { PaymentState } from './payments/payment';
import type { SettingsState } from './settings/settings';
import type { AggregateState } from './state';

function accountView(s: AccountState): Record<string, unknown> {
  const { id, code, name, type, parentId, description, active } = s;
  return { id, code, name, type, parentId, description, active };
}

function journalView(s: JournalState): Record<string, unknown> {
  const { id, date, memo, currency, source, reversalOf, reversedBy } = s;
  const lines = s.lines.map((line) => ({ ...line }));
  return { id, date, memo, currency, source: { ...source }, reversalOf, reversedBy, lines };
}

/** Quantity and tax rate are shown as numbers (1.5, 8.875) next to their exact integers. */
function invoiceView(s: InvoiceState): Record<string, unknown> {
  const lines = s.lines.map((line) => ({
    lineNo: line.lineNo,
    description: line.description,
    quantity: line.quantityMilli / 1000,
    quantityMilli: line.quantityMilli,
    unitAmount: line.unitAmount,
    revenueAccountId: line.revenueAccountId,
    taxRate: line.taxRatePpm / 10_000,
    taxRatePpm: line.taxRatePpm,
    amount: line.amount,
    taxAmount: line.taxAmount,
  }));
  return {
    id: s.id,
    customerId: s.customerId,
    status: s.status,
    currency: s.currency,
    issueDate: s.issueDate,
    dueDate: s.dueDate,
    memo: s.memo,
    lines,
    subtotal: s.subtotal,
    taxTotal: s.taxTotal,
    total: s.total,
    paidAmount: s.paidAmount,
    balanceDue: balanceDue(s),
    journalId: s.journalId,
    voidedOn: s.voidedOn,
    voidJournalId: s.voidJournalId,
    payments: s.payments.map((p) => ({ ...p })),
  };
}

function paymentView(s: PaymentState): Record<string, unknown> {
  return {
    id: s.id,
    customerId: s.customerId,
    amount: s.amount,
    currency: s.currency,
    date: s.date,
    method: s.method,
    reference: s.reference,
    journalId: s.journalId,
    allocations: s.allocations.map((a) => ({ ...a })),
    allocatedAmount: s.allocatedAmount,
    unallocatedAmount: s.unallocatedAmount,
  };
}

function partyView(s: PartyState): Record<string, unknown> {
  const { id, name, email, taxId, defaultCurrency, active } = s;
  return { id, name, email, taxId, defaultCurrency, active };
}

function settingsView(s: SettingsState): Record<string, unknown> {
  return { lockDate: s.lockDate, accounts: { ...s.accounts } };
}

/** The client-facing representation of any aggregate state. */
export function toView(state: AggregateState): Record<string, unknown> {
  switch (state.kind) {
    case 'account':
      return accountView(state);
    case 'journal':
      return journalView(state);
    case 'invoice':
      return invoiceView(state);
    case 'payment':
      return paymentView(state);
    case 'customer':
    case 'vendor':
      return partyView(state);
    case 'settings':
      return settingsView(state);
  }
}
