/**
 * finance-edge domain: pure TypeScript (no I/O). Commands are decided against aggregate
 * state into events; events fold into state; views shape state for clients.
 */
export * from './account';
export * from './commands';
export type { DecideContext, DecideResult, IndexName } from './context';
export * from './dates';
export * from './decide';
export * from './default-chart';
export { fail, type DomainError, type ErrorKind, type FieldError, type Result } from './errors';
export * from './events';
export * from './invoice';
export * from './invoice-totals';
export * from './journal';
export * from './money';
export * from './party';
export * from './payment';
export * from './settings';
export { DEFAULT_ACCOUNT_TYPES } from './settings-decide';
export * from './state';
export * from './tenant';
export * from './views';
export { MAX_INVOICE_LINES } from './invoice-draft';
export { MAX_JOURNAL_LINES } from './journal-decide';
export { MAX_ALLOCATIONS } from './payment-decide';
