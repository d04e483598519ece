/**
 * Read-model schema (drizzle). Every row carries `tenant_id`, the first column of every
 * primary key. drizzle-kit turns this file into SQL migrations under migrations/
 * (`npm run db:generate`). The projection (`projection.ts`) is the only writer.
 *
 * Conventions: money is integer minor units in `bigint` (read as JS numbers; amounts stay
 * far below 2^53), accounting dates are `date` read as 'YYYY-MM-DD', instants are
 * `timestamptz` taken from the event envelope's `at`. Entity rows keep `version` (their
 * stream's version, the API's ETag) and `last_position` (the last event applied to them).
 */
import { sql } from 'drizzle-orm';
import type { AccountType, InvoiceStatus, JournalSource, PaymentMethod } from '../domain/events';
import {
  bigint,
  boolean,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

import { day, instant, money, tenant, tracking } from './schema-columns';

/** How far the projection has applied each tenant's event log. */
export const projectionCheckpoints = pgTable('projection_checkpoints', {
  tenantId: text('tenant_id').primaryKey(),
  position: bigint('position', { mode: 'number' }).notNull().default(0),
  updatedAt: instant('updated_at').notNull().defaultNow(),
});

/** Chart of accounts. Codes are unique per tenant (the ledger also enforces case-insensitively). */
export const accounts = pgTable(
  'accounts',
  {
    tenantId: tenant(),
    id: text('id').notNull(),
    code: text('code').notNull(),
    name: text('name').notNull(),
    type: text('type').$type<AccountType>().notNull(),
    parentId: text('parent_id'),
    description: text('description'),
    active: boolean('active').notNull(),
    ...tracking(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    uniqueIndex('accounts_tenant_code_uq').on(t.tenantId, t.code),
    index('accounts_tenant_parent_idx').on(t.tenantId, t.parentId),
  ],
);

/** Posted journal entries (headers); `source_type` is manual | invoice | invoice_void | payment | reversal. */
export const journalEntries = pgTable(
  'journal_entries',
  {
    tenantId: tenant(),
    id: text('id').notNull(),
    date: day('date').notNull(),
    memo: text('memo'),
    currency: text('currency').notNull(),
    sourceType: text('source_type').$type<JournalSource['type']>().notNull(),
    sourceId: text('source_id'),
    reversalOf: text('reversal_of'),
    reversedBy: text('reversed_by'),
    postedAt: instant('posted_at').notNull(),
    ...tracking(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('journal_entries_tenant_date_idx').on(t.tenantId, t.date, t.id),
    index('journal_entries_tenant_source_idx').on(t.tenantId, t.sourceType, t.sourceId),
  ],
);

/** Journal lines, with the entry date denormalized for reports. One of debit/credit is 0. */
export const journalLines = pgTable(
  'journal_lines',
  {
    tenantId: tenant(),
    journalId: text('journal_id').notNull(),
    lineNo: integer('line_no').notNull(),
    accountId: text('account_id').notNull(),
    currency: text('currency').notNull(),
    debit: money('debit'),
    credit: money('credit'),
    description: text('description'),
    date: day('date').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.journalId, t.lineNo] }),
    index('journal_lines_tenant_date_idx').on(t.tenantId, t.date),
    // journal_id last: the journal list's account filter and reports read entries per account by date.
    index('journal_lines_tenant_account_date_idx').on(t.tenantId, t.accountId, t.date, t.journalId),
  ],
);

/** Invoice headers. `balance_due` is 0 for drafts and void invoices, as in the API view. */
export const invoices = pgTable(
  'invoices',
  {
    tenantId: tenant(),
    id: text('id').notNull(),
    customerId: text('customer_id').notNull(),
    status: text('status').$type<InvoiceStatus>().notNull(),
    currency: text('currency').notNull(),
    issueDate: day('issue_date').notNull(),
    dueDate: day('due_date').notNull(),
    memo: text('memo'),
    subtotal: money('subtotal'),
    taxTotal: money('tax_total'),
    total: money('total'),
    paidAmount: money('paid_amount'),
    balanceDue: money('balance_due'),
    journalId: text('journal_id'),
    receivableAccountId: text('receivable_account_id'),
    issuedAt: instant('issued_at'),
    voidedOn: day('voided_on'),
    voidedAt: instant('voided_at'),
    voidJournalId: text('void_journal_id'),
    ...tracking(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('invoices_tenant_status_due_idx').on(t.tenantId, t.status, t.dueDate),
    // The list orders by (issue_date desc, id desc); these serve its customer and status filters.
    index('invoices_tenant_customer_idx').on(t.tenantId, t.customerId, t.issueDate, t.id),
    index('invoices_tenant_issue_date_idx').on(t.tenantId, t.issueDate, t.id),
    index('invoices_tenant_status_issue_idx').on(t.tenantId, t.status, t.issueDate, t.id),
  ],
);

/** Invoice lines (replaced as a whole while the invoice is a draft). */
export const invoiceLines = pgTable(
  'invoice_lines',
  {
    tenantId: tenant(),
    invoiceId: text('invoice_id').notNull(),
    lineNo: integer('line_no').notNull(),
    description: text('description').notNull(),
    quantityMilli: bigint('quantity_milli', { mode: 'number' }).notNull(),
    unitAmount: money('unit_amount'),
    revenueAccountId: text('revenue_account_id').notNull(),
    taxRatePpm: integer('tax_rate_ppm').notNull(),
    amount: money('amount'),
    taxAmount: money('tax_amount'),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.invoiceId, t.lineNo] })],
);

