/**
 * Commands: what a client asks the ledger to do. Each is `{ type, data }` — the payload is
 * nested because an account's own `type` field would otherwise collide with the discriminant.
 * `data` mirrors the request body (plus the resource `id` from the URL), so field error paths
 * such as `lines.0.accountId` point into the body. Amounts are integer minor units, dates
 * `YYYY-MM-DD`. In updates a missing field is kept and `null` clears an optional field.
 * Everything is re-validated at run time: the types document intent, they do not guarantee it.
 */
import type { AccountType, DefaultAccounts, PaymentMethod } from './events';

/** Body of `account.create`. */
export interface AccountCreateInput {
  code: string;
  name: string;
  type: AccountType;
  parentId?: string | null;
  description?: string | null;
}

/** Body of `account.update` (type cannot change: postings already depend on it). */
export interface AccountUpdateInput {
  id: string;
  code?: string;
  name?: string;
  parentId?: string | null;
  description?: string | null;
}

/** Target of a command that needs nothing but the resource id. */
export interface IdInput {
  id: string;
}

/** One line of a manual journal entry; exactly one of debit/credit. */
export interface JournalLineInput {
  accountId: string;
  debit?: number;
  credit?: number;
  /** Defaults to the entry's currency. */
  currency?: string;
  description?: string | null;
}

/** Body of `journal.post`. */
export interface JournalPostInput {
  date: string;
  memo?: string | null;
  currency: string;
  lines: JournalLineInput[];
}

/** Body of `journal.reverse`; `date` defaults to today (UTC). */
export interface JournalReverseInput {
  id: string;
  date?: string;
  memo?: string | null;
}

/** One invoice line; quantity in thousandths, tax rate in parts per million. */
export interface InvoiceLineInput {
  description: string;
  quantityMilli: number;
  unitAmount: number;
  /** Defaults to the tenant's revenue account from settings. */
  revenueAccountId?: string | null;
  /** 0..1_000_000 (percent × 10^4); defaults to 0. */
  taxRatePpm?: number;
}

/** Body of `invoice.create`. */
export interface InvoiceCreateInput {
  customerId: string;
  currency: string;
  issueDate: string;
  dueDate: string;
  memo?: string | null;
  lines: InvoiceLineInput[];
}

/** Body of `invoice.update`; `lines`, when given, replaces all lines. */
export interface InvoiceUpdateInput extends Partial<InvoiceCreateInput> {
  id: string;
}

/** Body of `invoice.void`; `date` defaults to today (UTC). */
export interface InvoiceVoidInput {
  id: string;
  date?: string;
}

/** Applies `amount` of a payment to one invoice. */
export interface AllocationInput {
  invoiceId: string;
  amount: number;
}

/** Body of `payment.record`; what is not allocated is held as customer credit. */
export interface PaymentRecordInput {
  customerId: string;
  amount: number;
  currency: string;
  date: string;
  method: PaymentMethod;
  reference?: string | null;
  allocations?: AllocationInput[];
}

/** Body of `payment.allocate`; applies part of a payment's unallocated remainder. */
export interface PaymentAllocateInput {
  id: string;
  date?: string;
  allocations: AllocationInput[];
}

/** Body of `customer.create` / `vendor.create`. */
export interface PartyCreateInput {
  name: string;
  email?: string | null;
  taxId?: string | null;
  defaultCurrency?: string | null;
}

/** Body of `customer.update` / `vendor.update`. */
export interface PartyUpdateInput {
  id: string;
  name?: string;
  email?: string | null;
  taxId?: string | null;
  defaultCurrency?: string | null;
}

/** Body of `settings.update`. */
export interface SettingsUpdateInput {
  lockDate?: string | null;
  accounts?: Partial<DefaultAccounts>;
}

/** Every command the ledger accepts. */
export type Command =
  | { type: 'account.create'; data: AccountCreateInput }
  | { type: 'account.update'; data: AccountUpdateInput }
  | { type: 'account.deactivate'; data: IdInput }
  | { type: 'journal.post'; data: JournalPostInput }
  | { type: 'journal.reverse'; data: JournalReverseInput }
  | { type: 'invoice.create'; data: InvoiceCreateInput }
  | { type: 'invoice.update'; data: InvoiceUpdateInput }
  | { type: 'invoice.issue'; data: IdInput }
  | { type: 'invoice.void'; data: InvoiceVoidInput }
  | { type: 'payment.record'; data: PaymentRecordInput }
  | { type: 'payment.allocate'; data: PaymentAllocateInput }
  | { type: 'customer.create'; data: PartyCreateInput }
  | { type: 'customer.update'; data: PartyUpdateInput }
  | { type: 'customer.deactivate'; data: IdInput }
  | { type: 'vendor.create'; data: PartyCreateInput }
  | { type: 'vendor.update'; data: PartyUpdateInput }
  | { type: 'vendor.deactivate'; data: IdInput }
  | { type: 'settings.update'; data: SettingsUpdateInput };

/** Command type names. */
export type CommandType = Command['type'];
