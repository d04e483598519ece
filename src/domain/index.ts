/**
 * finance-edge domain: pure TypeScript (no I/O). Commands are decided against aggregate
 * state into events; events fold into state; views shape state for clients.
 */
export * from './accounts/account';
export * from './commands';
export type { DecideContext, DecideResult, IndexName } from './context';
export * from './dates';
export * from './decide';
export * from './settings/default-chart';
export { fail, type DomainError, type ErrorKind, type FieldError, type Result } from './errors';
export * from './events';
export * from './invoices/invoice';
export * from './invoices/invoice-totals';
export * from './journal/journal';
export * from './money';
export * from './parties/party';
export * from './payments/payment';
export * from './settings/settings';
export { DEFAULT_ACCOUNT_TYPES } from './settings/settings-decide';
export * from './state';
export * from './settings/tenant';
export * from './views';
export { MAX_INVOICE_LINES } from './invoices/invoice-draft';
export { MAX_JOURNAL_LINES } from './journal/journal-decide';
export { MAX_ALLOCATIONS } from './payments/payment-decide';