/** Customer payments; `unallocated_amount` is customer credit still to apply. */
export const payments = pgTable(
  'payments',
  {
    tenantId: tenant(),
    id: text('id').notNull(),
    customerId: text('customer_id').notNull(),
    amount: money('amount'),
    currency: text('currency').notNull(),
    date: day('date').notNull(),
    method: text('method').$type<PaymentMethod>().notNull(),
    reference: text('reference'),
    journalId: text('journal_id').notNull(),
    cashAccountId: text('cash_account_id').notNull(),
    unappliedAccountId: text('unapplied_account_id').notNull(),
    allocatedAmount: money('allocated_amount'),
    unallocatedAmount: money('unallocated_amount'),
    ...tracking(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index('payments_tenant_customer_idx').on(t.tenantId, t.customerId, t.date, t.id),
    index('payments_tenant_date_idx').on(t.tenantId, t.date, t.id),
  ],
);

/** Applications of payments to invoices; `position`/`seq` = the event and the index in it. */
export const paymentAllocations = pgTable(
  'payment_allocations',
  {
    tenantId: tenant(),
    paymentId: text('payment_id').notNull(),
    position: bigint('position', { mode: 'number' }).notNull(),
    seq: integer('seq').notNull(),
    invoiceId: text('invoice_id').notNull(),
    amount: money('amount'),
    date: day('date').notNull(),
    journalId: text('journal_id').notNull(),
    // The invoice's customer, currency, due and issue dates (fixed once it is issued, and
    // only issued invoices are paid), so AR aging as of a past date adds back the payments
    // applied after it without looking up each one's invoice (migration 0009). Null on rows
    // an older release wrote during its rollout (expand/contract, docs/deploy.md §7): the
    // aging looks their invoice up.
    customerId: text('customer_id'),
    currency: text('currency'),
    dueDate: day('due_date'),
    invoiceIssueDate: day('invoice_issue_date'),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.paymentId, t.position, t.seq] }),
    index('payment_allocations_tenant_invoice_idx').on(t.tenantId, t.invoiceId),
    // AR aging as of a past date adds back the payments applied after it.
    index('payment_allocations_tenant_date_idx').on(t.tenantId, t.date),
  ],
);

/** Running totals per account and currency over every posted line; balance = debit - credit. */
export const accountBalances = pgTable(
  'account_balances',
  {
    tenantId: tenant(),
    accountId: text('account_id').notNull(),
    currency: text('currency').notNull(),
    debitTotal: money('debit_total'),
    creditTotal: money('credit_total'),
    balance: bigint('balance', { mode: 'number' })
      .notNull()
      .generatedAlwaysAs(sql`"debit_total" - "credit_total"`),
    lastPosition: bigint('last_position', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.accountId, t.currency] })],
);

/** The tenant's settings stream: lock date and the default posting accounts. */
export const tenantSettings = pgTable('tenant_settings', {
  tenantId: text('tenant_id').primaryKey(),
  lockDate: day('lock_date'),
  receivableAccountId: text('receivable_account_id').notNull(),
  revenueAccountId: text('revenue_account_id').notNull(),
  taxPayableAccountId: text('tax_payable_account_id').notNull(),
  cashAccountId: text('cash_account_id').notNull(),
  unappliedPaymentsAccountId: text('unapplied_payments_account_id').notNull(),
  version: integer('version').notNull(),
  updatedAt: instant('updated_at').notNull(),
  lastPosition: bigint('last_position', { mode: 'number' }).notNull(),
});

export * from './schema-parties';
export * from './schema-totals';
