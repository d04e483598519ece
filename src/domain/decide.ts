/**
 * The single entry point for writes: `decide(command, ctx)` checks a command against the
 * current state and returns the events to append (or a refusal). It is pure — all reads go
 * through `ctx`, ids come from `ctx.newId`, "today" from `ctx.now` — and never throws for a
 * refused command (a thrown error means a bug or a corrupt stream).
 */
import { accountCodeKey } from './accounts/account';
import { createAccount, deactivateAccount, updateAccount } from './accounts/account-decide';
import type { Command } from './commands';
import type { DecideContext, DecideResult, Decision, IndexName } from './context';
import { DomainFailure, refuse } from './errors';
import type { PendingEvent } from './events';
import { createInvoice, updateInvoice } from './invoices/invoice-draft';
import { issueInvoice, voidInvoice } from './invoices/invoice-lifecycle';
import { postJournal, reverseJournal } from './journal/journal-decide';
import { createParty, deactivateParty, updateParty } from './parties/party-decide';
import { allocatePayment, recordPayment } from './payments/payment-decide';
import { updateSettings } from './settings/settings-decide';

function route(command: Command, ctx: DecideContext): Decision {
  if (typeof command !== 'object' || command === null) {
    return refuse('invalid', 'unknown_command', 'This operation is not supported.');
  }
  if (typeof command.data !== 'object' || command.data === null) {
    return refuse('invalid', 'validation_failed', 'The request body must be a JSON object.');
  }
  switch (command.type) {
    case 'account.create':
      return createAccount(command.data, ctx);
    case 'account.update':
      return updateAccount(command.data, ctx);
    case 'account.deactivate':
      return deactivateAccount(command.data, ctx);
    case 'journal.post':
      return postJournal(command.data, ctx);
    case 'journal.reverse':
      return reverseJournal(command.data, ctx);
    case 'invoice.create':
      return createInvoice(command.data, ctx);
    case 'invoice.update':
      return updateInvoice(command.data, ctx);
    case 'invoice.issue':
      return issueInvoice(command.data, ctx);
    case 'invoice.void':
      return voidInvoice(command.data, ctx);
    case 'payment.record':
      return recordPayment(command.data, ctx);
    case 'payment.allocate':
      return allocatePayment(command.data, ctx);
    case 'customer.create':
      return createParty('customer', command.data, ctx);
    case 'customer.update':
      return updateParty('customer', command.data, ctx);
    case 'customer.deactivate':
      return deactivateParty('customer', command.data, ctx);
    case 'vendor.create':
      return createParty('vendor', command.data, ctx);
    case 'vendor.update':
      return updateParty('vendor', command.data, ctx);
    case 'vendor.deactivate':
      return deactivateParty('vendor', command.data, ctx);
    case 'settings.update':
      return updateSettings(command.data, ctx);
    default:
      return refuse('invalid', 'unknown_command', 'This operation is not supported.');
  }
}

/** Decides a command: the events to append, in order, or why it was refused. */
export function decide(command: Command, ctx: DecideContext): DecideResult {
  try {
    const { events, streamId } = route(command, ctx);
    return { ok: true, events, streamId };
  } catch (error) {
    if (error instanceof DomainFailure) return { ok: false, error: error.error };
    throw error;
  }
}

/** A change to a unique-key index implied by an event. */
export interface IndexEntry {
  index: IndexName;
  key: string;
  streamId: string;
  /** True when the key is released rather than claimed. */
  remove?: boolean;
}

/**
 * Unique-key index changes for one appended event. Account codes are keyed upper-cased, so
 * uniqueness is case-insensitive; a deactivated account keeps its code reserved.
 */
export function indexEntries(p: PendingEvent): IndexEntry[] {
  const { event, streamId } = p;
  if (event.type === 'account.created') {
    return [{ index: 'account.code', key: accountCodeKey(event.data.code), streamId }];
  }
  if (event.type === 'account.updated') {
    const [before, after] = [
      accountCodeKey(event.data.previousCode),
      accountCodeKey(event.data.code),
    ];
    if (before === after) return [];
    return [
      { index: 'account.code', key: before, streamId, remove: true },
      { index: 'account.code', key: after, streamId },
    ];
  }
  return [];
}
