/** What `decide` may ask of the ledger, what it returns, and shared lookups over it. */
import type { AccountState } from './accounts/account';
import type { Checker } from './checker';
import { dateOf } from './dates';
import { refuse, type DomainError } from './errors';
import type { AccountType, PendingEvent } from './events';
import { SETTINGS_STREAM, type SettingsState } from './settings/settings';
import { streamIdOf, type AggregateState, type EntityKind, type StateOf } from './state';

/** Unique-key indexes the ledger maintains for the domain. */
export type IndexName = 'account.code';

/** Read access to the tenant's ledger at the moment of the decision (synchronous). */
export interface DecideContext {
  /** Current state of any stream, undefined when it has no events. */
  load(streamId: string): AggregateState | undefined;
  /** Stream id owning a unique key (keys as produced by `indexEntries`). */
  lookup(index: IndexName, key: string): string | undefined;
  /** ISO timestamp of the command; its UTC date is "today". */
  now: string;
  /** A fresh unique id with the given prefix (acc, je, inv, pay, cus, ven). */
  newId(prefix: string): string;
}

/** Events to append (in order) and the primary resource's stream, or a refusal. */
export type DecideResult =
  { ok: true; events: PendingEvent[]; streamId: string } | { ok: false; error: DomainError };

/** An accepted decision, before it is wrapped into a `DecideResult`. */
export interface Decision {
  events: PendingEvent[];
  streamId: string;
}

/** Loads an entity by id if the stream exists and holds that kind. */
export function loadEntity<K extends EntityKind>(
  ctx: DecideContext,
  kind: K,
  id: string,
): StateOf<K> | undefined {
  const state = ctx.load(streamIdOf(kind, id));
  return state !== undefined && state.kind === kind ? (state as StateOf<K>) : undefined;
}

/** Loads the resource a command targets, refusing `${kind}_not_found` (404) if absent. */
export function requireEntity<K extends EntityKind>(
  ctx: DecideContext,
  kind: K,
  id: unknown,
): StateOf<K> {
  const found = typeof id === 'string' ? loadEntity(ctx, kind, id) : undefined;
  if (found === undefined) {
    const noun = kind === 'journal' ? 'journal entry' : kind;
    return refuse('not_found', `${kind}_not_found`, `The ${noun} does not exist.`);
  }
  return found;
}

/** The tenant settings; the ledger initializes them before the first command. */
export function requireSettings(ctx: DecideContext): SettingsState {
  const state = ctx.load(SETTINGS_STREAM);
  if (state === undefined || state.kind !== 'settings') {
    return refuse('conflict', 'tenant_not_initialized', 'The ledger has not been set up yet.');
  }
  return state;
}

/** Today's date (UTC) according to the command's timestamp. */
export function today(ctx: DecideContext): string {
  return dateOf(ctx.now);
}

/** Records `period_locked` when `date` is on or before the lock date. */
export function checkOpenPeriod(
  c: Checker,
  settings: SettingsState,
  path: string,
  date: string,
): void {
  if (settings.lockDate !== null && date <= settings.lockDate) {
    c.add(path, 'period_locked', `must be after the lock date ${settings.lockDate}`);
  }
}

/**
 * Checks a reference to an account inside the body: it must exist, be active and, when
 * `type` is given, be of that type. Records a problem at `path` and returns the account
 * (or undefined when it does not exist).
 */
export function checkAccountRef(
  c: Checker,
  ctx: DecideContext,
  path: string,
  accountId: string,
  type?: AccountType,
): AccountState | undefined {
  const account = loadEntity(ctx, 'account', accountId);
  if (account === undefined) c.add(path, 'account_reference_invalid', 'account does not exist');
  else if (!account.active) c.add(path, 'account_inactive', 'account is inactive');
  else if (type !== undefined && account.type !== type) {
    c.add(path, 'account_type_mismatch', `must be an account of type ${type}`);
  }
  return account;
}

/** Wraps one event for `streamId`. */
export function pending(streamId: string, event: PendingEvent['event']): PendingEvent {
  return { streamId, event };
}
